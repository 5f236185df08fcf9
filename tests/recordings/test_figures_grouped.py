"""The grouped twin of call_figures (one query for many agents or weeks), and combining groups back exactly."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db.models.functions import TruncWeek

from recordings.figures import call_figures, call_figures_by, combine_call_figures
from recordings.models import Call, CallAnalytics
from tests.factories import AgentFactory, CallFactory, ClientFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture
def calls():
    acme = ClientFactory(fcr_window_days=7)
    ann, bob = AgentFactory(), AgentFactory()
    rows = [
        (ann, 300, True, "A", 5, 10, 7, NOW - 30 * DAY),
        (ann, 200, None, "B", 4, 6, None, NOW - 29 * DAY),
        (ann, None, None, "B", 2, None, 3, NOW - 27 * DAY),  # B called again: the call before is not resolved
        (bob, 100, False, "C", None, 9, 6, NOW - 20 * DAY),
        (bob, 400, None, "", 3, 0, None, NOW - 19 * DAY),  # no customer reference: pending
        (bob, 250, None, "D", 5, 8, 7, NOW - 2 * DAY),  # window still open: pending
    ]
    made = [
        CallFactory(client=acme, agent=agent, talk_seconds=talk, hold_seconds=None, after_call_work_seconds=None,
                    resolved=resolved, customer_ref=ref, csat=csat, nps=nps, ces=ces, started_at=started)
        for agent, talk, resolved, ref, csat, nps, ces, started in rows
    ]
    CallAnalytics.objects.create(call=made[0], agent_talk_seconds=10, customer_talk_seconds=5, talk_listen_ratio=2.0,
                                 dead_air_seconds=4, longest_dead_air_seconds=2, overtalk_seconds=1, interruptions=0,
                                 longest_monologue_seconds=3)
    CallAnalytics.objects.create(call=made[3], agent_talk_seconds=0, customer_talk_seconds=0, talk_listen_ratio=None,
                                 dead_air_seconds=8, longest_dead_air_seconds=2, overtalk_seconds=3, interruptions=0,
                                 longest_monologue_seconds=3)
    return {"ann": ann, "bob": bob}


def test_it_groups_by_agent_in_one_query_with_the_same_figures_as_one_agent_at_a_time(calls, django_assert_num_queries):
    with django_assert_num_queries(1):
        by_agent = call_figures_by(Call.objects.all(), by="agent_id", now=NOW)
    for agent in (calls["ann"], calls["bob"]):
        assert by_agent[agent.pk] == call_figures(Call.objects.filter(agent=agent), now=NOW)
    # A resolved by its flag; B's first call repeated (not resolved); B's second had no repeat (resolved).
    assert by_agent[calls["ann"].pk].fcr.rate == pytest.approx(2 / 3)


def test_it_groups_by_week(calls):
    by_week = call_figures_by(Call.objects.all(), by=TruncWeek("started_at"), now=NOW)
    assert sum(f.calls_handled for f in by_week.values()) == 6
    assert sorted(f.calls_handled for f in by_week.values()) == [1, 2, 3]  # weeks of 19 Oct, 26 Oct and 16 Nov


def test_it_combines_groups_into_exactly_the_whole_sets_figures(calls):
    parts = call_figures_by(Call.objects.all(), by="agent_id", now=NOW).values()
    combined, whole = combine_call_figures(parts), call_figures(Call.objects.all(), now=NOW)

    assert combined.calls_handled == whole.calls_handled and combined.aht_calls == whole.aht_calls
    assert combined.aht_seconds == pytest.approx(whole.aht_seconds)
    assert combined.fcr == whole.fcr
    assert (combined.csat.average, combined.csat.satisfied_share) == (pytest.approx(whole.csat.average), whole.csat.satisfied_share)
    assert combined.nps == whole.nps
    assert combined.ces.average == pytest.approx(whole.ces.average)
    assert combined.speech == whole.speech  # the ratio averages only the call that has one
    assert combine_call_figures([]) == call_figures(Call.objects.none())
