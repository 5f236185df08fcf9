"""The transcription services on a real database with real Whisper."""

from __future__ import annotations

import wave
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from django.utils import timezone

from recordings import transcription
from recordings.audio import decode
from recordings.models import Call, CallAnalytics, Segment, Transcript
from recordings.transcription import (
    TranscribeOutcome,
    call_retranscribe,
    call_transcribe,
    call_transcription_queue,
    transcription_requeue_stale,
)
from tests.factories import AgentFactory, CallFactory, ClientFactory
from tests.recordings.conftest import sample_truth
from tests.recordings.helpers import close_enough, corrupt_recording, queued

pytestmark = pytest.mark.django_db


def write_wav(path: Path, channels: np.ndarray, rate: int = 16_000) -> Path:
    """Write float audio shaped (channels, samples) as 16-bit PCM."""
    pcm = (np.clip(channels, -1, 1) * 32767).astype("<i2").T.copy()
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels.shape[0])
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())
    return path


@pytest.mark.slow
def test_it_stores_agent_and_customer_segments_words_and_analytics(ingest_sample):
    call = queued(ingest_sample("cancel_subscription_interruption"))

    assert call_transcribe(call_id=call.pk) == TranscribeOutcome.TRANSCRIBED

    call.refresh_from_db()
    assert call.status == Call.Status.TRANSCRIBED
    assert call.claimed_at is None
    assert call.transcription_attempts == 1
    transcript = call.transcript
    assert transcript.engine == "faster-whisper"
    assert "tiny.en" in transcript.model_name
    assert transcript.language == "en"
    assert transcript.processing_seconds > 0
    assert transcript.audio_seconds == pytest.approx(54.47, abs=0.1)
    segments = list(transcript.segments.order_by("index"))
    assert {s.speaker for s in segments} == {"agent", "customer"}
    assert [s.start for s in segments] == sorted(s.start for s in segments)
    assert segments[0].speaker == "agent" and "help" in segments[0].text.lower() + segments[1].text.lower()
    assert all(s.words and len(s.words[0]) == 4 for s in segments)
    assert "cancel my subscription" in transcript.text.lower()
    truth = sample_truth("cancel_subscription_interruption")["analytics"]
    analytics = CallAnalytics.objects.get(call=call)
    for field, expected in truth.items():
        assert close_enough(getattr(analytics, field), expected), (field, getattr(analytics, field), expected)
    assert analytics.interruptions == 1


@pytest.mark.slow
def test_it_takes_the_agent_from_the_right_channel_when_the_client_says_so(ingest_sample, tmp_path):
    audio = decode(Path(__file__).resolve().parents[2] / "recordings/samples/billing_double_charge.flac")
    swapped = write_wav(tmp_path / "swapped.wav", audio[::-1, : 12 * 16_000])
    client = ClientFactory(agent_channel="right")
    call = queued(ingest_sample(swapped, client=client))

    call_transcribe(call_id=call.pk)

    segments = list(Transcript.objects.get(call=call).segments.order_by("index"))
    assert segments[0].speaker == "agent"
    assert "for calling" in segments[0].text.lower()
    assert any(s.speaker == "customer" and "charged" in s.text.lower() for s in segments)


@pytest.mark.slow
def test_it_gives_a_mono_call_one_unknown_speaker_in_the_clients_language(ingest_sample, tmp_path, settings):
    settings.WHISPER_LANGUAGE = ""
    audio = decode(Path(__file__).resolve().parents[2] / "recordings/samples/billing_double_charge.flac")
    mono = write_wav(tmp_path / "mono.wav", audio[1:2, 7 * 16_000 : 12 * 16_000])
    call = queued(ingest_sample(mono, client=ClientFactory(language="en")))

    call_transcribe(call_id=call.pk)

    call.refresh_from_db()
    assert call.status == Call.Status.TRANSCRIBED
    assert call.transcript.language == "en"
    assert {s.speaker for s in call.transcript.segments.all()} == {"unknown"}
    assert "charged" in call.transcript.text.lower()
    assert not CallAnalytics.objects.filter(call=call).exists()


@pytest.mark.slow
def test_it_stores_the_detected_language_when_none_is_set(ingest_sample, tmp_path, settings):
    settings.WHISPER_LANGUAGE = ""
    audio = decode(Path(__file__).resolve().parents[2] / "recordings/samples/billing_double_charge.flac")
    mono = write_wav(tmp_path / "mono.wav", audio[1:2, 7 * 16_000 : 12 * 16_000])
    call = queued(ingest_sample(mono))

    call_transcribe(call_id=call.pk)

    assert Transcript.objects.get(call=call).language == "en"


def test_it_stores_an_empty_transcript_for_a_silent_call(ingest_sample, tmp_path):
    silent = write_wav(tmp_path / "silent.wav", np.zeros((2, 10 * 16_000), dtype=np.float32))
    call = queued(ingest_sample(silent))

    assert call_transcribe(call_id=call.pk) == TranscribeOutcome.TRANSCRIBED

    call.refresh_from_db()
    assert call.status == Call.Status.TRANSCRIBED
    assert call.transcript.text == ""
    assert call.transcript.segments.count() == 0
    assert call.analytics.agent_talk_seconds == 0.0


def test_it_fails_a_corrupt_recording_with_a_readable_reason(ingest_sample):
    call = queued(ingest_sample("billing_double_charge"))
    corrupt_recording(call)

    assert call_transcribe(call_id=call.pk) == TranscribeOutcome.FAILED

    call.refresh_from_db()
    assert call.status == Call.Status.FAILED
    assert call.failure_reason.startswith("The recording could not be decoded")
    assert call.claimed_at is None
    assert not Transcript.objects.filter(call=call).exists()


@pytest.mark.slow
def test_it_replaces_the_transcript_cleanly_when_transcribed_again(ingest_sample, django_capture_on_commit_callbacks):
    call = queued(ingest_sample("billing_double_charge"))
    call_transcribe(call_id=call.pk)
    first = Transcript.objects.get(call=call)
    first_segments = list(first.segments.values_list("speaker", "start", "end", "text"))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        call_retranscribe(call_id=call.pk)
    assert len(callbacks) == 1
    assert Call.objects.get(pk=call.pk).status == Call.Status.QUEUED
    call_transcribe(call_id=call.pk)

    assert Transcript.objects.filter(call=call).count() == 1
    second = Transcript.objects.get(call=call)
    assert second.pk != first.pk
    assert Segment.objects.filter(transcript__call=call).count() == len(first_segments)
    # Same file, same settings: the same words, so reviewers' evidence does not move.
    assert list(second.segments.values_list("speaker", "start", "end", "text")) == first_segments
    assert CallAnalytics.objects.filter(call=call).count() == 1


def test_it_queues_after_commit_when_ingesting(ingest_sample, settings, django_capture_on_commit_callbacks):
    from django_q.models import OrmQ

    settings.TRANSCRIBE_ON_INGEST = True
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        call = ingest_sample("billing_double_charge")

    assert len(callbacks) == 1
    assert Call.objects.get(pk=call.pk).status == Call.Status.QUEUED
    task = OrmQ.objects.get()
    assert task.task["func"] == "recordings.tasks.transcribe_call"
    assert task.task["args"] == (call.pk,)


def test_it_lets_only_one_worker_claim_a_call():
    call = CallFactory(status=Call.Status.QUEUED)

    first = transcription.transcription_claim(call_id=call.pk)
    second = transcription.transcription_claim(call_id=call.pk)

    assert first is not None
    assert second is None
    call.refresh_from_db()
    assert call.status == Call.Status.TRANSCRIBING
    assert call.transcription_attempts == 1


def test_it_skips_a_call_already_transcribed():
    call = CallFactory(status=Call.Status.TRANSCRIBED)

    assert call_transcribe(call_id=call.pk) == TranscribeOutcome.SKIPPED


def test_it_takes_over_a_claim_whose_heartbeat_went_silent(settings):
    settings.TRANSCRIBE_HEARTBEAT_STALE = 60
    long_ago = timezone.now() - timedelta(minutes=20)
    # Claimed long ago but still beating: a live worker on a long call.
    beating = CallFactory(status=Call.Status.TRANSCRIBING, claimed_at=long_ago, heartbeat_at=timezone.now() - timedelta(seconds=20))
    silent = CallFactory(status=Call.Status.TRANSCRIBING, claimed_at=long_ago, heartbeat_at=timezone.now() - timedelta(seconds=90))
    never_beat = CallFactory(status=Call.Status.TRANSCRIBING, claimed_at=timezone.now() - timedelta(seconds=90))

    assert transcription.transcription_claim(call_id=beating.pk) is None
    assert transcription.transcription_claim(call_id=silent.pk) is not None
    assert transcription.transcription_claim(call_id=never_beat.pk) is not None


def test_it_beats_on_the_call_while_the_engine_runs(ingest_sample, settings):
    from recordings import engines

    settings.TRANSCRIBE_HEARTBEAT_SECONDS = 0.05
    call = queued(ingest_sample("billing_double_charge"))
    beats = []

    class SlowEngine(engines.Engine):
        name, model_name = "slow", "slow"

        def __init__(self):
            pass

        def transcribe_channel(self, audio, *, language):
            import time

            time.sleep(0.3)  # the heartbeat thread writes meanwhile
            beats.append(Call.objects.values_list("heartbeat_at", flat=True).get(pk=call.pk))
            return engines.ChannelTranscript(utterances=[], speech=[], language=language)

        def _decode(self, audio, *, language):
            raise NotImplementedError

    claimed_at = timezone.now()
    assert call_transcribe(call_id=call.pk, engine=SlowEngine()) == TranscribeOutcome.TRANSCRIBED
    assert beats[0] is not None and beats[-1] > claimed_at


def test_it_discards_a_result_whose_claim_was_taken_away(ingest_sample):
    call = queued(ingest_sample("billing_double_charge"))
    claim = transcription.transcription_claim(call_id=call.pk)
    call_retranscribe(call_id=call.pk)  # e.g. a reviewer asked for it again meanwhile
    empty = transcription.TranscriptionResult("en", "faster-whisper", "tiny.en", 1.0, 1.0, [], None)

    assert transcription.transcript_store(claim=claim, result=empty) is False

    assert not Transcript.objects.filter(call=call).exists()
    assert Call.objects.get(pk=call.pk).status == Call.Status.RECEIVED  # waiting for its new task


def test_it_gives_up_on_a_call_whose_worker_keeps_dying(settings):
    settings.TRANSCRIBE_MAX_ATTEMPTS = 3
    call = CallFactory(
        status=Call.Status.TRANSCRIBING, claimed_at=timezone.now() - timedelta(days=1), transcription_attempts=3
    )

    assert call_transcribe(call_id=call.pk) == TranscribeOutcome.SKIPPED

    call.refresh_from_db()
    assert call.status == Call.Status.FAILED
    assert "gave up after 3 attempts" in call.failure_reason


def test_it_retries_an_engine_failure_a_bounded_number_of_times(ingest_sample, settings, django_capture_on_commit_callbacks):
    settings.TRANSCRIBE_MAX_ATTEMPTS = 2
    settings.WHISPER_COMPUTE_TYPE = "no-such-compute-type"  # the engine cannot load
    call = queued(ingest_sample("billing_double_charge"))

    with django_capture_on_commit_callbacks() as callbacks:
        assert call_transcribe(call_id=call.pk) == TranscribeOutcome.REQUEUED
    assert len(callbacks) == 1
    assert Call.objects.get(pk=call.pk).status == Call.Status.QUEUED

    assert call_transcribe(call_id=call.pk) == TranscribeOutcome.FAILED
    call.refresh_from_db()
    assert call.status == Call.Status.FAILED
    assert "Transcription failed" in call.failure_reason
    assert "gave up after 2 attempts" in call.failure_reason


def test_it_requeues_calls_left_behind_by_dead_workers(settings, django_capture_on_commit_callbacks):
    from django_q.models import OrmQ

    settings.TRANSCRIBE_HEARTBEAT_STALE = 60
    stale = CallFactory(status=Call.Status.TRANSCRIBING, claimed_at=timezone.now() - timedelta(seconds=120))
    CallFactory(status=Call.Status.TRANSCRIBING, claimed_at=timezone.now())
    CallFactory(status=Call.Status.TRANSCRIBED)

    assert transcription_requeue_stale() == 1

    assert [t.task["args"] for t in OrmQ.objects.all()] == [(stale.pk,)]
    stale.refresh_from_db()
    assert stale.status == Call.Status.QUEUED
    assert stale.claimed_at is None
    assert transcription_requeue_stale() == 0  # once per stale period, not once per sweep


def test_it_requeues_a_call_whose_task_was_lost_long_ago(settings):
    settings.TRANSCRIBE_STALE_AFTER = 60
    lost = CallFactory(status=Call.Status.QUEUED)
    Call.objects.filter(pk=lost.pk).update(updated_at=timezone.now() - timedelta(seconds=120))
    CallFactory(status=Call.Status.QUEUED)  # queued just now: its task is still waiting

    assert transcription_requeue_stale() == 1
    assert transcription_requeue_stale() == 0


def test_it_finishes_a_requeued_call_that_a_dead_worker_had_claimed(ingest_sample, tmp_path, settings):
    settings.TRANSCRIBE_HEARTBEAT_STALE = 60
    silent = write_wav(tmp_path / "silent.wav", np.zeros((2, 3 * 16_000), dtype=np.float32))
    call = ingest_sample(silent)
    Call.objects.filter(pk=call.pk).update(
        status=Call.Status.TRANSCRIBING, claimed_at=timezone.now() - timedelta(seconds=120), transcription_attempts=1
    )
    transcription_requeue_stale()

    assert call_transcribe(call_id=call.pk) == TranscribeOutcome.TRANSCRIBED
    call.refresh_from_db()
    assert call.transcription_attempts == 2


def test_it_marks_a_call_queued_only_once_the_broker_took_it(django_capture_on_commit_callbacks):
    from django_q.models import OrmQ

    call = CallFactory(agent=AgentFactory())

    with django_capture_on_commit_callbacks() as callbacks:
        call_transcription_queue(call_id=call.pk)
        assert Call.objects.get(pk=call.pk).status == Call.Status.RECEIVED  # nothing happens before the commit
    assert len(callbacks) == 1 and not OrmQ.objects.exists()

    callbacks[0]()

    assert Call.objects.get(pk=call.pk).status == Call.Status.QUEUED
    assert OrmQ.objects.count() == 1
