"""The account summary's automatic checks (page and `auto_qa` in the API): hand-computed over the client's
transcribed calls in the period, apart from the QA score."""

import re
from datetime import date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from qa.lib.periods import Period
from qa.portal.selectors import client_summary, client_trend
from recordings.models import Call
from tests.factories import AgentFactory, CallFactory, ReviewerFactory
from tests.qa.autoqa.helpers import auto_store
from tests.qa.portal.conftest import score

pytestmark = pytest.mark.django_db

NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))


def at(day: int, month: int = 11) -> datetime:
    return timezone.make_aware(datetime(2026, month, day, 12, 0))


@pytest.fixture
def november(acme, globex, rubric):
    """Acme in November: three transcribed calls, two checked, one scored by a reviewer; and noise."""
    agent = AgentFactory()

    def transcribed(client=acme, when=None):
        return CallFactory(client=client, agent=agent, started_at=when or at(3), status=Call.Status.TRANSCRIBED)

    scored = transcribed()
    auto_store(rubric, scored, greeting="pass", closing="fail")
    auto_store(rubric, transcribed(), greeting="pass", closing="pass", hold="n/a")
    transcribed()  # not checked yet
    CallFactory(client=acme, agent=agent, started_at=at(4), status=Call.Status.NO_RECORDING)  # nothing to check
    auto_store(rubric, transcribed(client=globex), greeting="fail")  # another client
    auto_store(rubric, transcribed(when=at(20, 10)), greeting="fail")  # October
    score(rubric, scored, disclosure="no")  # a critical fail: the QA score is 0, whatever the checks said
    return acme


def summary_json(slug: str, first: str, last: str) -> dict:
    api = APIClient()
    api.force_authenticate(ReviewerFactory())
    response = api.get(f"/api/clients/{slug}/summary/", {"from": first, "to": last})
    assert response.status_code == 200, response.content
    return response.json()


def test_the_api_answers_the_hand_computed_automatic_coverage_apart_from_the_qa_score(november):
    body = summary_json("acme", "2026-11-01", "2026-11-30")

    assert (body["qa_average_score"], body["qa_evaluations"]) == (0.0, 1)
    assert body["auto_qa"] == {
        "transcribed_calls": 3, "calls_checked": 2, "checked_share": pytest.approx(2 / 3), "pass_rate": 0.75,
        "items": [
            {"criterion_key": "greeting", "passed": 2, "failed": 0, "unknown": 0, "judged": 2, "pass_rate": 1.0, "fail_rate": 0.0},
            {"criterion_key": "closing", "passed": 1, "failed": 1, "unknown": 0, "judged": 2, "pass_rate": 0.5, "fail_rate": 0.5},
            {"criterion_key": "hold", "passed": 0, "failed": 0, "unknown": 1, "judged": 0, "pass_rate": None, "fail_rate": None},
        ],
    }


def test_the_api_gives_nulls_for_a_period_without_transcribed_calls(november):
    body = summary_json("acme", "2026-01-01", "2026-01-31")

    assert body["auto_qa"] == {"transcribed_calls": 0, "calls_checked": 0, "checked_share": None, "pass_rate": None, "items": []}


def test_the_summary_page_shows_the_automatic_checks_in_their_own_block(client, november, acme_staff):
    client.force_login(acme_staff)

    html = client.get(reverse("portal:summary", args=["acme"]), {"date_from": "2026-11-01", "date_to": "2026-11-30"}).content.decode()

    block = html[html.index('id="auto-qa"'):]
    block = block[:block.index("</section>")]
    assert "Automatic checks (every transcribed call)" in block and "not the QA score" in block
    assert "<strong>67%</strong> of the transcribed calls checked (2 of 3)" in block
    assert "automatic pass rate <strong>75%</strong>" in block
    closing = re.search(r'<tr data-check="closing">(.*?)</tr>', block).group(1)
    assert re.findall(r"<td>(.*?)</td>", closing) == ["Closing", "50%", "1", "1", "0"]  # no team column here
    hold = re.search(r'<tr data-check="hold">(.*?)</tr>', block).group(1)
    assert re.findall(r"<td>(.*?)</td>", hold) == ["Hold", "—", "0", "0", "1"]
    assert "<script>" not in html and "style=" not in html


def test_the_summary_page_says_there_were_no_transcribed_calls_rather_than_0_percent(client, november, acme_staff):
    client.force_login(acme_staff)

    html = client.get(reverse("portal:summary", args=["acme"]), {"date_from": "2026-01-01", "date_to": "2026-01-31"}).content.decode()

    assert "No transcribed calls in this period" in html and 'id="auto-table"' not in html


def test_the_trend_leaves_the_automatic_checks_out(november, django_assert_num_queries):
    with django_assert_num_queries(6):
        assert client_summary(client=november, period=NOVEMBER).auto.checked_calls == 2
    with django_assert_num_queries(4):
        assert client_summary(client=november, period=NOVEMBER, auto=False).auto is None
    trend = client_trend(client=november, kind="month", today=date(2026, 11, 30), count=2)
    assert [s.auto for s in trend.summaries] == [None, None]
