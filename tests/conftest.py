import shutil
from pathlib import Path

import pytest

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "recordings" / "samples"


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
