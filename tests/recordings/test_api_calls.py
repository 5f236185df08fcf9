from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from recordings.models import Call
from tests.factories import AgentFactory, CallFactory, ClientFactory, ReviewerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def integration_user():
    """A telephony integration: a plain user with the add-call permission and a DRF token."""
    user = UserFactory(username="telephony")
    user.user_permissions.add(Permission.objects.get(codename="add_call"))
    return user


@pytest.fixture
def api(integration_user):
    token = Token.objects.create(user=integration_user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def roster():
    return ClientFactory(slug="acme"), AgentFactory(external_id="AGT-1042")


def payload(audio_path, **overrides):
    data = {
        "audio": SimpleUploadedFile(audio_path.name, audio_path.read_bytes()),
        "client": "acme",
        "agent": "AGT-1042",
        "external_id": "CALL-1",
        "started_at": "2026-11-02T09:30:00Z",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_it_creates_a_call_from_a_multipart_upload(api, roster, samples_dir):
    response = api.post(
        "/api/calls/",
        payload(samples_dir / "card_payment.flac", queue="payments", csat="5", resolved="true", direction="inbound"),
        format="multipart",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "received"
    call = Call.objects.get(pk=body["id"])
    assert call.queue == "payments"
    assert call.csat == 5
    assert call.resolved is True
    assert body["recording"]["channels"] == 2
    assert body["recording"]["codec"] == "flac"


def test_it_answers_200_with_the_existing_call_when_sent_twice(api, roster, wav_file):
    path = wav_file()
    first = api.post("/api/calls/", payload(path), format="multipart")

    by_external_id = api.post("/api/calls/", payload(path), format="multipart")
    by_audio = api.post("/api/calls/", payload(path, external_id="CALL-2"), format="multipart")

    assert first.status_code == 201
    assert by_external_id.status_code == 200
    assert by_audio.status_code == 200
    assert by_external_id.json()["id"] == by_audio.json()["id"] == first.json()["id"]
    assert by_audio.json()["duplicate_of"] == "audio"
    assert Call.objects.count() == 1


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"client": "nobody"}, "client", "Unknown client 'nobody'"),
        ({"agent": "AGT-404"}, "agent", "Unknown agent 'AGT-404'"),
        ({"started_at": "yesterday-ish"}, "started_at", "Datetime has wrong format"),
        ({"started_at": None}, "started_at", "required"),
        ({"external_id": None}, "external_id", "required"),
        ({"csat": "7"}, "csat", "less than or equal to 5"),
        ({"nps": "-1"}, "nps", "greater than or equal to 0"),
        ({"direction": "sideways"}, "direction", "not a valid choice"),
        ({"ces": "8"}, "ces", "less than or equal to 7"),
        ({"wait_seconds": "-3"}, "wait_seconds", "greater than or equal to 0"),
    ],
)
def test_it_rejects_bad_metadata_with_a_message_naming_the_field(api, roster, wav_file, stored_files, overrides, field, message):
    response = api.post("/api/calls/", payload(wav_file(), **overrides), format="multipart")

    assert response.status_code == 400
    assert message in " ".join(response.json()[field])
    assert Call.objects.count() == 0
    assert stored_files() == []


def test_it_rejects_a_missing_audio_file(api, roster):
    data = payload(SimpleUploadedFileLike())
    del data["audio"]

    response = api.post("/api/calls/", data, format="multipart")

    assert response.status_code == 400
    assert "audio" in response.json()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "the file is empty"),
        (b"%PDF-1.4 definitely not audio" * 10, "not decodable audio"),
    ],
)
def test_it_rejects_files_that_are_not_audio(api, roster, stored_files, content, message):
    data = payload(SimpleUploadedFileLike())
    data["audio"] = SimpleUploadedFile("call.mp3", content, content_type="audio/mpeg")

    response = api.post("/api/calls/", data, format="multipart")

    assert response.status_code == 400
    assert message in response.json()["audio"][0]
    assert Call.objects.count() == 0
    assert stored_files() == []


def test_it_rejects_an_upload_over_the_size_limit(api, roster, wav_file, settings, stored_files):
    settings.RECORDINGS_MAX_UPLOAD_BYTES = 4000

    small_limit = api.post("/api/calls/", payload(wav_file(seconds=0.5)), format="multipart")
    settings.RECORDINGS_MAX_UPLOAD_BYTES = 1024
    huge_request = api.post("/api/calls/", payload(wav_file(seconds=5)), format="multipart")

    assert small_limit.status_code == 400
    assert "larger than the limit of 4 KB" in small_limit.json()["audio"][0]
    assert huge_request.status_code == 400
    assert "larger than the limit" in huge_request.json()["audio"][0]
    assert Call.objects.count() == 0
    assert stored_files() == []


def test_it_answers_503_and_keeps_nothing_when_storage_fails(api, roster, wav_file, stored_files, monkeypatch):
    from django.core.files.storage import FileSystemStorage

    def fail(self, name, content):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(FileSystemStorage, "_save", fail)

    response = api.post("/api/calls/", payload(wav_file()), format="multipart")

    assert response.status_code == 503
    assert "could not be stored" in response.json()["audio"][0]
    assert Call.objects.count() == 0
    assert stored_files() == []


def test_it_refuses_ingest_without_the_add_call_permission(roster, wav_file):
    api = APIClient()
    api.force_authenticate(UserFactory())

    response = api.post("/api/calls/", payload(wav_file()), format="multipart")

    assert response.status_code == 403


def test_it_requires_a_token(roster, wav_file):
    response = APIClient().post("/api/calls/", payload(wav_file()), format="multipart")

    assert response.status_code == 401


def test_it_lists_calls_with_filters_and_pages():
    acme, other = ClientFactory(slug="acme"), ClientFactory(slug="other")
    sarah, james = AgentFactory(external_id="AGT-1"), AgentFactory(external_id="AGT-2")
    base = datetime(2026, 11, 2, 12, tzinfo=UTC)
    for day in range(3):
        CallFactory(client=acme, agent=sarah, started_at=base + timedelta(days=day))
    CallFactory(client=other, agent=james, started_at=base, status=Call.Status.FAILED, failure_reason="corrupt")
    api = APIClient()
    api.force_authenticate(ReviewerFactory())

    first_page = api.get("/api/calls/", {"client": "acme", "page_size": 2}).json()
    second_page = api.get("/api/calls/", {"client": "acme", "page_size": 2, "page": 2}).json()
    by_agent = api.get("/api/calls/", {"agent": "AGT-2"}).json()
    by_status = api.get("/api/calls/", {"status": "failed"}).json()
    by_range = api.get(
        "/api/calls/", {"started_after": "2026-11-03T00:00:00Z", "started_before": "2026-11-04T00:00:00Z"}
    ).json()

    assert first_page["count"] == 3
    assert len(first_page["results"]) == 2
    assert first_page["results"][0]["started_at"] > first_page["results"][1]["started_at"]
    assert len(second_page["results"]) == 1
    assert [c["agent"] for c in by_agent["results"]] == ["AGT-2"]
    assert [c["status"] for c in by_status["results"]] == ["failed"]
    assert by_range["count"] == 1
    assert by_range["results"][0]["started_at"].startswith("2026-11-03")


def test_it_rejects_malformed_filters(api):
    response = api.get("/api/calls/", {"started_after": "last tuesday", "status": "lost"})

    assert response.status_code == 400
    assert set(response.json()) == {"started_after", "status"}


def test_it_shows_client_staff_only_their_own_calls():
    acme, other = ClientFactory(slug="acme"), ClientFactory(slug="other")
    mine, theirs = CallFactory(client=acme), CallFactory(client=other)
    staff = UserFactory()
    acme.users.add(staff)
    api = APIClient()
    api.force_authenticate(staff)

    listed = api.get("/api/calls/").json()

    assert [c["id"] for c in listed["results"]] == [mine.pk]
    assert api.get(f"/api/calls/{mine.pk}/").status_code == 200
    assert api.get(f"/api/calls/{theirs.pk}/").status_code == 404


def test_it_returns_one_call_with_empty_transcript_before_transcription():
    call = CallFactory()
    api = APIClient()
    api.force_authenticate(ReviewerFactory())

    body = api.get(f"/api/calls/{call.pk}/").json()

    assert body["id"] == call.pk
    assert body["transcript"] is None
    assert body["analytics"] is None


def test_it_serves_the_openapi_schema_and_docs():
    api = APIClient()
    api.force_authenticate(ReviewerFactory())

    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    docs = api.get("/api/docs/")

    assert schema.status_code == 200
    assert "/api/calls/" in schema.json()["paths"]
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
    assert b"cdn.jsdelivr" not in docs.content


class SimpleUploadedFileLike:
    """Stands in for a path when a test replaces or drops the audio field."""

    name = "unused.wav"

    def read_bytes(self):
        return b"unused"


def test_it_takes_the_customer_effort_score_and_returns_it(api, roster, wav_file):
    response = api.post("/api/calls/", payload(wav_file(), ces="6", resolved="false"), format="multipart")

    assert response.status_code == 201
    body = response.json()
    assert (body["ces"], body["resolved"], body["answered"]) == (6, False, True)
    assert Call.objects.get().ces == 6
