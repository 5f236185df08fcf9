"""Helpers of `bench_transcription`: word error rates of stored transcripts, what CPU ran them, and the
engine settings and parts it times."""

from __future__ import annotations

import json
import platform
import re
import time
from pathlib import Path

import numpy as np

from recordings import engines
from recordings.models import Call, Segment, Speaker
from recordings.wer import WordErrors, word_errors

# The instruction sets that make CTranslate2's int8 and float kernels fast or slow.
RELEVANT_FLAGS = re.compile(r"^(avx2|avx512f|avx512_vnni|avx512_bf16|avx_vnni|amx_\w+)$")


def pipeline_truth(audio: Path) -> dict:
    """The ground truth beside a sample call (`<name>.json`); empty when there is none."""
    truth = Path(audio).with_suffix(".json")
    return json.loads(truth.read_text()) if truth.is_file() else {}


def pipeline_word_errors(calls: list[tuple[Call, Path]], language: str = "en") -> tuple[WordErrors, WordErrors]:
    """Word errors of the calls' stored transcripts against the scripts beside their audio files:
    (agent, customer), summed over the calls."""
    totals = {Speaker.AGENT: WordErrors(0, 0), Speaker.CUSTOMER: WordErrors(0, 0)}
    for call, audio in calls:
        turns = pipeline_truth(audio).get("turns", [])
        segments = list(Segment.objects.filter(transcript__call=call).order_by("index"))  # the latest transcript
        for speaker in totals:
            script = " ".join(t["text"] for t in turns if t["speaker"] == speaker)
            heard = " ".join(s.text for s in segments if s.speaker == speaker)
            totals[speaker] += word_errors(script, heard, language)
    return totals[Speaker.AGENT], totals[Speaker.CUSTOMER]


def cpu_description() -> str:
    """The CPU model and its relevant instruction sets, so figures from two machines are never compared blind."""
    model, flags = platform.processor() or platform.machine(), set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                model = value.strip()
            elif key.strip() == "flags":
                flags = set(value.split())
                break
    except OSError:
        pass
    relevant = sorted(f for f in flags if RELEVANT_FLAGS.match(f))
    return f"{model}; {' '.join(relevant) or 'no AVX2/AVX-512/AMX flags seen'}"


# Engine settings that `bench_transcription --compare` times against each other. The first is the
# pipeline as it was before the padding was cut and the channels ran at once (its words on the sample
# calls are the same as the old engine's: beam 5, neither loops nor temperature fallbacks there).
def engine_variants(threads: int) -> dict[str, dict]:
    """Name -> EngineConfig overrides of the settings' configuration; `threads` is its thread count."""
    full = {"encoder_margin_seconds": None}
    return {
        "channels in turn, full padding": {"parallel_channels": 1, **full},
        "channels at once, full padding": full,
        "channels in turn, padding cut": {"parallel_channels": 1},
        "default: channels at once, padding cut": {},
        f"default, {threads} threads per channel": {"threads": 2 * threads},
        "default, beam 4": {"beam_size": 4},
        "default, beam 3": {"beam_size": 3},
        "default, greedy": {"beam_size": 1},
        "default, int8_float32": {"compute_type": "int8_float32"},
        "default, int16": {"compute_type": "int16"},
        "default, float32": {"compute_type": "float32"},
    }


def speech_detection_seconds(channels: list[np.ndarray]) -> float:
    """Seconds Silero VAD takes over these channels."""
    started = time.perf_counter()
    for audio in channels:
        engines.detect_speech(audio)
    return time.perf_counter() - started


def word_timestamp_seconds(engine: engines.FasterWhisperEngine, channels: list[np.ndarray]) -> tuple[float, float]:
    """Seconds decoding each channel's turns, joined, takes (with word timestamps, without), full padding."""
    timings = []
    for word_timestamps in (True, False):
        options = {**engine.decode_options("en"), "word_timestamps": word_timestamps}
        started = time.perf_counter()
        for audio in channels:
            chunks = engines.decoding_chunks(engines.detect_speech(audio), len(audio) / engines.SAMPLE_RATE)
            if chunks:
                joined = np.concatenate([audio[round(s * engines.SAMPLE_RATE) : round(e * engines.SAMPLE_RATE)] for s, e in chunks])
                list(engine.model.transcribe(joined, vad_filter=False, **options)[0])
        timings.append(time.perf_counter() - started)
    return timings[0], timings[1]
