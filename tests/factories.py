"""factory_boy factories shared by the whole suite."""

from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from qa.accounts.groups import groups_ensure
from qa.accounts.roles import MANAGERS_GROUP, REVIEWERS_GROUP
from recordings.models import Agent, Call, Client, Recording, Team


def _save_with_groups(user, create: bool, names) -> None:
    """Join the groups, then save: `set_password` ran after the first save."""
    if not create:
        return
    # Transactional tests flush the tables, the migration's groups included: make them again.
    groups_ensure(Group, Permission)
    for name in names or []:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    user.save()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests")
    groups = factory.PostGeneration(lambda user, create, extracted, **kw: _save_with_groups(user, create, extracted))


class AdminFactory(UserFactory):
    is_staff = True
    is_superuser = True


class ReviewerFactory(UserFactory):
    is_staff = True
    groups = factory.PostGeneration(
        lambda user, create, extracted, **kw: _save_with_groups(user, create, extracted or [REVIEWERS_GROUP])
    )


class ManagerFactory(UserFactory):
    is_staff = True
    groups = factory.PostGeneration(
        lambda user, create, extracted, **kw: _save_with_groups(user, create, extracted or [MANAGERS_GROUP])
    )


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Client {n}")
    slug = factory.Sequence(lambda n: f"client-{n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Team {n}")


class AgentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agent
        django_get_or_create = ["external_id"]

    name = factory.Faker("name")
    external_id = factory.Sequence(lambda n: f"AG{n:04d}")
    team = factory.SubFactory(TeamFactory)


class CallFactory(factory.django.DjangoModelFactory):
    """A call row without audio, for tests that do not need a recording."""

    class Meta:
        model = Call

    client = factory.SubFactory(ClientFactory)
    agent = factory.SubFactory(AgentFactory)
    external_id = factory.Sequence(lambda n: f"CALL-{n:05d}")
    started_at = factory.Sequence(lambda n: timezone.now() - timedelta(hours=n))
    talk_seconds = 300
    hold_seconds = 20
    after_call_work_seconds = 40


def with_recording(call: Call, seconds: float) -> Call:
    """Give a call a recording row of this length (no audio file: for figures that only read the duration)."""
    Recording.objects.create(
        call=call, client=call.client, file=f"x/{call.pk}.wav", sha256=f"{call.pk:064d}", container="wav",
        codec="pcm", duration_seconds=seconds, channels=2, sample_rate=8000, size_bytes=100,
    )
    return call
