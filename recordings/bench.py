"""Helpers of `bench_transcription`: word error rates of stored transcripts, and what CPU ran them."""

from __future__ import annotations

import json
import platform
import re
from pathlib import Path

from recordings.models import Call, Speaker
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
        segments = list(call.transcript.segments.order_by("index"))
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
