"""django-q2 entry points: thin wrappers over the sampler."""

from qa.reviews import sampling


def fill_monitoring_plans() -> str:
    summary = sampling.plans_fill()
    return f"assigned={summary.assigned} short={summary.short}"
