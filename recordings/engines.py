"""Speech-to-text engines behind one small interface.

This is the only module that imports faster_whisper or whisper. Both engines get
the same treatment: Silero voice-activity detection on one channel, the speech
stretches joined and decoded in one pass, timestamps mapped back to the call,
with the decoder's guards against text invented over silence or repeated in loops,
and loops that get through mended (recordings.loops says what reads as one).
"""

from __future__ import annotations

import enum
import functools
import logging
import os
import threading
from abc import ABC, abstractmethod
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from django.conf import settings

from recordings import loops
from recordings.analytics import TURN_GAP_SECONDS, merge, total
from recordings.talk import trim_to_voice
from recordings.whisper_models import WhisperModelSpec, model_spec, packaged_model_path

logger = logging.getLogger(__name__)

SAMPLE_RATE = 16_000

# Silero VAD, tuned on the shipped telephone samples: quiet 8 kHz voices need a
# threshold below the usual 0.5, and tight padding keeps talk time honest.
VAD_THRESHOLD = 0.25
VAD_MIN_SILENCE_MS = 100
VAD_SPEECH_PAD_MS = 30
# Context kept around each turn when decoding; whisper mishears clipped word edges.
DECODE_PAD_SECONDS = 0.2

# Decoder guards against hallucination and repetition loops. No temperature fallback: CTranslate2
# samples on its worker threads, whose random state no seed reaches, so a re-run would give other
# words. A turn that loops is mended deterministically instead (Engine._decode_turns).
TEMPERATURES = (0.0,)
RANDOM_SEED = 0
COMPRESSION_RATIO_THRESHOLD = 2.2
LOG_PROB_THRESHOLD = -1.0
NO_SPEECH_THRESHOLD = 0.6
HALLUCINATION_SILENCE_SECONDS = 2.0
# No run of 10 tokens twice in one window: far longer than a phrase anyone repeats word for word
# within 30 seconds, so the sample calls decode to the same words with or without it, while a
# digit run ("0-0-0-0-0-...") can no longer run on until the window is full.
NO_REPEAT_NGRAM_TOKENS = 10
# A turn that looped is decoded again alone, with no more tokens than its speech can hold (a digit
# said is about two tokens, "one,"), so that a loop there ends early and cheaply.
TOKENS_PER_WORD = 2
# A turn with this much speech that came back without words after a loop was swallowed by it.
MIN_UNHEARD_SPEECH_SECONDS = 0.3
# faster-whisper's own cap on the tokens decoded per window (half the model's 448).
MAX_NEW_TOKENS = 220
# faster-whisper pads every window to 30 s before the encoder, whose cost grows faster than its
# input (a 30 s window costs 3.5 times a 20 s one, ten times a 10 s one). A window with at least
# CROP_FROM_SECONDS of audio is encoded with only ENCODER_MARGIN_SECONDS of its padding, which keeps
# the end-of-audio cue Whisper relies on, and no shorter than ENCODER_MIN_SECONDS. Less audio is
# padded in full: cut that short, Whisper drops or repeats digits. Only a looping turn decoded again
# alone, and the turns it swallowed, are cut short whatever their length: a loop must stay cheap.
ENCODER_MARGIN_SECONDS = 3.0
ENCODER_MIN_SECONDS = 15.0
CROP_FROM_SECONDS = 10.0
FRAMES_PER_SECOND = 100


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    text: str
    probability: float


@dataclass(frozen=True)
class Utterance:
    """Consecutive words of one speaker within one turn."""

    start: float
    end: float
    text: str
    words: tuple[Word, ...]


@dataclass(frozen=True)
class DecodedSegment:
    """One segment as the decoder gave it, times in the decoded audio."""

    start: float
    end: float
    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        return "".join(w.text for w in self.words)


class Padding(enum.Enum):
    """How much of a window's padding to 30 s the encoder sees (faster-whisper; the other engine pads in full)."""

    CUT_IF_LONG = "cut if long"  # cut short where the window holds CROP_FROM_SECONDS of audio or more
    CUT = "cut"  # a loop's turn or what it swallowed, decoded again: cut short whatever its length
    FULL = "full"  # turns a cut-short pass heard nothing of

    @property
    def cut_from_seconds(self) -> float:
        return CROP_FROM_SECONDS if self is Padding.CUT_IF_LONG else 0.0


@dataclass(frozen=True)
class ChannelTranscript:
    utterances: list[Utterance]
    # Voice-activity intervals in seconds, trimmed to the voice (recordings.talk): the basis of call analytics.
    speech: list[tuple[float, float]]
    # The language decoded: the one asked for, or the one detected.
    language: str | None = None


@dataclass(frozen=True)
class EngineConfig:
    engine: str
    model: str  # empty: the packaged tiny.en
    device: str
    compute_type: str
    threads: int
    beam_size: int
    # Channels transcribed at once (each with threads / parallel_channels threads).
    parallel_channels: int = 2
    # Padding kept after a window's audio for the encoder; None: the full 30 s (faster-whisper only).
    encoder_margin_seconds: float | None = ENCODER_MARGIN_SECONDS

    @classmethod
    def from_settings(cls, **overrides) -> EngineConfig:
        values = {
            "engine": settings.WHISPER_ENGINE,
            "model": settings.WHISPER_MODEL,
            "device": settings.WHISPER_DEVICE,
            "compute_type": settings.WHISPER_COMPUTE_TYPE,
            "threads": settings.WHISPER_THREADS or (os.cpu_count() or 1),
            "beam_size": settings.WHISPER_BEAM_SIZE,
            "parallel_channels": settings.WHISPER_PARALLEL_CHANNELS,
        }
        values.update(overrides)
        return cls(**values)


class EngineUnavailable(RuntimeError):
    """The engine's optional packages are not installed."""


class Engine(ABC):
    name: str
    model_name: str
    spec: WhisperModelSpec | None = None  # a packaged model, whose languages are known; None: not checked
    parallel_channels = 1

    def __init__(self, config: EngineConfig):
        self.config = config
        self.spec = model_spec(config.model)
        # One model per process, used by up to `parallel_channels` channels at a time.
        self.parallel_channels = max(1, config.parallel_channels)
        self._slots = threading.Semaphore(self.parallel_channels)

    def check_language(self, language: str | None) -> None:
        """Refuse a language this model cannot transcribe (LanguageNotSupported)."""
        if self.spec is not None:
            self.spec.check_language(language)

    def transcribe_channels(self, channels: dict[str, np.ndarray], *, language: str | None) -> dict[str, ChannelTranscript]:
        """Transcribe several channels, `parallel_channels` of them at once."""
        workers = min(len(channels), self.parallel_channels)
        if workers == 1:
            return {key: self.transcribe_channel(audio, language=language) for key, audio in channels.items()}
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="channel") as pool:
            futures = {key: pool.submit(self.transcribe_channel, audio, language=language) for key, audio in channels.items()}
            return {key: future.result() for key, future in futures.items()}

    def transcribe_channel(self, audio: np.ndarray, *, language: str | None) -> ChannelTranscript:
        """Transcribe one channel of 16 kHz mono float32 audio.

        The channel's turns are decoded joined, in one pass (`_decode_turns`): a turn that reads as a
        loop is mended and the turns it swallowed are decoded again. Last, no word is kept repeated in a
        row more often than a person says it.
        """
        speech = detect_speech(audio)
        if not speech:
            return ChannelTranscript(utterances=[], speech=[], language=language)
        chunks = decoding_chunks(speech, len(audio) / SAMPLE_RATE)
        with self._slots:
            heard, language = self._decode_turns(audio, chunks, speech, language)
        groups = [words for index in sorted(heard) for words in heard[index]]
        utterances = [_utterance(words) for words in _trim_runs(groups)]
        return ChannelTranscript(utterances=utterances, speech=trim_to_voice(audio, speech, SAMPLE_RATE), language=language)

    def _decode_turns(
        self, audio, chunks, speech, language, *, padding: Padding = Padding.CUT_IF_LONG
    ) -> tuple[dict[int, list[list[Word]]], str | None]:
        """The words of each turn (by index in `chunks`, grouped per segment, in call time), decoded joined.

        A turn whose words read as a loop is mended (`_unlooped`). The turns after it that the loop
        swallowed are decoded again, joined, the same way, as if the loop had not happened: those left
        without words, and those whose only words ran on from a looping turn's segment (a loop's words
        are timed over the audio that follows them). Turns a cut-short pass heard nothing of are decoded
        again with the encoder's full padding."""
        joined = np.concatenate([audio[round(s * SAMPLE_RATE) : round(e * SAMPLE_RATE)] for s, e in chunks])
        segments, language = self._decode(joined, language=language, padding=padding)
        heard: dict[int, list[list[Word]]] = {}
        began_in: dict[int, set[int]] = {}  # turn -> the turns where the segments of its words began
        for segment in segments:
            placed = _place_words([list(segment.words)], chunks)
            for index, words in placed:
                heard.setdefault(index, []).append(words)
                began_in.setdefault(index, set()).add(placed[0][0])
        looping = _looping_turns(segments, heard, chunks, speech)
        # Swallowed, after a loop: a turn with speech but no words, one whose words all ran on from a
        # looping turn, and one that loops on words which all began in an earlier turn.
        swallowed = [
            index
            for index in range(looping[0] + 1 if looping else len(chunks), len(chunks))
            if index not in began_in.get(index, set())
            and _speech_within(speech, chunks[index]) >= MIN_UNHEARD_SPEECH_SECONDS
            and (index in looping or began_in.get(index, set()) <= set(looping))
        ]
        unheard = [
            index
            for index, chunk in enumerate(chunks)
            if index not in heard and index not in swallowed and _speech_within(speech, chunk) >= MIN_UNHEARD_SPEECH_SECONDS
        ]
        if looping:
            logger.debug("Loops in %s; swallowed %s", [chunks[i] for i in looping], [chunks[i] for i in swallowed])
        for index in looping:
            if index not in swallowed:
                heard[index] = self._unlooped(audio, chunks[index], speech, language, heard.get(index, []))
        again_with = [(swallowed, Padding.CUT)]
        if padding is Padding.CUT_IF_LONG and self._cuts(len(joined) / SAMPLE_RATE):
            again_with.append((unheard, Padding.FULL))
        for turns, again_padding in again_with:
            if turns:
                for index in turns:
                    heard.pop(index, None)
                again, _language = self._decode_turns(audio, [chunks[i] for i in turns], speech, language, padding=again_padding)
                heard.update({turns[index]: words for index, words in again.items()})
        return heard, language

    def _cuts(self, seconds: float) -> bool:
        """Whether a first pass over this much audio has its padding cut short."""
        return self.config.encoder_margin_seconds is not None and seconds >= CROP_FROM_SECONDS

    def _unlooped(self, audio: np.ndarray, span: tuple[float, float], speech, language, first: list[list[Word]]) -> list[list[Word]]:
        """A looping turn's words as speech can hold them. A run of one word longer than people say is cut
        (tiny.en hears "one" twenty times where fifteen were said); a turn still looping after that is
        decoded again alone, within its speech's word budget, and if even that loops, cut to the budget."""
        spoken = _speech_within(speech, span)
        trimmed = _trim_runs(first)
        if trimmed and not loops.loop_reason(_text(trimmed), spoken):
            return trimmed
        start, end = span
        segments, _language = self._decode(
            audio[round(start * SAMPLE_RATE) : round(end * SAMPLE_RATE)],
            language=language,
            max_tokens=TOKENS_PER_WORD * loops.word_budget(spoken),
            padding=Padding.CUT,
        )
        alone = [shifted for segment in segments if (shifted := [_shift(w, start, end) for w in segment.words if w.text.strip()])]
        if alone and not loops.loop_reason(_text(alone), spoken):
            return alone
        kept = _trim_runs(alone or trimmed)
        return _retext(kept, loops.trim_to_budget([w.text for words in kept for w in words], spoken))

    @abstractmethod
    def _decode(
        self, audio: np.ndarray, *, language: str | None, max_tokens: int | None = None, padding: Padding = Padding.CUT_IF_LONG
    ) -> tuple[list[DecodedSegment], str]:
        """Decode audio: its segments (times in `audio`, words included), and the language.

        `max_tokens` caps the tokens decoded per 30-second window (None: the model's limit); `padding`
        says how much of a window's padding the encoder sees, where the engine can choose."""


class FasterWhisperEngine(Engine):
    name = "faster-whisper"

    def __init__(self, config: EngineConfig):
        super().__init__(config)
        self.model_name = _model_label(config.model)
        workers = max(1, config.parallel_channels)
        self.model = _cropping_whisper_model()(
            packaged_model_path(config.model, settings.WHISPER_MODEL_CACHE) if self.spec else config.model,
            device=config.device,
            compute_type=config.compute_type,
            cpu_threads=max(1, config.threads // workers),
            num_workers=workers,
            download_root=str(settings.WHISPER_MODEL_CACHE),
        )

    def _decode(
        self, audio: np.ndarray, *, language: str | None, max_tokens: int | None = None, padding: Padding = Padding.CUT_IF_LONG
    ) -> tuple[list[DecodedSegment], str]:
        import ctranslate2

        ctranslate2.set_random_seed(RANDOM_SEED)
        options = self.decode_options(language)
        if max_tokens is not None:
            options["max_new_tokens"] = min(max_tokens, MAX_NEW_TOKENS)
        margin = self.config.encoder_margin_seconds
        crop = None if margin is None or padding is Padding.FULL else _Crop(margin, padding.cut_from_seconds)
        with _encoder_crop(crop):
            segments, info = self.model.transcribe(audio, vad_filter=False, **options)
            decoded = [
                DecodedSegment(
                    start=segment.start,
                    end=segment.end,
                    words=tuple(Word(w.start, w.end, w.word, w.probability) for w in (segment.words or [])),
                )
                for segment in segments  # decoded lazily, window by window, inside the margin's scope
            ]
        return decoded, info.language

    def decode_options(self, language: str | None) -> dict:
        options = {
            "language": language,
            "beam_size": self.config.beam_size,
            "best_of": 1,
            "temperature": list(TEMPERATURES),
            "compression_ratio_threshold": COMPRESSION_RATIO_THRESHOLD,
            "log_prob_threshold": LOG_PROB_THRESHOLD,
            "no_speech_threshold": NO_SPEECH_THRESHOLD,
            "condition_on_previous_text": False,
            "word_timestamps": True,
            "hallucination_silence_threshold": HALLUCINATION_SILENCE_SECONDS,
            "no_repeat_ngram_size": NO_REPEAT_NGRAM_TOKENS,
        }
        return options

    def transcribe_bare(self, audio: np.ndarray, *, language: str | None) -> list:
        """faster-whisper's own VAD and decode, nothing of ours: the benchmark's baseline."""
        segments, _info = self.model.transcribe(
            audio,
            vad_filter=True,
            vad_parameters={
                "threshold": VAD_THRESHOLD,
                "min_silence_duration_ms": int(TURN_GAP_SECONDS * 1000),
                "speech_pad_ms": int(DECODE_PAD_SECONDS * 1000),
            },
            **self.decode_options(language),
        )
        return list(segments)


class OpenAIWhisperEngine(Engine):
    name = "openai-whisper"

    def __init__(self, config: EngineConfig):
        super().__init__(config)
        try:
            import torch
            import whisper
        except ImportError as exc:
            raise EngineUnavailable(
                f"openai-whisper needs the optional extra (torch==2.13.0 and openai-whisper): {exc}"
            ) from exc
        from recordings.ct2_to_openai import default_openai_checkpoint, load_openai_model

        torch.set_num_threads(config.threads)
        # PyTorch runs one channel at a time in this process; its threads already share the cores.
        self.parallel_channels = 1
        self._slots = threading.Semaphore(1)
        self.model_name = _model_label(config.model)
        if self.spec is not None and self.spec.name != "tiny.en":
            raise EngineUnavailable(f"the openai-whisper reference engine runs the packaged tiny.en only, not {self.spec.name}")
        if self.spec is None:
            self.model = whisper.load_model(config.model, device=config.device, download_root=str(settings.WHISPER_MODEL_CACHE))
        else:
            checkpoint = default_openai_checkpoint(settings.WHISPER_MODEL_CACHE)
            self.model = load_openai_model(checkpoint, device=config.device)

    def _decode(
        self, audio: np.ndarray, *, language: str | None, max_tokens: int | None = None, padding: Padding = Padding.CUT_IF_LONG
    ) -> tuple[list[DecodedSegment], str]:
        import torch
        import whisper

        torch.manual_seed(RANDOM_SEED)
        beam_size = self.config.beam_size
        result = whisper.transcribe(
            self.model,
            audio,
            language=language,
            beam_size=beam_size if beam_size > 1 else None,
            best_of=1,
            # openai-whisper has no repetition guards nor token cap: a turn that loops here is decoded
            # again alone just the same, and cut to what its speech can hold.
            temperature=TEMPERATURES,
            compression_ratio_threshold=COMPRESSION_RATIO_THRESHOLD,
            logprob_threshold=LOG_PROB_THRESHOLD,
            no_speech_threshold=NO_SPEECH_THRESHOLD,
            condition_on_previous_text=False,
            word_timestamps=True,
            hallucination_silence_threshold=HALLUCINATION_SILENCE_SECONDS,
            fp16=False,
            verbose=None,
        )
        decoded = [
            DecodedSegment(
                start=segment["start"],
                end=segment["end"],
                words=tuple(Word(w["start"], w["end"], w["word"], w["probability"]) for w in segment.get("words", [])),
            )
            for segment in result["segments"]
        ]
        return decoded, result.get("language") or language or ""


ENGINES: dict[str, type[Engine]] = {"faster-whisper": FasterWhisperEngine, "openai-whisper": OpenAIWhisperEngine}


def get_engine(config: EngineConfig | None = None) -> Engine:
    """The engine for these settings (default: the current ones), loaded once per process."""
    return _load_engine(config or EngineConfig.from_settings())


@functools.cache
def _load_engine(config: EngineConfig) -> Engine:
    if config.engine not in ENGINES:
        raise ValueError(f"unknown transcription engine '{config.engine}'")
    return ENGINES[config.engine](config)


def openai_whisper_missing() -> str:
    """Why the openai-whisper engine cannot run here; empty when it can."""
    try:
        import torch  # noqa: F401
        import whisper  # noqa: F401
    except ImportError as exc:
        return f"openai-whisper extra not installed ({exc}); install torch==2.13.0 and openai-whisper"
    return ""


@dataclass(frozen=True)
class _Crop:
    margin_seconds: float  # of padding kept after the audio
    from_seconds: float  # the least audio in a window for it to be cut short


_encoder_crops = threading.local()


@contextmanager
def _encoder_crop(crop: _Crop | None):
    """Within this block, this thread's encoder passes cut windows short as `crop` says (None: never)."""
    previous = getattr(_encoder_crops, "crop", None)
    _encoder_crops.crop = crop
    try:
        yield
    finally:
        _encoder_crops.crop = previous


@functools.cache
def _cropping_whisper_model() -> type:
    """faster-whisper's WhisperModel, whose encoder sees a window's audio and only part of its padding."""
    from faster_whisper import WhisperModel

    class CroppingWhisperModel(WhisperModel):
        def encode(self, features: np.ndarray):
            crop = getattr(_encoder_crops, "crop", None)
            if crop is not None:
                frames = features if features.ndim == 2 else features[0]
                # faster-whisper pads a window to 3000 frames with zeros; log-mel audio is never all zero.
                heard = np.flatnonzero(np.any(frames != 0, axis=0))
                content = int(heard[-1]) + 1 if heard.size else 0
                if content >= crop.from_seconds * FRAMES_PER_SECOND:
                    keep = max(content + round(crop.margin_seconds * FRAMES_PER_SECOND), round(ENCODER_MIN_SECONDS * FRAMES_PER_SECOND))
                    keep += keep % 2  # the encoder's convolution halves the frames
                    features = frames[:, : min(frames.shape[-1], keep)]
            return super().encode(features)

    return CroppingWhisperModel


def detect_speech(audio: np.ndarray) -> list[tuple[float, float]]:
    """Speech intervals (seconds) of one channel, by Silero VAD."""
    if audio.size < SAMPLE_RATE // 10 or not np.any(audio):
        return []  # too short or digital silence: nothing to hear
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(
        threshold=VAD_THRESHOLD, min_silence_duration_ms=VAD_MIN_SILENCE_MS, speech_pad_ms=VAD_SPEECH_PAD_MS
    )
    stamps = get_speech_timestamps(audio, options, sampling_rate=SAMPLE_RATE)
    return [(s["start"] / SAMPLE_RATE, s["end"] / SAMPLE_RATE) for s in stamps]


def decoding_chunks(speech: list[tuple[float, float]], duration: float) -> list[tuple[float, float]]:
    """Turns with a little context either side, as decoded."""
    padded = [
        (max(0.0, s - DECODE_PAD_SECONDS), min(duration, e + DECODE_PAD_SECONDS))
        for s, e in merge(speech, TURN_GAP_SECONDS)
    ]
    return merge(padded)


def _restore_timeline(decoded: list[list[Word]], chunks: list[tuple[float, float]]) -> list[Utterance]:
    """Map words from the joined audio back to call time, one utterance per segment and turn."""
    return [_utterance(words) for _index, words in _place_words(decoded, chunks)]


def _place_words(decoded: list[list[Word]], chunks: list[tuple[float, float]]) -> list[tuple[int, list[Word]]]:
    """Words from the joined audio in call time, grouped per segment and turn, with the turn's index."""
    joined_starts = _joined_starts(chunks)
    placed: list[tuple[int, list[Word]]] = []
    for words in decoded:
        current: list[Word] = []
        current_chunk = -1
        for word in words:
            if not word.text.strip():
                continue
            index = _chunk_at(joined_starts, (word.start + word.end) / 2)
            mapped = _shift(word, chunks[index][0] - joined_starts[index], chunks[index][1])
            if current and index != current_chunk:
                placed.append((current_chunk, current))
                current = []
            current.append(mapped)
            current_chunk = index
        if current:
            placed.append((current_chunk, current))
    return placed


def _joined_starts(chunks: list[tuple[float, float]]) -> np.ndarray:
    return np.cumsum([0.0] + [e - s for s, e in chunks])[:-1]


def _chunk_at(joined_starts: np.ndarray, t: float) -> int:
    return max(0, int(np.searchsorted(joined_starts, t, side="right")) - 1)


def _shift(word: Word, offset: float, limit: float) -> Word:
    """The word moved by `offset` seconds, ending no later than `limit`."""
    return Word(
        start=round(min(word.start + offset, limit), 3),
        end=round(min(max(word.end + offset, word.start + offset), limit), 3),
        text=word.text,
        probability=round(float(word.probability), 4),
    )


def _speech_within(speech: list[tuple[float, float]], span: tuple[float, float]) -> float:
    return total([(max(s, span[0]), min(e, span[1])) for s, e in speech if e > span[0] and s < span[1]])


def _looping_turns(segments: list[DecodedSegment], heard: dict[int, list[list[Word]]], chunks, speech) -> list[int]:
    """The turns whose words read as a loop, and the one where a loop over the whole pass begins."""
    looping = {
        index
        for index, groups in heard.items()
        if loops.loop_reason("".join(w.text for words in groups for w in words), _speech_within(speech, chunks[index]))
    }
    words = [w for segment in segments for w in segment.words if loops.spoken_words(w.text)]
    if loops.loop_reason("".join(w.text for w in words), sum(_speech_within(speech, chunk) for chunk in chunks)):
        said = [(i, token) for i, w in enumerate(words) for token in loops.spoken_words(w.text)]
        start = loops.loop_start([token for _i, token in said])
        begins = words[said[start][0] if start is not None else 0]
        looping.add(_chunk_at(_joined_starts(chunks), begins.start))
    return sorted(looping)


def _text(groups: list[list[Word]]) -> str:
    return "".join(w.text for words in groups for w in words)


def _trim_runs(groups: list[list[Word]]) -> list[list[Word]]:
    """The words without repeats of one word in a row beyond what a person says (loops.trim_runs)."""
    return [words for words in _retext(groups, loops.trim_runs([w.text for words in groups for w in words])) if words]


def _retext(groups: list[list[Word]], texts: list[str]) -> list[list[Word]]:
    """The groups with their words' texts replaced, in order; words left without text dropped."""
    remaining = iter(texts)
    result = []
    for words in groups:
        kept = [replace(word, text=text) for word in words if (text := next(remaining))]
        if kept:
            result.append(kept)
    return result


def _utterance(words: list[Word]) -> Utterance:
    return Utterance(
        start=words[0].start,
        end=max(words[-1].end, words[0].start),
        text="".join(w.text for w in words).strip(),
        words=tuple(words),
    )


def _model_label(model: str) -> str:
    spec = model_spec(model)
    if spec is not None:
        return spec.label
    return Path(model).name if os.sep in model else model
