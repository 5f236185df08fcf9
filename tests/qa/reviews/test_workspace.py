"""The reviewer workspace and the QA admin pages: who reaches them, and saving through them."""

from decimal import Decimal

import pytest
from django.urls import reverse

from qa.reviews.models import Evaluation, EvaluationAmendment, ReviewAssignment
from tests.factories import ManagerFactory, ReviewerFactory, UserFactory

pytestmark = pytest.mark.django_db


def workspace(call):
    return reverse("reviews:workspace", args=[call.pk])


def perfect_form(rubric, answers=None, **extra):
    values = rubric.best_answers(**(answers or {}))
    return {**{f"c{pk}": value for pk, value in rubric.by_pk(values).items()}, **extra}


def test_it_shows_the_workspace_to_reviewers(client, rubric, sample_call):
    client.force_login(ReviewerFactory())
    response = client.get(workspace(sample_call))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("recordings:call-audio", args=[sample_call.pk]) in html
    assert "wavesurfer-7.12.12.min.js" in html
    assert "This call may be recorded" in html  # the transcript
    assert all(criterion.question in html for criterion in rubric.criteria.values())  # the rubric
    assert "Call-centre QA" in html and "Django administration" not in html


def test_it_loads_the_workspace_in_a_fixed_number_of_queries(client, rubric, sample_call, django_assert_max_num_queries):
    reviewer = ReviewerFactory()
    client.force_login(reviewer)
    client.post(workspace(sample_call), perfect_form(rubric, action="save"))
    with django_assert_max_num_queries(25):
        assert client.get(workspace(sample_call)).status_code == 200


@pytest.mark.parametrize("calibration", ["abc", "12x", "99999999999999999999999", "424242"])
def test_it_answers_404_for_a_malformed_or_unknown_calibration_session(client, rubric, sample_call, calibration):
    client.force_login(ReviewerFactory())

    response = client.get(workspace(sample_call), {"calibration": calibration})

    assert response.status_code == 404


@pytest.mark.parametrize("who", ["client staff", "agent", "plain staff"])
def test_it_keeps_everyone_else_out_of_the_workspace(client, rubric, sample_call, who):
    user = UserFactory(is_staff=True)
    if who == "client staff":
        sample_call.client.users.add(user)
    elif who == "agent":
        sample_call.agent.user = user
        sample_call.agent.save()
    client.force_login(user)
    assert client.get(workspace(sample_call)).status_code == 403
    assert client.post(workspace(sample_call), perfect_form(rubric, action="submit")).status_code == 403
    assert not Evaluation.objects.exists()


def test_it_sends_anonymous_visitors_to_the_login_page(client, rubric, sample_call):
    response = client.get(workspace(sample_call))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_it_submits_through_the_form_and_then_locks(client, rubric, sample_call):
    reviewer = ReviewerFactory()
    client.force_login(reviewer)
    first = rubric.criteria["greeting"]
    response = client.post(workspace(sample_call), perfect_form(rubric, action="submit", comment="Textbook call", comment_at="3.25", **{f"c{first.pk}_comment": "Both names", f"c{first.pk}_at": "1.5"}))
    assert response.status_code == 302
    evaluation = Evaluation.objects.get()
    assert (evaluation.status, evaluation.score, evaluation.reviewer) == (Evaluation.Status.SUBMITTED, Decimal("100.00"), reviewer)
    assert evaluation.comment_at_seconds == 3.25
    assert evaluation.answers.get(criterion=first).comment_at_seconds == 1.5

    page = client.get(workspace(sample_call)).content.decode()
    assert "locked" in page and 'id="qa-submit"' not in page
    # The reviewer's own complete, valid form is refused once submitted: nothing changes.
    for action in ("save", "submit"):
        refused = client.post(workspace(sample_call), perfect_form(rubric, {"greeting": "no"}, action=action))
        assert refused.status_code == 403
    evaluation.refresh_from_db()
    assert evaluation.score == Decimal("100.00")
    assert evaluation.answers.get(criterion=first).value == "yes"


def test_it_shows_errors_for_an_incomplete_submission_and_saves_nothing(client, rubric, sample_call):
    client.force_login(ReviewerFactory())
    response = client.post(workspace(sample_call), {"action": "submit"})
    assert response.status_code == 200
    assert "before submitting" in response.content.decode()
    assert not Evaluation.objects.exists()


def test_it_lets_a_manager_amend_with_a_reason_in_the_workspace(client, rubric, sample_call):
    client.force_login(ReviewerFactory())
    client.post(workspace(sample_call), perfect_form(rubric, action="submit"))
    client.force_login(ManagerFactory())
    no_reason = client.post(workspace(sample_call), perfect_form(rubric, {"closing": "no"}, action="amend"))
    assert no_reason.status_code == 200 and not EvaluationAmendment.objects.exists()
    response = client.post(workspace(sample_call), perfect_form(rubric, {"closing": "no"}, action="amend", reason="Missed the closing"))
    assert response.status_code == 302
    assert EvaluationAmendment.objects.get().reason == "Missed the closing"
    assert Evaluation.objects.get().score == Decimal("96.67")


def test_it_lists_my_queue_with_a_link_to_the_workspace(client, rubric, sample_call):
    from django.utils import timezone

    reviewer = ReviewerFactory()
    ReviewAssignment.objects.create(call=sample_call, reviewer=reviewer, due_at=timezone.now())
    other = ReviewerFactory()
    client.force_login(other)
    assert workspace(sample_call) not in client.get(reverse("admin:reviews_queueitem_changelist")).content.decode()
    client.force_login(reviewer)
    page = client.get(reverse("admin:reviews_queueitem_changelist")).content.decode()
    assert workspace(sample_call) in page and "overdue" in page
    overdue = client.get(reverse("admin:reviews_queueitem_changelist"), {"state": "overdue"}).content.decode()
    assert workspace(sample_call) in overdue


def test_it_lands_reviewers_on_their_due_reviews(client, rubric, sample_call):
    from django.utils import timezone

    reviewer = ReviewerFactory()
    ReviewAssignment.objects.create(call=sample_call, reviewer=reviewer, due_at=timezone.now())
    client.force_login(reviewer)
    page = client.get(reverse("admin:index")).content.decode()
    assert "Your reviews to do (1)" in page and workspace(sample_call) in page
    assert "What needs you" not in page


def test_it_lands_managers_on_a_summary_of_what_needs_them(client, rubric, sample_call):
    from django.utils import timezone

    from qa.reviews.models import MonitoringPlan

    ReviewAssignment.objects.create(call=sample_call, reviewer=ReviewerFactory(), due_at=timezone.now())
    MonitoringPlan.objects.create(client=sample_call.client, evaluations_per_agent=3)
    client.force_login(ManagerFactory())
    response = client.get(reverse("admin:index"))
    summary = response.context["manager_summary"]
    assert (summary.reviews_due, summary.reviews_overdue, summary.calls_waiting) == (1, 1, 0)
    assert summary.plan_slots_short == 3  # 3 per agent this week; a hand-assigned call fills no plan slot
    assert "What needs you" in response.content.decode()


def test_it_opens_the_qa_admin_pages_for_a_manager(client, rubric, sample_call):
    client.force_login(ManagerFactory())
    version = rubric.version
    for url in [
        reverse("admin:index"),
        reverse("admin:reviews_rubric_changelist"),
        reverse("admin:reviews_rubric_change", args=[rubric.rubric.pk]),
        reverse("admin:reviews_rubricversion_change", args=[version.pk]),
        reverse("admin:reviews_section_change", args=[version.sections.first().pk]),
        reverse("admin:reviews_monitoringplan_add"),
        reverse("admin:reviews_reviewassignment_add"),
        reverse("admin:reviews_calibrationsession_add"),
        reverse("admin:reviews_evaluation_changelist"),
        reverse("admin:reviews_queueitem_changelist"),
    ]:
        assert client.get(url).status_code == 200, url


def test_it_shows_a_failed_critical_item_as_failed_not_as_a_green_tick(client, rubric, sample_call):
    from qa.reviews import services
    from qa.reviews.services import AnswerInput

    services.evaluation_submit(
        call=sample_call, reviewer=ReviewerFactory(),
        answers={pk: AnswerInput(value=v) for pk, v in rubric.by_pk(rubric.best_answers(disclosure="no")).items()},
    )
    client.force_login(ManagerFactory())
    page = client.get(reverse("admin:reviews_evaluation_changelist")).content.decode()
    assert '<strong class="qa-critical-failed">Failed</strong>' in page
    assert "icon-yes.svg" not in page


def test_it_offers_only_qa_staff_in_the_reviewer_filter(client, rubric, sample_call):
    ReviewerFactory(username="rita")
    manager = ManagerFactory(username="max")
    sample_call.client.users.add(UserFactory(username="clara-client"))
    sample_call.agent.user = UserFactory(username="alex-agent")
    sample_call.agent.save()
    client.force_login(manager)
    response = client.get(reverse("admin:reviews_evaluation_changelist"))
    reviewer_filter = next(f for f in response.context["cl"].filter_specs if f.title == "reviewer")
    offered = {label for _, label in reviewer_filter.lookup_choices}
    assert offered == {"rita", "max"}
    assert response.context["cl"].get_queryset(response.wsgi_request).count() == 0
    assert client.get(reverse("admin:reviews_evaluation_changelist"), {"reviewer": "x"}).status_code == 200


def section_form(section, **changes) -> dict:
    """A complete, valid change form for a section and its questions, as the admin page posts it."""
    criteria = list(section.criteria.all())
    data = {
        "version": section.version_id, "title": section.title, "weight": str(section.weight), "position": section.position,
        "criteria-TOTAL_FORMS": str(len(criteria)), "criteria-INITIAL_FORMS": str(len(criteria)),
        "criteria-MIN_NUM_FORMS": "0", "criteria-MAX_NUM_FORMS": "1000",
    }
    for i, c in enumerate(criteria):
        data.update({f"criteria-{i}-id": c.pk, f"criteria-{i}-section": section.pk, f"criteria-{i}-question": c.question,
                     f"criteria-{i}-guidance": c.guidance, f"criteria-{i}-answer_type": c.answer_type,
                     f"criteria-{i}-weight": str(c.weight), f"criteria-{i}-position": c.position,
                     f"criteria-{i}-max_points": c.max_points if c.max_points is not None else "",
                     f"criteria-{i}-is_critical": "on" if c.is_critical else ""})
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_it_makes_a_new_version_when_a_manager_edits_one_in_use(client, rubric, sample_call):
    version = rubric.version
    client.force_login(ReviewerFactory())
    client.post(workspace(sample_call), perfect_form(rubric, action="save"))
    manager = ManagerFactory()
    client.force_login(manager)
    response = client.post(reverse("admin:reviews_rubricversion_start_edit", args=[version.pk]))
    new_version = rubric.rubric.versions.get(number=2)
    assert response["Location"] == reverse("admin:reviews_rubricversion_change", args=[new_version.pk])

    # The version in use is read-only: a complete, valid form changes nothing...
    section = version.sections.first()
    client.post(reverse("admin:reviews_section_change", args=[section.pk]), section_form(section, title="Changed"))
    section.refresh_from_db()
    assert section.title != "Changed"
    # ...while the same form on the new draft's copy of that section saves.
    copy = new_version.sections.get(position=section.position)
    response = client.post(reverse("admin:reviews_section_change", args=[copy.pk]), section_form(copy, title="Changed"))
    assert response.status_code == 302
    copy.refresh_from_db()
    assert copy.title == "Changed"


def test_it_assigns_a_call_by_hand_in_the_admin_and_explains_refusals(client, rubric, sample_call):
    from tests.factories import CallFactory

    manager, reviewer = ManagerFactory(), ReviewerFactory()
    client.force_login(manager)
    url = reverse("admin:reviews_reviewassignment_add")
    response = client.post(url, {"call": sample_call.pk, "reviewer": reviewer.pk, "due_at_0": "2030-01-01", "due_at_1": "12:00"})
    assert response.status_code == 302
    assignment = ReviewAssignment.objects.get()
    assert (assignment.reviewer, assignment.assigned_by, assignment.plan) == (reviewer, manager, None)

    untranscribed = CallFactory()
    response = client.post(url, {"call": untranscribed.pk, "reviewer": reviewer.pk, "due_at_0": "2030-01-01", "due_at_1": "12:00"})
    assert response.status_code == 200
    assert "Only transcribed calls can be reviewed." in response.content.decode()
    assert ReviewAssignment.objects.count() == 1


def test_it_creates_a_calibration_session_in_the_admin(client, rubric, sample_call):
    from qa.reviews.models import CalibrationSession

    ann, bob = ReviewerFactory(), ReviewerFactory()
    client.force_login(ManagerFactory())
    url = reverse("admin:reviews_calibrationsession_add")
    lonely = client.post(url, {"title": "Solo", "call": sample_call.pk, "reviewers": [ann.pk]})
    assert lonely.status_code == 200 and "at least two reviewers" in lonely.content.decode()
    response = client.post(url, {"title": "Panel", "call": sample_call.pk, "reviewers": [ann.pk, bob.pk], "expert": ann.pk})
    assert response.status_code == 302
    session = CalibrationSession.objects.get()
    assert set(session.reviewers.all()) == {ann, bob} and session.expert == ann


def test_it_lets_a_manager_add_questions_to_a_draft_version_only(client, rubric, sample_call):
    from qa.reviews import services
    from qa.reviews.models import Criterion

    manager = ManagerFactory()
    assert not manager.is_superuser  # group membership alone is enough
    client.force_login(manager)
    draft = services.rubric_version_start_edit(version=rubric.version)
    assert draft == rubric.version  # unused, so it is edited in place
    section = draft.sections.first()
    url = reverse("admin:reviews_section_change", args=[section.pk])
    n = section.criteria.count()
    data = section_form(section, **{
        "criteria-TOTAL_FORMS": str(n + 1),
        f"criteria-{n}-section": section.pk, f"criteria-{n}-question": "Used the customer's name",
        f"criteria-{n}-answer_type": "yes_no", f"criteria-{n}-weight": "1", f"criteria-{n}-position": "9",
    })
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    created = Criterion.objects.get(section=section, question="Used the customer's name")

    # Once scored against, the same page no longer saves anything.
    client.force_login(ReviewerFactory())
    client.post(workspace(sample_call), {"action": "save"})
    client.force_login(manager)
    data = section_form(section, **{f"criteria-{n}-question": "Changed after use"})
    client.post(url, data)
    created.refresh_from_db()
    assert created.question == "Used the customer's name"
