"""Redaction kept with the transcript and the redacted audio copy: the shipped card call through real Whisper.

No card number of the sample may reach anyone without `view_unredacted_transcript`: not in the API,
the search, the admin, nor the audio they hear.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import numpy as np
import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from qa.accounts.roles import MANAGERS_GROUP, REVIEWERS_GROUP
from recordings import redaction_store
from recordings.audio import decode
from recordings.models import Call, Recording, RedactionStatus, Transcript, recordings_storage
from recordings.redaction import MaskedSpan
from recordings.redaction_store import RedactOutcome, recording_redact, redactions_catch_up
from recordings.transcription import call_retranscribe, call_transcribe
from tests.factories import ClientFactory, ManagerFactory, ReviewerFactory, UserFactory
from tests.recordings.helpers import ReplayEngine, corrupt_recording, transcribed_sample_call
from tests.recordings.redaction_fixtures import SAMPLE_CARD, digit_groups, digits_in

pytestmark = pytest.mark.django_db


def assert_no_card(text: str) -> None:
    assert not any(group in digits_in(text) for group in digit_groups(SAMPLE_CARD)), text


def card_groups_in(text: str) -> list[str]:
    """Any four digits of the card in a row, written with up to three separators between them ("4, 5, 3, 9")."""
    patterns = [r"\D{0,3}".join(group) for group in digit_groups(SAMPLE_CARD)]
    return [m.group(0) for pattern in patterns for m in re.finditer(pattern, text)]


@pytest.fixture
def card_call():
    """The card_payment sample, ingested and transcribed by the real pipeline with Whisper's real words."""
    return transcribed_sample_call("card_payment", client=ClientFactory(slug="acme", country="US"))


def user_of(call, role: str):
    if role == "client staff":
        user = UserFactory()
        call.client.users.add(user)
        return user
    return {"reviewer": ReviewerFactory, "manager": ManagerFactory}[role]()


@pytest.mark.slow
def test_it_stores_the_redaction_beside_the_transcript_when_it_is_stored(card_call):
    transcript = card_call.transcript

    assert transcript.redacted_at is not None and transcript.redaction_region == "US"
    assert any(group in digits_in(transcript.text) for group in digit_groups(SAMPLE_CARD))  # the original keeps it
    assert_no_card(transcript.redacted_text)
    assert "[card number]" in transcript.redacted_text
    assert [span["kind"] for span in transcript.masked_spans] == ["card_number"]
    segments = list(transcript.segments.order_by("index"))
    masked = [s for s in segments if s.redacted_text != s.text]
    assert masked and all(s.speaker == "customer" for s in masked)
    for segment in segments:
        assert_no_card(segment.redacted_text)
        assert_no_card(" ".join(word[2] for word in segment.redacted_words))
        assert all(len(word) == 4 for word in segment.redacted_words)
    # The audio copy is queued, not made inside the transcript's transaction.
    assert card_call.recording.redaction_status == RedactionStatus.PENDING


@pytest.mark.slow
def test_it_silences_the_card_in_the_redacted_copy_and_nothing_else(card_call):
    assert recording_redact(recording_id=card_call.recording.pk) == RedactOutcome.READY

    recording = Recording.objects.get(pk=card_call.recording.pk)
    storage = recordings_storage()
    original = decode(storage.path(recording.file.name), sample_rate=8000)
    redacted = decode(storage.path(recording.redacted_file.name), sample_rate=8000)
    assert recording.redaction_status == RedactionStatus.READY
    assert recording.redacted_file.name.endswith(".flac") and redacted.shape == original.shape
    span = MaskedSpan.from_dict(card_call.transcript.masked_spans[0])
    for start, end in span.audio_intervals:
        card = slice(int((start - 0.25) * 8000), int((end + 0.25) * 8000))
        assert np.abs(original[1, card]).max() > 0.1  # the customer reads the card on the right channel
        assert np.abs(redacted[:, card]).max() == 0
    # The agent's greeting (0.6-7.6 s) is untouched.
    greeting = slice(int(1 * 8000), int(7 * 8000))
    assert np.abs(redacted[:, greeting] - original[:, greeting]).max() < 1e-3


@pytest.mark.slow
@pytest.mark.parametrize("role", ["client staff", "reviewer", "manager"])
def test_the_api_returns_the_redacted_transcript_to_all_but_those_allowed_originals(card_call, role):
    api = APIClient()
    api.force_authenticate(user_of(card_call, role))

    transcript = api.get(f"/api/calls/{card_call.pk}/").json()["transcript"]

    text = " ".join(s["text"] for s in transcript["segments"])
    if role == "manager":
        assert transcript["redacted"] is False
        assert "[card number]" not in text
    else:
        assert transcript["redacted"] is True
        assert "[card number]" in text
        assert_no_card(text)


@pytest.mark.slow
def test_a_search_by_redacted_readers_never_confirms_a_masked_number(card_call):
    digits = next(g for g in digit_groups(SAMPLE_CARD) if g in digits_in(card_call.transcript.text))
    heard = next(w for s in card_call.transcript.segments.all() for w in s.text.split() if digits[:1] in w)
    staff = user_of(card_call, "client staff")

    def found(user, q: str) -> list[int]:
        api = APIClient()
        api.force_authenticate(user)
        return [c["id"] for c in api.get("/api/calls/", {"q": q}).json()["results"]]

    assert found(staff, "card") == [card_call.pk]
    assert found(staff, heard.strip(",.")) == []
    assert found(ManagerFactory(), heard.strip(",.")) == [card_call.pk]


@pytest.mark.slow
def test_the_admin_shows_reviewers_the_redacted_transcript(client, card_call):
    client.force_login(ReviewerFactory())
    page = client.get(f"/admin/recordings/call/{card_call.pk}/change/").content.decode()
    lines = re.findall(r'<td class="speaker-\w+"><strong>[^<]*</strong></td><td>(.*?)</td></tr>', page)
    assert len(lines) == card_call.transcript.segments.count()
    assert "[card number]" in page
    assert card_groups_in(" ".join(lines)) == []
    client.force_login(ManagerFactory())
    page = client.get(f"/admin/recordings/call/{card_call.pk}/change/").content.decode()
    assert "[card number]" not in page
    assert card_groups_in(page)  # the check above would see a leak


@pytest.mark.slow
def test_the_copy_is_made_once_however_often_the_task_runs(card_call, stored_files):
    recording_id = card_call.recording.pk

    assert recording_redact(recording_id=recording_id) == RedactOutcome.READY
    assert recording_redact(recording_id=recording_id) == RedactOutcome.SKIPPED

    assert len([p for p in stored_files() if "redacted-" in p.name]) == 1


@pytest.mark.slow
def test_a_new_transcript_retires_the_old_copy_and_makes_a_new_one(card_call, stored_files, django_capture_on_commit_callbacks):
    recording_redact(recording_id=card_call.recording.pk)
    first = Recording.objects.get(pk=card_call.recording.pk).redacted_file.name

    call_retranscribe(call_id=card_call.pk)
    assert call_transcribe(call_id=card_call.pk, engine=ReplayEngine("card_payment")) == "transcribed"
    # Until the new copy exists, the old one is no longer served.
    assert Recording.objects.get(pk=card_call.recording.pk).redaction_status == RedactionStatus.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        assert recording_redact(recording_id=card_call.recording.pk) == RedactOutcome.READY

    second = Recording.objects.get(pk=card_call.recording.pk).redacted_file.name
    assert second != first
    names = [p.name for p in stored_files()]
    assert Path(second).name in names and Path(first).name not in names


@pytest.mark.slow
def test_a_copy_made_for_a_replaced_transcript_is_dropped(card_call, stored_files, monkeypatch):
    """The transcript changes while the copy is being made: the finished copy must not be kept."""
    real = redaction_store.audio_redact

    def transcribed_again_meanwhile(*args, **kwargs):
        result = real(*args, **kwargs)
        call_retranscribe(call_id=card_call.pk)
        assert call_transcribe(call_id=card_call.pk, engine=ReplayEngine("card_payment")) == "transcribed"
        return result

    monkeypatch.setattr(redaction_store, "audio_redact", transcribed_again_meanwhile)

    assert recording_redact(recording_id=card_call.recording.pk) == RedactOutcome.SKIPPED
    assert not [p for p in stored_files() if "redacted-" in p.name]
    # The new transcript's own task makes the copy.
    assert Recording.objects.get(pk=card_call.recording.pk).redaction_status == RedactionStatus.PENDING


@pytest.mark.slow
def test_a_stale_claim_is_taken_over_and_a_live_one_is_not(card_call, settings):
    from datetime import timedelta

    from django.utils import timezone

    recording = card_call.recording
    Recording.objects.filter(pk=recording.pk).update(
        redaction_status=RedactionStatus.WORKING, redaction_changed_at=timezone.now()
    )
    assert recording_redact(recording_id=recording.pk) == RedactOutcome.SKIPPED

    Recording.objects.filter(pk=recording.pk).update(
        redaction_changed_at=timezone.now() - timedelta(seconds=settings.TRANSCRIBE_STALE_AFTER + 1)
    )
    assert recording_redact(recording_id=recording.pk) == RedactOutcome.READY


@pytest.mark.slow
def test_an_undecodable_recording_fails_with_a_reason_and_leaves_no_files(card_call, stored_files):
    corrupt_recording(card_call)
    before = set(Path(tempfile.gettempdir()).glob("redact-*"))

    assert recording_redact(recording_id=card_call.recording.pk) == RedactOutcome.FAILED

    recording = Recording.objects.get(pk=card_call.recording.pk)
    assert recording.redaction_status == RedactionStatus.FAILED
    assert recording.redaction_failure.startswith("The redacted copy could not be made: the file is not decodable audio")
    assert [p.name for p in stored_files()] == [Path(recording.file.name).name]
    assert set(Path(tempfile.gettempdir()).glob("redact-*")) == before


def test_the_task_queued_on_commit_makes_the_copy(transactional_db, samples_dir, monkeypatch):
    """Through the worker's own entry point: transcript stored, committed, task run (django-q2 in sync mode)."""
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)
    from tests.conftest import ingest_sample_call

    call = ingest_sample_call(samples_dir, "outage_hold")  # ground-truth transcript: nothing to mask
    Recording.objects.filter(call=call).update(redaction_status=RedactionStatus.WAITING, redacted_file="")
    Transcript.objects.filter(call=call).update(redacted_at=None)

    catch_up = redactions_catch_up()

    recording = Recording.objects.get(call=call)
    assert (catch_up.transcripts_redacted, catch_up.recordings_queued) == (1, 0)  # queued by the redaction itself
    assert recording.redaction_status == RedactionStatus.READY


def test_readers_of_redacted_text_get_no_transcript_until_it_is_redacted(sample_call):
    Transcript.objects.filter(call=sample_call).update(redacted_at=None)
    staff = user_of(sample_call, "client staff")
    api = APIClient()
    api.force_authenticate(staff)

    assert api.get(f"/api/calls/{sample_call.pk}/").json()["transcript"] is None
    api.force_authenticate(ManagerFactory())
    assert api.get(f"/api/calls/{sample_call.pk}/").json()["transcript"]["redacted"] is False


def test_the_ground_truth_card_sample_is_masked_too(sample_call):
    """Segments without word timings (the sample's script) are redacted from their text."""
    assert_no_card(sample_call.transcript.redacted_text)
    assert "[card number]" in sample_call.transcript.redacted_text


def test_only_qa_managers_may_read_originals_by_default(db):
    managers = Group.objects.get(name=MANAGERS_GROUP)
    reviewers = Group.objects.get(name=REVIEWERS_GROUP)
    assert managers.permissions.filter(codename="view_unredacted_transcript").exists()
    assert not reviewers.permissions.filter(codename="view_unredacted_transcript").exists()
    # Client staff given the permission by mistake still get redacted copies: it is for QA staff.
    from django.contrib.auth.models import Permission

    from recordings.access import sees_unredacted

    staff = UserFactory()
    staff.user_permissions.add(Permission.objects.get(codename="view_unredacted_transcript"))
    assert not sees_unredacted(UserFactory._meta.model.objects.get(pk=staff.pk))
    assert sees_unredacted(ManagerFactory())


def test_a_call_without_a_client_country_uses_the_server_default_region(settings):
    settings.REDACTION_DEFAULT_REGION = "GB"
    assert redaction_store.redaction_region(ClientFactory(country="")) == "GB"
    assert redaction_store.redaction_region(ClientFactory(country="DE")) == "DE"


def test_an_abandoned_call_has_nothing_to_redact(db):
    call = Call.objects.create(
        client=ClientFactory(), external_id="A-1", started_at="2026-11-02T09:30:00Z", answered=False,
        wait_seconds=10, status=Call.Status.ABANDONED,
    )
    assert redactions_catch_up().recordings_queued == 0
    assert not Recording.objects.filter(call=call).exists()


def test_redact_pending_redacts_old_transcripts_and_queues_failed_copies_when_asked(sample_call):
    from io import StringIO

    from django.core.management import call_command

    Transcript.objects.filter(call=sample_call).update(redacted_at=None, redacted_text="")
    Recording.objects.filter(call=sample_call).update(redaction_status=RedactionStatus.FAILED)
    out = StringIO()

    call_command("redact_pending", stdout=out)
    assert out.getvalue().strip() == "Redacted 1 transcript(s); queued 0 more recording(s) for their redacted copy."
    assert "[card number]" in Transcript.objects.get(call=sample_call).redacted_text

    Recording.objects.filter(call=sample_call).update(redaction_status=RedactionStatus.FAILED)
    call_command("redact_pending", "--include-failed", stdout=out)
    assert Recording.objects.get(call=sample_call).redaction_status == RedactionStatus.PENDING


def test_the_sweep_queues_again_copies_whose_task_was_lost(sample_call, settings, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from recordings.redaction_store import redactions_requeue_stale

    queued = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda *args, **kwargs: queued.append(args))
    recording = Recording.objects.filter(call=sample_call)
    recording.update(redaction_status=RedactionStatus.PENDING, redaction_changed_at=timezone.now())
    assert redactions_requeue_stale() == 0  # a task may still be on its way

    long_ago = timezone.now() - timedelta(seconds=settings.TRANSCRIBE_STALE_AFTER + 1)
    recording.update(redaction_changed_at=long_ago)
    assert redactions_requeue_stale() == 1
    assert queued == [("recordings.tasks.redact_recording", sample_call.recording.pk)]
    assert redactions_requeue_stale() == 0  # touched: one extra task per interval at most
    assert recording_redact(recording_id=sample_call.recording.pk) == RedactOutcome.READY


def test_a_broker_that_is_down_never_breaks_storing_a_transcript(sample_call, monkeypatch, django_capture_on_commit_callbacks):
    def broker_down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr("django_q.tasks.async_task", broker_down)
    transcript = Transcript.objects.get(call=sample_call)

    with django_capture_on_commit_callbacks(execute=True):
        assert redaction_store.transcript_redaction_store(transcript=transcript)

    assert Recording.objects.get(call=sample_call).redaction_status == RedactionStatus.PENDING  # for the sweep
