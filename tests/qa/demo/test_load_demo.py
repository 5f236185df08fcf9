from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from qa.accounts.roles import is_manager, is_reviewer
from qa.performance.models import CoachingSession, Dispute, TrainingFlag
from qa.reviews.models import Evaluation
from qa.reviews.selectors import qa_figures
from recordings.access import calls_visible_to
from recordings.figures import call_figures
from recordings.models import Agent, Call, Team
from tests.conftest import SAMPLES_DIR

pytestmark = pytest.mark.django_db


def test_it_loads_the_demo_and_can_run_again():
    first, second = StringIO(), StringIO()

    call_command("load_demo", stdout=first)
    call_command("load_demo", stdout=second)

    samples = len(list(SAMPLES_DIR.glob("*.json")))
    assert f"{samples} sample call(s) newly imported" in first.getvalue()
    assert "0 sample call(s) newly imported" in second.getvalue()
    assert "Client portal: 0 call record(s) without audio added, 0 sample call(s) evaluated." in second.getvalue()
    assert "0 demo call(s) and 0 evaluation(s) added" in second.getvalue()
    acme = Call.objects.filter(client__slug="acme-telecom")
    assert acme.filter(recording__isnull=False).count() == samples
    # Twelve weeks of call records without audio, some abandoned, for the client portal's summary.
    assert acme.filter(status="abandoned", agent__isnull=True, wait_seconds__isnull=False).count() > 20
    assert acme.filter(status="no_recording").count() > 500
    assert Evaluation.objects.filter(call__recording__isnull=False, status="submitted").count() == samples
    users = {u.username: u for u in get_user_model().objects.all()}
    assert is_manager(users["manager"])
    assert is_reviewer(users["reviewer"]) and not is_manager(users["reviewer"])
    assert calls_visible_to(users["client"]).count() == acme.count()
    assert set(calls_visible_to(users["sarah"]).values_list("agent__external_id", flat=True)) == {"AGT-1042"}
    assert users["admin"].check_password("demo-pass-1")


def test_it_gives_the_scorecard_and_the_dashboard_weeks_of_figures_flags_coaching_and_a_dispute():
    call_command("load_demo", stdout=StringIO())

    sarah = Agent.objects.get(external_id="AGT-1042")
    weeks = {c.started_at.isocalendar()[:2] for c in Call.objects.filter(agent=sarah)}
    assert len(weeks) >= 8 and Team.objects.count() == 2 and Agent.objects.count() == 10
    figures = call_figures(Call.objects.filter(agent=sarah))
    assert figures.aht_seconds and figures.fcr.explicit_calls and figures.fcr.repeat_rule_calls
    assert figures.csat.responses and figures.nps.responses and figures.ces.responses
    assert qa_figures(Evaluation.objects.filter(call__agent=sarah)).evaluations >= 10
    assert TrainingFlag.objects.exclude(status="closed").exists()
    assert CoachingSession.objects.filter(held_at__isnull=False).exists()
    assert Dispute.objects.filter(status="open", agent=sarah).exists()
