"""create_portal_user: logins for agents and client staff, never staff, with a one-time or given password."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from qa.accounts.services import must_change_password
from tests.factories import AgentFactory, ClientFactory, ReviewerFactory

pytestmark = pytest.mark.django_db


def run(*args, stdin: str | None = None, monkeypatch=None) -> str:
    out = io.StringIO()
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    call_command("create_portal_user", *args, stdout=out)
    return out.getvalue()


def test_it_creates_an_agent_login_with_a_one_time_password():
    agent = AgentFactory(external_id="AGT-7")

    output = run("nia", "--agent", "AGT-7")

    user = get_user_model().objects.get(username="nia")
    agent.refresh_from_db()
    assert agent.user == user and not user.is_staff
    password = output.rsplit(": ", 1)[1].strip()
    assert user.check_password(password) and must_change_password(user)


def test_it_takes_the_password_from_stdin_for_client_staff_of_two_clients(monkeypatch):
    acme, globex = ClientFactory(slug="acme"), ClientFactory(slug="globex")

    output = run("clara", "--client", "acme", "--client", "globex", "--password-stdin", stdin="a-long-chosen-secret\n", monkeypatch=monkeypatch)

    user = get_user_model().objects.get(username="clara")
    assert "One-time" not in output
    assert user.check_password("a-long-chosen-secret") and not must_change_password(user)
    assert set(user.client_accounts.all()) == {acme, globex}


@pytest.mark.parametrize("args, message", [
    (["x"], "which agent or which client"),
    (["x", "--agent", "AGT-404"], "No agent"),
    (["x", "--client", "nobody"], "No client"),
])
def test_it_refuses_bad_arguments_clearly(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not get_user_model().objects.filter(username="x").exists()


def test_it_never_turns_a_staff_login_into_a_portal_login():
    ReviewerFactory(username="rita")
    AgentFactory(external_id="AGT-8")
    with pytest.raises(CommandError, match="staff login"):
        run("rita", "--agent", "AGT-8")


def test_it_refuses_a_weak_password_and_keeps_nothing(monkeypatch):
    AgentFactory(external_id="AGT-9")
    with pytest.raises(CommandError, match="too short"):
        run("weak", "--agent", "AGT-9", "--password-stdin", stdin="abc\n", monkeypatch=monkeypatch)
    assert not get_user_model().objects.filter(username="weak").exists()
