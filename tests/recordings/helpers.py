"""Store a real Whisper transcript of a sample on a call without running the model again."""

from __future__ import annotations

from recordings import transcription
from recordings.analytics import call_analytics
from recordings.models import Call
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
