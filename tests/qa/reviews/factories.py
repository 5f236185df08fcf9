"""Factories for the QA domain, and a whole rubric built from them for tests.

Tests use `rubric_under_test()` rather than the shipped default rubric, so they never
depend on its wording or weights (the default rubric has its own test).
"""

from dataclasses import dataclass
from decimal import Decimal

import factory
from django.utils import timezone

from qa.reviews import scoring
from qa.reviews.models import Criterion, Rubric, RubricVersion, Section


class RubricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rubric

    name = factory.Sequence(lambda n: f"Rubric {n}")


class RubricVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RubricVersion

    rubric = factory.SubFactory(RubricFactory)
    number = factory.Sequence(lambda n: n + 1)


class PublishedVersionFactory(RubricVersionFactory):
    status = RubricVersion.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    version = factory.SubFactory(RubricVersionFactory)
    title = factory.Sequence(lambda n: f"Section {n}")
    weight = Decimal("1")
    position = factory.Sequence(lambda n: n)


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    section = factory.SubFactory(SectionFactory)
    question = factory.Sequence(lambda n: f"Question {n}?")
    answer_type = scoring.YES_NO
    weight = Decimal("1")
    position = factory.Sequence(lambda n: n)


# (section weight, [(key, answer type, weight, max points, critical)]): every answer type, critical items,
# unequal weights, so the maths in tests is not trivial.
LAYOUT = [
    (Decimal("15"), [("greeting", scoring.YES_NO, 2, None, False), ("disclosure", scoring.YES_NO, 1, None, True)]),
    (Decimal("25"), [("identity", scoring.YES_NO_NA, 2, None, True), ("card", scoring.YES_NO_NA, 1, None, True)]),
    (Decimal("25"), [("listening", scoring.SCALE_1_5, 1, None, False), ("empathy", scoring.SCALE_1_5, 1, None, False)]),
    (Decimal("25"), [("resolution", scoring.POINTS, 3, 3, False), ("accuracy", scoring.YES_NO, 1, None, False)]),
    (Decimal("10"), [("hold", scoring.YES_NO_NA, 1, None, False), ("anything_else", scoring.YES_NO, 1, None, False),
                     ("closing", scoring.YES_NO, 1, None, False)]),
]


@dataclass
class RubricUnderTest:
    rubric: Rubric
    version: RubricVersion
    criteria: dict  # key -> Criterion, in rubric order

    def best_answers(self, **overrides) -> dict[str, str]:
        """key -> value: the best answer to every question, with some overridden."""
        best = {scoring.SCALE_1_5: "5", scoring.YES_NO: "yes", scoring.YES_NO_NA: "yes"}
        values = {key: best.get(c.answer_type) or str(c.max_points) for key, c in self.criteria.items()}
        values.update(overrides)
        return values

    def by_pk(self, values: dict[str, str]) -> dict[int, str]:
        return {self.criteria[key].pk: value for key, value in values.items()}


def rubric_under_test(*, is_default: bool = True) -> RubricUnderTest:
    version = PublishedVersionFactory(rubric=RubricFactory(is_default=is_default), number=1)
    criteria = {}
    for s_pos, (weight, items) in enumerate(LAYOUT):
        section = SectionFactory(version=version, weight=weight, position=s_pos)
        for c_pos, (key, answer_type, c_weight, max_points, critical) in enumerate(items):
            criteria[key] = CriterionFactory(
                section=section, question=f"Criterion {key}?", answer_type=answer_type, weight=Decimal(c_weight),
                max_points=max_points, is_critical=critical, position=c_pos,
            )
    return RubricUnderTest(rubric=version.rubric, version=version, criteria=criteria)
