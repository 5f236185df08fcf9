import pytest
from django.db import IntegrityError, transaction

from recordings.models import Call
from tests.factories import CallFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "changes",
    [
        {"csat": 6},
        {"csat": 0},
        {"nps": 11},
        {"status": "lost"},
        {"direction": "sideways"},
        {"status": "failed", "failure_reason": ""},
    ],
)
def test_it_lets_the_database_refuse_impossible_calls(changes):
    call = CallFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Call.objects.filter(pk=call.pk).update(**changes)


def test_it_refuses_a_second_call_with_the_same_external_id_for_a_client():
    call = CallFactory(external_id="X-1")

    with pytest.raises(IntegrityError), transaction.atomic():
        CallFactory(client=call.client, external_id="X-1")
