"""Time auto-QA per call against the transcription it follows, on the shipped sample calls.

    python -m qa.autoqa.bench [--repeat N] [--samples DIR]

Per sample: (t) the transcription as the worker runs it in memory (decode, Whisper on each channel, call
analytics; no database), and (q) `evaluate` with the default checks, embedding model included, from a
clean similarity cache. Models are loaded and warmed up first (a worker loads them once); their load time
is printed apart. Also prints how many check answers match the samples' `auto_qa_expected`.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time
from collections.abc import Sequence
from pathlib import Path

from qa.autoqa.config import Check
from qa.autoqa.evaluation import Evaluation, evaluate
from qa.autoqa.matching import clear_caches
from qa.autoqa.transcript import CallContext, CallTranscript

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "recordings" / "samples"
SAMPLE_COMPANY = "Acme Telecom"


def time_evaluation(
    checks: Sequence[Check], *, transcript: CallTranscript | list, analytics, context: CallContext, repeat: int = 3
) -> tuple[float, Evaluation]:
    """Fastest wall seconds of `evaluate` over `repeat` runs, each from a clean similarity cache, and its result.

    Parsing the transcript is included (a worker reads stored segments). Load the embedding model first
    (`embeddings.get_embedder()`): a worker loads it once per process.
    """
    best, result = math.inf, None
    for _ in range(max(1, repeat)):
        clear_caches()
        started = time.perf_counter()
        result = evaluate(checks, transcript=transcript, analytics=analytics, context=context)
        best = min(best, time.perf_counter() - started)
    return best, result


def _transcribe(engine, path: Path):
    from recordings.analytics import call_analytics
    from recordings.audio import decode
    from recordings.engines import SAMPLE_RATE

    audio = decode(path, sample_rate=SAMPLE_RATE)
    channels = {side: engine.transcribe_channel(audio[i], language="en") for i, side in enumerate(("agent", "customer"))}
    analytics = call_analytics(
        agent_speech=channels["agent"].speech,
        customer_speech=channels["customer"].speech,
        agent_words=sum(len(u.words) for u in channels["agent"].utterances),
    )
    return channels, analytics


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=Path, default=SAMPLES_DIR)
    parser.add_argument("--repeat", type=int, default=3, help="runs per call; the fastest counts")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qa.settings")
    import django

    django.setup()
    from qa.autoqa import embeddings
    from qa.autoqa.defaults import default_checks
    from recordings.engines import get_engine

    truths = [json.loads(p.read_text()) for p in sorted(args.samples.glob("*.json"))]
    started = time.perf_counter()
    engine = get_engine()
    whisper_load = time.perf_counter() - started
    started = time.perf_counter()
    missing = embeddings.semantic_model_missing()
    embed_load = time.perf_counter() - started
    checks = default_checks()

    rows, right, judged = [], 0, 0
    for n, truth in enumerate(truths):
        path = args.samples / truth["file"]
        if n == 0:  # warm-up: first runs pay for lazy initialisation
            channels, analytics = _transcribe(engine, path)
            time_evaluation(checks, transcript=CallTranscript.from_channels(channels), analytics=analytics,
                            context=CallContext(), repeat=1)
        transcribe_s = math.inf
        for _ in range(max(1, args.repeat)):
            t0 = time.perf_counter()
            channels, analytics = _transcribe(engine, path)
            transcribe_s = min(transcribe_s, time.perf_counter() - t0)
        segments = [
            {"speaker": side, "start": u.start, "end": u.end, "text": u.text,
             "words": [[w.start, w.end, w.text, w.probability] for w in u.words]}
            for side, channel in channels.items() for u in channel.utterances
        ]
        context = CallContext(
            agent_name=truth["metadata"]["agent_name"], company_name=SAMPLE_COMPANY,
            duration_seconds=truth["duration_seconds"], hold_seconds=truth["metadata"].get("hold_seconds"),
        )
        qa_s, result = time_evaluation(checks, transcript=segments, analytics=analytics, context=context,
                                       repeat=args.repeat)
        expected = truth.get("auto_qa_expected", {})
        judged += len(expected)
        right += sum(result.result(key).answer.value == answer for key, answer in expected.items())
        rows.append((truth["name"], truth["duration_seconds"], transcribe_s, qa_s))

    print(f"{'call':<36} {'audio_s':>8} {'(t)transcribe_s':>16} {'(q)auto_qa_ms':>14} {'q/t':>7}")
    for name, audio_s, t, q in rows:
        print(f"{name:<36} {audio_s:>8.1f} {t:>16.3f} {q * 1000:>14.1f} {q / t:>7.2%}")
    total_t, total_q = sum(r[2] for r in rows), sum(r[3] for r in rows)
    print(f"{'TOTAL':<36} {sum(r[1] for r in rows):>8.1f} {total_t:>16.3f} {total_q * 1000:>14.1f} {total_q / total_t:>7.2%}")
    print(f"per call: transcription {total_t / len(rows):.3f} s, auto-QA {total_q / len(rows) * 1000:.1f} ms "
          f"({total_q / total_t:.2%} of transcription); fastest of {args.repeat} runs each")
    print(f"model load (once per worker, not counted): Whisper {whisper_load:.2f} s, "
          f"embedding model {embed_load:.2f} s" + (f" [missing: {missing}]" if missing else ""))
    print(f"check answers matching the samples' auto_qa_expected: {right}/{judged}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
