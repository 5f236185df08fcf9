"""django-q2 entry points: thin wrappers over the sampler."""

from qa.reviews import auto_services, sampling


def fill_monitoring_plans() -> str:
    summary = sampling.plans_fill()
    return f"assigned={summary.assigned} short={summary.short}"


# --- Auto-QA (qa.reviews.auto_services) ---------------------------------------------------


def auto_evaluate_call(call_id: int) -> str:
    """Queued after each stored transcript (settings.AFTER_TRANSCRIPT_TASKS) and by recompute jobs."""
    return auto_services.call_auto_evaluate(call_id=call_id).value


def auto_recompute(job_id: int) -> str:
    return auto_services.auto_recompute_run(job_id=job_id).value
