"""The account summary and GET /api/clients/{slug}/summary/ against hand-computed figures."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from qa.lib.periods import MONTH, Period
from qa.portal.selectors import client_summary, client_trend
from tests.factories import AgentFactory, CallFactory, ReviewerFactory, UserFactory
from tests.qa.portal.conftest import score

pytestmark = pytest.mark.django_db

NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))


def at(day: int, month: int = 11) -> datetime:
    return timezone.make_aware(datetime(2026, month, day, 12, 0))


@pytest.fixture
def november(acme, rubric):
    """Eight calls offered in November (four answered, four abandoned of which two short), and noise."""
    acme.service_level_seconds, acme.short_abandon_seconds = 20, 5
    acme.save()
    agent, reviewer = AgentFactory(), ReviewerFactory()
    answered = [
        # wait, talk, hold, after-call work, resolved, csat, nps, ces
        (10, 200, 20, 40, True, 5, 10, 6),  # handle 260
        (20, 400, None, None, True, 4, 9, None),  # 400: within the threshold (20 s counts)
        (30, 100, 0, 20, False, 2, 3, 4),  # 120: over the threshold
        (None, 320, None, None, None, None, 7, None),  # 320: wait unknown, out of service level and ASA
    ]
    calls = []
    for day, (wait, talk, hold, acw, resolved, csat, nps, ces) in enumerate(answered, start=2):
        calls.append(CallFactory(
            client=acme, agent=agent, started_at=at(day), wait_seconds=wait, talk_seconds=talk, hold_seconds=hold,
            after_call_work_seconds=acw, resolved=resolved, csat=csat, nps=nps, ces=ces, customer_ref="",
            status="transcribed",
        ))
    for day, wait in enumerate([3, 5, 40, 60], start=10):  # 3 and 5 s are short abandons
        CallFactory(client=acme, agent=None, answered=False, status="abandoned", started_at=at(day), wait_seconds=wait,
                    talk_seconds=None, hold_seconds=None, after_call_work_seconds=None)
    score(rubric, calls[0], reviewer=reviewer)  # 100
    score(rubric, calls[1], reviewer=reviewer, closing="no")  # 96.67
    # Not counted: October's call, another client's call.
    score(rubric, CallFactory(client=acme, agent=agent, started_at=at(20, 10), wait_seconds=1), reviewer=reviewer,
          disclosure="no")
    CallFactory(started_at=at(5), wait_seconds=100, answered=True)
    return acme


EXPECTED = {
    "client": "acme", "from": "2026-11-01", "to": "2026-11-30",
    "calls_offered": 8, "calls_answered": 4, "calls_abandoned": 4, "short_abandons": 2,
    "service_level": {"threshold_seconds": 20, "target": 0.8, "rate": 2 / 5},  # (10 s, 20 s) / (3 known waits + 2 abandons)
    "asa_seconds": 20.0,  # (10 + 20 + 30) / 3
    "abandonment_rate": 2 / 6,  # the 40 and 60 s abandons / (4 answered + 2)
    "aht_seconds": (260 + 400 + 120 + 320) / 4,
    "fcr_rate": 2 / 3,  # the fourth call has no flag and no customer reference: pending
    "fcr_source": "resolved flag",
    "qa_average_score": (100 + 96.67) / 2,
    "qa_evaluations": 2,
    "csat_average": 11 / 3,
    "nps_score": 100 * (2 - 1) / 4,  # promoters 10, 9; detractor 3; 7 passive
    "ces_average": 5.0,
    "targets": {
        "abandonment_rate": 0.05, "aht_seconds": 363.0, "fcr_rate": 0.7, "qa_average_score": 85.0,
        "csat_average": 4.0, "nps_score": 30.0, "ces_average": 5.0,
    },
    "missed": ["service_level", "abandonment_rate", "fcr_rate", "csat_average", "nps_score"],
    # The four answered calls are transcribed but not checked (no transcript here): the automatic figures say so.
    "auto_qa": {"transcribed_calls": 4, "calls_checked": 0, "checked_share": 0.0, "pass_rate": None, "items": []},
}


def test_the_api_answers_the_hand_computed_figures(november):
    api = APIClient()
    api.force_authenticate(ReviewerFactory())

    body = api.get("/api/clients/acme/summary/", {"from": "2026-11-01", "to": "2026-11-30"}).json()

    assert_matches(body, EXPECTED)


def assert_matches(actual: dict, expected: dict) -> None:
    assert set(actual) == set(expected)
    for key, value in expected.items():
        if isinstance(value, dict):
            assert_matches(actual[key], value)
        elif isinstance(value, float):
            assert actual[key] == pytest.approx(value), key
        else:
            assert actual[key] == value, key


def test_it_gives_nulls_when_there_is_nothing_to_count(acme):
    api = APIClient()
    api.force_authenticate(ReviewerFactory())

    body = api.get("/api/clients/acme/summary/", {"from": "2026-01-01", "to": "2026-01-31"}).json()

    assert (body["calls_offered"], body["calls_answered"], body["short_abandons"]) == (0, 0, 0)
    nulls = ["asa_seconds", "abandonment_rate", "aht_seconds", "fcr_rate", "qa_average_score", "csat_average",
             "nps_score", "ces_average"]
    assert [body[k] for k in nulls] == [None] * len(nulls)
    assert body["service_level"]["rate"] is None
    assert body["missed"] == []


def test_it_checks_the_dates(acme, acme_staff):
    api = APIClient()
    api.force_authenticate(acme_staff)
    assert api.get("/api/clients/acme/summary/", {"from": "2026-11-30", "to": "2026-11-01"}).json() == {
        "to": ["The last day must not be before the first."]
    }
    assert "from" in api.get("/api/clients/acme/summary/", {"from": "1st of May"}).json()
    today = timezone.localdate()
    body = api.get("/api/clients/acme/summary/").json()
    assert (body["from"], body["to"]) == (today.replace(day=1).isoformat(), today.isoformat())


def test_client_staff_read_their_own_summary_only(acme, globex, acme_staff):
    api = APIClient()
    api.force_authenticate(acme_staff)
    assert api.get("/api/clients/acme/summary/").status_code == 200
    assert api.get("/api/clients/globex/summary/").status_code == 404
    assert api.get("/api/clients/nobody/summary/").status_code == 404
    api.force_authenticate(UserFactory())
    assert api.get("/api/clients/acme/summary/").status_code == 404


def test_each_figure_is_shown_against_its_target_and_highlighted_when_missed(client, november, acme_staff):
    client.force_login(acme_staff)

    response = client.get(reverse("portal:summary", args=["acme"]), {"date_from": "2026-11-01", "date_to": "2026-11-30"})

    html = response.content.decode()
    summary = response.context["summary"]
    assert {f.key for f in summary.figures if f.missed} == set(EXPECTED["missed"])
    assert {f.key for f in summary.figures if f.met} == {"aht_seconds", "qa_average_score", "ces_average"}
    assert '<article class="figure missed" id="figure-service_level">' in html
    assert '<article class="figure met" id="figure-aht_seconds">' in html
    assert "40.0%" in html and "target ≥ 80.0%" in html  # service level
    assert "6:03" in html  # the AHT target, 363 s
    assert 'id="portal-charts" type="application/json"' in html


def test_the_trend_is_the_same_summary_for_each_of_the_last_twelve_months(november):
    trend = client_trend(client=november, kind=MONTH, today=date(2026, 11, 15))

    assert [p.first for p in trend.periods][-2:] == [date(2026, 10, 1), date(2026, 11, 1)]
    assert len(trend.periods) == 12
    assert trend.series("calls_answered")[-2:] == [1, 4]
    assert trend.series("service_level")[-1] == pytest.approx(0.4)
    assert trend.series("qa_average_score")[-2] == 0.0  # October's critical fail
    assert trend.series("service_level")[0] is None


def test_targets_follow_the_clients_settings(november):
    november.service_level_target = Decimal("0.4")
    november.save()
    figure = client_summary(client=november, period=NOVEMBER).figure("service_level")
    assert figure.met is True and figure.target == 0.4
