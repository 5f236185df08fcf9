"""Shared helpers for the performance tests: periods in the past, calls, evaluations through the real services."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from rest_framework.test import APIClient

from qa.lib.periods import MONTH, Period, period_containing
from qa.reviews import services
from qa.reviews.models import Evaluation
from qa.reviews.services import AnswerInput
from recordings.models import Call
from tests.factories import CallFactory, ReviewerFactory


def past_month(months_back: int = 2) -> Period:
    """A whole calendar month well in the past: every repeat-contact window in it has closed."""
    return period_containing(MONTH, timezone.localdate() - timedelta(days=31 * months_back))


def at(day, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def call(**fields) -> Call:
    """A handled call with nothing optional unless given."""
    defaults = {"talk_seconds": None, "hold_seconds": None, "after_call_work_seconds": None, "status": "transcribed"}
    return CallFactory(**{**defaults, **fields})


def submit(rubric, target: Call, reviewer=None, comment: str = "", **overrides) -> Evaluation:
    """Submit an evaluation of `target` through the real service: the best answers, some overridden."""
    answers = {pk: AnswerInput(value=v) for pk, v in rubric.by_pk(rubric.best_answers(**overrides)).items()}
    return services.evaluation_submit(call=target, reviewer=reviewer or ReviewerFactory(), answers=answers, comment=comment)


def api_as(user) -> APIClient:
    """An API client acting as `user` (anonymous: no credentials)."""
    api = APIClient()
    if not isinstance(user, AnonymousUser):
        api.force_authenticate(user)
    return api
