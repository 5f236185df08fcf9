"""Speech-to-text engines behind one small interface.

This is the only module that imports faster_whisper or whisper. Both engines get
the same treatment: Silero voice-activity detection on one channel, the speech
stretches joined and decoded in one pass, timestamps mapped back to the call,
with the decoder's guards against text invented over silence or repeated in loops.
"""

from __future__ import annotations

import enum
import functools
import logging
import os
import threading
from abc import ABC, abstractmethod
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
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
# Less around the voice-activity pieces of a looping turn, so that the pauses between digit groups part them.
PIECE_PAD_SECONDS = 0.08
# A turn with this much speech that came back without words is decoded again.
MIN_UNHEARD_SPEECH_SECONDS = 0.3
# faster-whisper's own cap on the tokens decoded per window (half the model's 448).
MAX_NEW_TOKENS = 220

# Decoder guards against hallucination and repetition loops. No temperature
# fallback: a doubtful or looping turn is decoded again alone instead, so a re-run
# gives the same words.
TEMPERATURES = (0.0,)
RANDOM_SEED = 0
COMPRESSION_RATIO_THRESHOLD = 2.2
LOG_PROB_THRESHOLD = -1.0
NO_SPEECH_THRESHOLD = 0.6
HALLUCINATION_SILENCE_SECONDS = 2.0
# A turn decoded again alone gets beam 5, and no more tokens than its speech can hold
# (a digit said is about two tokens, "one,"), so that a loop there ends early and cheaply.
REDECODE_BEAM_SIZE = 5
TOKENS_PER_WORD = 2
# A piece that still loops gets a repetition penalty (mild: digits do repeat).
GUARD_REPETITION_PENALTY = 1.1


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
    avg_logprob: float

    @property
    def text(self) -> str:
        return "".join(w.text for w in self.words)


class Pass(enum.Enum):
    """How the decoder is asked: the first pass over a channel, doubtful turns again, a looping turn again."""

    FIRST = "first"  # the configured beam
    CAREFUL = "careful"  # beam 5: turns whose first reading was doubtful
    LOOPED = "looped"  # greedy, within the speech's word budget: a turn (or piece) that looped
    GUARDED = "guarded"  # the same with a repetition penalty: a piece that still looped

    def beam_size(self, configured: int) -> int:
        return {Pass.FIRST: configured, Pass.CAREFUL: max(configured, REDECODE_BEAM_SIZE)}.get(self, 1)


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
    beam_size: int  # of the first pass; doubtful turns are decoded again with REDECODE_BEAM_SIZE
    # A first-pass segment whose average log-probability is below this is decoded again with beam 5
    # (off by default: with a greedy first pass it heard worse than beam 5 at about the same cost).
    redecode_below_log_prob: float = float("-inf")
    # Channels transcribed at once (each with threads / parallel_channels threads).
    parallel_channels: int = 2

    @classmethod
    def from_settings(cls, **overrides) -> EngineConfig:
        values = {
            "engine": settings.WHISPER_ENGINE,
            "model": settings.WHISPER_MODEL,
            "device": settings.WHISPER_DEVICE,
            "compute_type": settings.WHISPER_COMPUTE_TYPE,
            "threads": settings.WHISPER_THREADS or (os.cpu_count() or 1),
            "beam_size": settings.WHISPER_BEAM_SIZE,
            "redecode_below_log_prob": getattr(settings, "WHISPER_REDECODE_BELOW_LOG_PROB", float("-inf")),
            "parallel_channels": settings.WHISPER_PARALLEL_CHANNELS,
        }
        values.update(overrides)
        return cls(**values)


class EngineUnavailable(RuntimeError):
    """The engine's optional packages are not installed."""


class Engine(ABC):
    name: str
    model_name: str

    def __init__(self, config: EngineConfig):
        self.config = config
        self.spec: WhisperModelSpec | None = model_spec(config.model)
        # One model per process, used by up to `parallel_channels` channels at a time.
        self._slots = threading.Semaphore(max(1, config.parallel_channels))

    def check_language(self, language: str | None) -> None:
        """Refuse a language this model cannot transcribe (LanguageNotSupported)."""
        if self.spec is not None:
            self.spec.check_language(language)

    def transcribe_channels(self, channels: dict[str, np.ndarray], *, language: str | None) -> dict[str, ChannelTranscript]:
        """Transcribe several channels, `parallel_channels` of them at once."""
        workers = min(len(channels), max(1, self.config.parallel_channels))
        if workers == 1:
            return {key: self.transcribe_channel(audio, language=language) for key, audio in channels.items()}
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="channel") as pool:
            futures = {key: pool.submit(self.transcribe_channel, audio, language=language) for key, audio in channels.items()}
            return {key: future.result() for key, future in futures.items()}

    def transcribe_channel(self, audio: np.ndarray, *, language: str | None) -> ChannelTranscript:
        """Transcribe one channel of 16 kHz mono float32 audio.

        The channel's turns are decoded joined, in one pass. Where the text reads as a loop, the
        turn it started in is decoded again alone, and the turns after it joined again, as if the
        loop had not happened. Turns under a doubtful segment (low log-probability) or that came back
        empty are decoded again with beam 5.
        """
        speech = detect_speech(audio)
        if not speech:
            return ChannelTranscript(utterances=[], speech=[], language=language)
        chunks = decoding_chunks(speech, len(audio) / SAMPLE_RATE)
        with self._slots:
            decoded, language = self._transcribe_chunks(audio, chunks, speech, language, Pass.FIRST)
        decoded.sort(key=lambda words: words[0].start)
        utterances = [_utterance(words) for words in decoded]
        return ChannelTranscript(utterances=utterances, speech=trim_to_voice(audio, speech, SAMPLE_RATE), language=language)

    def _transcribe_chunks(self, audio, chunks, speech, language, how: Pass) -> tuple[list[list[Word]], str | None]:
        """Words (call time, grouped per segment and turn) of these turns, decoded joined."""
        joined = np.concatenate([audio[round(s * SAMPLE_RATE) : round(e * SAMPLE_RATE)] for s, e in chunks])
        segments, language = self._decode(joined, language=language, how=how)
        joined_starts = _joined_starts(chunks)
        # A loop may fill one segment, or repeat over several: the whole pass counts as one as well.
        whole = DecodedSegment(0.0, len(joined) / SAMPLE_RATE, tuple(w for s in segments for w in s.words), 0.0)
        for segment in [*segments, whole]:
            first = _chunk_at(joined_starts, segment.start)
            last = _chunk_at(joined_starts, max(segment.start, segment.end - 1e-3))
            reason = loops.loop_reason(segment.text, sum(_speech_within(speech, c) for c in chunks[first : last + 1]))
            if reason:
                # The loop swallowed the rest of its window: the turn it began in is decoded alone,
                # the turns after it again, and the turns before it keep their words.
                origin = _chunk_at(joined_starts, _loop_start(segment))
                logger.debug("Loop in %s (%s): decoding it alone and the turns after it again", chunks[origin], reason)
                kept = [words for index, words in _place_words([list(s.words) for s in segments], chunks) if index < origin]
                kept += self._redecode(audio, chunks[origin], speech, language)
                if origin + 1 < len(chunks):
                    kept += self._transcribe_chunks(audio, chunks[origin + 1 :], speech, language, how)[0]
                return kept, language
        placed = _place_words([list(segment.words) for segment in segments], chunks)
        if how is not Pass.FIRST:
            return [words for _index, words in placed], language
        doubtful = {
            index
            for segment in segments
            if segment.avg_logprob < self.config.redecode_below_log_prob
            for index in range(_chunk_at(joined_starts, segment.start), _chunk_at(joined_starts, max(segment.start, segment.end - 1e-3)) + 1)
        }
        heard = {index for index, _words in placed}
        doubtful |= {i for i, chunk in enumerate(chunks) if i not in heard and _speech_within(speech, chunk) >= MIN_UNHEARD_SPEECH_SECONDS}
        kept = [words for index, words in placed if index not in doubtful]
        if doubtful:
            logger.debug("Decoding %s again with beam %s", [chunks[i] for i in sorted(doubtful)], REDECODE_BEAM_SIZE)
            kept += self._transcribe_chunks(audio, [chunks[i] for i in sorted(doubtful)], speech, language, Pass.CAREFUL)[0]
        return kept, language

    def _redecode(self, audio: np.ndarray, chunk: tuple[float, float], speech, language: str | None) -> list[list[Word]]:
        """One chunk decoded alone; if it still loops, piece by piece, with guards if need be."""
        words = self._decode_span(audio, chunk, speech, language, Pass.LOOPED)
        heard = sum(len(loops.spoken_words(w.text)) for group in words for w in group)
        # Alone, a turn may come back looping again, or cut short (a second of speech holds a word or more).
        if not _loops(words, speech, chunk) and heard >= _speech_within(speech, chunk) - 2:
            return words
        pieces = merge(
            [(max(chunk[0], s - PIECE_PAD_SECONDS), min(chunk[1], e + PIECE_PAD_SECONDS)) for s, e in speech if e > chunk[0] and s < chunk[1]]
        )
        result: list[list[Word]] = []
        for piece in pieces if len(pieces) > 1 else []:
            decoded = self._decode_span(audio, piece, speech, language, Pass.LOOPED)
            if _loops(decoded, speech, piece):
                decoded = self._guarded(audio, piece, speech, language)
            result += decoded
        return result or self._guarded(audio, chunk, speech, language)

    def _guarded(self, audio: np.ndarray, span: tuple[float, float], speech, language: str | None) -> list[list[Word]]:
        decoded = self._decode_span(audio, span, speech, language, Pass.GUARDED)
        if not _loops(decoded, speech, span):
            return decoded
        # Still a loop: keep what speech can hold, and no run of one word longer than anyone says.
        budget = loops.word_budget(_speech_within(speech, span))
        kept: list[list[Word]] = []
        previous, run = "", 0
        for words in decoded:
            taken: list[Word] = []
            for word in words:
                for token in loops.spoken_words(word.text):
                    run = run + 1 if token == previous else 1
                    previous = token
                budget -= len(loops.spoken_words(word.text))
                if budget < 0 or run > loops.MAX_SAME_WORD_RUN:
                    break
                taken.append(word)
            if taken:
                kept.append(taken)
            if budget < 0 or run > loops.MAX_SAME_WORD_RUN:
                break
        return kept

    def _decode_span(self, audio: np.ndarray, span: tuple[float, float], speech, language: str | None, how: Pass) -> list[list[Word]]:
        """Decode audio[span] alone, within its speech's word budget; words in call time, within the span."""
        start, end = span
        max_tokens = TOKENS_PER_WORD * loops.word_budget(_speech_within(speech, span))
        segments, _language = self._decode(
            audio[round(start * SAMPLE_RATE) : round(end * SAMPLE_RATE)], language=language, how=how, max_tokens=max_tokens
        )
        return [
            shifted
            for segment in segments
            if (shifted := [_shift(word, start, end) for word in segment.words if word.text.strip()])
        ]

    @abstractmethod
    def _decode(
        self, audio: np.ndarray, *, language: str | None, how: Pass, max_tokens: int | None = None
    ) -> tuple[list[DecodedSegment], str]:
        """Decode audio: its segments (times in `audio`, words included), and the language.

        `max_tokens` caps the tokens decoded per 30-second window (None: the model's limit)."""


class FasterWhisperEngine(Engine):
    name = "faster-whisper"

    def __init__(self, config: EngineConfig):
        super().__init__(config)
        from faster_whisper import WhisperModel

        self.model_name = _model_label(config.model)
        workers = max(1, config.parallel_channels)
        self.model = WhisperModel(
            packaged_model_path(config.model, settings.WHISPER_MODEL_CACHE) if self.spec else config.model,
            device=config.device,
            compute_type=config.compute_type,
            cpu_threads=max(1, config.threads // workers),
            num_workers=workers,
            download_root=str(settings.WHISPER_MODEL_CACHE),
        )

    def _decode(
        self, audio: np.ndarray, *, language: str | None, how: Pass, max_tokens: int | None = None
    ) -> tuple[list[DecodedSegment], str]:
        import ctranslate2

        ctranslate2.set_random_seed(RANDOM_SEED)
        options = self.decode_options(language, how)
        if max_tokens is not None:
            options["max_new_tokens"] = min(max_tokens, MAX_NEW_TOKENS)
        segments, info = self.model.transcribe(audio, vad_filter=False, **options)
        decoded = [
            DecodedSegment(
                start=segment.start,
                end=segment.end,
                words=tuple(Word(w.start, w.end, w.word, w.probability) for w in (segment.words or [])),
                avg_logprob=segment.avg_logprob,
            )
            for segment in segments
        ]
        return decoded, info.language

    def decode_options(self, language: str | None, how: Pass = Pass.CAREFUL) -> dict:
        options = {
            "language": language,
            "beam_size": how.beam_size(self.config.beam_size),
            "best_of": 1,
            "temperature": list(TEMPERATURES),
            "compression_ratio_threshold": COMPRESSION_RATIO_THRESHOLD,
            "log_prob_threshold": LOG_PROB_THRESHOLD,
            "no_speech_threshold": NO_SPEECH_THRESHOLD,
            "condition_on_previous_text": False,
            "word_timestamps": True,
            "hallucination_silence_threshold": HALLUCINATION_SILENCE_SECONDS,
        }
        if how is Pass.GUARDED:
            options["repetition_penalty"] = GUARD_REPETITION_PENALTY
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
        self._slots = threading.Semaphore(1)
        self.model_name = _model_label(config.model)
        if self.spec is not None and self.spec.name != "tiny.en":
            raise EngineUnavailable(f"the openai-whisper reference engine runs the packaged tiny.en only, not {self.spec.name}")
        if self.spec is None:
            self.model = whisper.load_model(config.model, device=config.device, download_root=str(settings.WHISPER_MODEL_CACHE))
        else:
            checkpoint = default_openai_checkpoint(settings.WHISPER_MODEL_CACHE)
            self.model = load_openai_model(checkpoint, device=config.device)

    def transcribe_channels(self, channels: dict[str, np.ndarray], *, language: str | None) -> dict[str, ChannelTranscript]:
        return {key: self.transcribe_channel(audio, language=language) for key, audio in channels.items()}

    def _decode(
        self, audio: np.ndarray, *, language: str | None, how: Pass, max_tokens: int | None = None
    ) -> tuple[list[DecodedSegment], str]:
        import torch
        import whisper

        torch.manual_seed(RANDOM_SEED)
        beam_size = how.beam_size(self.config.beam_size)
        result = whisper.transcribe(
            self.model,
            audio,
            language=language,
            beam_size=beam_size if beam_size > 1 else None,
            best_of=1,
            # openai-whisper has no repetition guards nor token cap: the guarded pass is the careful one,
            # and its loops are cut to what speech can hold afterwards.
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
                avg_logprob=segment.get("avg_logprob", 0.0),
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


def _loop_start(segment: DecodedSegment) -> float:
    """Where the loop in a segment begins: the first word of its longest repeated run."""
    words = [w for w in segment.words if loops.spoken_words(w.text)]
    said = [loops.spoken_words(w.text) for w in words]
    flat = [(i, token) for i, tokens in enumerate(said) for token in tokens]
    start_index = loops.loop_start([token for _i, token in flat])
    if start_index is None:
        return segment.start
    return words[flat[start_index][0]].start


def _loops(decoded: list[list[Word]], speech: list[tuple[float, float]], span: tuple[float, float]) -> bool:
    text = "".join(w.text for words in decoded for w in words)
    return bool(loops.loop_reason(text, _speech_within(speech, span)))


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
