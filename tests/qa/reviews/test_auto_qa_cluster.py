"""Auto-QA on a real django-q2 cluster: the worker transcribes a call, then checks it; transcribed again, it
checks it again. Whisper runs for real in the worker."""

import json
import time

import pytest

from tests.conftest import SAMPLES_DIR
from tests.qa.autoqa.helpers import expected_answers, sample_metadata
from tests.recordings.cluster import ClusterDatabase

SAMPLE = "billing_double_charge"

SEED = """
import json
from django.utils import timezone
from qa.reviews.services import rubric_install_default
from recordings.models import Agent, Client
from recordings.services import call_ingest
rubric_install_default()
client = Client.objects.create(name="Acme Telecom", slug="acme-telecom")
agent = Agent.objects.create(name={agent!r}, external_id="cluster-agent")
call = call_ingest(client=client, agent=agent, external_id="cluster-call", started_at=timezone.now(), audio={audio!r}).call
print(json.dumps({{"call_id": call.pk}}))
"""

RESULT = """
import json
from qa.autoqa.models import AutoEvaluation
e = AutoEvaluation.objects.filter(call_id={call_id}).first()
print(json.dumps(e and {{"id": e.pk, "transcript": e.transcript_id, "transcript_now": e.call.transcript.pk,
                         "answers": {{i.criterion_key: i.answer for i in e.items.all()}}}}))
"""


def wait_for_result(database: ClusterDatabase, call_id: int, *, not_id=None, timeout: float = 180) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = database._query("SELECT COALESCE(MAX(id), 0) FROM autoqa_autoevaluation WHERE call_id = %s", (call_id,))
        if found and found != not_id:
            return json.loads(database.shell(RESULT.format(call_id=call_id)))
        time.sleep(0.5)
    raise AssertionError(f"no automatic evaluation of call {call_id} after {timeout}s:\n{database.log()[-3000:]}")


@pytest.mark.slow
def test_the_worker_checks_each_transcript_it_stores(tmp_path):
    database = ClusterDatabase(tmp_path)
    try:
        seeded = database.shell(SEED.format(agent=sample_metadata(SAMPLE)["agent_name"], audio=str(SAMPLES_DIR / f"{SAMPLE}.flac")))
        call_id = json.loads(seeded)["call_id"]
        database.start_cluster()

        first = wait_for_result(database, call_id)
        assert first["answers"] == expected_answers(SAMPLE)
        assert first["transcript"] == first["transcript_now"]

        database.shell(f"from recordings.transcription import call_retranscribe; call_retranscribe(call_id={call_id}); print('ok')")
        second = wait_for_result(database, call_id, not_id=first["id"])
        assert second["id"] != first["id"]
        assert second["transcript"] == second["transcript_now"] != first["transcript"]
        assert second["answers"] == expected_answers(SAMPLE)
    finally:
        database.close()
