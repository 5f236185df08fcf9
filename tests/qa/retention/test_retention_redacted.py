"""Retention takes the redacted copy of a recording with the original: no orphaned audio is left."""

from datetime import timedelta

import pytest
from django.utils import timezone

from qa.retention.services import retention_apply
from recordings.models import Call, Recording

pytestmark = pytest.mark.django_db


def test_the_redacted_copy_goes_with_the_recording(sample_call, stored_files):
    assert len(stored_files()) == 2  # the original and its redacted copy
    client = sample_call.client
    client.retention_days = 30
    client.save()
    Call.objects.filter(pk=sample_call.pk).update(started_at=timezone.now() - timedelta(days=31))

    summary = retention_apply()

    assert (summary.calls, summary.files_deleted) == (1, 2)
    assert not Recording.objects.exists()
    assert stored_files() == []
