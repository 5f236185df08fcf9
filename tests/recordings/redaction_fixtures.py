"""Transcripts for the redaction tests: Whisper-like ones written by hand, and real Whisper output."""

from __future__ import annotations

import functools
import re
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from recordings.audio import decode
from recordings.engines import SAMPLE_RATE, EngineConfig, get_engine
from recordings.transcription import SpokenUtterance
from tests.conftest import require_binary
from tests.recordings.conftest import transcribed_sample

# The card read out in the shipped card_payment sample (recordings/samples/card_payment.json).
SAMPLE_CARD = "4539148803436467"


def whisper_segment(speaker: str, start: float, words: str | list[str], *, step: float = 0.4) -> dict:
    """A segment as Whisper stores it: words with a leading space (or "-5" glued on), one per `step` seconds.

    `words` is a list of Whisper words, or a string split at spaces (each word keeping its space).
    """
    texts = (
        re.findall(r"\s*\S+", words if words[:1].isspace() else " " + words) if isinstance(words, str) else list(words)
    )
    rows = [[round(start + i * step, 3), round(start + (i + 1) * step, 3), text, 0.9] for i, text in enumerate(texts)]
    return {"speaker": speaker, "start": rows[0][0], "end": rows[-1][1], "text": "".join(texts).strip(), "words": rows}


def digit_groups(text: str, size: int = 4) -> list[str]:
    """Every run of `size` consecutive digits of the card, to look for in redacted text."""
    return [text[i : i + size] for i in range(len(text) - size + 1)]


def digits_in(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def sample_segments(name: str) -> list[SpokenUtterance]:
    """A shipped sample's real Whisper transcript, merged in time order as `transcribe_recording` does."""
    channels = transcribed_sample(name)
    return sorted(
        (SpokenUtterance(speaker, u) for speaker, channel in channels.items() for u in channel.utterances),
        key=lambda s: (s.utterance.start, s.utterance.end, s.speaker),
    )


@functools.cache
def spoken(parts: tuple[str, ...], *, voice: str = "en-us", pause: float = 0.4) -> tuple[SpokenUtterance, ...]:
    """Speak the parts with espeak-ng, `pause` seconds apart, and transcribe them with the real engine."""
    espeak = require_binary("espeak-ng")
    pieces = []
    with tempfile.TemporaryDirectory(prefix="redaction-speech-") as workdir:
        for index, text in enumerate(parts):
            path = Path(workdir) / f"part{index}.wav"
            subprocess.run([espeak, "-v", voice, "-s", "150", "-w", str(path), text], check=True)
            pieces += [decode(path, sample_rate=SAMPLE_RATE)[0], np.zeros(int(pause * SAMPLE_RATE), np.float32)]
    audio = np.concatenate([np.zeros(int(0.5 * SAMPLE_RATE), np.float32), *pieces])
    channel = get_engine(EngineConfig.from_settings()).transcribe_channel(audio, language="en")
    return tuple(SpokenUtterance("customer", u) for u in channel.utterances)
