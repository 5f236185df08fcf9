"""Call analytics: the definitions on hand-made intervals, and real VAD on the samples against their ground truth."""

from __future__ import annotations

import pytest

from recordings.analytics import call_analytics, merge, overlap, turns
from tests.recordings.conftest import SAMPLE_NAMES, sample_truth, transcribed_sample
from tests.recordings.helpers import close_enough


def test_it_merges_pauses_inside_a_turn_but_not_between_turns():
    assert turns([(0.0, 1.0), (1.4, 2.0), (4.0, 5.0)]) == [(0.0, 2.0), (4.0, 5.0)]
    assert merge([(3.0, 4.0), (0.0, 1.0), (0.5, 2.0)]) == [(0.0, 2.0), (3.0, 4.0)]


def test_it_measures_the_time_both_sides_talk():
    assert overlap([(0.0, 2.0), (5.0, 6.0)], [(1.5, 5.5)]) == pytest.approx(1.0)


def test_it_computes_every_field_from_speech_intervals():
    agent = [(0.0, 4.0), (4.5, 6.0), (12.0, 15.0)]  # one turn with a short pause, then another
    customer = [(6.5, 9.0), (14.0, 16.0)]  # the second starts while the agent talks

    result = call_analytics(agent_speech=agent, customer_speech=customer, agent_words=30)

    assert result.agent_talk_seconds == 9.0
    assert result.customer_talk_seconds == 4.5
    assert result.talk_listen_ratio == 2.0
    assert result.dead_air_seconds == 3.0  # 9.0 -> 12.0
    assert result.longest_dead_air_seconds == 3.0
    assert result.overtalk_seconds == 1.0
    assert result.interruptions == 1
    assert result.longest_monologue_seconds == 6.0
    assert result.agent_words_per_minute == 200.0


def test_it_ignores_pauses_under_two_seconds_as_dead_air():
    result = call_analytics(agent_speech=[(0.0, 1.0)], customer_speech=[(2.9, 4.0)], agent_words=2)

    assert result.dead_air_seconds == 0.0
    assert result.longest_dead_air_seconds == 0.0


def test_it_reports_a_silent_call_as_all_zeros():
    result = call_analytics(agent_speech=[], customer_speech=[], agent_words=0)

    assert result.agent_talk_seconds == 0.0
    assert result.talk_listen_ratio is None
    assert result.agent_words_per_minute is None
    assert result.dead_air_seconds == 0.0
    assert result.interruptions == 0


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_it_matches_the_ground_truth_when_given_the_scripted_turns(name):
    truth = sample_truth(name)
    by_speaker = {s: [(t["start"], t["end"]) for t in truth["turns"] if t["speaker"] == s] for s in ("agent", "customer")}
    agent_words = sum(len(t["text"].split()) for t in truth["turns"] if t["speaker"] == "agent")

    result = call_analytics(agent_speech=by_speaker["agent"], customer_speech=by_speaker["customer"], agent_words=agent_words)

    for field, expected in truth["analytics"].items():
        assert close_enough(getattr(result, field), expected), (field, getattr(result, field), expected)


@pytest.mark.slow
@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_it_matches_the_ground_truth_from_voice_activity_on_the_samples(name):
    truth = sample_truth(name)["analytics"]
    channels = transcribed_sample(name)

    result = call_analytics(
        agent_speech=channels["agent"].speech,
        customer_speech=channels["customer"].speech,
        agent_words=sum(len(u.words) for u in channels["agent"].utterances),
    )

    wrong = {
        field: (getattr(result, field), expected)
        for field, expected in truth.items()
        if not close_enough(getattr(result, field), expected)
    }
    assert wrong == {}
