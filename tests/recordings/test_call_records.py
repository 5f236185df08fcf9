"""Call records without audio: POST /api/call-records/, the recording joining its record, and the one rule."""

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from recordings.models import Call, Recording
from recordings.services import IngestError, call_ingest, call_record_upsert
from recordings.transcription import calls_queue_untranscribed
from tests.factories import AgentFactory, ClientFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/call-records/"


@pytest.fixture
def api():
    user = UserFactory(username="telephony")
    user.user_permissions.add(Permission.objects.get(codename="add_call"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def acme():
    return ClientFactory(slug="acme")


@pytest.fixture
def sarah():
    return AgentFactory(external_id="AGT-1042")


def answered(external_id="C-1", **fields):
    return {
        "client": "acme", "external_id": external_id, "started_at": "2026-11-02T09:30:00Z", "answered": True,
        "agent": "AGT-1042", "wait_seconds": 12, "talk_seconds": 240, "queue": "billing", **fields,
    }


def abandoned(external_id="A-1", **fields):
    return {"client": "acme", "external_id": external_id, "started_at": "2026-11-02T09:31:00Z", "answered": False,
            "wait_seconds": 45, **fields}


def post(api, records):
    return api.post(URL, records, format="json")


def test_it_creates_answered_and_abandoned_records_without_audio(api, acme, sarah):
    response = post(api, [answered(csat=5, nps=9, ces=6, resolved=True, disposition="refund"), abandoned()])

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["created"], body["updated"], body["rejected"]) == (2, 0, 0)
    assert [r["result"] for r in body["records"]] == ["created", "created"]
    call = Call.objects.get(external_id="C-1")
    assert (call.status, call.agent, call.answered, call.wait_seconds, call.csat, call.disposition) == (
        Call.Status.NO_RECORDING, sarah, True, 12, 5, "refund"
    )
    gone = Call.objects.get(external_id="A-1")
    assert (gone.status, gone.agent, gone.answered, gone.wait_seconds) == (Call.Status.ABANDONED, None, False, 45)
    assert body["records"][1] == {
        "index": 1, "external_id": "A-1", "result": "created", "id": gone.pk, "status": "abandoned",
        "changed": ["started_at", "answered", "wait_seconds"],
    }


def test_it_rejects_bad_records_with_reasons_and_stores_nothing_of_them(api, acme, sarah):
    records = [
        answered("OK-1"),
        answered("BAD-1", agent=None),  # answered without its agent
        abandoned("BAD-2", agent="AGT-1042"),  # abandoned with an agent
        abandoned("BAD-3", wait_seconds=None),  # abandoned without a wait
        answered("BAD-4", client="nobody"),
        answered("BAD-5", agent="AGT-404"),
        answered("BAD-6", csat=9, started_at="yesterday"),
        "not a record",
        {"client": "acme", "external_id": "BAD-8", "answered": True, "agent": "AGT-1042"},  # new, no started_at
        answered("OK-2"),
    ]

    body = post(api, records).json()

    assert (body["created"], body["updated"], body["rejected"]) == (2, 0, 8)
    errors = {r["external_id"] or r["index"]: r.get("errors") for r in body["records"] if r["result"] == "rejected"}
    assert errors["BAD-1"] == {"agent": ["An answered call needs the agent who answered it."]}
    assert errors["BAD-2"] == {"agent": ["An abandoned call has no agent: the customer hung up before anyone answered."]}
    assert errors["BAD-3"] == {
        "wait_seconds": ["An abandoned call needs wait_seconds: how long the customer waited before hanging up."]
    }
    assert errors["BAD-4"] == {"client": ["Unknown client 'nobody'."]}
    assert errors["BAD-5"] == {"agent": ["Unknown agent 'AGT-404'."]}
    assert set(errors["BAD-6"]) == {"csat", "started_at"}
    assert errors[7] == {"non_field_errors": ["A call record must be a JSON object."]}
    assert errors["BAD-8"] == {"started_at": ["This field is required."]}
    assert sorted(Call.objects.values_list("external_id", flat=True)) == ["OK-1", "OK-2"]


def test_it_upserts_by_client_and_external_id_changing_only_the_fields_sent(api, acme, sarah):
    post(api, [answered(csat=3, queue="billing")])

    body = post(api, [{"client": "acme", "external_id": "C-1", "csat": 5}, answered(csat=5, queue="billing")]).json()

    assert [r["result"] for r in body["records"]] == ["updated", "updated"]
    assert body["records"][0]["changed"] == ["csat"]
    assert body["records"][1]["changed"] == []  # sent again unchanged
    call = Call.objects.get()
    assert (call.csat, call.queue, call.wait_seconds) == (5, "billing", 12)


def test_it_turns_a_record_abandoned_and_back_while_it_has_no_audio(api, acme, sarah):
    post(api, [answered()])
    post(api, [{"client": "acme", "external_id": "C-1", "answered": False, "agent": None}])
    assert Call.objects.get().status == Call.Status.ABANDONED

    post(api, [{"client": "acme", "external_id": "C-1", "answered": True, "agent": "AGT-1042"}])
    assert Call.objects.get().status == Call.Status.NO_RECORDING


def test_it_refuses_anything_but_a_list_of_at_most_a_thousand(api, acme):
    assert post(api, {"client": "acme"}).json() == {"detail": ["Send a JSON list of call records."]}
    response = post(api, [abandoned(f"A-{n}") for n in range(1001)])
    assert response.status_code == 400
    assert response.json() == {"detail": ["At most 1,000 records per request; this one has 1,001."]}
    assert not Call.objects.exists()


def test_it_takes_a_thousand_records_in_one_request_with_two_lookups_in_all(api, acme, sarah, django_assert_max_num_queries):
    records = [abandoned(f"A-{n}") if n % 4 == 0 else answered(f"C-{n}") for n in range(1000)]
    # Per record: look-up, insert, and the savepoint around them; clients and agents once for the batch.
    with django_assert_max_num_queries(1000 * 5 + 10):
        body = post(api, records).json()
    assert body["created"] == 1000
    assert Call.objects.filter(status=Call.Status.ABANDONED).count() == 250


def test_it_is_for_integrations_with_the_add_call_permission_only(acme):
    client = APIClient()
    client.force_authenticate(UserFactory())
    assert client.post(URL, [abandoned()], format="json").status_code == 403
    assert not Call.objects.exists()


# --- A record and its recording are one call, whichever comes first ----------------------------


def upload(api, samples_dir, external_id="C-1", name="card_payment", **fields):
    path = samples_dir / f"{name}.flac"
    data = {
        "audio": SimpleUploadedFile(path.name, path.read_bytes()), "client": "acme", "agent": "AGT-1042",
        "external_id": external_id, "started_at": "2026-11-02T09:35:00Z", **fields,
    }
    return api.post("/api/calls/", data, format="multipart")


def test_it_attaches_a_recording_to_the_record_that_came_first(api, acme, sarah, samples_dir):
    post(api, [answered(csat=4)])

    response = upload(api, samples_dir, csat="1", disposition="payment taken")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["attached_to_record"] is True
    call = Call.objects.get()
    assert body["id"] == call.pk
    assert call.status == Call.Status.RECEIVED
    assert call.recording.duration_seconds > 0
    # The record's own fields stay; what it left empty comes from the upload.
    assert (call.csat, call.disposition, call.started_at) == (4, "payment taken", datetime(2026, 11, 2, 9, 30, tzinfo=UTC))
    # Sent again, it is the duplicate it always was.
    again = upload(api, samples_dir)
    assert (again.status_code, again.json()["duplicate_of"]) == (200, "external_id")
    assert Recording.objects.count() == 1


def test_it_refuses_audio_for_an_abandoned_record_or_another_agent(api, acme, sarah, samples_dir, stored_files):
    post(api, [abandoned("A-1"), answered("C-1")])
    AgentFactory(external_id="AGT-7")

    gone = upload(api, samples_dir, external_id="A-1")
    other = upload(api, samples_dir, external_id="C-1", agent="AGT-7")

    assert gone.status_code == other.status_code == 400
    assert "is recorded as abandoned" in gone.json()["external_id"][0]
    assert other.json() == {"agent": ["the call record C-1 names agent AGT-1042, not AGT-7"]}
    assert not Recording.objects.exists()
    assert stored_files() == []


def test_a_record_after_its_recording_updates_it_but_cannot_abandon_it_or_change_its_agent(api, acme, sarah, samples_dir):
    upload(api, samples_dir)
    AgentFactory(external_id="AGT-7")

    body = post(api, [
        answered(csat=5, wait_seconds=30),
        {"client": "acme", "external_id": "C-1", "answered": False, "agent": None, "wait_seconds": 3},
        answered(agent="AGT-7"),
    ]).json()

    assert [r["result"] for r in body["records"]] == ["updated", "rejected", "rejected"]
    assert body["records"][0]["status"] == "received"  # the recording's own status is kept
    assert body["records"][1]["errors"]["answered"] == [
        "this call has a recording, so an agent answered it: it cannot be abandoned"
    ]
    assert body["records"][2]["errors"] == {
        "agent": ["the recording of this call came with agent AGT-1042; a record cannot change it"]
    }
    call = Call.objects.get()
    assert (call.csat, call.wait_seconds, call.answered, call.agent, call.status) == (5, 30, True, sarah, "received")


def test_it_queues_an_attached_recording_for_transcription_like_any_other(
    settings, acme, sarah, samples_dir, django_capture_on_commit_callbacks
):
    settings.TRANSCRIBE_ON_INGEST = True
    call_record_upsert(client=acme, external_id="C-1", started_at=datetime(2026, 11, 2, tzinfo=UTC), agent=sarah)

    with django_capture_on_commit_callbacks(execute=True):
        result = call_ingest(
            client=acme, agent=sarah, external_id="C-1", started_at=datetime(2026, 11, 2, tzinfo=UTC),
            audio=samples_dir / "outage_hold.flac",
        )

    result.call.refresh_from_db()
    assert (result.created, result.attached, result.call.status) == (True, True, Call.Status.QUEUED)


def test_call_records_without_audio_are_never_queued_for_transcription(api, acme, sarah, settings):
    settings.TRANSCRIBE_ON_INGEST = True
    post(api, [answered(), abandoned()])

    assert calls_queue_untranscribed(include_failed=True) == 0
    assert set(Call.objects.values_list("status", flat=True)) == {"no_recording", "abandoned"}
    reviewer_api = APIClient()
    from tests.factories import ReviewerFactory

    reviewer_api.force_authenticate(ReviewerFactory())
    gone = Call.objects.get(external_id="A-1")
    response = reviewer_api.post(f"/api/calls/{gone.pk}/retranscribe/")
    assert (response.status_code, response.json()) == (409, {"detail": "This call has no recording to transcribe."})


def test_the_service_names_every_problem_at_once(acme):
    with pytest.raises(IngestError) as caught:
        call_record_upsert(client=acme, external_id="A-1", started_at=datetime(2026, 11, 2, tzinfo=UTC),
                           answered=False, agent=AgentFactory(), csat=9)
    assert set(caught.value.messages) == {"agent", "wait_seconds", "csat"}
    assert not Call.objects.exists()
