"""The demo shows automatic evaluations: load_demo checks the sample calls already transcribed."""

import pytest
from django.core.management import call_command

from qa.autoqa.models import AutoItem
from recordings.models import Call
from recordings.transcription import TranscribeOutcome, call_transcribe
from tests.qa.autoqa.helpers import expected_answers, sample_metadata
from tests.recordings.helpers import ReplayEngine, queued

pytestmark = pytest.mark.django_db


@pytest.mark.slow
def test_it_checks_the_transcribed_sample_calls():
    call_command("load_demo", stdout=None)
    call = queued(Call.objects.get(external_id=sample_metadata("billing_double_charge")["external_id"]))
    assert call_transcribe(call_id=call.pk, engine=ReplayEngine("billing_double_charge")) == TranscribeOutcome.TRANSCRIBED

    call_command("load_demo", stdout=None)

    answers = dict(AutoItem.objects.filter(evaluation__call=call).values_list("criterion_key", "answer"))
    assert answers == expected_answers("billing_double_charge")
    assert not AutoItem.objects.exclude(evaluation__call=call).exists()  # the others wait for the worker
