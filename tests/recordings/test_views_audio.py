"""The audio stream: only permitted users, with HTTP Range support for seeking."""

import pytest
from django.urls import reverse

from recordings.models import recordings_storage
from tests.factories import AgentFactory, ManagerFactory, ReviewerFactory, UserFactory

pytestmark = pytest.mark.django_db


def audio_url(call):
    return reverse("recordings:call-audio", args=[call.pk])


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def stored_bytes(call) -> bytes:
    with recordings_storage().open(call.recording.file.name, "rb") as fh:
        return fh.read()


def test_it_streams_the_whole_original_file_to_a_manager(client, sample_call):
    client.force_login(ManagerFactory())
    response = client.get(audio_url(sample_call))
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/flac"
    assert response["Accept-Ranges"] == "bytes"
    assert body(response) == stored_bytes(sample_call)
    assert int(response["Content-Length"]) == len(stored_bytes(sample_call))
    assert response["X-Audio-Redacted"] == "false"


def test_it_serves_a_byte_range_with_206(client, sample_call):
    client.force_login(ManagerFactory())
    data = stored_bytes(sample_call)
    response = client.get(audio_url(sample_call), HTTP_RANGE="bytes=100-199")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 100-199/{len(data)}"
    assert body(response) == data[100:200]


def test_it_serves_open_ended_and_suffix_ranges(client, sample_call):
    client.force_login(ManagerFactory())
    data = stored_bytes(sample_call)
    tail = client.get(audio_url(sample_call), HTTP_RANGE=f"bytes={len(data) - 10}-")
    assert (tail.status_code, body(tail)) == (206, data[-10:])
    suffix = client.get(audio_url(sample_call), HTTP_RANGE="bytes=-5")
    assert (suffix.status_code, body(suffix)) == (206, data[-5:])
    past_end = client.get(audio_url(sample_call), HTTP_RANGE=f"bytes=0-{len(data) * 2}")
    assert past_end["Content-Range"] == f"bytes 0-{len(data) - 1}/{len(data)}"


def test_it_answers_416_for_a_range_past_the_end(client, sample_call):
    client.force_login(ManagerFactory())
    size = len(stored_bytes(sample_call))
    response = client.get(audio_url(sample_call), HTTP_RANGE=f"bytes={size}-")
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{size}"


def test_it_ignores_a_malformed_range(client, sample_call):
    client.force_login(ManagerFactory())
    response = client.get(audio_url(sample_call), HTTP_RANGE="bytes=abc")
    assert response.status_code == 200
    assert body(response) == stored_bytes(sample_call)


def test_it_lets_client_staff_hear_their_own_clients_calls_only(client, sample_call, samples_dir):
    from tests.conftest import ingest_sample_call

    staff = UserFactory()
    sample_call.client.users.add(staff)
    other_call = ingest_sample_call(samples_dir, "outage_hold")
    client.force_login(staff)
    assert client.get(audio_url(sample_call)).status_code == 200
    # Another client's call answers like a call that does not exist: ids cannot be probed.
    assert client.get(audio_url(other_call)).status_code == 404
    assert client.get(audio_url(other_call)).content == client.get(reverse("recordings:call-audio", args=[987654])).content


def test_it_lets_an_agent_hear_their_own_calls_only(client, sample_call):
    agent_user = UserFactory()
    sample_call.agent.user = agent_user
    sample_call.agent.save()
    client.force_login(agent_user)
    assert client.get(audio_url(sample_call)).status_code == 200
    client.force_login(AgentFactory(user=UserFactory()).user)
    assert client.get(audio_url(sample_call)).status_code == 404  # another agent's: as if it did not exist


def test_it_refuses_plain_users_as_if_the_call_did_not_exist(client, sample_call):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(audio_url(sample_call)).status_code == 404


def test_it_sends_anonymous_users_to_log_in(client, sample_call):
    response = client.get(audio_url(sample_call))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_refuses_to_write(client, sample_call):
    client.force_login(ReviewerFactory())
    assert client.post(audio_url(sample_call)).status_code == 405


def test_it_serves_waveform_peaks_per_channel_to_listeners_only(client, sample_call, samples_dir):
    import json

    from recordings.waveform import bucket_count

    url = reverse("recordings:call-waveform", args=[sample_call.pk])
    client.force_login(UserFactory(is_staff=True))
    assert client.get(url).status_code == 404
    client.force_login(ManagerFactory())
    data = client.get(url).json()
    duration = sample_call.recording.duration_seconds
    assert data["duration"] == duration
    assert len(data["peaks"]) == 2  # agent left, customer right
    assert all(len(channel) == bucket_count(duration) for channel in data["peaks"])
    assert all(0 <= v <= 1 for channel in data["peaks"] for v in channel)

    # The agent speaks first (0.6 s - 7.6 s): loud on the left, silent on the right.
    truth = json.loads((samples_dir / "card_payment.json").read_text())
    first = truth["turns"][0]
    per_second = len(data["peaks"][0]) / duration
    during = slice(int((first["start"] + 0.5) * per_second), int((first["end"] - 0.5) * per_second))
    assert max(data["peaks"][0][during]) > 0.1
    assert max(data["peaks"][1][during]) < 0.02


def test_it_answers_404_when_the_audio_file_is_missing_from_storage(client, sample_call):
    recordings_storage().delete(sample_call.recording.file.name)
    client.force_login(ManagerFactory())

    audio = client.get(audio_url(sample_call))
    waveform = client.get(reverse("recordings:call-waveform", args=[sample_call.pk]))

    assert audio.status_code == waveform.status_code == 404
    assert b"missing from storage" in audio.content


def redacted_bytes(call) -> bytes:
    call.recording.refresh_from_db()
    with recordings_storage().open(call.recording.redacted_file.name, "rb") as fh:
        return fh.read()


@pytest.mark.parametrize("role", ["reviewer", "client staff"])
def test_it_streams_the_redacted_copy_to_everyone_but_qa_staff_allowed_originals(client, sample_call, role):
    user = ReviewerFactory() if role == "reviewer" else UserFactory()
    if role == "client staff":
        sample_call.client.users.add(user)
    client.force_login(user)

    whole = client.get(audio_url(sample_call))
    part = client.get(audio_url(sample_call), HTTP_RANGE="bytes=100-199")

    assert whole.status_code == 200
    assert whole["X-Audio-Redacted"] == "true"
    assert body(whole) == redacted_bytes(sample_call) != stored_bytes(sample_call)
    assert (part.status_code, body(part)) == (206, redacted_bytes(sample_call)[100:200])


def test_it_serves_nothing_to_redacted_listeners_until_the_redacted_copy_is_ready(client, sample_call):
    from recordings.models import Recording, RedactionStatus

    staff = UserFactory()
    sample_call.client.users.add(staff)
    client.force_login(staff)
    for status in (RedactionStatus.WAITING, RedactionStatus.PENDING, RedactionStatus.WORKING, RedactionStatus.FAILED):
        Recording.objects.filter(pk=sample_call.recording.pk).update(redaction_status=status)
        response = client.get(audio_url(sample_call))
        assert response.status_code == 404, status
        assert b"redacted copy of this recording is not ready" in response.content
    client.force_login(ManagerFactory())
    assert client.get(audio_url(sample_call)).status_code == 200


def test_it_offers_the_redacted_copy_as_a_download(client, sample_call):
    staff = UserFactory()
    sample_call.client.users.add(staff)
    client.force_login(staff)

    response = client.get(audio_url(sample_call) + "?download=1")

    assert response["Content-Disposition"] == f'attachment; filename="call-{sample_call.pk}-redacted.flac"'
    assert body(response) == redacted_bytes(sample_call)
    assert client.get(audio_url(sample_call))["Content-Disposition"] == "inline"


def test_it_draws_the_waveform_of_the_copy_the_listener_hears(client, sample_call):
    url = reverse("recordings:call-waveform", args=[sample_call.pk])
    card_turn = next(t for t in sample_call.transcript.segments.all() if t.text.startswith("Four, five"))
    client.force_login(ManagerFactory())
    original = client.get(url).json()["peaks"]
    client.force_login(ReviewerFactory())
    redacted = client.get(url).json()["peaks"]

    per_second = len(original[1]) / sample_call.recording.duration_seconds
    during = slice(int((card_turn.start + 0.5) * per_second), int((card_turn.end - 0.5) * per_second))
    assert max(original[1][during]) > 0.1  # the customer reads the card on the right channel
    assert max(redacted[1][during]) == 0
