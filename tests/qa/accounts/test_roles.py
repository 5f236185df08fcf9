"""Every role rule, directly: one definition each, and the SQL form agrees with the Python one."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group

from qa.accounts.groups import GROUP_PERMISSIONS
from qa.accounts.roles import (
    MANAGERS_GROUP,
    REVIEWERS_GROUP,
    is_agent,
    is_client_staff,
    is_manager,
    is_reviewer,
    reviewers,
)
from tests.factories import AdminFactory, AgentFactory, ClientFactory, ManagerFactory, ReviewerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    client_staff = UserFactory(username="clara")
    ClientFactory().users.add(client_staff)
    agent_user = UserFactory(username="alex")
    AgentFactory(user=agent_user)
    return {
        "admin": AdminFactory(username="root"),
        "manager": ManagerFactory(username="max"),
        "reviewer": ReviewerFactory(username="rita"),
        "inactive reviewer": ReviewerFactory(username="gone", is_active=False),
        "plain staff": UserFactory(username="sam", is_staff=True),
        "client staff": client_staff,
        "agent": agent_user,
    }


def test_it_makes_managers_of_the_managers_group_and_superusers(people):
    managers = {name for name, user in people.items() if is_manager(user)}
    assert managers == {"admin", "manager"}


def test_it_makes_reviewers_of_both_staff_groups_and_superusers(people):
    qa_staff = {name for name, user in people.items() if is_reviewer(user)}
    assert qa_staff == {"admin", "manager", "reviewer"}


def test_it_gives_work_to_exactly_the_users_is_reviewer_accepts(people):
    assert set(reviewers()) == {user for user in people.values() if is_reviewer(user)}
    assert reviewers().count() == 3  # no duplicates from the group join


def test_it_knows_client_staff_and_agents_by_their_links(people):
    assert {n for n, u in people.items() if is_client_staff(u)} == {"client staff"}
    assert {n for n, u in people.items() if is_agent(u)} == {"agent"}


def test_it_gives_anonymous_and_inactive_users_no_role(people):
    for user in (AnonymousUser(), people["inactive reviewer"]):
        assert not any(check(user) for check in (is_manager, is_reviewer, is_client_staff, is_agent))


def test_it_makes_the_staff_groups_with_their_permissions_on_migrate():
    for name, permissions in GROUP_PERMISSIONS.items():
        group = Group.objects.get(name=name)
        granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
        assert set(permissions) <= granted
    assert {REVIEWERS_GROUP, MANAGERS_GROUP} <= set(GROUP_PERMISSIONS)


def test_it_lets_a_group_member_read_call_analytics_in_the_admin():
    reviewer = ReviewerFactory()
    assert reviewer.has_perm("recordings.view_callanalytics")
    assert not UserFactory(is_staff=True).has_perm("recordings.view_callanalytics")
