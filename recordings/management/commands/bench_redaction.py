"""Benchmark redaction: transcript text per call, and the redacted audio copy (speed and memory).

(a) `transcript_redact` on a made-up hour-long call (Whisper-like segments, a few numbers to mask);
(b) `audio_redact` on made-up stereo 8 kHz FLAC recordings of several lengths, each in a fresh process,
    printing the speed (times real time) and how much the process grew at its peak: flat memory means
    the growth does not follow the length.
Nothing outside a temporary folder is touched; no database is needed.
"""

from __future__ import annotations

import multiprocessing
import random
import resource
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from django.core.management.base import BaseCommand

from recordings.audio_redaction import audio_redact
from recordings.redaction import transcript_redact

RATE = 8000
FILLER = [
    "thanks",
    "for",
    "calling",
    "how",
    "can",
    "I",
    "help",
    "you",
    "today",
    "I",
    "would",
    "like",
    "to",
    "check",
    "my",
    "balance",
    "please",
]


class Command(BaseCommand):
    help = "Time transcript redaction and the redacted audio copy; show that the copy's memory stays flat."

    def add_arguments(self, parser):
        parser.add_argument("--minutes", type=int, nargs="+", default=[5, 30, 60], help="Recording lengths.")
        parser.add_argument("--repeat", type=int, default=3, help="Runs of (a); the fastest counts.")

    def handle(self, *args, minutes: list[int], repeat: int, **options):
        segments = _made_up_call(minutes=60)
        words = sum(len(s["words"]) for s in segments)
        best = min(_timed(lambda: transcript_redact(segments, region="GB")) for _ in range(max(1, repeat)))
        spans = transcript_redact(segments, region="GB").spans
        self.stdout.write(
            f"(a) transcript_redact: 60-minute call, {len(segments)} segments, {words} words, {len(spans)} spans: "
            f"{best * 1000:.0f} ms ({words / best:,.0f} words/s)"
        )
        context = multiprocessing.get_context("spawn")
        with tempfile.TemporaryDirectory(prefix="bench-redaction-") as folder:
            self.stdout.write("(b) audio_redact, stereo 8 kHz FLAC, one span every 30 s:")
            self.stdout.write(f"    {'minutes':>7}  {'seconds':>7}  {'x real time':>11}  {'peak growth MiB':>15}")
            for length in minutes:
                source = _made_up_recording(Path(folder) / f"call-{length}.flac", minutes=length)
                with context.Pool(1) as pool:
                    seconds, growth_kib = pool.apply(_redact_in_fresh_process, (str(source), length))
                self.stdout.write(
                    f"    {length:>7}  {seconds:>7.2f}  {length * 60 / seconds:>11.0f}  {growth_kib / 1024:>15.1f}"
                )
                source.unlink()


def _timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _redact_in_fresh_process(source: str, minutes: int) -> tuple[float, int]:
    """Runs in a spawned process: (seconds taken, its peak RSS in KiB above its RSS just before the copy)."""
    before = _current_rss_kib()
    intervals = [(t, t + 5.0) for t in range(10, minutes * 60, 30)]
    destination = Path(source).with_suffix(".redacted.flac")
    started = time.perf_counter()
    audio_redact(source, destination, intervals=intervals)
    seconds = time.perf_counter() - started
    destination.unlink()
    return seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before


def _current_rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # no /proc: the peak so far, a lower bound


def _made_up_recording(path: Path, *, minutes: int) -> Path:
    """Quiet noise with a tone, written a second at a time (never whole in memory)."""
    rng = np.random.default_rng(0)
    t = np.arange(RATE) / RATE
    tone = (3000 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
    with av.open(str(path), "w", format="flac") as container:
        stream = container.add_stream("flac", rate=RATE, layout="stereo")
        stream.codec_context.format = "s16"
        for second in range(minutes * 60):
            samples = np.stack([tone, rng.integers(-500, 500, RATE, dtype=np.int16)], axis=1).reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples), format="s16", layout="stereo")
            frame.sample_rate, frame.pts, frame.time_base = RATE, second * RATE, Fraction(1, RATE)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def _made_up_call(*, minutes: int) -> list[dict]:
    """Whisper-like segments, alternating speakers, about 150 words a minute; every tenth one reads a number."""
    rng = random.Random(0)
    segments, now, index = [], 0.0, 0
    while now < minutes * 60:
        texts = [f" {w}" for w in rng.sample(FILLER, 12)]
        if index % 10 == 5:
            texts += [" it's"] + [f" {d}" for d in "4539148803436467"]
        elif index % 10 == 7:
            texts += [" john", " dot", " smith", " at", " example", " dot", " com"]
        words = [[round(now + i * 0.4, 3), round(now + (i + 1) * 0.4, 3), text, 0.9] for i, text in enumerate(texts)]
        speaker = "agent" if index % 2 == 0 else "customer"
        segments.append(
            {
                "speaker": speaker,
                "start": words[0][0],
                "end": words[-1][1],
                "text": "".join(texts).strip(),
                "words": words,
            }
        )
        now = words[-1][1] + 0.5
        index += 1
    return segments
