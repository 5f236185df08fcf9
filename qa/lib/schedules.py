"""django-q2 schedules, made one way: idempotently, by name, from each app's data migration.

Each app lists its schedules as `ScheduleSpec`s in its own `schedules.py`; its migration calls
`schedules_ensure` with the historical `Schedule` model, so `migrate` alone sets everything up.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import migrations


@dataclass(frozen=True)
class ScheduleSpec:
    name: str
    func: str
    minutes: int  # how often it runs

    def defaults(self) -> dict:
        if self.minutes == 60:
            return {"func": self.func, "schedule_type": "H", "repeats": -1}
        return {"func": self.func, "schedule_type": "I", "minutes": self.minutes, "repeats": -1}


def schedules_ensure(schedule_model, specs: Iterable[ScheduleSpec]) -> list[str]:
    """Create each schedule unless one with its name exists; returns the names created."""
    created = []
    for spec in specs:
        _, was_created = schedule_model.objects.get_or_create(name=spec.name, defaults=spec.defaults())
        if was_created:
            created.append(spec.name)
    return created


def schedules_remove(schedule_model, specs: Iterable[ScheduleSpec]) -> None:
    schedule_model.objects.filter(name__in=[spec.name for spec in specs]).delete()


def schedules_operation(specs: Sequence[ScheduleSpec]) -> migrations.RunPython:
    """The data-migration step that makes an app's schedules (and removes them when unapplied)."""

    def create(apps, schema_editor):
        schedules_ensure(apps.get_model("django_q", "Schedule"), specs)

    def remove(apps, schema_editor):
        schedules_remove(apps.get_model("django_q", "Schedule"), specs)

    return migrations.RunPython(create, remove)
