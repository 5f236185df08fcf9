"""Stored auto-QA results on hand-made data: storing and replacing, reviewers' verdicts, and the maths of
agreement, coverage and fail rates."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from qa.autoqa.models import AutoEvaluation, AutoItem, HumanVerdict, RecomputeJob, Verdict
from qa.autoqa.selectors import auto_coverage, auto_fail_rates, check_agreement
from qa.autoqa.services import (
    StoreOutcome,
    auto_evaluation_store,
    human_verdicts_replace,
    recompute_job_advance,
    recompute_job_create,
    recompute_job_start,
)
from qa.reviews.models import Evaluation as HumanEvaluation
from recordings.models import Call, Transcript
from tests.factories import CallFactory, ClientFactory, ReviewerFactory
from tests.qa.autoqa.helpers import QUOTE, auto_store, engine_result, result, transcribed
from tests.qa.reviews.factories import rubric_under_test

pytestmark = pytest.mark.django_db


class Scored:
    """Calls checked automatically and scored by a reviewer, built by hand."""

    def __init__(self):
        self.rubric = rubric_under_test()
        self.reviewer = ReviewerFactory()

    def auto(self, call, **answers):
        """answers: key -> 'pass' | 'fail' | 'unknown' | 'n/a' (unknown, does not apply)."""
        auto_store(self.rubric, call, **answers)

    def human(self, call, **verdicts):
        evaluation = HumanEvaluation.objects.create(call=call, version=self.rubric.version, reviewer=self.reviewer)
        return human_verdicts_replace(call_id=call.pk, evaluation_id=evaluation.pk, verdicts={k: Verdict(v) for k, v in verdicts.items()})


# --- Storing -----------------------------------------------------------------------------------


def test_it_stores_each_item_with_its_evidence_and_replaces_the_whole_result():
    scored, call = Scored(), transcribed()
    scored.auto(call, greeting="pass", hold="n/a")

    first = AutoEvaluation.objects.get(call=call)
    greeting = first.items.get(criterion_key="greeting")
    assert greeting.criterion == scored.rubric.criteria["greeting"]
    assert (greeting.answer, greeting.confidence) == ("pass", 0.9)
    assert greeting.evidence == {"speaker": "agent", "text": QUOTE.text, "start": 0.4, "end": 3.1}
    hold = first.items.get(criterion_key="hold")
    assert (hold.answer, hold.confidence, hold.applicable) == ("unknown", 0.0, False)

    scored.auto(call, greeting="fail")

    assert not AutoEvaluation.objects.filter(pk=first.pk).exists()
    assert list(AutoItem.objects.filter(evaluation__call=call).values_list("criterion_key", "answer")) == [("greeting", "fail")]


def test_it_discards_a_result_computed_from_a_transcript_that_was_replaced():
    scored, call = Scored(), transcribed()
    old_transcript = call.transcript.pk
    Transcript.objects.filter(call=call).delete()
    Transcript.objects.create(call=call, engine="test", model_name="test", processing_seconds=0)

    outcome = auto_evaluation_store(
        call_id=call.pk, transcript_id=old_transcript, rubric_version_id=scored.rubric.version.pk,
        evaluation=engine_result(result("greeting", "pass")), criteria={"greeting": scored.rubric.criteria["greeting"].pk},
    )

    assert outcome == StoreOutcome.STALE
    assert not AutoEvaluation.objects.exists()


def test_it_refuses_a_result_for_a_check_without_a_criterion_and_writes_nothing():
    scored, call = Scored(), transcribed()
    with pytest.raises(ValueError, match=r"no criterion given for the checks \['closing'\]"):
        auto_evaluation_store(
            call_id=call.pk, transcript_id=call.transcript.pk, rubric_version_id=scored.rubric.version.pk,
            evaluation=engine_result(result("greeting", "pass"), result("closing", "fail")),
            criteria={"greeting": scored.rubric.criteria["greeting"].pk},
        )
    assert not AutoEvaluation.objects.exists()


def test_it_goes_with_its_transcript():
    scored, call = Scored(), transcribed()
    scored.auto(call, greeting="pass")
    Transcript.objects.filter(call=call).delete()
    assert not AutoEvaluation.objects.exists() and not AutoItem.objects.exists()


# --- Reviewers' verdicts -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("auto", "verdict", "agreed"),
    [
        ("pass", "pass", True), ("fail", "fail", True), ("pass", "fail", False), ("fail", "pass", False),
        ("fail", "not_applicable", False), ("unknown", "pass", None), ("n/a", "not_applicable", True), ("n/a", "fail", False),
        (None, "pass", None),
    ],
)
def test_it_records_whether_the_reviewer_kept_the_automatic_answer(auto, verdict, agreed):
    scored, call = Scored(), transcribed()
    if auto is not None:
        scored.auto(call, greeting=auto)

    (recorded,) = scored.human(call, greeting=verdict)

    assert recorded.agreed is agreed
    assert recorded.auto_answer == {None: "", "n/a": "unknown"}.get(auto, auto)


# --- Agreement -------------------------------------------------------------------------------------


def test_it_computes_precision_and_recall_of_fail_and_the_unknown_share_per_check():
    scored = Scored()
    cases = [
        ("fail", "fail"), ("fail", "fail"), ("fail", "fail"),  # caught
        ("fail", "pass"),  # a false alarm
        ("pass", "fail"), ("pass", "fail"),  # missed
        ("pass", "pass"), ("pass", "pass"),
        ("unknown", "fail"),  # could not tell
        ("n/a", "not_applicable"),  # does not apply, and the reviewer agrees
        ("fail", "not_applicable"),  # the reviewer says it does not apply: counts in neither rate
        ("fail", None),  # no reviewer yet: not scored by both
        (None, "fail"),  # not checked: not scored by both
    ]
    for auto, human in cases:
        call = transcribed()
        if auto:
            scored.auto(call, greeting=auto, closing="pass")
        if human:
            scored.human(call, greeting=human, closing="pass")

    by_key = {a.key: a for a in check_agreement()}

    greeting = by_key["greeting"]
    assert greeting.rubric_id == scored.rubric.rubric.pk
    assert greeting.calls == 11
    assert (greeting.both_fail, greeting.auto_fail, greeting.human_fail) == (3, 4, 5)
    assert greeting.precision == pytest.approx(3 / 4)
    assert greeting.recall == pytest.approx(3 / 5)
    assert greeting.unknown_share == pytest.approx(2 / 11)
    # Kept: 3 caught + 2 passes + the agreed n/a; changed: the false alarm, 2 missed, the fail marked n/a.
    assert (greeting.confirmed, greeting.overridden) == (6, 4)
    assert greeting.confirmed_share == pytest.approx(0.6)

    closing = by_key["closing"]
    assert (closing.calls, closing.auto_fail, closing.human_fail) == (11, 0, 0)
    assert closing.precision is None and closing.recall is None
    assert closing.unknown_share == 0


def test_it_compares_with_the_current_automatic_answer_after_a_recompute():
    scored, call = Scored(), transcribed()
    scored.auto(call, greeting="pass")
    scored.human(call, greeting="fail")
    (before,) = check_agreement()
    assert (before.both_fail, before.human_fail, before.overridden) == (0, 1, 1)

    scored.auto(call, greeting="fail")  # the rule was fixed and the call recomputed

    (after,) = check_agreement()
    assert (after.both_fail, after.auto_fail, after.human_fail) == (1, 1, 1)
    assert after.precision == after.recall == 1.0
    assert after.overridden == 1  # what the reviewer was shown at the time does not change


def test_it_limits_agreement_to_some_calls():
    scored = Scored()
    mine, other = ClientFactory(), ClientFactory()
    for client, auto in ((mine, "fail"), (other, "pass")):
        call = transcribed(client=client)
        scored.auto(call, greeting=auto)
        scored.human(call, greeting="fail")

    (only_mine,) = check_agreement(calls=Call.objects.filter(client=mine))

    assert (only_mine.calls, only_mine.both_fail, only_mine.recall) == (1, 1, 1.0)


# --- Coverage and fail rates -------------------------------------------------------------------------


def test_it_computes_the_share_of_calls_checked_and_the_pass_rate_per_item():
    scored = Scored()
    for greeting in ("pass", "pass", "fail"):
        scored.auto(transcribed(), greeting=greeting, hold="n/a")
    transcribed()  # transcribed, not checked yet
    CallFactory(status=Call.Status.QUEUED)  # not transcribed: not counted

    coverage = auto_coverage(Call.objects.all())

    assert (coverage.transcribed_calls, coverage.checked_calls) == (4, 3)
    assert coverage.checked_share == pytest.approx(3 / 4)
    greeting = coverage.item("greeting")
    assert (greeting.passed, greeting.failed, greeting.unknown) == (2, 1, 0)
    assert greeting.pass_rate == pytest.approx(2 / 3)
    hold = coverage.item("hold")
    assert (hold.unknown, hold.pass_rate) == (3, None)
    assert auto_coverage(Call.objects.none()).checked_share is None


def test_it_gives_fail_rates_only_for_checks_judged_on_enough_calls():
    scored = Scored()
    for greeting, closing in (("fail", "pass"), ("fail", "unknown"), ("pass", "unknown")):
        scored.auto(transcribed(), greeting=greeting, closing=closing)

    rates = auto_fail_rates(Call.objects.all(), min_calls=3)

    assert set(rates) == {"greeting"}  # closing judged on 1 call only
    assert rates["greeting"].fail_rate == pytest.approx(2 / 3)
    assert set(auto_fail_rates(Call.objects.all(), min_calls=1)) == {"greeting", "closing"}
    with pytest.raises(ValueError, match="min_calls must be at least 1"):
        auto_fail_rates(Call.objects.all(), min_calls=0)


# --- Recompute jobs ------------------------------------------------------------------------------------


def test_it_counts_the_calls_a_job_covers_by_day_and_client():
    client = ClientFactory()
    day = date(2026, 3, 10)
    at = timezone.make_aware(datetime(2026, 3, 10, 12))
    for started, call_client in ((at, client), (at + timedelta(days=1), client), (at - timedelta(days=1), client), (at, ClientFactory())):
        transcribed(client=call_client, started_at=started)

    assert recompute_job_create(date_from=day, date_to=day + timedelta(days=1), client=client).total == 2
    assert recompute_job_create(date_from=day, date_to=day).total == 2  # every client


def test_it_refuses_a_range_that_ends_before_it_starts():
    with pytest.raises(ValidationError, match="before the first"):
        recompute_job_create(date_from=date(2026, 3, 10), date_to=date(2026, 3, 9))
    assert not RecomputeJob.objects.exists()


def test_it_moves_a_job_on_only_from_where_its_worker_left_it():
    job = recompute_job_create(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))
    job = recompute_job_start(job_id=job.pk)
    twin = RecomputeJob.objects.get(pk=job.pk)  # the same task handed to a second worker

    assert recompute_job_advance(job=job, call_id=5, stored=True, failed=False)
    assert not recompute_job_advance(job=twin, call_id=5, stored=True, failed=False)

    job.refresh_from_db()
    assert (job.cursor, job.processed, job.stored, job.failed) == (5, 1, 1, 0)


def test_it_keeps_no_verdict_twice_for_an_evaluation():
    scored, call = Scored(), transcribed()
    evaluation = HumanEvaluation.objects.create(call=call, version=scored.rubric.version, reviewer=scored.reviewer)
    human_verdicts_replace(call_id=call.pk, evaluation_id=evaluation.pk, verdicts={"greeting": Verdict.PASS})
    human_verdicts_replace(call_id=call.pk, evaluation_id=evaluation.pk, verdicts={"greeting": Verdict.FAIL})
    assert list(HumanVerdict.objects.values_list("criterion_key", "verdict")) == [("greeting", "fail")]
