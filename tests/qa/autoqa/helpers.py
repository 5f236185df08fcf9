"""Helpers for auto-QA tests: the task queue as the worker sees it, and sample calls as the demo has them."""

from __future__ import annotations

import json

from django.utils.module_loading import import_string
from django_q.models import OrmQ

from recordings.models import Agent, Call, Client
from tests.conftest import SAMPLES_DIR
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
