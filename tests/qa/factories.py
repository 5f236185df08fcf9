"""Factories for the QA domain."""

from decimal import Decimal

import factory
from django.utils import timezone

from qa import scoring
from qa.models import Criterion, Rubric, RubricVersion, Section


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
