"""Auto-QA reads: a call's result, agreement with reviewers per check, coverage and fail rates for figures.

Figures take a queryset of calls (an agent's, a team's, a client's, in a period), as
`recordings.figures.call_figures` does, and aggregate in one query each.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet, Subquery

from qa.autoqa.models import AutoAnswer, AutoEvaluation, AutoItem, HumanVerdict, RecomputeJob, Verdict
from qa.lib.periods import Period
from recordings.models import Call


def auto_evaluation_for_call(*, call: Call) -> AutoEvaluation | None:
    """The call's stored automatic evaluation with its items, or None until computed."""
    return AutoEvaluation.objects.filter(call=call).prefetch_related("items").first()


def auto_items_by_key(*, call: Call) -> dict[str, AutoItem]:
    return {item.criterion_key: item for item in AutoItem.objects.filter(evaluation__call=call)}


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# --- Agreement with reviewers -----------------------------------------------------------


@dataclass(frozen=True)
class CheckAgreement:
    """How one check's current answers compare with reviewers' answers on the calls both scored.

    `fail` is the positive class: precision is the share of automatic fails a reviewer also failed,
    recall the share of reviewers' fails the check caught. Calls a reviewer marked not applicable, or the
    check left unknown, count in neither; `unknown_share` is the share of both-scored calls left unknown.
    """

    rubric_id: int
    key: str
    calls: int  # scored by both
    auto_fail: int  # automatic fail, reviewer pass or fail
    human_fail: int  # reviewer fail, automatic pass or fail
    both_fail: int
    unknown: int
    confirmed: int  # the reviewer kept the automatic answer they were shown
    overridden: int  # ...or changed it

    @property
    def precision(self) -> float | None:
        return _share(self.both_fail, self.auto_fail)

    @property
    def recall(self) -> float | None:
        return _share(self.both_fail, self.human_fail)

    @property
    def unknown_share(self) -> float | None:
        return _share(self.unknown, self.calls)

    @property
    def confirmed_share(self) -> float | None:
        return _share(self.confirmed, self.confirmed + self.overridden)


def check_agreement(*, calls: QuerySet[Call] | None = None) -> list[CheckAgreement]:
    """Per rubric and check key, on the calls with both a reviewer's submitted verdict and an automatic item."""
    human = HumanVerdict.objects.filter(call=OuterRef("evaluation__call"), criterion_key=OuterRef("criterion_key")).order_by("-recorded_at")
    items = AutoItem.objects.annotate(
        human=Subquery(human.values("verdict")[:1]), agreed=Subquery(human.values("agreed")[:1])
    ).filter(human__isnull=False)
    if calls is not None:
        items = items.filter(evaluation__call__in=calls.values("pk"))
    judged = Q(human__in=[Verdict.PASS, Verdict.FAIL])
    rows = (
        items.values("evaluation__rubric_version__rubric_id", "criterion_key")
        .annotate(
            n=Count("pk"),
            auto_fail=Count("pk", filter=judged & Q(answer=AutoAnswer.FAIL)),
            human_fail=Count("pk", filter=Q(human=Verdict.FAIL) & Q(answer__in=[AutoAnswer.PASS, AutoAnswer.FAIL])),
            both_fail=Count("pk", filter=Q(human=Verdict.FAIL, answer=AutoAnswer.FAIL)),
            unknown=Count("pk", filter=Q(answer=AutoAnswer.UNKNOWN)),
            confirmed=Count("pk", filter=Q(agreed=True)),
            overridden=Count("pk", filter=Q(agreed=False)),
        )
        .order_by("evaluation__rubric_version__rubric_id", "criterion_key")
    )
    return [
        CheckAgreement(
            rubric_id=r["evaluation__rubric_version__rubric_id"], key=r["criterion_key"], calls=r["n"],
            auto_fail=r["auto_fail"], human_fail=r["human_fail"], both_fail=r["both_fail"], unknown=r["unknown"],
            confirmed=r["confirmed"], overridden=r["overridden"],
        )
        for r in rows
    ]


# --- Coverage and fail rates, for the performance and portal pages ------------------------


@dataclass(frozen=True)
class ItemCoverage:
    key: str
    passed: int
    failed: int
    unknown: int

    @property
    def label(self) -> str:
        """The key as people read it: "recording_disclosure" -> "Recording disclosure"."""
        return self.key.replace("_", " ").capitalize()

    @property
    def judged(self) -> int:
        return self.passed + self.failed

    @property
    def pass_rate(self) -> float | None:
        """Of the calls the check could judge (unknown left out)."""
        return _share(self.passed, self.judged)

    @property
    def fail_rate(self) -> float | None:
        return _share(self.failed, self.judged)


@dataclass(frozen=True)
class AutoCoverage:
    """Automatic checks over a set of calls: kept apart from human QA scores, which stay the QA score."""

    transcribed_calls: int
    checked_calls: int
    items: list[ItemCoverage]

    @property
    def checked_share(self) -> float | None:
        return _share(self.checked_calls, self.transcribed_calls)

    @property
    def pass_rate(self) -> float | None:
        """Every check's answers together: passes over the answers that judged (unknown left out)."""
        return _share(sum(i.passed for i in self.items), sum(i.judged for i in self.items))

    def item(self, key: str) -> ItemCoverage | None:
        return next((i for i in self.items if i.key == key), None)

    def beside(self, other: AutoCoverage | None) -> list[tuple[ItemCoverage, ItemCoverage | None]]:
        """Each check with the same check in `other` (a team's coverage beside an agent's), for a table."""
        return [(i, other.item(i.key) if other is not None else None) for i in self.items]


NO_COVERAGE = AutoCoverage(transcribed_calls=0, checked_calls=0, items=[])


def _coverage_totals() -> dict:
    transcribed = Q(status=Call.Status.TRANSCRIBED)
    # EXISTS rather than a join: on PostgreSQL it probes the one-to-one index instead of hashing every result.
    checked = Exists(AutoEvaluation.objects.filter(call=OuterRef("pk")))
    return {"transcribed": Count("pk", filter=transcribed), "checked": Count("pk", filter=transcribed & Q(checked))}


_ITEM = "auto_evaluation__items__"


def _item_rows(calls: QuerySet[Call], *, group: str | None = None) -> list[dict]:
    """Per check key (and group, a field path on Call), its pass, fail and unknown counts over the transcribed
    calls (as `checked_calls`: a call being transcribed again counts once its new result is in), in rubric order.

    Joined from the calls themselves (not `IN (their ids)`), so the calls are read once.
    """
    def answered(answer: AutoAnswer) -> Count:
        return Count(f"{_ITEM}pk", filter=Q(**{f"{_ITEM}answer": answer}))

    rows = (
        calls.filter(**{"status": Call.Status.TRANSCRIBED, f"{_ITEM}isnull": False})
        .order_by()
        .values(*([group] if group else []), criterion_key=F(f"{_ITEM}criterion_key"))
        .annotate(
            passed=answered(AutoAnswer.PASS), failed=answered(AutoAnswer.FAIL), unknown=answered(AutoAnswer.UNKNOWN),
            first=Min(f"{_ITEM}position"),
        )
    )
    return sorted(rows, key=lambda r: (r["first"], r["criterion_key"]))


def _item(row: dict) -> ItemCoverage:
    return ItemCoverage(key=row["criterion_key"], passed=row["passed"], failed=row["failed"], unknown=row["unknown"])


def _item_counts(calls: QuerySet[Call]) -> list[ItemCoverage]:
    return [_item(r) for r in _item_rows(calls)]


def auto_coverage(calls: QuerySet[Call]) -> AutoCoverage:
    """Share of the transcribed calls checked automatically, and per check its pass, fail and unknown counts."""
    totals = calls.aggregate(**_coverage_totals())
    return AutoCoverage(transcribed_calls=totals["transcribed"], checked_calls=totals["checked"], items=_item_counts(calls))


def auto_coverage_by(calls: QuerySet[Call], *, by: str) -> dict:
    """`auto_coverage` per group of calls, in two queries however many groups: {key: AutoCoverage}.

    `by` is a field path on Call ("agent_id", "client_id"); groups without a transcribed call or an
    automatic answer are left out (use `NO_COVERAGE`). As for every figure, `calls` is filtered on the calls'
    own fields and single-valued relations: a join that repeats calls would count them twice.
    """
    totals = calls.order_by().values(by).annotate(**_coverage_totals())
    items: dict = {}
    for row in _item_rows(calls, group=by):
        items.setdefault(row[by], []).append(_item(row))
    return {
        row[by]: AutoCoverage(transcribed_calls=row["transcribed"], checked_calls=row["checked"], items=items.get(row[by], []))
        for row in totals
        if row["transcribed"] or row[by] in items
    }


def combine_auto_coverage(parts: Iterable[AutoCoverage]) -> AutoCoverage:
    """The coverage of several disjoint sets of calls (each agent's) as one set's, exactly, without a query."""
    parts = list(parts)
    counts: dict[str, list[int]] = {}
    order: dict[str, int] = {}  # each check's best place in a part's list: rubric order, as near as it goes
    for part in parts:
        for position, item in enumerate(part.items):
            tally = counts.setdefault(item.key, [0, 0, 0])
            tally[0], tally[1], tally[2] = tally[0] + item.passed, tally[1] + item.failed, tally[2] + item.unknown
            order[item.key] = min(order.get(item.key, position), position)
    return AutoCoverage(
        transcribed_calls=sum(p.transcribed_calls for p in parts),
        checked_calls=sum(p.checked_calls for p in parts),
        items=[ItemCoverage(key, *counts[key]) for key in sorted(counts, key=lambda k: (order[k], k))],
    )


def auto_fail_rates(calls: QuerySet[Call], *, min_calls: int) -> dict[str, ItemCoverage]:
    """Per check key, its counts over the calls, for checks that judged (pass or fail) at least `min_calls`.

    For a training-need rule: `auto_fail_rates(agent_calls, min_calls=20)["greeting"].fail_rate > 0.3`.
    """
    if min_calls < 1:
        raise ValueError(f"min_calls must be at least 1, got {min_calls}")
    return {item.key: item for item in _item_counts(calls) if item.judged >= min_calls}


# --- Recompute jobs ------------------------------------------------------------------------


def recompute_job_calls(job: RecomputeJob) -> QuerySet[Call]:
    """The transcribed calls a job covers (its days in the service's time zone), in id order."""
    period = Period(job.date_from, job.date_to)
    calls = Call.objects.filter(status=Call.Status.TRANSCRIBED, started_at__gte=period.start, started_at__lt=period.end)
    if job.client_id:
        calls = calls.filter(client_id=job.client_id)
    return calls.order_by("pk")
