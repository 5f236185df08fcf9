import pytest
from rest_framework.test import APIClient

from recordings.models import Agent, Client, Team
from tests.factories import AdminFactory, AgentFactory, ReviewerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_api():
    api = APIClient()
    api.force_authenticate(AdminFactory())
    return api


def test_it_creates_then_updates_a_client_by_slug(admin_api):
    created = admin_api.post("/api/clients/", {"slug": "globex", "name": "Globex"}, format="json")
    updated = admin_api.post("/api/clients/", {"slug": "globex", "name": "Globex Corp", "agent_channel": "right"}, format="json")

    assert created.status_code == 201
    assert updated.status_code == 200
    client = Client.objects.get(slug="globex")
    assert (client.name, client.agent_channel) == ("Globex Corp", "right")
    assert admin_api.get("/api/clients/").json()["count"] == 1


def test_it_syncs_agents_and_creates_their_team(admin_api):
    created = admin_api.post("/api/agents/", {"external_id": "AGT-9", "name": "Nia", "team": "Billing"}, format="json")
    moved = admin_api.post("/api/agents/", {"external_id": "AGT-9", "name": "Nia Okafor", "team": "Retention"}, format="json")

    assert created.status_code == 201
    assert moved.status_code == 200
    agent = Agent.objects.get(external_id="AGT-9")
    assert agent.name == "Nia Okafor"
    assert agent.team.name == "Retention"
    assert set(Team.objects.values_list("name", flat=True)) == {"Billing", "Retention"}
    assert moved.json()["team"] == "Retention"


def test_it_keeps_an_agents_team_when_the_sync_omits_it(admin_api):
    AgentFactory(external_id="AGT-3", team__name="Billing")

    admin_api.post("/api/agents/", {"external_id": "AGT-3", "name": "Renamed"}, format="json")

    assert Agent.objects.get(external_id="AGT-3").team.name == "Billing"


@pytest.mark.parametrize(
    "url, data, field",
    [
        ("/api/clients/", {"slug": "not a slug!", "name": "X"}, "slug"),
        ("/api/clients/", {"slug": "ok"}, "name"),
        ("/api/clients/", {"slug": "ok", "name": "X", "agent_channel": "middle"}, "agent_channel"),
        ("/api/agents/", {"external_id": "has space", "name": "X"}, "external_id"),
        ("/api/agents/", {"name": "X"}, "external_id"),
    ],
)
def test_it_rejects_bad_roster_input(admin_api, url, data, field):
    response = admin_api.post(url, data, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert Client.objects.count() == 0
    assert Agent.objects.count() == 0


def test_it_rejects_a_malformed_json_body(admin_api):
    response = admin_api.post("/api/clients/", "{not json", content_type="application/json")

    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_it_keeps_the_roster_for_admins_only():
    api = APIClient()
    api.force_authenticate(ReviewerFactory())

    assert api.get("/api/clients/").status_code == 403
    assert api.post("/api/clients/", {"slug": "x", "name": "X"}, format="json").status_code == 403
    assert api.post("/api/agents/", {"external_id": "x", "name": "X"}, format="json").status_code == 403
    assert api.get("/api/agents/").status_code == 200  # reading agents is scoped by access (tests/qa/performance)
