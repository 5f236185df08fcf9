"""Auto-QA's part of `python manage.py bench_transcription`: its time per call beside the pipeline's.

The command (in `recordings`, which imports no QA app) calls this by name (settings.BENCH_TRANSCRIPTION_EXTRAS)
with the calls it has just transcribed, on its throwaway database. Timed: the task a worker runs after each
transcript (`call_auto_evaluate`: read the stored transcript, run the default rubric's checks, embedding model
included, store the result), from a clean similarity cache, fastest of `repeat` runs, as for the pipeline.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

from qa.autoqa import embeddings
from qa.autoqa.matching import clear_caches
from qa.reviews.auto_services import AutoOutcome, call_auto_evaluate
from qa.reviews.models import Rubric
from qa.reviews.services import rubric_install_default
from recordings.models import Call


def auto_qa_figures(*, calls: Sequence[Call], pipeline_seconds: Sequence[float], write: Callable[[str], None], repeat: int = 3) -> float:
    """Print auto-QA's seconds per call and their share of the pipeline's; returns the overall share."""
    if not Rubric.objects.filter(is_default=True).exists():
        rubric_install_default()  # the benchmark's database is empty: check against the shipped rubric
    started = time.perf_counter()
    missing = embeddings.semantic_model_missing()  # loads the model: once per worker process
    load_seconds = time.perf_counter() - started
    _timed(calls[0].pk)  # warm-up, as for the pipeline

    write(f"{'call':<36} {'(b)pipe_s':>10} {'auto_qa_ms':>11} {'share':>7}")
    rows = []
    for call, pipe in zip(calls, pipeline_seconds):
        best = min(_timed(call.pk) for _ in range(max(1, repeat)))
        rows.append(best)
        write(f"{call.external_id:<36} {pipe:>10.2f} {best * 1000:>11.1f} {best / pipe:>7.2%}")
    total_auto, total_pipe = math.fsum(rows), math.fsum(pipeline_seconds)
    share = total_auto / total_pipe
    write(f"{'TOTAL':<36} {total_pipe:>10.2f} {total_auto * 1000:>11.1f} {share:>7.2%}")
    write(
        f"auto-QA per call: {total_auto / len(rows) * 1000:.1f} ms, {share:.2%} of the pipeline's "
        f"{total_pipe / len(rows):.2f} s per call (target < 5%); fastest of {repeat} runs, embedding model included"
    )
    write(
        f"embedding model load (once per worker process, not per call): {load_seconds:.2f} s"
        + (f" [missing, semantic checks fell back to phrases: {missing}]" if missing else "")
    )
    write(f"auto_qa_over_pipeline={share:.4f}")
    return share


def _timed(call_id: int) -> float:
    clear_caches()
    started = time.perf_counter()
    outcome = call_auto_evaluate(call_id=call_id)
    elapsed = time.perf_counter() - started
    if outcome != AutoOutcome.STORED:
        raise RuntimeError(f"call {call_id}: automatic evaluation not stored ({outcome})")
    return elapsed
