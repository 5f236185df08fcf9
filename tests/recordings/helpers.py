"""Shared test helpers: stored transcripts without re-running the model, damaged recordings, tolerances."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from django.utils import timezone

from recordings import engines
from recordings.models import Call, recordings_storage
from recordings.services import call_ingest
from recordings.transcription import TranscribeOutcome, call_transcribe
from tests.conftest import SAMPLES_DIR
from tests.factories import AgentFactory, ClientFactory
from tests.recordings.conftest import transcribed_sample


class ReplayEngine(engines.Engine):
    """Plays back what the real engine heard on a sample call (run once per session, cached),
    so tests can store that transcript through the real pipeline without decoding again."""

    def __init__(self, sample: str):
        real = engines.get_engine()
        self.name, self.model_name = real.name, real.model_name
        self.channels = transcribed_sample(sample)
        self.sides = iter(("agent", "customer"))

    def transcribe_channel(self, audio: np.ndarray, *, language: str | None) -> engines.ChannelTranscript:
        return self.channels[next(self.sides)]

    def _decode(self, audio, *, language):  # never called: transcribe_channel replays
        raise NotImplementedError


def transcribed_sample_call(name: str, *, external_id: str | None = None, client=None, agent=None) -> Call:
    """The sample `name` ingested and transcribed through the public services (the model's words replayed)."""
    result = call_ingest(
        client=client or ClientFactory(), agent=agent or AgentFactory(), external_id=external_id or name,
        started_at=timezone.now(), audio=SAMPLES_DIR / f"{name}.flac", original_filename=f"{name}.flac",
    )
    call = queued(result.call)
    assert call_transcribe(call_id=call.pk, engine=ReplayEngine(name)) == TranscribeOutcome.TRANSCRIBED
    call.refresh_from_db()
    return call


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
