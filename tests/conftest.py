import json
import os
import shutil
from pathlib import Path

import pytest
from django.utils import timezone
from pytest_django.fixtures import _set_suffix_to_test_databases

from recordings.models import Call, Segment, Transcript
from recordings.redaction_store import recording_redact, transcript_redaction_store
from recordings.services import call_ingest
from tests.audio_fixtures import make_wav
from tests.browser import CHROMIUM, CHROMIUM_ARGS
from tests.factories import AgentFactory, CallFactory, ClientFactory
from tests.qa.reviews.factories import rubric_under_test

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "recordings" / "samples"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """A test database per run on PostgreSQL, so runs side by side never drop each other's."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        _set_suffix_to_test_databases(suffix=f"p{os.getpid()}")


@pytest.fixture(autouse=True)
def audio_root(settings, tmp_path):
    """Every test stores audio in its own folder, and queues nothing unless it asks to."""
    root = tmp_path / "audio"
    root.mkdir()
    settings.AUDIO_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "recordings": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": "/no-public-url/"},
        },
    }
    settings.TRANSCRIBE_ON_INGEST = False
    return root


@pytest.fixture(autouse=True)
def no_login_throttling(settings):
    """Login throttling (django-axes) stays out of the way of `client.login`; its own tests turn it on."""
    settings.AXES_ENABLED = False


@pytest.fixture
def stored_files(audio_root):
    """A function listing the audio files kept in storage (temp files included)."""

    def list_files() -> list[Path]:
        return sorted(p for p in audio_root.rglob("*") if p.is_file())

    return list_files


@pytest.fixture
def samples_dir() -> Path:
    return SAMPLES_DIR


def require_binary(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (Debian package '{name}'); .ci/run installs it")
    return path


@pytest.fixture
def wav_file(tmp_path):
    """Factory: wav_file(freq=...) writes a distinct short stereo WAV and returns its path."""
    counter = iter(range(1000))

    def make(seconds: float = 1.0, freq: float | None = None, channels: int = 2) -> Path:
        n = next(counter)
        return make_wav(tmp_path / f"tone-{n}.wav", seconds=seconds, channels=channels, freq=freq or 300.0 + 37 * n)

    return make


@pytest.fixture
def browser(live_server, monkeypatch):
    """Headless Chromium; depends on live_server so the browser closes first (an open audio
    stream would otherwise keep a server thread and its database connection alive)."""
    # Playwright's sync API runs an event loop in the test thread; the ORM calls in the tests
    # are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not shutil.which(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing: install Debian's 'chromium' package")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
    from django.db import connections

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()
        # Inside Playwright's context the ORM got connections of its own; close them so the
        # test database can be dropped.
        connections.close_all()


@pytest.fixture
def rubric(db):
    """A published rubric built with factories, the default for every client."""
    return rubric_under_test()


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
    # As transcript_store does: redaction beside the transcript, then the redacted audio (here at once).
    transcript_redaction_store(transcript=transcript)
    recording_redact(recording_id=call.recording.pk)
    call.refresh_from_db()
    return call


@pytest.fixture
def sample_call(db, samples_dir):
    return ingest_sample_call(samples_dir)
