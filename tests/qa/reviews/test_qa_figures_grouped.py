"""The grouped twin of qa_figures (per agent, per week) and combining groups back exactly."""

import pytest
from django.utils import timezone

from qa.reviews import services
from qa.reviews.models import Evaluation
from qa.reviews.selectors import combine_qa_figures, qa_figures, qa_figures_by
from qa.reviews.services import AnswerInput
from tests.factories import AgentFactory, CallFactory, ReviewerFactory

pytestmark = pytest.mark.django_db


def score(rubric, agent, **overrides):
    answers = {pk: AnswerInput(value=v) for pk, v in rubric.by_pk(rubric.best_answers(**overrides)).items()}
    return services.evaluation_submit(
        call=CallFactory(agent=agent, started_at=timezone.now()), reviewer=ReviewerFactory(), answers=answers,
    )


def test_it_groups_per_agent_in_two_queries_and_combines_back(rubric, django_assert_num_queries):
    ann, bob = AgentFactory(), AgentFactory()
    score(rubric, ann)
    score(rubric, ann, closing="no")
    score(rubric, bob, disclosure="no", identity="na", card="na")

    with django_assert_num_queries(2):
        by_agent = qa_figures_by(Evaluation.objects.all(), by="call__agent_id")
    with django_assert_num_queries(1):
        plain = qa_figures_by(Evaluation.objects.all(), by="call__agent_id", sections=False)

    assert by_agent[ann.pk] == qa_figures(Evaluation.objects.filter(call__agent=ann))
    assert by_agent[bob.pk] == qa_figures(Evaluation.objects.filter(call__agent=bob))
    assert plain[ann.pk].sections == [] and plain[ann.pk].average_score == by_agent[ann.pk].average_score
    combined, whole = combine_qa_figures(by_agent.values()), qa_figures(Evaluation.objects.all())
    assert (combined.evaluations, combined.critical_fails) == (whole.evaluations, whole.critical_fails)
    assert combined.average_score == pytest.approx(whole.average_score)
    assert [(s.title, s.evaluations) for s in combined.sections] == [(s.title, s.evaluations) for s in whole.sections]
    for mine, theirs in zip(combined.sections, whole.sections):
        assert mine.average_score == pytest.approx(theirs.average_score) if theirs.average_score is not None else mine.average_score is None


def test_it_groups_by_week():
    with pytest.raises(ValueError, match="unknown truncation"):
        qa_figures_by(Evaluation.objects.all(), by="call__started_at", trunc="fortnight")
    assert qa_figures_by(Evaluation.objects.none(), by="call__started_at", trunc="week") == {}
