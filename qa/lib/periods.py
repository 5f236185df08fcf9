"""Reporting periods in the centre's time zone: weeks from Monday, calendar months, custom ranges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

WEEK = "week"
MONTH = "month"


@dataclass(frozen=True)
class Period:
    """Days `first` to `last`, both included, in the service's time zone."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.first, time.min))

    @property
    def end(self) -> datetime:
        """The first moment after the period (exclusive bound for queries)."""
        return timezone.make_aware(datetime.combine(self.last + timedelta(days=1), time.min))

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def period_containing(kind: str, day: date) -> Period:
    if kind == WEEK:
        first = day - timedelta(days=day.weekday())
        return Period(first, first + timedelta(days=6))
    if kind == MONTH:
        first = day.replace(day=1)
        return Period(first, next_month(first) - timedelta(days=1))
    raise ValueError(f"unknown period kind {kind!r}")


def period_bounds(*, period: str, now: datetime) -> tuple[datetime, datetime]:
    """The week (from Monday) or month containing `now`, as aware datetimes [start, end)."""
    current = period_containing(period, timezone.localtime(now).date())
    return current.start, current.end


def next_month(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1)


def previous_periods(kind: str, day: date, count: int) -> list[Period]:
    """The `count` periods ending with the one containing `day`, oldest first."""
    periods = [period_containing(kind, day)]
    while len(periods) < count:
        periods.append(period_containing(kind, periods[-1].first - timedelta(days=1)))
    return periods[::-1]
