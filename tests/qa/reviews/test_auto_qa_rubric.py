"""The rubric side of auto-QA: keys and checks on criteria, versioned with the rubric; the default rubric's
checks; answers read as pass / fail; reviewers' verdicts at submission; the switch; recompute jobs."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qa.autoqa.defaults import DEFAULT_KEYS, default_checks
from qa.autoqa.models import AutoItem, HumanVerdict, RecomputeJob, Verdict
from qa.reviews import scoring
from qa.reviews.auto_services import (
    AutoOutcome,
    RecomputeOutcome,
    SwitchOutcome,
    auto_check_switch,
    auto_recompute_run,
    auto_recompute_start,
    call_auto_evaluate,
    version_checks,
)
from qa.reviews.autochecks import check_from_json, check_to_json, human_verdict, prefill_value
from qa.reviews.models import Criterion, Evaluation, RubricVersion
from qa.reviews.services import AnswerInput, evaluation_amend, evaluation_submit, rubric_version_start_edit
from tests.conftest import ingest_sample_call
from tests.factories import ManagerFactory, ReviewerFactory
from tests.qa.autoqa.helpers import acme, queued_tasks, run_queued, sample_agent
from tests.qa.reviews.factories import CriterionFactory

pytestmark = pytest.mark.django_db

GREETING_CHECK = {"rule": {"type": "phrase", "phrases": ["thank you for calling {company}"], "first_seconds": 15}}


def spec(answer_type, max_points=None):
    return scoring.CriterionSpec(key=1, answer_type=answer_type, max_points=max_points)


# --- Keys and checks on criteria ------------------------------------------------------------------


def test_it_gives_the_default_rubric_a_key_and_a_check_for_every_default_check(default_rubric):
    criteria = Criterion.objects.filter(section__version__rubric=default_rubric).exclude(key="")
    assert sorted(c.key for c in criteria) == sorted(DEFAULT_KEYS)
    dead_air = criteria.get(key="dead_air")
    assert dead_air.answer_type == scoring.YES_NO and dead_air.section.title == "Hold and closing"
    checks, ids = version_checks(default_rubric.versions.get())
    assert {c.key: c for c in checks} == {c.key: c for c in default_checks()}
    assert set(ids) == set(DEFAULT_KEYS)


def test_it_reads_back_a_stored_check_as_written():
    for check in default_checks():
        stored = json.loads(json.dumps(check_to_json(check)))
        assert "key" not in stored
        assert check_from_json(check.key, stored) == check


@pytest.mark.parametrize(
    ("key", "auto_check", "field", "message"),
    [
        ("greeting", {"rule": {"type": "phrase", "phrases": []}}, "auto_check", "phrases: needs at least one phrase"),
        ("greeting", {"rule": {"type": "sentiment"}}, "auto_check", "rule.type: must be one of"),
        ("greeting", {"key": "closing", **GREETING_CHECK}, "auto_check", "takes the question's key 'greeting'"),
        ("greeting", ["not", "an", "object"], "auto_check", "must be an object"),
        ("", GREETING_CHECK, "key", "needs a key"),
        ("Greeting!", None, "key", "Lower-case letters"),
    ],
)
def test_it_refuses_a_bad_check_naming_the_problem(key, auto_check, field, message):
    criterion = CriterionFactory.build(section=CriterionFactory().section, key=key, auto_check=auto_check)
    with pytest.raises(ValidationError) as caught:
        criterion.full_clean()
    assert message in " ".join(caught.value.message_dict[field])


def test_it_keeps_keys_unique_in_a_rubric_version(rubric):
    taken = rubric.criteria["greeting"]
    taken.key = "greeting"
    taken.save()
    other_section = rubric.criteria["closing"]
    other_section.key = "greeting"
    with pytest.raises(ValidationError, match="Another question of this rubric version has the key 'greeting'"):
        other_section.full_clean()
    other_version = CriterionFactory(key="greeting")
    other_version.full_clean()  # another version may use it


def test_it_copies_keys_checks_and_switches_into_a_new_version(default_rubric):
    version = default_rubric.versions.get()
    Criterion.objects.filter(section__version=version, key="empathy").update(auto_check_enabled=False)
    Evaluation.objects.create(call=ingest_sample_call_for_acme(), version=version, reviewer=ReviewerFactory())

    draft = rubric_version_start_edit(version=version)

    assert draft.pk != version.pk
    old = {c.key: c for c in Criterion.objects.filter(section__version=version)}
    new = {c.key: c for c in Criterion.objects.filter(section__version=draft)}
    assert set(new) == set(old)
    for key, criterion in new.items():
        assert (criterion.auto_check, criterion.auto_check_enabled) == (old[key].auto_check, old[key].auto_check_enabled)


# --- Answers and verdicts -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer_type", "max_points", "value", "verdict"),
    [
        (scoring.YES_NO, None, "yes", Verdict.PASS), (scoring.YES_NO, None, "no", Verdict.FAIL),
        (scoring.YES_NO_NA, None, "na", Verdict.NOT_APPLICABLE), (scoring.SCALE_1_5, None, "3", Verdict.PASS),
        (scoring.SCALE_1_5, None, "2", Verdict.FAIL), (scoring.POINTS, 3, "1", Verdict.FAIL), (scoring.POINTS, 3, "2", Verdict.PASS),
        (scoring.YES_NO, None, "", None),
    ],
)
def test_it_reads_a_reviewers_answer_as_pass_or_fail(answer_type, max_points, value, verdict):
    assert human_verdict(spec(answer_type, max_points), value) == verdict


@pytest.mark.parametrize(
    ("answer_type", "max_points", "answer", "applicable", "value"),
    [
        (scoring.YES_NO, None, "pass", True, "yes"), (scoring.YES_NO, None, "fail", True, "no"),
        (scoring.YES_NO_NA, None, "unknown", False, "na"), (scoring.YES_NO, None, "unknown", False, ""),
        (scoring.YES_NO_NA, None, "unknown", True, ""), (scoring.SCALE_1_5, None, "pass", True, "5"),
        (scoring.SCALE_1_5, None, "fail", True, "1"), (scoring.POINTS, 3, "pass", True, "3"), (scoring.POINTS, 3, "fail", True, "0"),
    ],
)
def test_it_preselects_the_answer_an_automatic_result_stands_for(answer_type, max_points, answer, applicable, value):
    item = AutoItem(answer=answer, applicable=applicable)
    assert prefill_value(spec(answer_type, max_points), item) == value


def ingest_sample_call_for_acme(name="card_payment"):
    from tests.conftest import SAMPLES_DIR

    return ingest_sample_call(SAMPLES_DIR, name, client=acme(), agent=sample_agent(name))


def submit(call, version, reviewer, **overrides):
    """Submit an evaluation: everything 'yes' / top marks / N/A for the hold, with overrides by key."""
    values = {}
    for criterion in Criterion.objects.filter(section__version=version):
        allowed = scoring.allowed_values(criterion.spec())
        values[criterion.pk] = AnswerInput(overrides.get(criterion.key, "na" if criterion.key == "hold_etiquette" else allowed[0] if allowed[0] == "yes" else allowed[-1]))
    return evaluation_submit(call=call, reviewer=reviewer, answers=values)


def test_it_records_the_reviewers_verdicts_and_agreement_when_an_evaluation_is_submitted_and_amended(default_rubric):
    # The script as transcript: greeting passes, empathy fails, identity is unclear, no hold, no analytics.
    call = ingest_sample_call_for_acme("card_payment")
    assert call_auto_evaluate(call_id=call.pk, use_semantic_model=False) == AutoOutcome.STORED
    version = default_rubric.versions.get()

    evaluation = submit(call, version, ReviewerFactory(), identity_verification="no", empathy="5")

    verdicts = {v.criterion_key: v for v in HumanVerdict.objects.filter(evaluation=evaluation)}
    assert set(verdicts) == set(DEFAULT_KEYS)
    assert (verdicts["identity_verification"].auto_answer, verdicts["identity_verification"].verdict) == ("unknown", "fail")
    assert verdicts["identity_verification"].agreed is None  # the check made no claim
    assert (verdicts["empathy"].auto_answer, verdicts["empathy"].verdict, verdicts["empathy"].agreed) == ("fail", "pass", False)
    assert (verdicts["hold_etiquette"].verdict, verdicts["hold_etiquette"].agreed) == ("not_applicable", True)
    assert verdicts["greeting"].agreed is True

    empathy = Criterion.objects.get(section__version=version, key="empathy")
    evaluation_amend(evaluation=evaluation, manager=ManagerFactory(), answers={empathy.pk: AnswerInput("2")}, reason="Cold tone.")

    amended = HumanVerdict.objects.get(evaluation=evaluation, criterion_key="empathy")
    assert (amended.verdict, amended.agreed) == ("fail", True)
    assert HumanVerdict.objects.filter(evaluation=evaluation).count() == len(DEFAULT_KEYS)


def test_it_records_no_verdicts_for_a_draft(default_rubric):
    call = ingest_sample_call_for_acme()
    from qa.reviews.services import evaluation_save_draft

    evaluation_save_draft(call=call, reviewer=ReviewerFactory(), answers={})
    assert not HumanVerdict.objects.exists()


# --- The switch ------------------------------------------------------------------------------------


def test_it_lets_only_managers_switch_a_check_and_names_an_unknown_one(default_rubric):
    with pytest.raises(PermissionDenied):
        auto_check_switch(rubric=default_rubric, key="greeting", enabled=False, changed_by=ReviewerFactory())
    with pytest.raises(ValidationError, match="has no automatic check 'tone'"):
        auto_check_switch(rubric=default_rubric, key="tone", enabled=False, changed_by=ManagerFactory())


def test_it_switches_a_check_off_and_on_again(default_rubric):
    manager = ManagerFactory()
    call = ingest_sample_call_for_acme()
    call_auto_evaluate(call_id=call.pk, use_semantic_model=False)

    assert auto_check_switch(rubric=default_rubric, key="greeting", enabled=False, changed_by=manager) == SwitchOutcome.SWITCHED_OFF
    assert auto_check_switch(rubric=default_rubric, key="greeting", enabled=False, changed_by=manager) == SwitchOutcome.UNCHANGED
    assert not AutoItem.objects.filter(criterion_key="greeting").exists()
    assert AutoItem.objects.filter(criterion_key="closing").exists()

    assert auto_check_switch(rubric=default_rubric, key="greeting", enabled=True, changed_by=manager) == SwitchOutcome.SWITCHED_ON
    call_auto_evaluate(call_id=call.pk, use_semantic_model=False)
    assert AutoItem.objects.get(criterion_key="greeting").answer == "pass"


# --- Recompute jobs ---------------------------------------------------------------------------------


def test_it_recomputes_a_range_in_batches_with_progress(default_rubric, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr("qa.reviews.auto_services.RECOMPUTE_BATCH", 2)
    calls = [ingest_sample_call_for_acme(name) for name in ("card_payment", "billing_double_charge", "rude_agent")]
    day = calls[0].started_at.date()

    with django_capture_on_commit_callbacks(execute=True):
        job = auto_recompute_start(date_from=day, date_to=day, requested_by=ManagerFactory())
    assert (job.total, job.status) == (3, RecomputeJob.Status.QUEUED)
    assert [(t["func"], t["args"]) for t in queued_tasks()] == [("qa.reviews.tasks.auto_recompute", (job.pk,))]

    with django_capture_on_commit_callbacks(execute=True):
        assert run_queued("qa.reviews.tasks.auto_recompute") == ["continues"]
    job.refresh_from_db()
    assert (job.status, job.processed, job.stored, job.percent) == (RecomputeJob.Status.RUNNING, 2, 2, 67)

    assert run_queued("qa.reviews.tasks.auto_recompute") == ["done"]  # the next batch, queued by the first
    job.refresh_from_db()
    assert (job.status, job.processed, job.stored, job.failed, job.percent) == (RecomputeJob.Status.DONE, 3, 3, 0, 100)
    assert job.finished_at is not None
    assert all(hasattr(call, "auto_evaluation") for call in calls)
    assert auto_recompute_run(job_id=job.pk) == RecomputeOutcome.STOPPED


def test_it_skips_a_broken_check_and_runs_the_others(default_rubric):
    calls = [ingest_sample_call_for_acme(name) for name in ("card_payment", "rude_agent")]
    day = calls[0].started_at.date()
    job = auto_recompute_start(date_from=day, date_to=day, requested_by=ManagerFactory())
    Criterion.objects.filter(key="greeting").update(auto_check={"rule": {"type": "phrase"}})  # written around validation

    assert auto_recompute_run(job_id=job.pk) == RecomputeOutcome.DONE

    job.refresh_from_db()
    assert (job.processed, job.stored, job.failed) == (2, 2, 0)  # the broken check is skipped, the rest run
    assert not AutoItem.objects.filter(criterion_key="greeting").exists()


def test_it_counts_a_call_that_fails_and_goes_on(default_rubric, monkeypatch):
    calls = [ingest_sample_call_for_acme(name) for name in ("card_payment", "rude_agent")]
    day = calls[0].started_at.date()
    job = auto_recompute_start(date_from=day, date_to=day, requested_by=ManagerFactory())
    evaluate = call_auto_evaluate

    def broken_for_the_first(*, call_id):
        if call_id == calls[0].pk:
            raise RuntimeError("the database went away")
        return evaluate(call_id=call_id)

    monkeypatch.setattr("qa.reviews.auto_services.call_auto_evaluate", broken_for_the_first)

    assert auto_recompute_run(job_id=job.pk) == RecomputeOutcome.DONE

    job.refresh_from_db()
    assert (job.status, job.processed, job.stored, job.failed) == (RecomputeJob.Status.DONE, 2, 1, 1)


def test_it_lets_only_managers_recompute(default_rubric):
    with pytest.raises(PermissionDenied):
        auto_recompute_start(date_from=None, date_to=None, requested_by=ReviewerFactory())


def test_it_needs_a_published_version(rubric):
    RubricVersion.objects.update(status=RubricVersion.Status.DRAFT, published_at=None)
    call = ingest_sample_call_for_acme()
    assert call_auto_evaluate(call_id=call.pk) == AutoOutcome.NO_RUBRIC
