"""Who may see, hear and change calls: every rule of recordings.access, directly."""

import pytest
from django.contrib.auth.models import AnonymousUser, Permission

from recordings.access import (
    agents_visible_to,
    calls_visible_to,
    can_ingest_calls,
    can_listen,
    can_manage_roster,
    can_retranscribe,
    can_view_call,
)
from tests.factories import AdminFactory, AgentFactory, CallFactory, ClientFactory, ManagerFactory, ReviewerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Two clients; an agent who serves both; another agent on one."""
    acme, globex = ClientFactory(slug="acme"), ClientFactory(slug="globex")
    shared_agent, acme_agent = AgentFactory(user=UserFactory(username="shared")), AgentFactory(user=UserFactory(username="solo"))
    calls = {
        "acme by shared": CallFactory(client=acme, agent=shared_agent),
        "globex by shared": CallFactory(client=globex, agent=shared_agent),
        "acme by solo": CallFactory(client=acme, agent=acme_agent),
    }
    acme_staff = UserFactory(username="acme-staff")
    acme.users.add(acme_staff)
    return {"calls": calls, "acme_staff": acme_staff, "shared": shared_agent.user, "solo": acme_agent.user}


def visible(user, world) -> set[str]:
    ids = set(calls_visible_to(user).values_list("pk", flat=True))
    return {name for name, call in world["calls"].items() if call.pk in ids}


def test_it_shows_qa_staff_every_call(world):
    for user in (ReviewerFactory(), ManagerFactory(), AdminFactory()):
        assert visible(user, world) == set(world["calls"])


def test_it_shows_client_staff_their_clients_calls_whichever_agent_took_them(world):
    assert visible(world["acme_staff"], world) == {"acme by shared", "acme by solo"}


def test_it_shows_an_agent_their_own_calls_whichever_client_they_were_for(world):
    assert visible(world["shared"], world) == {"acme by shared", "globex by shared"}
    assert visible(world["solo"], world) == {"acme by solo"}


def test_it_shows_nothing_to_anonymous_inactive_or_unlinked_users(world):
    world["acme_staff"].is_active = False
    for user in (AnonymousUser(), world["acme_staff"], UserFactory(is_staff=True)):
        assert visible(user, world) == set()


def test_it_keeps_each_call_once_and_composes_with_other_filters(world):
    both = UserFactory()
    world["calls"]["acme by shared"].client.users.add(both)
    world["calls"]["acme by shared"].agent.user = both  # both client staff and the agent
    world["calls"]["acme by shared"].agent.save()
    assert calls_visible_to(both).filter(client__slug="acme").count() == 2


def test_it_answers_can_view_call_with_the_same_rule(world):
    calls = world["calls"]
    assert can_view_call(world["acme_staff"], calls["acme by solo"])
    assert not can_view_call(world["acme_staff"], calls["globex by shared"])


def test_it_lets_whoever_sees_a_call_listen_to_it(world):
    calls = world["calls"]
    assert can_listen(ReviewerFactory(), calls["globex by shared"])
    assert can_listen(world["acme_staff"], calls["acme by shared"])
    assert not can_listen(world["acme_staff"], calls["globex by shared"])
    assert can_listen(world["shared"], calls["acme by shared"])  # an agent hears their own calls
    assert not can_listen(world["solo"], calls["acme by shared"])  # but not another agent's
    assert not can_listen(AnonymousUser(), calls["acme by shared"])


def test_it_shows_agents_to_the_people_who_see_their_calls(world):
    calls = world["calls"]
    shared, solo = calls["acme by shared"].agent, calls["acme by solo"].agent
    globex_staff = UserFactory()
    calls["globex by shared"].client.users.add(globex_staff)
    assert set(agents_visible_to(ReviewerFactory())) == {shared, solo}
    assert set(agents_visible_to(world["acme_staff"])) == {shared, solo}
    assert set(agents_visible_to(globex_staff)) == {shared}
    assert set(agents_visible_to(world["solo"])) == {solo}
    assert not agents_visible_to(AnonymousUser()).exists() and not agents_visible_to(UserFactory()).exists()


def test_it_lets_only_holders_of_the_add_call_permission_ingest():
    integration = UserFactory()
    integration.user_permissions.add(Permission.objects.get(codename="add_call"))
    assert can_ingest_calls(integration) and can_ingest_calls(AdminFactory())
    assert not can_ingest_calls(UserFactory()) and not can_ingest_calls(AnonymousUser())


def test_it_keeps_the_roster_to_staff_with_both_add_permissions():
    sync = UserFactory(is_staff=True)
    sync.user_permissions.add(*Permission.objects.filter(codename__in=["add_client", "add_agent"]))
    assert can_manage_roster(sync) and can_manage_roster(AdminFactory())
    half = UserFactory(is_staff=True)
    half.user_permissions.add(Permission.objects.get(codename="add_client"))
    assert not can_manage_roster(half)
    not_staff = UserFactory()
    not_staff.user_permissions.add(*Permission.objects.filter(codename__in=["add_client", "add_agent"]))
    assert not can_manage_roster(not_staff)


def test_it_lets_qa_staff_and_integrations_retranscribe():
    assert can_retranscribe(ReviewerFactory())
    assert not can_retranscribe(UserFactory(is_staff=True))
