import json

import pytest
from django.utils import timezone

from qa.services import rubric_install_default
from recordings.models import Call, Segment, Transcript
from recordings.services import call_ingest
from tests.factories import AgentFactory, CallFactory, ClientFactory


@pytest.fixture
def default_rubric(db):
    return rubric_install_default()


@pytest.fixture
def transcribed_call(db):
    return CallFactory(status=Call.Status.TRANSCRIBED, started_at=timezone.now())


def ingest_sample_call(samples_dir, name: str = "card_payment", *, client=None, agent=None) -> Call:
    """A real sample recording, with its ground-truth script stored as the transcript (no Whisper)."""
    client = client or ClientFactory()
    agent = agent or AgentFactory()
    result = call_ingest(
        client=client, agent=agent, external_id=f"sample-{name}", started_at=timezone.now(),
        audio=samples_dir / f"{name}.flac",
    )
    call = result.call
    truth = json.loads((samples_dir / f"{name}.json").read_text())
    transcript = Transcript.objects.create(
        call=call, language="en", engine="ground-truth", model_name="script", processing_seconds=0,
        audio_seconds=truth["duration_seconds"], text=" ".join(t["text"] for t in truth["turns"]),
    )
    Segment.objects.bulk_create(
        Segment(transcript=transcript, index=i, speaker=t["speaker"], start=t["start"], end=t["end"], text=t["text"])
        for i, t in enumerate(truth["turns"])
    )
    Call.objects.filter(pk=call.pk).update(status=Call.Status.TRANSCRIBED)
    call.refresh_from_db()
    return call


@pytest.fixture
def sample_call(db, samples_dir):
    return ingest_sample_call(samples_dir)
