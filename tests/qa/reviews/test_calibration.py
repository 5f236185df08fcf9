"""Calibration: blind scoring by a panel, spread and deviation from the expert."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from qa.reviews import services
from qa.reviews.selectors import calibration_result, version_criteria
from qa.reviews.services import AnswerInput
from tests.factories import ManagerFactory, ReviewerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def answers(rubric):
    def make(version=None, **overrides):
        return {pk: AnswerInput(value=v) for pk, v in rubric.by_pk(rubric.best_answers(**overrides)).items()}

    return make


@pytest.fixture
def panel(rubric, transcribed_call):
    reviewers = [ReviewerFactory(username=name) for name in ("ann", "bob", "cat")]
    session = services.calibration_session_create(
        title="November calibration", call=transcribed_call, reviewers=reviewers, created_by=ManagerFactory(), expert=reviewers[0],
    )
    return session, reviewers


def test_it_computes_spread_and_deviation_from_the_expert(panel, rubric, answers):
    session, (ann, bob, cat) = panel
    criteria = version_criteria(version=session.version)
    listening = criteria.index(rubric.criteria["listening"])
    closing = criteria.index(rubric.criteria["closing"])
    # ann (expert): perfect. bob: listening 3 of 5. cat: listening 1 of 5 and the closing "no".
    services.evaluation_submit(call=session.call, reviewer=ann, calibration_session=session, answers=answers())
    services.evaluation_submit(call=session.call, reviewer=bob, calibration_session=session, answers=answers(listening="3"))
    services.evaluation_submit(call=session.call, reviewer=cat, calibration_session=session, answers=answers(listening="1", closing="no"))

    result = calibration_result(session=session)
    assert [r.username for r in result.reviewers] == ["ann", "bob", "cat"]
    row = result.rows[listening]
    assert row.answers == ["5", "3", "1"]
    assert row.percents == [100.0, 50.0, 0.0]
    assert (row.spread.range, row.spread.std_dev) == (100.0, 40.82)
    assert row.deviations == [0.0, -50.0, -100.0]

    # Listening is one of 2 equal questions in a 25 % section: 3 of 5 costs 25 % * 1/2 * 1/2 = 6.25 points.
    assert result.totals[0] == Decimal("100.00")
    assert result.totals[1] == Decimal("93.75")
    # cat: listening 0 -> -12.5; closing is 1 of 3 in a 10 % section -> -3.33
    assert result.totals[2] == Decimal("84.17")
    assert result.overall.range == 15.83
    assert result.overall.std_dev == 6.51  # population std dev of 100, 93.75, 84.17
    assert result.overall_deviations == [0.0, -6.25, -15.83]
    unchanged = [r for i, r in enumerate(result.rows) if i not in (listening, closing)]
    assert all(r.spread.range == 0 and r.spread.std_dev == 0 for r in unchanged)


def test_it_keeps_drafts_out_of_the_results(panel, answers):
    session, (ann, bob, _) = panel
    services.evaluation_submit(call=session.call, reviewer=ann, calibration_session=session, answers=answers())
    services.evaluation_save_draft(call=session.call, reviewer=bob, calibration_session=session, answers=answers())
    result = calibration_result(session=session)
    assert result.submitted_count == 1
    assert result.totals == [Decimal("100.00"), None, None]


def test_it_keeps_calibration_apart_from_the_regular_evaluation(panel, answers):
    session, (ann, bob, _) = panel
    services.evaluation_submit(call=session.call, reviewer=ann, calibration_session=session, answers=answers())
    services.evaluation_submit(call=session.call, reviewer=bob, calibration_session=session, answers=answers())
    regular = services.evaluation_submit(call=session.call, reviewer=ReviewerFactory(), answers=answers())
    assert regular.calibration_session is None


def test_it_scores_blind_in_the_workspace(client, panel, answers):
    session, (ann, bob, _) = panel
    services.evaluation_submit(call=session.call, reviewer=ann, calibration_session=session, answers=answers(greeting="no"))
    client.force_login(bob)
    url = reverse("reviews:workspace", args=[session.call_id]) + f"?calibration={session.pk}"
    page = client.get(url).content.decode()
    assert "Calibration: November calibration" in page
    assert "Submitted" not in page and "ann" not in page  # nothing of ann's scoring shows
    assert client.get(reverse("reviews:calibration-result", args=[session.pk])).status_code == 403
    outsider = ReviewerFactory()
    client.force_login(outsider)
    assert client.get(url).status_code == 403


def test_it_shows_the_result_page_to_managers(client, panel, answers):
    session, (ann, bob, _) = panel
    services.evaluation_submit(call=session.call, reviewer=ann, calibration_session=session, answers=answers())
    client.force_login(ManagerFactory())
    page = client.get(reverse("reviews:calibration-result", args=[session.pk])).content.decode()
    assert "ann (expert)" in page and "100.00%" in page and "not submitted" in page


def test_it_needs_a_panel_of_reviewers_and_an_expert_from_it(rubric, transcribed_call):
    manager = ManagerFactory()
    with pytest.raises(ValidationError, match="at least two"):
        services.calibration_session_create(title="x", call=transcribed_call, reviewers=[ReviewerFactory()], created_by=manager)
    with pytest.raises(ValidationError, match="expert"):
        services.calibration_session_create(
            title="x", call=transcribed_call, reviewers=[ReviewerFactory(), ReviewerFactory()], created_by=manager, expert=ReviewerFactory(),
        )


def test_it_lists_a_reviewers_own_sessions_without_results(client, panel):
    session, (ann, _, _) = panel
    client.force_login(ann)
    page = client.get(reverse("admin:reviews_calibrationsession_changelist")).content.decode()
    assert "November calibration" in page and "Score it" in page
    assert reverse("reviews:calibration-result", args=[session.pk]) not in page
    client.force_login(ReviewerFactory())
    assert "November calibration" not in client.get(reverse("admin:reviews_calibrationsession_changelist")).content.decode()


def test_it_opens_the_change_page_of_a_session_and_changes_only_its_expert(client, panel):
    session, (ann, bob, _) = panel
    client.force_login(ManagerFactory())
    url = reverse("admin:reviews_calibrationsession_change", args=[session.pk])
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, {"expert": bob.pk})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.expert == bob and set(session.reviewers.all()) == set(panel[1])
    outsider = ReviewerFactory()
    assert client.post(url, {"expert": outsider.pk}).status_code == 200  # not on the panel: refused
    session.refresh_from_db()
    assert session.expert == bob
