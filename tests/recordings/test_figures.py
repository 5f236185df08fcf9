"""Call figures against hand-computed values: AHT, FCR, CSAT, NPS, CES, speech, service level."""

from datetime import UTC, datetime, timedelta

import pytest

from recordings.figures import call_figures, service_figures
from recordings.models import Call, CallAnalytics
from tests.factories import AgentFactory, CallFactory, ClientFactory, with_recording

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def call(**fields) -> Call:
    defaults = {"talk_seconds": None, "hold_seconds": None, "after_call_work_seconds": None, "started_at": NOW - 30 * DAY}
    return CallFactory(**{**defaults, **fields})


def test_it_gives_nulls_not_zeros_when_there_is_nothing_to_count():
    figures = call_figures(Call.objects.none(), now=NOW)
    assert figures.calls_handled == 0
    assert figures.aht_seconds is None and figures.fcr.rate is None
    assert (figures.csat.average, figures.csat.satisfied_share, figures.nps.score, figures.ces.average) == (None,) * 4
    assert figures.speech.talk_listen_ratio is None and figures.speech.calls == 0


def test_it_averages_handle_time_with_the_recording_standing_in_for_missing_talk_time():
    agent = AgentFactory()
    call(agent=agent, talk_seconds=300, hold_seconds=60, after_call_work_seconds=30)  # 390
    with_recording(call(agent=agent, talk_seconds=None, hold_seconds=None, after_call_work_seconds=15), 100.5)  # 115.5
    call(agent=agent, talk_seconds=200)  # 200: hold and wrap-up missing count 0
    call(agent=agent, talk_seconds=None)  # no talk time, no recording: unknown, left out

    figures = call_figures(Call.objects.filter(agent=agent), now=NOW)

    assert figures.calls_handled == 4
    assert figures.aht_calls == 3
    assert figures.aht_seconds == pytest.approx((390 + 115.5 + 200) / 3)


def test_it_uses_the_resolved_flag_then_the_repeat_contact_rule_and_counts_the_rest_pending():
    acme = ClientFactory(fcr_window_days=7)
    agent = AgentFactory()
    # Explicit flags: one resolved, one not.
    call(client=acme, agent=agent, resolved=True, customer_ref="A")
    call(client=acme, agent=agent, resolved=False, customer_ref="B")
    # Repeat rule: C calls again 3 days later (by another agent): the first call was not resolved.
    call(client=acme, agent=agent, customer_ref="C", started_at=NOW - 30 * DAY)
    call(client=acme, agent=AgentFactory(), customer_ref="C", started_at=NOW - 27 * DAY, resolved=True)
    # D calls again after 8 days: outside the window, so resolved.
    call(client=acme, agent=agent, customer_ref="D", started_at=NOW - 30 * DAY)
    call(client=acme, agent=AgentFactory(), customer_ref="D", started_at=NOW - 22 * DAY, resolved=True)
    # E: window still open (2 days ago), no repeat yet: pending. F: no customer reference: pending.
    call(client=acme, agent=agent, customer_ref="E", started_at=NOW - 2 * DAY)
    call(client=acme, agent=agent, customer_ref="")
    # G's repeat is to another client of the centre: a different customer, so resolved.
    call(client=acme, agent=agent, customer_ref="G")
    call(client=ClientFactory(), agent=AgentFactory(), customer_ref="G", started_at=NOW - 29 * DAY)

    fcr = call_figures(Call.objects.filter(agent=agent), now=NOW).fcr

    assert (fcr.explicit_calls, fcr.repeat_rule_calls, fcr.pending_calls) == (2, 3, 2)
    assert fcr.resolved == 3  # A, D, G
    assert fcr.rate == pytest.approx(3 / 5)
    assert fcr.source == "resolved flag and repeat contacts"


def test_it_counts_a_repeat_already_made_even_while_the_window_is_open():
    acme, agent = ClientFactory(), AgentFactory()
    call(client=acme, agent=agent, customer_ref="H", started_at=NOW - 2 * DAY)
    call(client=acme, agent=AgentFactory(), customer_ref="H", started_at=NOW - 1 * DAY, answered=True)

    fcr = call_figures(Call.objects.filter(agent=agent), now=NOW).fcr

    assert (fcr.rate, fcr.repeat_rule_calls, fcr.pending_calls) == (0.0, 1, 0)


def test_it_follows_repeats_across_a_period_boundary_and_the_clients_own_window():
    short = ClientFactory(fcr_window_days=1)
    agent = AgentFactory()
    last_of_october = datetime(2026, 10, 31, 18, 0, tzinfo=UTC)
    call(client=short, agent=agent, customer_ref="K", started_at=last_of_october)
    call(client=short, agent=agent, customer_ref="K", started_at=last_of_october + timedelta(hours=20))  # in November
    call(client=short, agent=agent, customer_ref="L", started_at=last_of_october)
    call(client=short, agent=agent, customer_ref="L", started_at=last_of_october + timedelta(hours=30))  # beyond 1 day

    october = Call.objects.filter(agent=agent, started_at__lt=datetime(2026, 11, 1, tzinfo=UTC))
    fcr = call_figures(october, now=NOW).fcr

    assert (fcr.repeat_rule_calls, fcr.resolved) == (2, 1)  # K repeated (in November), L did not within a day


def test_it_leaves_abandoned_calls_out_of_handled_figures_but_counts_them_as_repeat_contacts():
    acme, agent = ClientFactory(), AgentFactory()
    call(client=acme, agent=agent, customer_ref="M", csat=5)
    call(client=acme, agent=None, answered=False, status=Call.Status.ABANDONED, customer_ref="M",
         started_at=NOW - 29 * DAY, wait_seconds=40)

    figures = call_figures(Call.objects.filter(client=acme), now=NOW)

    assert figures.calls_handled == 1
    assert figures.fcr.rate == 0.0  # the customer had to call back
    assert figures.csat.responses == 1


def test_it_computes_csat_nps_and_ces_with_their_response_counts():
    agent = AgentFactory()
    for csat, nps, ces in [(5, 10, 7), (4, 9, 6), (2, 3, 2), (None, 7, None), (3, None, 5)]:
        call(agent=agent, csat=csat, nps=nps, ces=ces)

    figures = call_figures(Call.objects.filter(agent=agent), now=NOW)

    assert figures.csat.average == pytest.approx(14 / 4) and figures.csat.responses == 4
    assert figures.csat.satisfied_share == pytest.approx(2 / 4)
    # 2 promoters (10, 9), 1 detractor (3), 1 passive (7): (2 - 1) / 4 = 25
    assert figures.nps.score == pytest.approx(25.0) and figures.nps.responses == 4
    assert figures.ces.average == pytest.approx(20 / 4) and figures.ces.responses == 4


def test_it_averages_speech_analytics_over_the_calls_that_have_them():
    agent = AgentFactory()
    for ratio, dead, over in [(1.5, 4.0, 1.0), (0.5, 10.0, 3.0)]:
        CallAnalytics.objects.create(
            call=call(agent=agent), agent_talk_seconds=1, customer_talk_seconds=1, talk_listen_ratio=ratio,
            dead_air_seconds=dead, longest_dead_air_seconds=dead, overtalk_seconds=over, interruptions=0,
            longest_monologue_seconds=1,
        )
    call(agent=agent)  # not transcribed: no analytics

    speech = call_figures(Call.objects.filter(agent=agent), now=NOW).speech

    assert (speech.talk_listen_ratio, speech.dead_air_seconds, speech.overtalk_seconds, speech.calls) == (1.0, 7.0, 2.0, 2)


def test_it_computes_service_level_asa_and_abandonment_with_short_abandons_in_neither():
    acme = ClientFactory()
    for wait in (5, 15, 20, 25, 60):  # answered: three within 20 s
        call(client=acme, wait_seconds=wait)
    call(client=acme, wait_seconds=None)  # answered, wait unknown
    for wait in (3, 5, 12, 45):  # abandoned: two short (<= 5 s), two counted
        call(client=acme, agent=None, answered=False, status=Call.Status.ABANDONED, wait_seconds=wait)

    figures = service_figures(Call.objects.filter(client=acme), threshold_seconds=20, short_abandon_seconds=5)

    assert (figures.calls_offered, figures.calls_answered, figures.calls_abandoned, figures.short_abandons) == (10, 6, 4, 2)
    assert figures.answered_within_threshold == 3
    assert figures.service_level == pytest.approx(3 / (5 + 2))  # the unknown wait is in neither
    assert figures.asa_seconds == pytest.approx((5 + 15 + 20 + 25 + 60) / 5)
    assert figures.abandonment_rate == pytest.approx(2 / (6 + 2))


def test_it_gives_null_service_figures_for_a_client_with_no_calls():
    figures = service_figures(Call.objects.none(), threshold_seconds=20, short_abandon_seconds=5)
    assert (figures.calls_offered, figures.service_level, figures.asa_seconds, figures.abandonment_rate) == (0, None, None, None)
