"""QA figures against hand-computed values: which evaluations count, averages, sections, critical fails."""

import pytest

from qa.reviews import services
from qa.reviews.models import Evaluation
from qa.reviews.selectors import counted_evaluations, qa_figures
from qa.reviews.services import AnswerInput
from tests.factories import CallFactory, ManagerFactory, ReviewerFactory

pytestmark = pytest.mark.django_db


def submit(rubric, call=None, reviewer=None, session=None, **overrides) -> Evaluation:
    answers = {pk: AnswerInput(value=v) for pk, v in rubric.by_pk(rubric.best_answers(**overrides)).items()}
    return services.evaluation_submit(
        call=call or CallFactory(status="transcribed"), reviewer=reviewer or ReviewerFactory(),
        answers=answers, calibration_session=session,
    )


def test_it_gives_nulls_when_nothing_was_evaluated(rubric):
    figures = qa_figures(Evaluation.objects.all())
    assert (figures.evaluations, figures.average_score, figures.critical_fails, figures.sections) == (0, None, 0, [])


def test_it_averages_scores_and_sections_and_counts_critical_fails(rubric):
    submit(rubric)  # 100
    submit(rubric, closing="no")  # 96.67: closing section 66.67
    submit(rubric, disclosure="no")  # 0 (critical); opening section 2 of 3 weight points: 66.67
    services.evaluation_save_draft(call=CallFactory(status="transcribed"), reviewer=ReviewerFactory(), answers={})  # a draft

    figures = qa_figures(Evaluation.objects.all())

    assert figures.evaluations == 3 and figures.critical_fails == 1
    assert figures.average_score == pytest.approx((100 + 96.67 + 0) / 3)
    by_title = {s.title: s for s in figures.sections}
    opening = rubric.criteria["greeting"].section.title
    closing = rubric.criteria["closing"].section.title
    assert by_title[opening].average_score == pytest.approx((100 + 100 + 66.67) / 3)
    assert by_title[closing].average_score == pytest.approx((100 + 66.67 + 100) / 3)
    assert [s.title for s in figures.sections] == [s.title for s in rubric.version.sections.all()]


def test_it_leaves_a_section_answered_all_na_out_of_that_sections_average(rubric):
    submit(rubric, identity="na", card="na")  # the compliance section has nothing to score
    submit(rubric, identity="no")  # critical: 0, compliance section 33.33

    compliance = rubric.criteria["identity"].section.title
    section = next(s for s in qa_figures(Evaluation.objects.all()).sections if s.title == compliance)

    assert (section.average_score, section.evaluations) == (pytest.approx(33.33), 1)


def test_it_counts_only_the_experts_calibration_score_and_only_when_there_is_no_regular_one(rubric):
    ann, bob = ReviewerFactory(), ReviewerFactory()
    call = CallFactory(status="transcribed")
    session = services.calibration_session_create(
        title="Panel", call=call, reviewers=[ann, bob], created_by=ManagerFactory(), expert=ann,
    )
    expert = submit(rubric, call=call, reviewer=ann, session=session)
    submit(rubric, call=call, reviewer=bob, session=session, disclosure="no")  # never counts

    assert list(counted_evaluations()) == [expert]
    regular = submit(rubric, call=call, closing="no")
    assert list(counted_evaluations()) == [regular]  # the call is scored once
