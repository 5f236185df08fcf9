"""Retention: expired recordings go in batches, rows first then files, everything audited; the call stays."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from qa.audit.models import Action, AuditEntry
from qa.retention.services import retention_apply
from qa.reviews import services
from qa.reviews.models import Evaluation
from qa.reviews.services import AnswerInput
from recordings.models import Call, Client, Recording, Transcript
from recordings.services import call_ingest
from tests.factories import AgentFactory, ClientFactory, ReviewerFactory

pytestmark = pytest.mark.django_db


def old_call(client, wav_file, *, days_ago: int, name: str) -> Call:
    call = call_ingest(
        client=client, agent=AgentFactory(), external_id=name, started_at=timezone.now() - timedelta(days=days_ago),
        audio=wav_file(),
    ).call
    Transcript.objects.create(call=call, engine="x", model_name="x", processing_seconds=1, text="hello")
    Call.objects.filter(pk=call.pk).update(status=Call.Status.TRANSCRIBED)
    return call


def evaluate(rubric, call) -> Evaluation:
    answers = {pk: AnswerInput(value=v) for pk, v in rubric.by_pk(rubric.best_answers()).items()}
    return services.evaluation_submit(call=call, reviewer=ReviewerFactory(), answers=answers)


def test_it_deletes_only_expired_recordings_and_keeps_the_call_its_transcript_and_evaluation(rubric, wav_file, stored_files):
    keep_audio = ClientFactory(retention_days=30)
    expired = old_call(keep_audio, wav_file, days_ago=40, name="old")
    fresh = old_call(keep_audio, wav_file, days_ago=10, name="new")
    forever = old_call(ClientFactory(), wav_file, days_ago=4000 // 10, name="kept")  # no retention period
    evaluate(rubric, expired)

    summary = retention_apply()

    assert (summary.calls, summary.files_deleted, summary.transcripts_deleted, summary.evaluations_deleted) == (1, 1, 0, 0)
    expired.refresh_from_db()
    assert expired.audio_deleted_at is not None and not Recording.objects.filter(call=expired).exists()
    assert Transcript.objects.filter(call=expired).exists() and Evaluation.objects.filter(call=expired).exists()
    assert set(Recording.objects.values_list("call_id", flat=True)) == {fresh.pk, forever.pk}
    assert len(stored_files()) == 2
    entry = AuditEntry.objects.get(action=Action.RETENTION_DELETED)
    assert entry.object_id == str(expired.pk) and entry.detail["deleted"] == "recording"
    assert retention_apply().calls == 0  # nothing left to do


def test_it_removes_transcripts_and_evaluations_when_the_client_says_so(rubric, wav_file, stored_files):
    client = ClientFactory(retention_days=7, retention_scope=Client.RetentionScope.EVERYTHING)
    call = old_call(client, wav_file, days_ago=8, name="gone")
    evaluate(rubric, call)

    summary = retention_apply()

    assert (summary.transcripts_deleted, summary.evaluations_deleted) == (1, 1)
    assert Call.objects.filter(pk=call.pk).exists()
    assert not Transcript.objects.filter(call=call).exists() and not Evaluation.objects.filter(call=call).exists()
    assert stored_files() == []


def test_it_works_in_batches_until_done(wav_file, stored_files):
    client = ClientFactory(retention_days=1)
    for n in range(5):
        old_call(client, wav_file, days_ago=3, name=f"c{n}")
    assert retention_apply(batch_size=2).calls == 5
    assert stored_files() == []


def test_it_prints_what_would_go_and_changes_nothing_on_a_dry_run(wav_file, stored_files):
    client = ClientFactory(slug="acme", retention_days=30)
    old_call(client, wav_file, days_ago=31, name="CALL-OLD")
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert "acme/CALL-OLD" in out.getvalue() and "1 call(s) would lose their recording" in out.getvalue()
    assert Recording.objects.count() == 1 and len(stored_files()) == 1 and not AuditEntry.objects.exists()


def test_it_still_opens_a_call_whose_audio_expired_and_says_so(client, rubric, wav_file):
    call = old_call(ClientFactory(retention_days=5), wav_file, days_ago=6, name="expired")
    retention_apply()
    client.force_login(ReviewerFactory())

    workspace = client.get(reverse("reviews:workspace", args=[call.pk]))
    audio = client.get(reverse("recordings:call-audio", args=[call.pk]))

    assert workspace.status_code == 200 and "retention period" in workspace.content.decode()
    assert audio.status_code == 404 and "retention period" in audio.content.decode()
    assert client.get(reverse("admin:recordings_call_change", args=[call.pk])).status_code == 200


def test_it_keeps_rows_and_files_consistent_when_a_file_cannot_be_deleted(wav_file, monkeypatch, caplog):
    from django.core.files.storage import FileSystemStorage

    call = old_call(ClientFactory(retention_days=1), wav_file, days_ago=2, name="stuck")

    def refuse(self, name):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(FileSystemStorage, "delete", refuse)
    summary = retention_apply()

    assert summary.calls == 1 and len(summary.files_failed) == 1
    assert not Recording.objects.filter(call=call).exists()  # committed: no row points at a missing file
    assert "could not delete" in caplog.text
