"""The django-q2 schedules the QA app needs, created idempotently (by name)."""

SAMPLER_SCHEDULE_NAME = "qa: fill monitoring plans"
SAMPLER_FUNC = "qa.tasks.fill_monitoring_plans"


def ensure_schedules(schedule_model) -> bool:
    """Create the hourly sampler schedule unless one with its name exists; True when created.

    Takes the model so the data migration can pass its historical one.
    """
    _, created = schedule_model.objects.get_or_create(
        name=SAMPLER_SCHEDULE_NAME,
        defaults={"func": SAMPLER_FUNC, "schedule_type": "H", "repeats": -1},
    )
    return created
