"""The audit log records every transcript read outside the QA team and every unredacted one: portal, API, workspace."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from qa.audit.models import Action, AuditEntry
from tests.factories import ManagerFactory, ReviewerFactory, UserFactory

pytestmark = pytest.mark.django_db


def entries() -> list[tuple[str, str, str]]:
    return list(AuditEntry.objects.order_by("id").values_list("actor_name", "action", "object_id"))


def test_client_staff_reading_a_transcript_in_the_portal_or_the_api_is_logged(client, sample_call):
    staff = UserFactory(username="carol")
    sample_call.client.users.add(staff)
    client.force_login(staff)
    client.get(reverse("portal:call", args=[sample_call.client.slug, sample_call.pk]))
    api = APIClient()
    api.force_authenticate(staff)
    api.get(f"/api/calls/{sample_call.pk}/")

    assert entries() == [("carol", Action.TRANSCRIPT_VIEWED, str(sample_call.pk))] * 2


def test_unredacted_reads_are_logged_and_redacted_reads_by_qa_staff_are_not(client, rubric, sample_call):
    client.force_login(ReviewerFactory(username="rita"))
    client.get(reverse("reviews:workspace", args=[sample_call.pk]))
    assert entries() == []

    client.force_login(ManagerFactory(username="max"))
    client.get(reverse("reviews:workspace", args=[sample_call.pk]))
    client.get(reverse("portal:call", args=[sample_call.client.slug, sample_call.pk]))

    assert entries() == [("max", Action.UNREDACTED_TRANSCRIPT_VIEWED, str(sample_call.pk))] * 2
