"""Every default check on the sample calls' real tiny.en transcripts, against each script's ground truth.

The samples' JSON says per check what its script calls for (`auto_qa_expected`): pass, fail, or unknown where
the item does not apply. Whisper runs once per sample per test session (`transcribed_sample`).
"""

import functools
import itertools
import json

import pytest

from qa.autoqa import embeddings
from qa.autoqa.defaults import DEFAULT_KEYS, default_checks
from qa.autoqa.evaluation import Answer, evaluate
from qa.autoqa.transcript import CallContext, CallTranscript
from recordings.analytics import call_analytics
from tests.conftest import SAMPLES_DIR
from tests.recordings.conftest import transcribed_sample

COMPANY = "Acme Telecom"  # the samples' client (load_demo)
TRUTHS = {p.stem: json.loads(p.read_text()) for p in sorted(SAMPLES_DIR.glob("*.json"))}
EXPECTED = {name: truth["auto_qa_expected"] for name, truth in TRUTHS.items() if "auto_qa_expected" in truth}
CASES = [(name, key) for name, expected in EXPECTED.items() for key in expected]
needs_model = pytest.mark.skipif(bool(embeddings.semantic_model_missing()), reason=embeddings.semantic_model_missing())


@functools.cache
def evaluated(name: str, use_semantic_model: bool = True):
    channels = transcribed_sample(name)
    truth = TRUTHS[name]
    analytics = call_analytics(
        agent_speech=channels["agent"].speech,
        customer_speech=channels["customer"].speech,
        agent_words=sum(len(u.words) for u in channels["agent"].utterances),
    )
    context = CallContext(
        agent_name=truth["metadata"]["agent_name"],
        company_name=COMPANY,
        duration_seconds=truth["duration_seconds"],
        hold_seconds=truth["metadata"]["hold_seconds"],
        language="en",
    )
    return evaluate(
        default_checks(),
        transcript=CallTranscript.from_channels(channels),
        analytics=analytics,
        context=context,
        use_semantic_model=use_semantic_model,
    )


def test_it_has_a_passing_and_a_failing_sample_for_every_default_check():
    for key in DEFAULT_KEYS:
        answers = {expected[key] for expected in EXPECTED.values()}
        assert {"pass", "fail"} <= answers, key
    for name, expected in EXPECTED.items():
        assert set(expected) == set(DEFAULT_KEYS), name


@pytest.mark.slow
@needs_model
@pytest.mark.parametrize(("name", "key"), CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_it_judges_each_check_right_on_the_real_transcript(name, key):
    result = evaluated(name).result(key)
    assert result.answer.value == EXPECTED[name][key], result.detail


@pytest.mark.slow
@pytest.mark.parametrize(("name", "key"), CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_it_judges_each_check_right_by_phrases_alone_without_the_semantic_model(name, key):
    result = evaluated(name, use_semantic_model=False).result(key)
    assert result.answer.value == EXPECTED[name][key], result.detail


@pytest.mark.slow
@needs_model
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_it_shows_evidence_where_the_scripted_words_are_said(name):
    """A passed greeting, disclosure or closing quotes an agent line said where the script has it."""
    evaluation = evaluated(name)
    turns = TRUTHS[name]["turns"]
    windows = {"greeting": (0.0, 15.0), "recording_disclosure": (0.0, 30.0),
               "closing": (TRUTHS[name]["duration_seconds"] - 60.0, TRUTHS[name]["duration_seconds"])}
    for key, (lo, hi) in windows.items():
        result = evaluation.result(key)
        if result.answer != Answer.PASS:
            continue
        assert 0.0 < result.confidence <= 1.0
        for evidence in result.evidence:
            assert evidence.speaker == "agent"
            assert lo - 1.0 <= evidence.start <= hi, (key, evidence)
            scripted = [t for t in turns if t["speaker"] == "agent" and t["start"] - 1.0 <= evidence.start <= t["end"] + 1.0]
            assert scripted, (key, evidence)


@pytest.mark.slow
@needs_model
def test_it_places_the_unannounced_hold_in_the_silence_of_the_script():
    result = evaluated("unannounced_hold").result("hold_etiquette")
    silence = result.evidence[0]
    turns = TRUTHS["unannounced_hold"]["turns"]
    gap = next((a["end"], b["start"]) for a, b in itertools.pairwise(turns) if b["start"] - a["end"] > 20)
    assert silence.start == pytest.approx(gap[0], abs=1.0)
    assert silence.end == pytest.approx(gap[1], abs=1.0)
