"""Fixtures for the transcription tests: one loaded model per test session, sample calls."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
from django.utils import timezone

from recordings.audio import decode
from recordings.engines import SAMPLE_RATE, ChannelTranscript, EngineConfig, get_engine
from recordings.services import call_ingest
from tests.conftest import SAMPLES_DIR
from tests.factories import AgentFactory, ClientFactory

SAMPLE_NAMES = ("billing_double_charge", "cancel_subscription_interruption", "card_payment", "outage_hold")


def sample_truth(name: str) -> dict:
    return json.loads((SAMPLES_DIR / f"{name}.json").read_text())


@functools.cache
def transcribed_sample(name: str) -> dict[str, ChannelTranscript]:
    """Each side of a sample call through the default engine, once per test session."""
    audio = decode(SAMPLES_DIR / f"{name}.flac", sample_rate=SAMPLE_RATE)
    engine = get_engine(EngineConfig.from_settings())
    return {
        "agent": engine.transcribe_channel(audio[0], language="en"),
        "customer": engine.transcribe_channel(audio[1], language="en"),
    }


@pytest.fixture(scope="session")
def engine():
    """The default faster-whisper engine; get_engine caches it, so every test shares this model."""
    return get_engine(EngineConfig.from_settings())


@pytest.fixture
def ingest_sample(db):
    """Ingest a sample (or any) audio file through the real ingest service; returns the call."""

    def ingest(name_or_path: str | Path, *, client=None, agent=None, external_id: str | None = None):
        path = Path(name_or_path)
        if not path.is_absolute():
            path = SAMPLES_DIR / f"{name_or_path}.flac"
        result = call_ingest(
            client=client or ClientFactory(),
            agent=agent or AgentFactory(),
            external_id=external_id or path.stem,
            started_at=timezone.now(),
            audio=path,
            original_filename=path.name,
        )
        return result.call

    return ingest
