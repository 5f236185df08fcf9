"""Clients in other languages: the base model per client, a clear failure where the model cannot hear the language."""

import pytest
from django.core.exceptions import ValidationError

from recordings import whisper_models
from recordings.models import Call
from recordings.services import client_upsert
from recordings.transcription import call_transcribe
from recordings.wer import word_errors
from tests.conftest import SAMPLES_DIR
from tests.factories import ClientFactory
from tests.recordings.conftest import sample_truth
from tests.recordings.helpers import queued

pytestmark = pytest.mark.django_db

needs_base = pytest.mark.skipif(
    bool(whisper_models.base_missing()), reason=whisper_models.base_missing() or "installed"
)
GERMAN_WORDS = {"guten", "tag", "ich", "ihnen", "ist", "das", "vielen", "dank", "meine", "rechnung", "kann", "nicht", "wie"}


def test_it_fails_a_german_call_on_the_english_only_model_with_the_reason(ingest_sample):
    client = ClientFactory(language="de")  # made before this check existed, or by hand in the database
    call = queued(ingest_sample(SAMPLES_DIR / "extra/german_billing.flac", client=client))

    assert call_transcribe(call_id=call.pk) == "failed"

    call.refresh_from_db()
    assert call.status == Call.Status.FAILED
    assert "tiny.en model cannot transcribe language 'de'" in call.failure_reason
    assert call.transcription_attempts == 1  # not retried: only a setting can fix it


@pytest.mark.slow
@needs_base
def test_it_transcribes_a_german_clients_call_in_german_with_the_base_model(ingest_sample):
    client = ClientFactory(language="de", transcription_model="base")
    call = queued(ingest_sample(SAMPLES_DIR / "extra/german_billing.flac", client=client))

    assert call_transcribe(call_id=call.pk) == "transcribed"

    transcript = Call.objects.get(pk=call.pk).transcript
    assert transcript.language == "de"
    assert "base" in transcript.model_name
    heard = set(transcript.text.lower().replace(",", " ").replace(".", " ").split())
    assert len(heard & GERMAN_WORDS) >= 5, transcript.text
    assert {s.speaker for s in transcript.segments.all()} == {"agent", "customer"}
    script = " ".join(t["text"] for t in sample_truth("extra/german_billing")["turns"])
    assert word_errors(script, transcript.text, "de").rate < 1.0


def test_it_requires_a_language_for_a_client_on_the_multilingual_model(admin_client):
    with pytest.raises(ValidationError, match="needs the call's language"):
        client_upsert(slug="cymru", name="Cymru", transcription_model="base")
    client, _ = client_upsert(slug="cymru", name="Cymru", transcription_model="base", language="cy", chinese_script="")
    assert client.language == "cy"
