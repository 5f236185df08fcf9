import io
import wave
from datetime import UTC, datetime

import pytest
from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile

from recordings import services
from recordings.models import Call, Recording
from tests.audio_fixtures import FORMATS, encode_stereo
from tests.factories import AgentFactory, ClientFactory

pytestmark = pytest.mark.django_db

STARTED = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def client_and_agent():
    return ClientFactory(slug="acme"), AgentFactory(external_id="AGT-1")


def ingest(client_and_agent, audio, external_id="C-1", **extra):
    client, agent = client_and_agent
    return services.call_ingest(
        client=client, agent=agent, external_id=external_id, started_at=STARTED, audio=audio, **extra
    )


def test_it_stores_a_call_with_its_recording(client_and_agent, samples_dir, stored_files, audio_root):
    result = ingest(
        client_and_agent, samples_dir / "card_payment.flac", original_filename="card payment.flac",
        queue="payments", csat=5, resolved=True, wait_seconds=15,
    )

    assert result.created
    call = Call.objects.get(pk=result.call.pk)
    assert call.status == Call.Status.RECEIVED
    assert (call.queue, call.csat, call.resolved, call.wait_seconds) == ("payments", 5, True, 15)
    recording = call.recording
    assert recording.container == "flac"
    assert recording.codec == "flac"
    assert recording.channels == 2
    assert recording.sample_rate == 8000
    assert recording.duration_seconds == pytest.approx(57.818, abs=0.01)
    assert recording.size_bytes == (samples_dir / "card_payment.flac").stat().st_size
    assert len(recording.sha256) == 64
    assert recording.original_filename == "card payment.flac"
    assert stored_files() == [audio_root / recording.file.name]


def test_it_never_uses_the_users_file_name_on_disk(client_and_agent, wav_file, stored_files):
    upload = SimpleUploadedFile("../../etc/passwd;rm -rf.wav", wav_file().read_bytes())

    ingest(client_and_agent, upload, original_filename=upload.name)

    [stored] = stored_files()
    assert "passwd" not in str(stored)
    assert stored.suffix == ".wav"
    assert Recording.objects.get().original_filename == upload.name


def test_it_returns_the_existing_call_for_the_same_external_id(client_and_agent, wav_file, stored_files):
    first = ingest(client_and_agent, wav_file())

    again = ingest(client_and_agent, wav_file())

    assert not again.created
    assert again.duplicate_of == "external_id"
    assert again.call.pk == first.call.pk
    assert Call.objects.count() == 1
    assert len(stored_files()) == 1


def test_it_returns_the_existing_call_for_the_same_audio(client_and_agent, wav_file, stored_files):
    path = wav_file()
    first = ingest(client_and_agent, path, external_id="C-1")

    again = ingest(client_and_agent, path, external_id="C-2")

    assert not again.created
    assert again.duplicate_of == "audio"
    assert again.call.pk == first.call.pk
    assert len(stored_files()) == 1


def test_it_accepts_the_same_audio_for_another_client(client_and_agent, wav_file):
    path = wav_file()
    ingest(client_and_agent, path)

    other = services.call_ingest(
        client=ClientFactory(slug="other"), agent=client_and_agent[1], external_id="C-1", started_at=STARTED, audio=path
    )

    assert other.created
    assert Call.objects.count() == 2


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "the file is empty"),
        (b"this is a text file, not audio" * 20, "not decodable audio"),
        (b"RIFF\x00\x00\x00\x00WAVEjunkjunkjunk", "not decodable audio"),
    ],
)
def test_it_rejects_unusable_files(client_and_agent, stored_files, content, message):
    with pytest.raises(services.IngestError) as error:
        ingest(client_and_agent, SimpleUploadedFile("call.wav", content))

    assert message in str(error.value)
    assert Call.objects.count() == 0
    assert stored_files() == []


def test_it_rejects_audio_of_zero_duration(client_and_agent, tmp_path, stored_files):
    path = tmp_path / "empty.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"")

    with pytest.raises(services.IngestError, match="zero duration"):
        ingest(client_and_agent, path)

    assert Call.objects.count() == 0
    assert stored_files() == []


def test_it_rejects_a_file_over_the_size_limit(client_and_agent, wav_file, settings, stored_files):
    settings.RECORDINGS_MAX_UPLOAD_BYTES = 1000
    upload = SimpleUploadedFile("big.wav", wav_file().read_bytes())

    with pytest.raises(services.IngestError, match="larger than the limit"):
        ingest(client_and_agent, upload)

    assert Call.objects.count() == 0
    assert stored_files() == []


def test_it_rejects_invalid_metadata_before_reading_the_audio(client_and_agent, wav_file, stored_files):
    with pytest.raises(services.IngestError) as error:
        ingest(client_and_agent, wav_file(), csat=9, nps=11)

    assert set(error.value.messages) == {"csat", "nps"}
    assert stored_files() == []


def test_it_leaves_nothing_behind_when_storage_fails_halfway(client_and_agent, wav_file, stored_files, monkeypatch):
    real_save = FileSystemStorage._save

    def save_then_fail(self, name, content):
        real_save(self, name, File(io.BytesIO(b"RIFF partial bytes")))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", save_then_fail)

    with pytest.raises(services.StorageFailure, match="No space left on device"):
        ingest(client_and_agent, wav_file())

    assert Call.objects.count() == 0
    assert Recording.objects.count() == 0
    assert stored_files() == []


def test_it_removes_the_stored_file_when_the_database_write_fails(client_and_agent, wav_file, stored_files, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Recording.objects, "create", fail)

    with pytest.raises(RuntimeError):
        ingest(client_and_agent, wav_file())

    assert Call.objects.count() == 0
    assert stored_files() == []


@pytest.mark.parametrize("ext, container_format, codec, rate", FORMATS)
def test_it_takes_in_every_accepted_format(client_and_agent, tmp_path, stored_files, ext, container_format, codec, rate):
    path = encode_stereo(tmp_path / f"call.{ext}", container_format, codec, rate)

    result = ingest(client_and_agent, path)

    recording = result.call.recording
    assert (recording.channels, recording.sample_rate) == (2, rate)
    assert recording.duration_seconds == pytest.approx(2.0, abs=0.1)
    assert [p.suffix for p in stored_files()] == [f".{ext}"]
