"""Who reads which scorecard through the API, scoped how, with bad input refused and a fixed number of queries."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qa.performance.models import TrainingFlag
from qa.performance.services import training_rules_run
from tests.factories import AdminFactory, AgentFactory, ClientFactory, ManagerFactory, ReviewerFactory, TeamFactory, UserFactory
from tests.qa.performance.helpers import api_as, at, call, past_month, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(rubric):
    """Acme and Globex; Sarah takes calls for both, Tom only for Globex."""
    acme, globex = ClientFactory(slug="acme"), ClientFactory(slug="globex")
    sarah = AgentFactory(external_id="SARAH", user=UserFactory(username="sarah"))
    tom = AgentFactory(external_id="TOM", user=UserFactory(username="tom"))
    period = past_month()
    day = at(period.first + timedelta(days=3))
    call(agent=sarah, client=acme, started_at=day, talk_seconds=100, csat=5)
    call(agent=sarah, client=globex, started_at=day, talk_seconds=300, csat=1)
    submit(rubric, call(agent=sarah, client=globex, started_at=day, talk_seconds=200), disclosure="no")
    call(agent=tom, client=globex, started_at=day, talk_seconds=50)
    acme_staff = UserFactory(username="acme-staff")
    acme.users.add(acme_staff)
    training_rules_run(agent_ids=[sarah.pk])  # Sarah gets a critical-fail flag (the rules week may be another)
    return {"sarah": sarah, "tom": tom, "acme_staff": acme_staff, "period": period}


def get(api, agent, period):
    return api.get(f"/api/agents/{agent.pk}/scorecard/", {"from": period.first, "to": period.last})


def test_it_lets_an_agent_read_only_their_own_scorecard(world):
    api = api_as(world["sarah"].user)
    mine = get(api, world["sarah"], world["period"])
    assert mine.status_code == 200
    assert (mine.json()["calls_handled"], mine.json()["aht_seconds"]) == (3, 200.0)
    assert {f["rule"] for f in mine.json()["flags"]} == {"critical_fail", "section_below"}
    assert get(api, world["tom"], world["period"]).status_code == 404
    assert [a["external_id"] for a in api.get("/api/agents/").json()["results"]] == ["SARAH"]


def test_it_gives_client_staff_figures_over_their_clients_calls_only_and_no_flags(world):
    api = api_as(world["acme_staff"])
    body = get(api, world["sarah"], world["period"]).json()

    assert (body["calls_handled"], body["aht_seconds"], body["csat"]["average"]) == (1, 100.0, 5.0)
    assert body["qa"]["evaluations"] == 0 and body["flags"] == []
    assert get(api, world["tom"], world["period"]).status_code == 404  # never served Acme
    assert [a["external_id"] for a in api.get("/api/agents/").json()["results"]] == ["SARAH"]


def test_it_lets_qa_staff_read_every_scorecard_and_the_whole_roster(world):
    for user in (ReviewerFactory(), ManagerFactory(), AdminFactory()):
        api = api_as(user)
        assert get(api, world["tom"], world["period"]).json()["calls_handled"] == 1
        assert {a["external_id"] for a in api.get("/api/agents/").json()["results"]} == {"SARAH", "TOM"}
    assert TrainingFlag.objects.filter(agent=world["sarah"]).exists()


def test_it_keeps_writing_the_roster_to_roster_admins(world):
    assert api_as(ReviewerFactory()).post("/api/agents/", {"external_id": "X", "name": "X"}, format="json").status_code == 403
    assert api_as(world["sarah"].user).post("/api/agents/", {"external_id": "X", "name": "X"}, format="json").status_code == 403
    assert api_as(AdminFactory()).post("/api/agents/", {"external_id": "X", "name": "X"}, format="json").status_code == 201


def test_it_refuses_strangers(world):
    assert get(api_as(AnonymousUser()), world["sarah"], world["period"]).status_code in (401, 403)
    nobody = api_as(UserFactory())
    assert get(nobody, world["sarah"], world["period"]).status_code == 404
    assert nobody.get("/api/agents/").json()["results"] == []


@pytest.mark.parametrize(
    "query, field",
    [
        ({"from": "2026-11-01"}, "to"),
        ({"to": "2026-11-30"}, "from"),
        ({"from": "2026-13-01", "to": "2026-11-30"}, "from"),
        ({"from": "2026-11-30", "to": "2026-11-01"}, "to"),
        ({"from": "2025-01-01", "to": "2026-11-30"}, "to"),
    ],
)
def test_it_refuses_a_bad_period_naming_the_parameter(world, query, field):
    response = api_as(ReviewerFactory()).get(f"/api/agents/{world['sarah'].pk}/scorecard/", query)
    assert response.status_code == 400
    assert field in response.json()


def test_it_defaults_to_this_month(world):
    body = api_as(ReviewerFactory()).get(f"/api/agents/{world['sarah'].pk}/scorecard/").json()
    assert body["from"].endswith("-01") and body["calls_handled"] == 0


def grow(rubric, agent, period, n: int) -> None:
    """More calls, evaluations, clients and flags: the query count must not move."""
    team = TeamFactory()
    for i in range(n):
        client = ClientFactory()
        day = at(period.first + timedelta(days=i % 20))
        call(agent=agent, client=client, started_at=day, customer_ref=f"c{i}", talk_seconds=100 + i)
        submit(rubric, call(agent=agent, client=client, started_at=day), closing="no")
        AgentFactory(team=team)


def test_it_answers_in_a_fixed_number_of_queries(world, rubric, django_assert_max_num_queries):
    api, sarah, period = api_as(ReviewerFactory()), world["sarah"], world["period"]
    get(api, sarah, period)  # the user's roles are read once, then cached on the user
    with CaptureQueriesContext(connection) as small:
        get(api, sarah, period)
    grow(rubric, sarah, period, 8)
    with django_assert_max_num_queries(12), CaptureQueriesContext(connection) as large:
        assert get(api, sarah, period).json()["qa"]["evaluations"] == 9
    assert len(large.captured_queries) == len(small.captured_queries)
    with django_assert_max_num_queries(6):
        api.get("/api/agents/")
