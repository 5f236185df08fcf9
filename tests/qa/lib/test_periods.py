from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from qa.lib.periods import MONTH, WEEK, Period, period_bounds, period_containing, previous_periods


def test_it_starts_weeks_on_monday_and_months_on_the_first():
    assert period_containing(WEEK, date(2026, 11, 25)) == Period(date(2026, 11, 23), date(2026, 11, 29))
    assert period_containing(MONTH, date(2026, 2, 14)) == Period(date(2026, 2, 1), date(2026, 2, 28))
    assert period_containing(MONTH, date(2024, 12, 31)) == Period(date(2024, 12, 1), date(2024, 12, 31))


def test_it_counts_days_inclusive_and_ends_at_the_next_midnight(settings):
    settings.TIME_ZONE = "Europe/London"
    period = Period(date(2026, 3, 29), date(2026, 3, 29))  # the day the clocks go forward: 23 hours
    assert period.days == 1
    utc = ZoneInfo("UTC")
    assert (period.end.astimezone(utc) - period.start.astimezone(utc)).total_seconds() == 23 * 3600


def test_it_gives_bounds_in_the_service_time_zone(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    # Sunday 23:30 UTC is already Monday in Berlin: a new week.
    start, end = period_bounds(period=WEEK, now=datetime(2026, 11, 22, 23, 30, tzinfo=ZoneInfo("UTC")))
    assert start == datetime(2026, 11, 23, tzinfo=ZoneInfo("Europe/Berlin"))
    assert end == datetime(2026, 11, 30, tzinfo=ZoneInfo("Europe/Berlin"))


def test_it_lists_the_last_periods_oldest_first():
    months = previous_periods(MONTH, date(2026, 1, 15), 3)
    assert [p.first for p in months] == [date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1)]


def test_it_refuses_an_unknown_kind_of_period():
    with pytest.raises(ValueError, match="unknown period"):
        period_containing("fortnight", date(2026, 1, 1))
