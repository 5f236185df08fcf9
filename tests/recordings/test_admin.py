import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from recordings.models import Call
from tests.factories import AdminFactory, AgentFactory, CallFactory, ClientFactory

pytestmark = pytest.mark.django_db

UPLOAD_URL = "/admin/recordings/call/upload/"


@pytest.fixture
def admin_client(client):
    client.force_login(AdminFactory())
    return client


@pytest.fixture
def roster():
    return ClientFactory(slug="acme"), AgentFactory(external_id="AGT-1")


def form_data(roster, files, **extra):
    acme, agent = roster
    return {
        "files": files,
        "client": acme.pk,
        "agent": agent.pk,
        "started_at": "2026-11-02 09:30",
        "direction": "inbound",
        **extra,
    }


def upload(path, name=None):
    return SimpleUploadedFile(name or path.name, path.read_bytes())


def test_it_uploads_several_files_at_once(admin_client, roster, wav_file):
    response = admin_client.post(
        UPLOAD_URL,
        form_data(roster, [upload(wav_file(), "CALL-A.wav"), upload(wav_file(), "CALL-B.wav")], queue="billing", csat="4", ces="5"),
        follow=True,
    )

    assert response.status_code == 200
    assert sorted(Call.objects.values_list("external_id", flat=True)) == ["CALL-A", "CALL-B"]
    assert set(Call.objects.values_list("queue", "csat", "ces")) == {("billing", 4, 5)}
    assert "Imported 2, updated 0, duplicates 0, rejected 0." in response.content.decode()


def test_it_reports_each_rejected_file_and_keeps_the_good_ones(admin_client, roster, wav_file, stored_files):
    response = admin_client.post(
        UPLOAD_URL,
        form_data(roster, [upload(wav_file(), "good.wav"), SimpleUploadedFile("bad.wav", b"not audio at all")]),
        follow=True,
    )

    page = response.content.decode()
    assert "Rejected bad.wav: the file is not decodable audio" in page
    assert "Imported 1, updated 0, duplicates 0, rejected 1." in page
    assert list(Call.objects.values_list("external_id", flat=True)) == ["good"]
    assert len(stored_files()) == 1


def test_it_uses_the_given_external_id_for_a_single_file(admin_client, roster, wav_file):
    admin_client.post(UPLOAD_URL, form_data(roster, [upload(wav_file())], external_id="TEL-778"))

    assert Call.objects.get().external_id == "TEL-778"


def test_it_shows_form_errors_for_bad_metadata(admin_client, roster, wav_file, stored_files):
    response = admin_client.post(UPLOAD_URL, form_data(roster, [upload(wav_file())], started_at="soon", csat="6"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter a valid date/time." in page
    assert "Ensure this value is less than or equal to 5." in page
    assert Call.objects.count() == 0
    assert stored_files() == []


def test_it_sends_the_add_button_to_the_upload_page(admin_client):
    response = admin_client.get("/admin/recordings/call/add/")

    assert response.status_code == 302
    assert response["Location"] == UPLOAD_URL


def test_it_escapes_call_metadata_in_the_admin(admin_client):
    call = CallFactory(customer_ref="<script>alert('x')</script>", queue="<b>vip</b>")

    changelist = admin_client.get("/admin/recordings/call/").content.decode()
    change = admin_client.get(f"/admin/recordings/call/{call.pk}/change/").content.decode()

    for page in (changelist, change):
        assert "<script>alert('x')</script>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in change


def test_it_keeps_the_upload_page_from_users_without_the_add_permission(client, roster):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True))

    response = client.get(UPLOAD_URL)

    assert response.status_code == 302


def test_it_judges_an_empty_file_on_its_own_and_names_it(admin_client, roster, wav_file, stored_files):
    response = admin_client.post(
        UPLOAD_URL,
        form_data(roster, [upload(wav_file(), "good.wav"), SimpleUploadedFile("empty.wav", b""), upload(wav_file(), "also-good.wav")]),
        follow=True,
    )

    page = response.content.decode()
    assert "Rejected empty.wav: the file is empty" in page
    assert "Imported 2, updated 0, duplicates 0, rejected 1." in page
    assert sorted(Call.objects.values_list("external_id", flat=True)) == ["also-good", "good"]
    assert len(stored_files()) == 2
