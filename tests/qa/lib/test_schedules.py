import pytest
from django_q.models import Schedule

from qa.lib.schedules import ScheduleSpec, schedules_ensure, schedules_remove
from qa.reviews.schedules import SCHEDULES as REVIEW_SCHEDULES
from recordings.schedules import SCHEDULES as RECORDING_SCHEDULES

pytestmark = pytest.mark.django_db


def test_it_has_every_apps_schedules_after_migrate():
    for spec in [*RECORDING_SCHEDULES, *REVIEW_SCHEDULES]:
        schedule = Schedule.objects.get(name=spec.name)
        assert schedule.func == spec.func


def test_it_creates_a_schedule_once_by_name_and_keeps_changes_made_since():
    spec = ScheduleSpec(name="test: every five minutes", func="math.floor", minutes=5)
    assert schedules_ensure(Schedule, [spec]) == [spec.name]
    Schedule.objects.filter(name=spec.name).update(minutes=10)  # an operator changed it

    assert schedules_ensure(Schedule, [spec]) == []
    schedule = Schedule.objects.get(name=spec.name)
    assert (schedule.schedule_type, schedule.minutes) == (Schedule.MINUTES, 10)

    schedules_remove(Schedule, [spec])
    assert not Schedule.objects.filter(name=spec.name).exists()


def test_it_makes_an_hourly_schedule_hourly():
    spec = ScheduleSpec(name="test: hourly", func="math.floor", minutes=60)
    schedules_ensure(Schedule, [spec])
    assert Schedule.objects.get(name=spec.name).schedule_type == Schedule.HOURLY
