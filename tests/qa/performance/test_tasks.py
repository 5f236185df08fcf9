"""The rules run after each submitted or amended evaluation (queued after commit) and on a django-q2 schedule."""

import pytest
from django.utils import timezone
from django_q.models import OrmQ, Schedule

from qa.performance.models import TrainingFlag
from qa.performance.rules import Rule
from qa.performance.schedules import SCHEDULES
from qa.performance.tasks import training_rules_after_evaluation, training_rules_run_all
from qa.reviews import services
from qa.reviews.services import AnswerInput
from tests.factories import AgentFactory, ManagerFactory, ReviewerFactory
from tests.qa.performance.helpers import call, submit

pytestmark = pytest.mark.django_db
TASK = "qa.performance.tasks.training_rules_after_evaluation"


@pytest.fixture
def sync_cluster(monkeypatch):
    """django-q2 runs queued tasks inline: the real task, without a separate process."""
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)


def test_it_queues_the_rules_once_the_submission_is_committed(rubric, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        evaluation = submit(rubric, call(agent=AgentFactory(), started_at=timezone.now()))
        assert not OrmQ.objects.exists()  # nothing before the commit
    for callback in callbacks:
        callback()

    (queued,) = OrmQ.objects.all()
    assert (queued.task["func"], queued.task["args"]) == (TASK, (evaluation.pk,))


def test_it_runs_the_rules_after_a_submission_and_after_an_amendment(rubric, sync_cluster, django_capture_on_commit_callbacks):
    agent = AgentFactory()
    with django_capture_on_commit_callbacks(execute=True):
        evaluation = submit(rubric, call(agent=agent, started_at=timezone.now()))
    assert not TrainingFlag.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        services.evaluation_amend(
            evaluation=evaluation, manager=ManagerFactory(), reason="Heard no disclosure.",
            answers={rubric.criteria["disclosure"].pk: AnswerInput(value="no")},
        )

    assert set(TrainingFlag.objects.filter(agent=agent).values_list("rule", flat=True)) == {
        Rule.CRITICAL_FAIL, Rule.SECTION_BELOW,
    }


def test_it_skips_an_evaluation_that_does_not_count(rubric):
    draft = services.evaluation_save_draft(call=call(agent=AgentFactory()), reviewer=ReviewerFactory(), answers={})
    assert training_rules_after_evaluation(draft.pk).startswith("skipped")
    assert training_rules_after_evaluation(10**9).startswith("skipped")


def test_it_schedules_the_rules_from_its_migration_and_the_job_runs(rubric):
    (spec,) = SCHEDULES
    schedule = Schedule.objects.get(name=spec.name)
    assert (schedule.func, schedule.schedule_type) == ("qa.performance.tasks.training_rules_run_all", "H")
    submit(rubric, call(agent=AgentFactory(), started_at=timezone.now()), disclosure="no")
    assert training_rules_run_all() == "agents=1 opened=2 reopened=0 updated=0"
