"""django-q2 entry points: thin wrappers over the training-need rules."""

from qa.performance.services import training_rules_run
from qa.reviews.models import Evaluation
from qa.reviews.selectors import counted_evaluations


def training_rules_run_all() -> str:
    run = training_rules_run()
    return f"agents={run.agents} opened={run.opened} reopened={run.reopened} updated={run.updated}"


def training_rules_after_evaluation(evaluation_id: int) -> str:
    """Queued by `qa.reviews.services` (settings.QA_EVALUATION_TASKS) after an evaluation is submitted or amended."""
    evaluation = counted_evaluations(Evaluation.objects.filter(pk=evaluation_id)).select_related("call").first()
    if evaluation is None or evaluation.call.agent_id is None:
        return "skipped: not a counted evaluation of an agent's call"
    run = training_rules_run(agent_ids=[evaluation.call.agent_id])
    return f"agents={run.agents} opened={run.opened} reopened={run.reopened} updated={run.updated}"
