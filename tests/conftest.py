import os
import shutil
from pathlib import Path

import pytest
from pytest_django.fixtures import _set_suffix_to_test_databases

from tests.audio_fixtures import make_wav

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
