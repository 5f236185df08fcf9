"""Automatic coverage for many groups at once (an agent each, for the team dashboard): the same figures as
`auto_coverage` per group, in two queries however many groups, and combined exactly for a team."""

import pytest

from qa.autoqa.selectors import NO_COVERAGE, AutoCoverage, auto_coverage, auto_coverage_by, combine_auto_coverage
from recordings.models import Call
from tests.factories import AgentFactory, CallFactory
from tests.qa.autoqa.helpers import auto_store, transcribed

pytestmark = pytest.mark.django_db


@pytest.fixture
def agents(rubric):
    """Ann: three transcribed calls, two checked; Ben: one checked; Cy: no transcribed call."""
    ann, ben, cy = AgentFactory(name="Ann"), AgentFactory(name="Ben"), AgentFactory(name="Cy")
    auto_store(rubric, transcribed(agent=ann), greeting="pass", closing="pass")
    auto_store(rubric, transcribed(agent=ann), greeting="fail", closing="unknown")
    transcribed(agent=ann)  # not checked yet
    CallFactory(agent=ann, status=Call.Status.QUEUED)  # not transcribed: not counted
    auto_store(rubric, transcribed(agent=ben), greeting="fail", hold="n/a")
    CallFactory(agent=cy, status=Call.Status.NO_RECORDING)
    return ann, ben, cy


def counts(coverage: AutoCoverage) -> dict:
    return {i.key: (i.passed, i.failed, i.unknown) for i in coverage.items}


def test_it_gives_each_agent_their_hand_computed_coverage(agents):
    ann, ben, cy = agents

    by_agent = auto_coverage_by(Call.objects.all(), by="agent_id")

    assert set(by_agent) == {ann.pk, ben.pk}  # Cy has nothing to count
    a = by_agent[ann.pk]
    assert (a.transcribed_calls, a.checked_calls, a.checked_share) == (3, 2, pytest.approx(2 / 3))
    assert counts(a) == {"greeting": (1, 1, 0), "closing": (1, 0, 1)}
    assert [i.key for i in a.items] == ["greeting", "closing"]  # rubric order, not alphabetical
    assert a.item("closing").pass_rate == 1.0 and a.item("greeting").fail_rate == 0.5
    assert a.pass_rate == pytest.approx(2 / 3)  # 2 passes of 3 judged answers; the unknown left out
    b = by_agent[ben.pk]
    assert (b.transcribed_calls, b.checked_calls, counts(b)) == (1, 1, {"greeting": (0, 1, 0), "hold": (0, 0, 1)})
    assert b.item("hold").pass_rate is None
    assert by_agent.get(cy.pk, NO_COVERAGE).checked_share is None


def test_it_agrees_with_auto_coverage_group_by_group_and_combined(agents):
    by_agent = auto_coverage_by(Call.objects.all(), by="agent_id")

    for agent in agents[:2]:
        assert by_agent[agent.pk] == auto_coverage(Call.objects.filter(agent=agent))
    team = combine_auto_coverage(by_agent.values())
    whole = auto_coverage(Call.objects.all())
    assert (team.transcribed_calls, team.checked_calls, counts(team)) == (whole.transcribed_calls, whole.checked_calls, counts(whole))
    assert counts(team) == {"greeting": (1, 2, 0), "closing": (1, 0, 1), "hold": (0, 0, 1)}
    assert combine_auto_coverage([]) == NO_COVERAGE


def test_it_costs_two_queries_however_many_agents(rubric, agents, django_assert_num_queries):
    for _ in range(5):
        auto_store(rubric, transcribed(agent=AgentFactory()), greeting="pass", closing="fail")
    with django_assert_num_queries(2):
        by_agent = auto_coverage_by(Call.objects.all(), by="agent_id")
    assert len(by_agent) == 7


def test_it_names_checks_for_people_and_pairs_an_agents_checks_with_the_teams(agents):
    ann, ben, _ = agents
    by_agent = auto_coverage_by(Call.objects.all(), by="agent_id")
    team = combine_auto_coverage(by_agent.values())

    pairs = by_agent[ben.pk].beside(team)

    assert [(mine.key, theirs.failed) for mine, theirs in pairs] == [("greeting", 2), ("hold", 0)]
    assert by_agent[ann.pk].item("greeting").label == "Greeting"
    assert auto_coverage(Call.objects.none()).beside(None) == []


def test_it_counts_a_call_being_transcribed_again_once_its_new_result_is_in(rubric, agents):
    ann = agents[0]
    again = Call.objects.filter(agent=ann, auto_evaluation__isnull=False).first()
    Call.objects.filter(pk=again.pk).update(status=Call.Status.TRANSCRIBING)  # its old result is still stored

    a = auto_coverage_by(Call.objects.all(), by="agent_id")[ann.pk]

    assert (a.transcribed_calls, a.checked_calls) == (2, 1)
    assert sum(i.passed + i.failed + i.unknown for i in a.items) == 2  # the other checked call's two answers
    assert a == auto_coverage(Call.objects.filter(agent=ann))
