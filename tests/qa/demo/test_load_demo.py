from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from qa.accounts.roles import is_manager, is_reviewer
from recordings.access import calls_visible_to
from recordings.models import Call
from tests.conftest import SAMPLES_DIR

pytestmark = pytest.mark.django_db


def test_it_loads_the_demo_and_can_run_again():
    first, second = StringIO(), StringIO()

    call_command("load_demo", stdout=first)
    call_command("load_demo", stdout=second)

    samples = len(list(SAMPLES_DIR.glob("*.json")))
    assert f"{samples} sample call(s) newly imported" in first.getvalue()
    assert "0 sample call(s) newly imported" in second.getvalue()
    assert Call.objects.filter(client__slug="acme-telecom").count() == samples
    users = {u.username: u for u in get_user_model().objects.all()}
    assert is_manager(users["manager"])
    assert is_reviewer(users["reviewer"]) and not is_manager(users["reviewer"])
    assert calls_visible_to(users["client"]).count() == samples
    assert set(calls_visible_to(users["sarah"]).values_list("agent__external_id", flat=True)) == {"AGT-1042"}
    assert users["admin"].check_password("demo-pass-1")
