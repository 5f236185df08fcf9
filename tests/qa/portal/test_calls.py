"""The portal's call list: filters, redacted search, sorting, paging, and a fixed number of queries."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qa.portal.selectors import PAGE_SIZE
from recordings.models import Call, Recording
from tests.conftest import ingest_sample_call
from tests.factories import AgentFactory, CallFactory, ReviewerFactory
from tests.qa.portal.conftest import score

pytestmark = pytest.mark.django_db

NOV = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)


def listed(client, slug="acme", **params) -> list[str]:
    response = client.get(reverse("portal:calls", args=[slug]), params)
    assert response.status_code == 200
    return [call.external_id for call in response.context["page"]]


def with_recording(call: Call, seconds: float) -> Call:
    Recording.objects.create(
        call=call, client=call.client, file=f"x/{call.pk}.wav", sha256=f"{call.pk:064d}", container="wav",
        codec="pcm", duration_seconds=seconds, channels=2, sample_rate=8000, size_bytes=100,
    )
    return call


@pytest.fixture
def calls(acme, rubric):
    ann, bob = AgentFactory(external_id="ANN", name="Ann"), AgentFactory(external_id="BOB", name="Bob")
    reviewer = ReviewerFactory()
    made = {
        "C1": CallFactory(client=acme, agent=ann, external_id="C1", started_at=NOV, queue="billing", disposition="refund",
                          talk_seconds=100, status="transcribed"),
        "C2": CallFactory(client=acme, agent=bob, external_id="C2", started_at=NOV + timedelta(days=1), queue="sales",
                          disposition="sale", talk_seconds=400, status="transcribed"),
        "C3": CallFactory(client=acme, agent=ann, external_id="C3", started_at=NOV + timedelta(days=2), queue="billing",
                          talk_seconds=None, status="transcribed"),
        "A1": CallFactory(client=acme, agent=None, answered=False, status="abandoned", external_id="A1", wait_seconds=50,
                          started_at=NOV + timedelta(days=3), talk_seconds=None, hold_seconds=None,
                          after_call_work_seconds=None),
    }
    with_recording(made["C3"], 250.5)
    score(rubric, made["C1"], reviewer=reviewer)  # 100
    score(rubric, made["C2"], reviewer=reviewer, disclosure="no")  # 0: a critical item failed
    score(rubric, made["C3"], reviewer=reviewer, closing="no")  # 96.67
    CallFactory(external_id="OTHER", started_at=NOV)  # another client's
    return made


def test_it_lists_the_clients_calls_newest_first_abandoned_ones_too(client, acme_staff, calls):
    client.force_login(acme_staff)
    assert listed(client) == ["A1", "C3", "C2", "C1"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"date_from": "2026-11-11", "date_to": "2026-11-12"}, ["C3", "C2"]),
        ({"agent": "ANN"}, ["C3", "C1"]),
        ({"queue": "billing"}, ["C3", "C1"]),
        ({"disposition": "sale"}, ["C2"]),
        ({"score_min": "50"}, ["C3", "C1"]),
        ({"score_min": "90", "score_max": "99"}, ["C3"]),
        ({"recording": "yes"}, ["C3"]),
        ({"recording": "no"}, ["A1", "C2", "C1"]),
        ({"flagged": "on"}, ["C2"]),  # a critical fail (C3's 96.67 is above the 85 target)
        ({"sort": "duration"}, ["C1", "C3", "C2", "A1"]),  # talk seconds, or the recording's length
        ({"sort": "-duration"}, ["C2", "C3", "C1", "A1"]),
        ({"sort": "-score"}, ["C1", "C3", "C2", "A1"]),
        ({"sort": "score"}, ["C2", "C3", "C1", "A1"]),
        ({"sort": "date"}, ["C1", "C2", "C3", "A1"]),
    ],
)
def test_it_filters_and_sorts(client, acme_staff, calls, params, expected):
    client.force_login(acme_staff)
    assert listed(client, **params) == expected


def test_flagged_means_a_critical_fail_or_a_score_under_the_clients_target(client, acme, acme_staff, calls):
    acme.qa_target = 97
    acme.save()
    client.force_login(acme_staff)
    assert listed(client, flagged="on") == ["C3", "C2"]


def test_it_names_bad_filter_values_and_ignores_them(client, acme_staff, calls):
    client.force_login(acme_staff)
    response = client.get(reverse("portal:calls", args=["acme"]), {"score_min": "abc", "date_from": "soon", "agent": "ANN"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"score_min", "date_from"}
    assert [c.external_id for c in response.context["page"]] == ["C3", "C1"]


def test_it_searches_the_redacted_transcripts_only(client, acme, acme_staff, samples_dir):
    call = ingest_sample_call(samples_dir, "card_payment", client=acme)  # "Zero, three, four, three" is in the card
    client.force_login(acme_staff)

    assert listed(client, q="balance") == [call.external_id]
    assert listed(client, q="zero") == []
    assert listed(client, q="card number") == [call.external_id]


def test_it_pages_and_keeps_the_filters_in_the_links(client, acme, acme_staff):
    for n in range(PAGE_SIZE + 3):
        CallFactory(client=acme, external_id=f"P{n:03d}", queue="billing", started_at=NOV + timedelta(minutes=n))
    client.force_login(acme_staff)

    first = client.get(reverse("portal:calls", args=["acme"]), {"queue": "billing", "sort": "date"})
    second = client.get(reverse("portal:calls", args=["acme"]), {"queue": "billing", "sort": "date", "page": 2})

    assert len(first.context["page"]) == PAGE_SIZE
    assert [c.external_id for c in second.context["page"]] == [f"P{n:03d}" for n in range(PAGE_SIZE, PAGE_SIZE + 3)]
    assert "?queue=billing&amp;sort=date&amp;page=2" in first.content.decode()


def test_it_runs_the_same_queries_for_three_calls_or_thirty(client, acme, acme_staff, rubric):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("portal:calls", args=["acme"])).status_code == 200
        return len(queries)

    client.force_login(acme_staff)
    reviewer = ReviewerFactory()
    for n in range(3):
        score(rubric, CallFactory(client=acme, agent=AgentFactory(), queue=f"q{n}", status="transcribed"), reviewer=reviewer)
    count_queries()  # the first visit also remembers the client in the session
    few = count_queries()
    for n in range(27):
        call = CallFactory(client=acme, agent=AgentFactory(), queue=f"q{n}", disposition=f"d{n}", status="transcribed")
        with_recording(call, 60 + n)
        score(rubric, call, reviewer=reviewer)

    assert count_queries() == few <= 12
