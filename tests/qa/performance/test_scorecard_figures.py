"""The scorecard's figures against hand-computed values, read through the API as a client would."""

from datetime import timedelta

import pytest
from django.utils import timezone

from qa.lib.periods import Period
from qa.performance import selectors
from qa.reviews import services
from recordings.models import Call
from tests.factories import AgentFactory, ClientFactory, ManagerFactory, ReviewerFactory, TeamFactory, with_recording
from tests.qa.performance.helpers import api_as, at, call, past_month, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return api_as(ReviewerFactory())


def scorecard(api, agent, period: Period) -> dict:
    response = api.get(f"/api/agents/{agent.pk}/scorecard/", {"from": period.first, "to": period.last})
    assert response.status_code == 200, response.content
    return response.json()


def test_it_answers_nulls_not_zeros_for_an_agent_with_no_calls_and_no_evaluations(api):
    agent = AgentFactory(external_id="AGT-1042", name="Sarah Jones", team=TeamFactory(name="Tier 1"))
    period = past_month()

    body = scorecard(api, agent, period)

    assert body == {
        "agent": {"id": agent.pk, "external_id": "AGT-1042", "name": "Sarah Jones", "team": "Tier 1"},
        "from": str(period.first), "to": str(period.last),
        "calls_handled": 0, "aht_seconds": None, "aht_calls": 0, "aht_industry_seconds": 363,
        "fcr": {"rate": None, "resolved": 0, "explicit_calls": 0, "repeat_rule_calls": 0, "pending_calls": 0,
                "source": "none yet"},
        "monitoring": {"evaluations": 0, "target": None, "under_monitored": False},
        "qa": {"evaluations": 0, "average_score": None, "critical_fails": 0, "sections": []},
        "csat": {"average": None, "satisfied_share": None, "responses": 0},
        "nps": {"score": None, "promoters": 0, "detractors": 0, "responses": 0},
        "ces": {"average": None, "responses": 0},
        "speech": {"talk_listen_ratio": None, "dead_air_seconds": None, "overtalk_seconds": None, "calls": 0},
        "flags": [],
        "auto_qa": {"transcribed_calls": 0, "calls_checked": 0, "checked_share": None, "pass_rate": None, "items": []},
    }


def test_it_times_calls_without_recordings_or_talk_seconds_and_averages_survey_answers(api):
    agent, period = AgentFactory(), past_month()
    day = period.first + timedelta(days=3)
    call(agent=agent, started_at=at(day), talk_seconds=300, hold_seconds=60, after_call_work_seconds=30,
         csat=5, nps=10, ces=7)  # 390 s
    with_recording(call(agent=agent, started_at=at(day), after_call_work_seconds=15, csat=4, nps=9, ces=5), 100.5)  # 115.5 s
    call(agent=agent, started_at=at(day), talk_seconds=200, csat=2, nps=6)  # 200 s: missing hold and wrap-up count 0
    call(agent=agent, started_at=at(day), nps=8)  # no talk seconds, no recording: handled, but its time is unknown
    call(agent=agent, started_at=at(period.last + timedelta(days=1)), talk_seconds=999)  # after the period

    body = scorecard(api, agent, period)

    assert body["calls_handled"] == 4
    assert body["aht_calls"] == 3
    assert body["aht_seconds"] == pytest.approx((390 + 115.5 + 200) / 3)
    assert body["csat"] == {"average": pytest.approx(11 / 3), "satisfied_share": pytest.approx(2 / 3), "responses": 3}
    # Promoters 10 and 9, detractor 6, passive 8: (2 - 1) / 4.
    assert body["nps"] == {"score": pytest.approx(25.0), "promoters": 2, "detractors": 1, "responses": 4}
    assert body["ces"] == {"average": pytest.approx(6.0), "responses": 2}


def test_it_decides_fcr_across_the_period_boundaries():
    acme, agent, other = ClientFactory(fcr_window_days=7), AgentFactory(), AgentFactory()
    period = past_month()
    before, after = period.first - timedelta(days=2), period.last + timedelta(days=2)
    # A: called just before the period and again inside it; only the second call is the period's, and nobody called back.
    call(client=acme, agent=agent, customer_ref="A", started_at=at(before))
    call(client=acme, agent=agent, customer_ref="A", started_at=at(period.first + timedelta(days=1)))
    # B: called on the period's second-last day and again two days after the period: not resolved, counted in the period.
    call(client=acme, agent=agent, customer_ref="B", started_at=at(period.last - timedelta(days=1)))
    call(client=acme, agent=other, customer_ref="B", started_at=at(after))
    # C: explicit flags win over the repeat rule.
    call(client=acme, agent=agent, customer_ref="C", resolved=True, started_at=at(period.first + timedelta(days=3)))
    call(client=acme, agent=agent, customer_ref="C", resolved=False, started_at=at(period.first + timedelta(days=5)))
    # No customer reference: pending.
    call(client=acme, agent=agent, customer_ref="", started_at=at(period.first + timedelta(days=6)))

    manager_api = api_as(ManagerFactory())
    fcr = scorecard(manager_api, agent, period)["fcr"]

    assert fcr == {"rate": 0.5, "resolved": 2, "explicit_calls": 2, "repeat_rule_calls": 2, "pending_calls": 1,
                   "source": "resolved flag and repeat contacts"}
    # The call before the period belongs to the month before: not resolved (A called again within 7 days).
    earlier = scorecard(manager_api, agent, Period(before, before))["fcr"]
    assert (earlier["rate"], earlier["repeat_rule_calls"]) == (0.0, 1)


def test_it_leaves_a_call_whose_repeat_window_is_still_open_pending(api):
    acme, agent = ClientFactory(fcr_window_days=7), AgentFactory()
    today = timezone.localdate()
    call(client=acme, agent=agent, customer_ref="E", started_at=timezone.now() - timedelta(days=10))  # window closed: resolved
    call(client=acme, agent=agent, customer_ref="D", started_at=timezone.now() - timedelta(days=2))  # window open: pending

    fcr = scorecard(api, agent, Period(today - timedelta(days=12), today))["fcr"]

    assert (fcr["rate"], fcr["repeat_rule_calls"], fcr["pending_calls"]) == (1.0, 1, 1)


def test_it_averages_qa_scores_and_sections_counting_only_submitted_regular_or_expert_evaluations(api, rubric):
    agent, period = AgentFactory(), past_month()
    day = at(period.first + timedelta(days=2))
    # Compliance is N/A in all three, so its section has nothing to average (null), and drops out of the scores.
    submit(rubric, call(agent=agent, started_at=day), identity="na", card="na")  # 100
    submit(rubric, call(agent=agent, started_at=day), identity="na", card="na", closing="no")  # (15+25+25+10·2/3)/75 = 95.56
    submit(rubric, call(agent=agent, started_at=day), identity="na", card="na", disclosure="no")  # critical: 0
    # Neither a draft nor a non-expert's calibration score counts.
    services.evaluation_save_draft(call=call(agent=agent, started_at=day), reviewer=ReviewerFactory(), answers={})
    ann, bob = ReviewerFactory(), ReviewerFactory()
    panel = services.calibration_session_create(
        title="Panel", call=call(agent=agent, started_at=day), reviewers=[ann, bob], created_by=ManagerFactory(), expert=ann,
    )
    answers = {pk: services.AnswerInput(value=v) for pk, v in rubric.by_pk(rubric.best_answers(greeting="no")).items()}
    services.evaluation_submit(call=panel.call, reviewer=bob, answers=answers, calibration_session=panel)

    qa = scorecard(api, agent, period)["qa"]

    assert qa["evaluations"] == 3 and qa["critical_fails"] == 1
    assert qa["average_score"] == pytest.approx((100 + 95.56 + 0) / 3)
    sections = {s["name"]: s for s in qa["sections"]}
    title = {key: c.section.title for key, c in rubric.criteria.items()}
    assert sections[title["identity"]] == {"name": title["identity"], "average_score": None, "evaluations": 0}
    assert sections[title["greeting"]]["average_score"] == pytest.approx((100 + 100 + 66.67) / 3)
    assert sections[title["closing"]]["average_score"] == pytest.approx((100 + 66.67 + 100) / 3)
    assert sections[title["listening"]]["average_score"] == 100.0
    assert [s["name"] for s in qa["sections"]] == [s.title for s in rubric.version.sections.all()]


def test_it_counts_an_agent_who_changed_team_wholly_in_their_new_team():
    old_team, new_team = TeamFactory(name="Old"), TeamFactory(name="New")
    mover, stayer, newcomer = AgentFactory(team=old_team), AgentFactory(team=old_team), AgentFactory(team=new_team)
    period = past_month()
    early, late = at(period.first + timedelta(days=1)), at(period.last - timedelta(days=1))
    call(agent=mover, started_at=early, talk_seconds=600)  # taken while still in the old team
    call(agent=mover, started_at=late, talk_seconds=400)
    call(agent=stayer, started_at=early, talk_seconds=100)
    call(agent=newcomer, started_at=late, talk_seconds=200)
    mover.team = new_team
    mover.save()

    new_rows = selectors.agent_rows(agents=new_team.agents.all(), period=period)
    old_rows = selectors.agent_rows(agents=old_team.agents.all(), period=period)
    new_figures = selectors.team_figures(team=new_team, period=period)
    old_figures = selectors.team_figures(team=old_team, period=period)

    assert {r.agent.pk: r.calls.aht_seconds for r in new_rows} == {mover.pk: 500.0, newcomer.pk: 200.0}
    assert [r.agent.pk for r in old_rows] == [stayer.pk]
    assert (new_figures.calls.calls_handled, new_figures.calls.aht_seconds) == (3, pytest.approx(1200 / 3))
    assert new_figures.median_aht_seconds == pytest.approx((500 + 200) / 2)
    assert (old_figures.calls.calls_handled, old_figures.calls.aht_seconds, old_figures.median_aht_seconds) == (1, 100.0, 100.0)


def test_it_draws_twelve_weekly_points_with_gaps_where_nothing_happened(rubric):
    agent = AgentFactory()
    until = timezone.localdate() - timedelta(days=30)
    periods = selectors.previous_periods("week", until, 12)
    last, first = periods[-1], periods[0]
    call(agent=agent, started_at=at(last.first), talk_seconds=100, resolved=True)
    call(agent=agent, started_at=at(last.last), talk_seconds=300, resolved=False)
    submit(rubric, call(agent=agent, started_at=at(first.first + timedelta(days=2)), talk_seconds=50), closing="no")
    call(agent=agent, started_at=at(first.first - timedelta(days=1)), talk_seconds=999)  # the week before: not shown

    points = selectors.weekly_trend(calls=Call.objects.filter(agent=agent), until=until)

    assert [p.week for p in points] == [p.first for p in periods]
    assert (points[-1].calls, points[-1].aht_seconds, points[-1].fcr_rate, points[-1].qa_average) == (2, 200.0, 0.5, None)
    assert (points[0].calls, points[0].aht_seconds, points[0].evaluations) == (1, 50.0, 1)
    assert points[0].qa_average == pytest.approx(96.67)
    assert all(p.calls == 0 and p.aht_seconds is None and p.qa_average is None for p in points[1:-1])
