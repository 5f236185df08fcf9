"""Check configs: JSON round trips, and errors that name the field and the problem."""

import json

import pytest

from qa.autoqa.config import (
    AllOf,
    AnalyticsRule,
    AtLeast,
    Check,
    ConfigError,
    HoldSpec,
    PhraseRule,
    SemanticRule,
    rule_from_dict,
    rule_to_dict,
)
from qa.autoqa.defaults import DEFAULT_KEYS, DEFAULT_RUBRIC_KEYS, default_checks


def test_it_round_trips_every_default_check_through_json():
    for check in default_checks():
        data = json.loads(json.dumps(check.to_dict()))
        assert Check.from_dict(data) == check


def test_it_has_a_default_check_under_each_stable_key():
    assert [c.key for c in default_checks()] == list(DEFAULT_KEYS)
    assert set(DEFAULT_KEYS) == {
        "greeting", "recording_disclosure", "identity_verification", "hold_etiquette", "closing", "empathy", "dead_air",
    }


def test_it_maps_the_default_rubric_questions_to_check_keys():
    from qa.reviews.services import DEFAULT_RUBRIC

    questions = {question for _title, _weight, criteria in DEFAULT_RUBRIC for question, *_ in criteria}
    assert set(DEFAULT_RUBRIC_KEYS) <= questions
    assert set(DEFAULT_RUBRIC_KEYS.values()) == set(DEFAULT_KEYS)


def test_it_writes_the_documented_shape():
    check = Check("closing", PhraseRule(phrases=("anything else",), last_seconds=60))
    assert check.to_dict() == {
        "format": 1,
        "key": "closing",
        "languages": ["en"],
        "rule": {
            "type": "phrase", "phrases": ["anything else"], "speaker": "agent", "mode": "must_say",
            "first_seconds": None, "last_seconds": 60, "threshold": 80.0, "exclude": [], "label": "",
        },
    }


def test_it_fills_defaults_for_fields_left_out():
    rule = rule_from_dict({"type": "phrase", "phrases": ["please hold"]})
    assert rule == PhraseRule(phrases=("please hold",))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"type": "phrase", "phrases": ["hi"], "threshold": 120}, "rule.threshold: must be a similarity between 50 and 100"),
        ({"type": "phrase", "phrases": []}, "rule.phrases: needs at least one phrase"),
        ({"type": "phrase", "phrases": ["hi {customer}"]}, "rule.phrases[0]: unknown placeholder"),
        ({"type": "phrase", "phrases": ["?!"]}, "rule.phrases[0]: has no words to match"),
        ({"type": "phrase", "phrases": ["hi"], "speaker": "robot"}, "rule.speaker: must be one of agent, customer, any"),
        ({"type": "phrase", "phrases": ["hi"], "first_seconds": 10, "last_seconds": 10}, "not both"),
        ({"type": "phrase", "phrases": ["hi"], "first_seconds": -1}, "rule.first_seconds: must be a positive number"),
        ({"type": "phrase", "phrases": ["hi"], "colour": "red"}, "rule: unknown fields ['colour']"),
        ({"type": "regex"}, "rule.type: must be one of"),
        ({"type": "analytics", "metric": "happiness", "max": 1}, "rule.metric: must be one of"),
        ({"type": "analytics", "metric": "overtalk_seconds"}, "rule.min: give min, max or both"),
        ({"type": "analytics", "metric": "overtalk_seconds", "min": 5, "max": 1}, "rule.min: 5 is above max 1"),
        ({"type": "semantic", "examples": ["sorry"], "threshold": 60}, "rule.threshold: must be a cosine similarity"),
        ({"type": "at_least", "count": 3, "rules": [{"type": "phrase", "phrases": ["a"]}]}, "rule.count: must be a whole number from 1 to 1"),
        ({"type": "all_of", "rules": [{"type": "phrase", "phrases": ["a"], "mode": "maybe"}]}, "rule.rules[0].mode: must be one of"),
        ({"type": "hold_etiquette", "thank": {"phrases": ["thanks"]}}, "rule: missing holds"),
        (
            {"type": "analytics", "metric": "overtalk_seconds", "max": 3, "holds": {"ask": {"phrases": ["please hold"]}}},
            "rule.holds: only dead air metrics",
        ),
        ("greeting", "rule: must be an object"),
    ],
)
def test_it_names_the_problem_in_a_bad_rule(data, message):
    with pytest.raises(ConfigError) as caught:
        rule_from_dict(data)
    assert message in str(caught.value)


def test_it_names_the_problem_in_a_bad_check():
    with pytest.raises(ConfigError, match="key: must be lower-case"):
        Check.from_dict({"key": "Greeting!", "rule": {"type": "phrase", "phrases": ["hi"]}})
    with pytest.raises(ConfigError, match="greeting: missing 'rule'"):
        Check.from_dict({"key": "greeting"})
    with pytest.raises(ConfigError, match="format: this version reads format 1"):
        Check.from_dict({"format": 2, "key": "greeting", "rule": {}})
    with pytest.raises(ConfigError, match=r"greeting.rule.rules\[1\].phrases"):
        Check.from_dict({"key": "greeting", "rule": {"type": "all_of", "rules": [
            {"type": "phrase", "phrases": ["hello"]}, {"type": "phrase", "phrases": []},
        ]}})


def test_it_rejects_inconsistent_nested_rules():
    with pytest.raises(ConfigError, match="phrases.mode"):
        SemanticRule(examples=("sorry",), phrases=PhraseRule(phrases=("sorry",), mode="must_not_say"))
    with pytest.raises(ConfigError, match="announced_min_silence_seconds: cannot exceed"):
        HoldSpec(ask=PhraseRule(phrases=("please hold",)), min_silence_seconds=5, announced_min_silence_seconds=10)
    with pytest.raises(ConfigError, match="exclude"):
        PhraseRule(phrases=("thanks for holding",), exclude=("thanks {agent}",))


def test_it_keeps_nested_rules_in_their_order():
    rule = AtLeast(count=1, rules=(PhraseRule(phrases=("a",)), AllOf(rules=(AnalyticsRule(metric="interruptions", max=2),))))
    assert rule_from_dict(json.loads(json.dumps(rule_to_dict(rule)))) == rule


def test_it_applies_checks_to_the_languages_they_are_written_for():
    check = Check("closing", PhraseRule(phrases=("anything else",)))
    assert check.applies_to("en") and check.applies_to("en-GB") and check.applies_to(None)
    assert not check.applies_to("de")
    assert Check("closing", PhraseRule(phrases=("x",)), languages=None).applies_to("de")
