"""Helpers for auto-QA tests: the task queue as the worker sees it, sample calls as the demo has them, and
automatic evaluations stored by hand on factory calls."""

from __future__ import annotations

import json

from django.utils.module_loading import import_string
from django_q.models import OrmQ

from qa.autoqa.evaluation import Answer, CheckResult, Evaluation, Evidence
from qa.autoqa.services import StoreOutcome, auto_evaluation_store
from recordings.models import Agent, Call, Client, Transcript
from tests.conftest import SAMPLES_DIR
from tests.factories import CallFactory
from tests.recordings.helpers import transcribed_sample_call

COMPANY = "Acme Telecom"  # the samples' scripts name it; load_demo's client


def queued_tasks() -> list[dict]:
    """The tasks waiting in the database broker: {"func", "args", "name"} each, oldest first."""
    tasks = []
    for row in OrmQ.objects.order_by("pk"):
        task = row.task
        tasks.append({"id": row.pk, "func": task["func"], "args": task["args"], "name": task["name"]})
    return tasks


def run_queued(func: str) -> list:
    """Take the queued tasks of `func` off the queue and run them, as a worker would. Returns their results."""
    results = []
    for task in queued_tasks():
        if task["func"] == func:
            OrmQ.objects.filter(pk=task["id"]).delete()
            results.append(import_string(func)(*task["args"]))
    return results


def drop_queued(func: str) -> int:
    """Take the queued tasks of `func` off the queue without running them."""
    ids = [task["id"] for task in queued_tasks() if task["func"] == func]
    return OrmQ.objects.filter(pk__in=ids).delete()[0]


def sample_metadata(name: str) -> dict:
    return json.loads((SAMPLES_DIR / f"{name}.json").read_text())["metadata"]


def acme() -> Client:
    return Client.objects.get_or_create(slug="acme-telecom", defaults={"name": COMPANY})[0]


def sample_agent(name: str) -> Agent:
    meta = sample_metadata(name)
    return Agent.objects.get_or_create(external_id=meta["agent_external_id"], defaults={"name": meta["agent_name"]})[0]


def transcribed_sample_for_acme(name: str) -> Call:
    """A sample call of Acme Telecom by its scripted agent, through the real pipeline (Whisper's words replayed)."""
    return transcribed_sample_call(name, client=acme(), agent=sample_agent(name))


def expected_answers(name: str) -> dict[str, str]:
    return json.loads((SAMPLES_DIR / f"{name}.json").read_text())["auto_qa_expected"]


# --- Automatic evaluations stored by hand --------------------------------------------------------

QUOTE = Evidence("agent", "Thank you for calling Acme Telecom, this is Sarah.", 0.4, 3.1)


def result(key, answer, confidence=0.9, evidence=(QUOTE,), applicable=True) -> CheckResult:
    answer = Answer(answer)
    return CheckResult(
        key=key, answer=answer, confidence=confidence if answer != Answer.UNKNOWN else 0.0, detail=f"{key} {answer}",
        evidence=evidence, method="phrase", applicable=applicable,
    )


def engine_result(*results) -> Evaluation:
    return Evaluation(results=tuple(results), semantic_model="minilm", notes=(), seconds=0.01)


def transcribed(**kwargs) -> Call:
    call = CallFactory(status=Call.Status.TRANSCRIBED, **kwargs)
    Transcript.objects.create(call=call, engine="test", model_name="test", processing_seconds=0)
    return call


def auto_store(rubric, call: Call, **answers) -> None:
    """Store an automatic evaluation of `call` (given a transcript if it has none) on `rubric` (`rubric_under_test`)
    through the real service. answers: key -> 'pass' | 'fail' | 'unknown' | 'n/a' (unknown, does not apply)."""
    if not Transcript.objects.filter(call=call).exists():
        Transcript.objects.create(call=call, engine="test", model_name="test", processing_seconds=0)
    transcript = Transcript.objects.get(call=call)
    results = [
        result(key, "unknown", applicable=False) if value == "n/a" else result(key, value) for key, value in answers.items()
    ]
    outcome = auto_evaluation_store(
        call_id=call.pk, transcript_id=transcript.pk, rubric_version_id=rubric.version.pk,
        evaluation=engine_result(*results), criteria={key: rubric.criteria[key].pk for key in answers},
    )
    assert outcome == StoreOutcome.STORED, f"call {call.pk} is {call.status}: automatic evaluations need a transcribed call"
