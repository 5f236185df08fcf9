"""Portal fixtures: two clients, their staff, and a way to score a call."""

from __future__ import annotations

import pytest

from qa.reviews import services
from qa.reviews.models import Evaluation
from qa.reviews.services import AnswerInput
from tests.factories import ClientFactory, ReviewerFactory, UserFactory


@pytest.fixture
def acme(db):
    return ClientFactory(slug="acme", name="Acme Telecom")


@pytest.fixture
def globex(db):
    return ClientFactory(slug="globex", name="Globex Energy")


@pytest.fixture
def acme_staff(acme):
    user = UserFactory(username="acme-staff")
    acme.users.add(user)
    return user


def score(rubric, call, *, reviewer=None, comment: str = "", comments: dict | None = None, **overrides) -> Evaluation:
    """Submit an evaluation of `call`: the best answers, with some overridden (see rubric_under_test)."""
    comments = comments or {}
    values = rubric.best_answers(**overrides)
    answers = {
        rubric.criteria[key].pk: AnswerInput(value=value, comment=comments.get(key, "")) for key, value in values.items()
    }
    return services.evaluation_submit(call=call, reviewer=reviewer or ReviewerFactory(), answers=answers, comment=comment)
