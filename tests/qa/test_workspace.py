"""The reviewer workspace in the admin: who reaches it, and saving through it."""

from decimal import Decimal

import pytest
from django.urls import reverse

from qa.models import Evaluation, EvaluationAmendment, ReviewAssignment
from qa.selectors import version_criteria
from tests.factories import ManagerFactory, ReviewerFactory, UserFactory

pytestmark = pytest.mark.django_db


def workspace(call):
    return reverse("admin:qa_workspace", args=[call.pk])


def perfect_form(version, **extra):
    data = {}
    for criterion in version_criteria(version=version):
        data[f"c{criterion.pk}"] = {"scale_1_5": "5", "points": str(criterion.max_points or 0)}.get(criterion.answer_type, "yes")
    data.update(extra)
    return data


def test_it_shows_the_workspace_to_reviewers(client, default_rubric, sample_call):
    client.force_login(ReviewerFactory())
    response = client.get(workspace(sample_call))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("recordings:call-audio", args=[sample_call.pk]) in html
    assert "wavesurfer-7.12.12.min.js" in html
    assert "This call may be recorded" in html  # the transcript
    assert "Disclosed that the call may be recorded" in html  # the rubric


@pytest.mark.parametrize("calibration", ["abc", "12x", "99999999999999999999999", "424242"])
def test_it_answers_404_for_a_malformed_or_unknown_calibration_session(client, default_rubric, sample_call, calibration):
    client.force_login(ReviewerFactory())

    response = client.get(workspace(sample_call), {"calibration": calibration})

    assert response.status_code == 404


@pytest.mark.parametrize("who", ["client staff", "agent", "plain staff"])
def test_it_keeps_everyone_else_out_of_the_workspace(client, default_rubric, sample_call, who):
    user = UserFactory(is_staff=True)
    if who == "client staff":
        sample_call.client.users.add(user)
    elif who == "agent":
        sample_call.agent.user = user
        sample_call.agent.save()
    client.force_login(user)
    assert client.get(workspace(sample_call)).status_code == 403
    assert client.post(workspace(sample_call), perfect_form(default_rubric.versions.get(), action="submit")).status_code == 403
    assert not Evaluation.objects.exists()


def test_it_sends_anonymous_visitors_to_the_login_page(client, default_rubric, sample_call):
    response = client.get(workspace(sample_call))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_it_submits_through_the_form_and_then_locks(client, default_rubric, sample_call):
    reviewer = ReviewerFactory()
    version = default_rubric.versions.get()
    client.force_login(reviewer)
    first = version_criteria(version=version)[0]
    response = client.post(workspace(sample_call), perfect_form(version, action="submit", comment="Textbook call", comment_at="3.25", **{f"c{first.pk}_comment": "Both names", f"c{first.pk}_at": "1.5"}))
    assert response.status_code == 302
    evaluation = Evaluation.objects.get()
    assert (evaluation.status, evaluation.score, evaluation.reviewer) == (Evaluation.Status.SUBMITTED, Decimal("100.00"), reviewer)
    assert evaluation.comment_at_seconds == 3.25
    assert evaluation.answers.get(criterion=first).comment_at_seconds == 1.5

    page = client.get(workspace(sample_call)).content.decode()
    assert "locked" in page and 'id="qa-submit"' not in page
    client.post(workspace(sample_call), perfect_form(version, action="save", **{f"c{first.pk}": "no"}))
    evaluation.refresh_from_db()
    assert evaluation.score == Decimal("100.00")


def test_it_shows_errors_for_an_incomplete_submission_and_saves_nothing(client, default_rubric, sample_call):
    client.force_login(ReviewerFactory())
    response = client.post(workspace(sample_call), {"action": "submit"})
    assert response.status_code == 200
    assert "before submitting" in response.content.decode()
    assert not Evaluation.objects.exists()


def test_it_lets_a_manager_amend_with_a_reason_in_the_workspace(client, default_rubric, sample_call):
    version = default_rubric.versions.get()
    client.force_login(ReviewerFactory())
    client.post(workspace(sample_call), perfect_form(version, action="submit"))
    closing = version_criteria(version=version)[-1]
    client.force_login(ManagerFactory())
    no_reason = client.post(workspace(sample_call), perfect_form(version, action="amend", **{f"c{closing.pk}": "no"}))
    assert no_reason.status_code == 200 and not EvaluationAmendment.objects.exists()
    response = client.post(workspace(sample_call), perfect_form(version, action="amend", reason="Missed the closing", **{f"c{closing.pk}": "no"}))
    assert response.status_code == 302
    assert EvaluationAmendment.objects.get().reason == "Missed the closing"
    assert Evaluation.objects.get().score < Decimal("100")


def test_it_lists_my_queue_with_a_link_to_the_workspace(client, default_rubric, sample_call):
    from django.utils import timezone

    reviewer = ReviewerFactory()
    ReviewAssignment.objects.create(call=sample_call, reviewer=reviewer, due_at=timezone.now())
    other = ReviewerFactory()
    client.force_login(other)
    assert workspace(sample_call) not in client.get(reverse("admin:qa_queueitem_changelist")).content.decode()
    client.force_login(reviewer)
    page = client.get(reverse("admin:qa_queueitem_changelist")).content.decode()
    assert workspace(sample_call) in page and "overdue" in page


def test_it_opens_the_qa_admin_pages_for_a_manager(client, default_rubric, sample_call):
    client.force_login(ManagerFactory())
    version = default_rubric.versions.get()
    for url in [
        reverse("admin:index"),
        reverse("admin:qa_rubric_changelist"),
        reverse("admin:qa_rubric_change", args=[default_rubric.pk]),
        reverse("admin:qa_rubricversion_change", args=[version.pk]),
        reverse("admin:qa_section_change", args=[version.sections.first().pk]),
        reverse("admin:qa_monitoringplan_add"),
        reverse("admin:qa_reviewassignment_add"),
        reverse("admin:qa_calibrationsession_add"),
        reverse("admin:qa_evaluation_changelist"),
        reverse("admin:qa_queueitem_changelist"),
    ]:
        assert client.get(url).status_code == 200, url


def test_it_makes_a_new_version_when_a_manager_edits_one_in_use(client, default_rubric, sample_call):
    version = default_rubric.versions.get()
    client.force_login(ReviewerFactory())
    client.post(workspace(sample_call), perfect_form(version, action="save"))
    client.force_login(ManagerFactory())
    response = client.post(reverse("admin:qa_rubricversion_start_edit", args=[version.pk]))
    new_version = default_rubric.versions.get(number=2)
    assert response["Location"] == reverse("admin:qa_rubricversion_change", args=[new_version.pk])
    # The version in use is read-only in the admin.
    section = version.sections.first()
    client.post(reverse("admin:qa_section_change", args=[section.pk]), {"title": "Changed", "weight": "1", "position": "0"})
    section.refresh_from_db()
    assert section.title != "Changed"


def test_it_assigns_a_call_by_hand_in_the_admin_and_explains_refusals(client, default_rubric, sample_call):
    from tests.factories import CallFactory

    manager, reviewer = ManagerFactory(), ReviewerFactory()
    client.force_login(manager)
    url = reverse("admin:qa_reviewassignment_add")
    response = client.post(url, {"call": sample_call.pk, "reviewer": reviewer.pk, "due_at_0": "2030-01-01", "due_at_1": "12:00"})
    assert response.status_code == 302
    assignment = ReviewAssignment.objects.get()
    assert (assignment.reviewer, assignment.assigned_by, assignment.plan) == (reviewer, manager, None)

    untranscribed = CallFactory()
    response = client.post(url, {"call": untranscribed.pk, "reviewer": reviewer.pk, "due_at_0": "2030-01-01", "due_at_1": "12:00"})
    assert response.status_code == 200
    assert "Only transcribed calls can be reviewed." in response.content.decode()
    assert ReviewAssignment.objects.count() == 1


def test_it_creates_a_calibration_session_in_the_admin(client, default_rubric, sample_call):
    from qa.models import CalibrationSession

    ann, bob = ReviewerFactory(), ReviewerFactory()
    client.force_login(ManagerFactory())
    url = reverse("admin:qa_calibrationsession_add")
    lonely = client.post(url, {"title": "Solo", "call": sample_call.pk, "reviewers": [ann.pk]})
    assert lonely.status_code == 200 and "at least two reviewers" in lonely.content.decode()
    response = client.post(url, {"title": "Panel", "call": sample_call.pk, "reviewers": [ann.pk, bob.pk], "expert": ann.pk})
    assert response.status_code == 302
    session = CalibrationSession.objects.get()
    assert set(session.reviewers.all()) == {ann, bob} and session.expert == ann


def test_it_lets_a_manager_add_questions_to_a_draft_version_only(client, default_rubric, sample_call):
    from qa import services
    from qa.models import Criterion

    manager = ManagerFactory()
    assert not manager.is_superuser  # group membership alone is enough
    client.force_login(manager)
    draft = services.rubric_version_start_edit(version=default_rubric.versions.get())
    section = draft.sections.first()  # v1 unused, so this edits v1 in place
    url = reverse("admin:qa_section_change", args=[section.pk])
    existing = list(section.criteria.all())
    data = {
        "version": section.version_id, "title": section.title, "weight": "15", "position": "0",
        "criteria-TOTAL_FORMS": str(len(existing) + 1), "criteria-INITIAL_FORMS": str(len(existing)),
        "criteria-MIN_NUM_FORMS": "0", "criteria-MAX_NUM_FORMS": "1000",
    }
    for i, c in enumerate(existing):
        data.update({f"criteria-{i}-id": c.pk, f"criteria-{i}-section": section.pk, f"criteria-{i}-question": c.question,
                     f"criteria-{i}-guidance": c.guidance, f"criteria-{i}-answer_type": c.answer_type,
                     f"criteria-{i}-weight": str(c.weight), f"criteria-{i}-position": c.position,
                     f"criteria-{i}-is_critical": "on" if c.is_critical else ""})
    n = len(existing)
    data.update({f"criteria-{n}-section": section.pk, f"criteria-{n}-question": "Used the customer's name",
                 f"criteria-{n}-answer_type": "yes_no", f"criteria-{n}-weight": "1", f"criteria-{n}-position": "9"})
    data = {k: v for k, v in data.items() if v != ""}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Criterion.objects.filter(section=section, question="Used the customer's name").exists()

    # Once scored against, the same page no longer saves anything.
    client.force_login(ReviewerFactory())
    client.post(workspace(sample_call), {"action": "save"})
    client.force_login(manager)
    data[f"criteria-{n}-question"] = "Changed after use"
    client.post(url, data)
    assert not Criterion.objects.filter(question="Changed after use").exists()
