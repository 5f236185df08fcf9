"""The reviewer workspace follows the redaction rule: reviewers read and hear the redacted call, managers the original."""

import pytest
from django.urls import reverse

from recordings.models import Recording, RedactionStatus
from tests.factories import ManagerFactory, ReviewerFactory

pytestmark = pytest.mark.django_db


def workspace(client, call) -> str:
    response = client.get(reverse("reviews:workspace", args=[call.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_reviewer_reads_the_redacted_transcript_and_a_manager_the_original(client, rubric, sample_call):
    client.force_login(ReviewerFactory())
    page = workspace(client, sample_call)
    assert "[card number]" in page and "Four, five, three, nine" not in page

    client.force_login(ManagerFactory())
    page = workspace(client, sample_call)
    assert "[card number]" not in page and "Four, five, three, nine" in page


def test_a_reviewer_gets_no_player_until_the_redacted_copy_is_ready(client, rubric, sample_call):
    Recording.objects.filter(call=sample_call).update(redaction_status=RedactionStatus.PENDING)
    client.force_login(ReviewerFactory())
    page = workspace(client, sample_call)
    assert 'id="qa-audio"' not in page
    assert "The redacted copy of this recording is not ready yet" in page

    client.force_login(ManagerFactory())
    assert 'id="qa-audio"' in workspace(client, sample_call)
