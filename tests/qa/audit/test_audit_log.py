"""The audit log: who did what, when, from where; written by services; read-only in the admin; CSV."""

import pytest
from django.urls import reverse

from qa.audit.models import Action, AuditEntry
from qa.reviews import services
from qa.reviews.services import AnswerInput
from tests.factories import AdminFactory, CallFactory, ManagerFactory, ReviewerFactory, UserFactory

pytestmark = pytest.mark.django_db


def answers(rubric, **overrides):
    return {pk: AnswerInput(value=v) for pk, v in rubric.by_pk(rubric.best_answers(**overrides)).items()}


def test_it_logs_logins_and_failed_logins_with_the_address(client):
    UserFactory(username="sarah")
    client.post(reverse("login"), {"username": "sarah", "password": "wrong"}, REMOTE_ADDR="10.0.0.7")
    client.post(reverse("login"), {"username": "sarah", "password": "pw-for-tests"}, REMOTE_ADDR="10.0.0.7")
    client.post(reverse("admin:login"), {"username": "nobody", "password": "x"}, REMOTE_ADDR="10.0.0.8")

    entries = list(AuditEntry.objects.order_by("id").values_list("action", "actor_name", "address"))
    assert entries == [
        (Action.LOGIN_FAILED, "sarah", "10.0.0.7"),
        (Action.LOGIN, "sarah", "10.0.0.7"),
        (Action.LOGIN_FAILED, "nobody", "10.0.0.8"),
    ]


def test_it_logs_a_lockout(client, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 2
    UserFactory(username="sarah")
    for _ in range(3):
        client.post(reverse("login"), {"username": "sarah", "password": "wrong"})
    assert AuditEntry.objects.filter(action=Action.LOCKOUT, actor_name="sarah").exists()


def test_it_logs_submit_and_amend_through_the_services(rubric):
    call = CallFactory(status="transcribed")
    reviewer, manager = ReviewerFactory(), ManagerFactory()
    evaluation = services.evaluation_submit(call=call, reviewer=reviewer, answers=answers(rubric))
    services.evaluation_amend(evaluation=evaluation, manager=manager, reason="Missed closing", answers=answers(rubric, closing="no"))

    submitted, amended = AuditEntry.objects.order_by("id")
    assert (submitted.action, submitted.actor, submitted.object_type, submitted.object_id) == (
        Action.EVALUATION_SUBMITTED, reviewer, "reviews.evaluation", str(evaluation.pk),
    )
    assert amended.action == Action.EVALUATION_AMENDED and amended.detail["reason"] == "Missed closing"


def test_it_writes_nothing_when_the_audited_change_is_refused(rubric):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="before submitting"):
        services.evaluation_submit(call=CallFactory(status="transcribed"), reviewer=ReviewerFactory(), answers={})
    assert not AuditEntry.objects.exists()


def test_it_logs_each_playback_once_and_each_download(client, sample_call):
    reviewer = ReviewerFactory()
    client.force_login(reviewer)
    url = reverse("recordings:call-audio", args=[sample_call.pk])
    b"".join(client.get(url, HTTP_RANGE="bytes=0-", REMOTE_ADDR="10.1.1.1").streaming_content)
    b"".join(client.get(url, HTTP_RANGE="bytes=5000-9000").streaming_content)  # seeking: not a new playback
    download = client.get(url, {"download": "1"})
    assert download["Content-Disposition"].startswith("attachment")

    entries = list(AuditEntry.objects.order_by("id").values_list("action", "object_id", "address"))
    assert entries == [(Action.RECORDING_PLAYED, str(sample_call.pk), "10.1.1.1"), (Action.RECORDING_DOWNLOADED, str(sample_call.pk), "127.0.0.1")]


def test_it_lets_managers_browse_and_export_but_nobody_change_the_log(client):
    AuditEntry.objects.create(action=Action.LOGIN, actor_name="=HYPERLINK(\"http://evil\")", address="10.0.0.1")
    client.force_login(ManagerFactory())
    changelist = client.get(reverse("admin:audit_auditentry_changelist"))
    assert changelist.status_code == 200
    entry = AuditEntry.objects.get()
    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert client.post(reverse("admin:audit_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    csv = b"".join(client.get(reverse("admin:audit_auditentry_export"), {"action__exact": "login"}).streaming_content).decode()
    assert "'=HYPERLINK" in csv  # a spreadsheet shows it, never runs it
    assert AuditEntry.objects.count() == 1

    client.force_login(AdminFactory())
    assert client.post(reverse("admin:audit_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    client.force_login(ReviewerFactory())
    assert client.get(reverse("admin:audit_auditentry_changelist")).status_code == 403
