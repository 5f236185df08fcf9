"""The automatic evaluation of a call end to end, on real transcripts of the sample calls: transcript stored ->
task queued -> result stored; re-transcription recomputes; the checks are right on every sample."""

import pytest

from qa.autoqa.models import AutoEvaluation, AutoItem
from qa.autoqa.selectors import auto_evaluation_for_call
from qa.reviews.auto_services import AutoOutcome, auto_check_switch, call_auto_evaluate
from qa.reviews.tasks import auto_evaluate_call
from recordings.models import Call
from recordings.transcription import TranscribeOutcome, call_retranscribe, call_transcribe
from tests.conftest import SAMPLES_DIR
from tests.factories import CallFactory, ManagerFactory
from tests.qa.autoqa.helpers import drop_queued, expected_answers, queued_tasks, run_queued, transcribed_sample_for_acme
from tests.recordings.helpers import ReplayEngine

TASK = "qa.reviews.tasks.auto_evaluate_call"
SAMPLES = sorted(p.stem for p in SAMPLES_DIR.glob("*.json"))

pytestmark = pytest.mark.django_db


def answers(call: Call) -> dict[str, str]:
    return {item.criterion_key: item.answer for item in AutoItem.objects.filter(evaluation__call=call)}


@pytest.mark.slow
def test_it_queues_the_check_when_the_transcript_is_stored_and_stores_the_result(default_rubric, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call = transcribed_sample_for_acme("billing_double_charge")

    queued = [(t["func"], t["args"]) for t in queued_tasks() if t["func"] != "recordings.tasks.redact_recording"]
    assert queued == [(TASK, (call.pk,))]  # (the redacted audio copy is queued too)
    assert auto_evaluation_for_call(call=call) is None  # nothing until the worker runs it

    assert run_queued(TASK) == ["stored"]

    stored = auto_evaluation_for_call(call=call)
    assert stored.transcript_id == call.transcript.pk
    assert stored.rubric_version_id == default_rubric.versions.get().pk
    assert answers(call) == expected_answers("billing_double_charge")
    greeting = stored.items.get(criterion_key="greeting")
    assert greeting.criterion.key == "greeting" and greeting.criterion.section.version_id == stored.rubric_version_id
    assert greeting.evidence["speaker"] == "agent" and greeting.evidence["start"] < 15
    assert 0.5 < greeting.confidence <= 1


@pytest.mark.slow
def test_it_recomputes_when_the_call_is_transcribed_again(default_rubric, django_capture_on_commit_callbacks):
    call = transcribed_sample_for_acme("billing_double_charge")
    assert auto_evaluate_call(call.pk) == "stored"
    first = AutoEvaluation.objects.get(call=call)
    assert answers(call)["greeting"] == "pass"

    # Transcribed again, and this time the words heard are the rude agent's: no greeting, no closing.
    with django_capture_on_commit_callbacks(execute=True):
        call_retranscribe(call_id=call.pk)
    assert drop_queued("recordings.tasks.transcribe_call") == 1  # the replay below stands in for the worker
    with django_capture_on_commit_callbacks(execute=True):
        assert call_transcribe(call_id=call.pk, engine=ReplayEngine("rude_agent")) == TranscribeOutcome.TRANSCRIBED

    # The old result went with the old transcript; the queued task computes the new one.
    assert not AutoEvaluation.objects.filter(pk=first.pk).exists()
    assert run_queued(TASK) == ["stored"]
    call.refresh_from_db()
    assert AutoEvaluation.objects.get(call=call).transcript_id == call.transcript.pk
    assert answers(call)["greeting"] == "fail"
    assert answers(call)["closing"] == "fail"


@pytest.mark.slow
def test_it_is_idempotent(default_rubric):
    call = transcribed_sample_for_acme("card_payment")
    assert call_auto_evaluate(call_id=call.pk) == AutoOutcome.STORED
    before = answers(call)
    assert call_auto_evaluate(call_id=call.pk) == AutoOutcome.STORED
    assert AutoEvaluation.objects.filter(call=call).count() == 1
    assert answers(call) == before


@pytest.mark.slow
@pytest.mark.parametrize("name", SAMPLES)
def test_it_judges_every_default_check_right_on_each_sample_through_the_task(default_rubric, name):
    call = transcribed_sample_for_acme(name)

    assert auto_evaluate_call(call.pk) == "stored"

    assert answers(call) == expected_answers(name)


@pytest.mark.slow
def test_it_skips_a_check_that_is_switched_off(default_rubric):
    call = transcribed_sample_for_acme("billing_double_charge")
    call_auto_evaluate(call_id=call.pk)

    auto_check_switch(rubric=default_rubric, key="empathy", enabled=False, changed_by=ManagerFactory())

    assert "empathy" not in answers(call)  # its stored answers went with it
    call_auto_evaluate(call_id=call.pk)
    assert set(answers(call)) == set(expected_answers("billing_double_charge")) - {"empathy"}


@pytest.mark.parametrize(
    ("status", "outcome"), [(Call.Status.QUEUED, AutoOutcome.NO_TRANSCRIPT), (Call.Status.TRANSCRIBED, AutoOutcome.NO_TRANSCRIPT)]
)
def test_it_does_nothing_for_a_call_without_a_transcript(default_rubric, status, outcome):
    call = CallFactory(status=status)
    assert call_auto_evaluate(call_id=call.pk) == outcome
    assert not AutoEvaluation.objects.exists()


def test_it_answers_gone_for_a_deleted_call():
    assert call_auto_evaluate(call_id=987654) == AutoOutcome.GONE


def test_it_needs_a_rubric(sample_call):
    assert call_auto_evaluate(call_id=sample_call.pk) == AutoOutcome.NO_RUBRIC


def test_it_stores_nothing_when_the_rubric_has_no_checks(rubric, sample_call):
    assert call_auto_evaluate(call_id=sample_call.pk) == AutoOutcome.NO_CHECKS
    assert not AutoEvaluation.objects.exists()
