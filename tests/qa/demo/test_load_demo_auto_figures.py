"""After load_demo and the worker, the figures show automatic checks: the transcribed sample calls' agents
have coverage; the synthetic demo calls carry no transcript, so their team has none ("no transcribed calls")."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from recordings.models import Call, Team
from recordings.transcription import TranscribeOutcome, call_transcribe
from tests.factories import ManagerFactory
from tests.qa.autoqa.helpers import expected_answers, sample_metadata
from tests.qa.performance.helpers import api_as
from tests.recordings.helpers import ReplayEngine, queued

pytestmark = pytest.mark.django_db

SAMPLE = "billing_double_charge"


@pytest.mark.slow
def test_the_scorecard_dashboard_and_summary_show_the_checked_sample_call(client):
    call_command("load_demo", stdout=StringIO())
    call = queued(Call.objects.get(external_id=sample_metadata(SAMPLE)["external_id"]))
    assert call_transcribe(call_id=call.pk, engine=ReplayEngine(SAMPLE)) == TranscribeOutcome.TRANSCRIBED
    call_command("load_demo", stdout=StringIO())  # checks the transcribed calls, as the worker does after each
    day = timezone.localdate(call.started_at).isoformat()
    manager = ManagerFactory()

    auto = api_as(manager).get(f"/api/agents/{call.agent_id}/scorecard/", {"from": day, "to": day}).json()["auto_qa"]

    assert (auto["transcribed_calls"], auto["calls_checked"], auto["checked_share"]) == (1, 1, 1.0)
    answers = {i["criterion_key"]: "pass" if i["passed"] else "fail" if i["failed"] else "unknown" for i in auto["items"]}
    assert answers == expected_answers(SAMPLE)

    client.force_login(manager)
    billing = Team.objects.get(name="Billing support")  # synthetic calls only
    html = client.get(reverse("performance:dashboard"), {"team": billing.pk}).content.decode()
    assert "no transcribed calls in this period" in re.search(r'id="perf-auto-team">(.*?)</p>', html, re.S).group(1)
    client.force_login(call.client.users.get(username="client"))
    html = client.get(reverse("portal:summary", args=[call.client.slug]), {"date_from": day, "date_to": day}).content.decode()
    assert "of the transcribed calls checked (1 of 1)" in html
