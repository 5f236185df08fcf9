"""Shared test helpers: stored transcripts without re-running the model, damaged recordings, tolerances."""

from __future__ import annotations

from pathlib import Path

from recordings import transcription
from recordings.analytics import call_analytics
from recordings.models import Call, recordings_storage
from tests.recordings.conftest import transcribed_sample


def store_sample_transcript(call: Call, name: str) -> None:
    channels = transcribed_sample(name)
    utterances = sorted(
        (transcription.SpokenUtterance(speaker, u) for speaker, channel in channels.items() for u in channel.utterances),
        key=lambda s: s.utterance.start,
    )
    analytics = call_analytics(
        agent_speech=channels["agent"].speech,
        customer_speech=channels["customer"].speech,
        agent_words=sum(len(u.words) for u in channels["agent"].utterances),
    )
    result = transcription.TranscriptionResult("en", "faster-whisper", "tiny.en", 60.0, 3.0, utterances, analytics)
    Call.objects.filter(pk=call.pk).update(status=Call.Status.QUEUED)
    claim = transcription._claim(call.pk)
    assert transcription._store(call.pk, claim, result)


def corrupt_recording(call: Call) -> None:
    """Overwrite the stored FLAC's frames with zeros, keeping its header: it no longer decodes."""
    path = Path(recordings_storage().path(call.recording.file.name))
    data = path.read_bytes()
    path.write_bytes(data[:200] + bytes(5000) + data[60_000:])


def queued(call: Call) -> Call:
    Call.objects.filter(pk=call.pk).update(status=Call.Status.QUEUED)
    return call


def close_enough(measured, expected) -> bool:
    """Within 0.5 s or 10%, as the issue asks."""
    if expected is None or measured is None:
        return measured == expected
    return abs(measured - expected) <= 0.5 or abs(measured - expected) <= 0.1 * abs(expected)
