"""Evaluating checks on hand-written transcripts: each rule type's pass, fail and unknown, with evidence."""

import re

import pytest

from qa.autoqa import embeddings
from qa.autoqa.config import (
    AllOf,
    AnalyticsRule,
    AnyOf,
    AtLeast,
    Check,
    HoldEtiquetteRule,
    HoldSpec,
    PhraseRule,
    SemanticRule,
)
from qa.autoqa.defaults import default_checks
from qa.autoqa.evaluation import Answer, evaluate
from qa.autoqa.transcript import CallContext, CallTranscript, TranscriptError

CONTEXT = CallContext(agent_name="Sarah Jones", company_name="Acme Telecom Ltd", duration_seconds=120.0)
ANALYTICS = {
    "agent_talk_seconds": 40.0, "customer_talk_seconds": 20.0, "talk_listen_ratio": 2.0, "dead_air_seconds": 3.0,
    "longest_dead_air_seconds": 3.0, "overtalk_seconds": 0.0, "interruptions": 0, "longest_monologue_seconds": 8.0,
    "agent_words_per_minute": 150.0,
}


def seg(speaker, start, end, text):
    return {"speaker": speaker, "start": start, "end": end, "text": text}


def run(rule, segments, *, context=CONTEXT, analytics=ANALYTICS, **kwargs):
    return evaluate([Check("item", rule)], transcript=segments, analytics=analytics, context=context, **kwargs).result("item")


GREETING = [seg("agent", 0.5, 6.0, "And you for calling at me can come. My name is Sarah. How can I help?")]


def test_it_passes_a_phrase_that_whisper_misheard_with_evidence_where_it_is_said():
    rule = PhraseRule(phrases=("thank you for calling {company}",), first_seconds=15, threshold=75)

    result = run(rule, GREETING)

    assert result.answer == Answer.PASS
    assert 0.7 <= result.confidence <= 0.99
    (evidence,) = result.evidence
    assert evidence.speaker == "agent"
    assert evidence.text == GREETING[0]["text"]
    assert 0.5 <= evidence.start < evidence.end <= 6.0


@pytest.mark.parametrize(
    "opening",
    ["Thank you for calling, how can I help you today?", "Thanks for calling customer services, my name is Tom."],
)
def test_it_fails_a_greeting_without_the_company_name(opening):
    rule = PhraseRule(phrases=("thank you for calling {company}",), first_seconds=15, threshold=75)
    result = run(rule, [seg("agent", 0.5, 4.0, opening)])
    assert result.answer == Answer.FAIL
    assert result.evidence == ()


def test_it_matches_the_agents_first_name_for_a_full_name():
    rule = PhraseRule(phrases=("my name is {agent}",), first_seconds=15)
    assert run(rule, GREETING).answer == Answer.PASS


def test_it_cannot_tell_without_the_name_a_phrase_needs():
    rule = PhraseRule(phrases=("thank you for calling {company}",))
    result = run(rule, GREETING, context=CallContext(agent_name="Sarah"))
    assert result.answer == Answer.UNKNOWN
    assert "No company name known" in result.detail


def test_it_fails_a_phrase_said_too_late_and_shows_where():
    rule = PhraseRule(phrases=("this call may be recorded",), first_seconds=30)
    segments = [seg("agent", 0.5, 3.0, "Hello, how can I help?"), seg("agent", 45.0, 48.0, "This call may be recorded.")]

    result = run(rule, segments)

    assert result.answer == Answer.FAIL
    assert "Said at 45.0 s, not in the first 30 s" in result.detail
    assert result.evidence[0].start == pytest.approx(45.0)


def test_it_looks_only_at_the_speaker_the_rule_names():
    rule = PhraseRule(phrases=("is there anything else",), speaker="agent")
    segments = [seg("customer", 1.0, 3.0, "Is there anything else I should know?"), seg("agent", 4.0, 6.0, "No.")]
    assert run(rule, segments).answer == Answer.FAIL
    assert run(PhraseRule(phrases=("is there anything else",), speaker="any"), segments).answer == Answer.PASS


def test_it_looks_only_at_the_last_seconds_for_a_closing():
    rule = PhraseRule(phrases=("is there anything else i can help with",), last_seconds=60)
    early = [seg("agent", 5.0, 8.0, "Is there anything else I can help with?"), seg("agent", 100.0, 102.0, "Goodbye.")]
    late = [seg("agent", 5.0, 8.0, "Hello."), seg("agent", 100.0, 103.0, "If they're anything else I can help with?")]
    assert run(rule, early).answer == Answer.FAIL
    assert run(rule, late).answer == Answer.PASS


def test_it_says_unknown_for_a_half_heard_phrase():
    rule = PhraseRule(phrases=("please hold the line",), threshold=97)
    result = run(rule, [seg("agent", 1.0, 3.0, "Please hold on the line.")])
    assert result.answer == Answer.UNKNOWN
    assert result.confidence == 0.0
    assert "too unclear" in result.detail and result.evidence


def test_it_fails_a_must_not_say_phrase_and_passes_its_absence():
    rule = PhraseRule(phrases=("calm down", "not my problem"), mode="must_not_say", threshold=85)
    rude = run(rule, [seg("agent", 1.0, 3.0, "Well, that's not my problem.")])
    polite = run(rule, [seg("agent", 1.0, 3.0, "I'm sorry about that, let me fix it.")])
    assert rude.answer == Answer.FAIL and rude.evidence[0].text == "Well, that's not my problem."
    assert polite.answer == Answer.PASS and polite.evidence == ()


def test_it_cannot_tell_the_agent_apart_in_a_mono_call():
    rule = PhraseRule(phrases=("my name is {agent}",))
    result = run(rule, [seg("unknown", 0.5, 3.0, "My name is Sarah.")], analytics=None)
    assert result.answer == Answer.UNKNOWN
    assert "mono" in result.detail


def test_it_says_unknown_when_the_agent_never_speaks():
    result = run(PhraseRule(phrases=("hello",)), [seg("customer", 0.5, 3.0, "Hello?")])
    assert result.answer == Answer.UNKNOWN


def test_it_checks_analytics_against_min_and_max():
    segments = [seg("agent", 0.0, 8.0, "A long explanation of the new tariff."), seg("customer", 9.0, 10.0, "Okay.")]
    assert run(AnalyticsRule(metric="longest_monologue_seconds", max=30), segments).answer == Answer.PASS
    too_fast = run(AnalyticsRule(metric="agent_words_per_minute", min=100, max=140), segments)
    assert too_fast.answer == Answer.FAIL
    assert "Agent words per minute 150" in too_fast.detail
    monologue = run(AnalyticsRule(metric="longest_monologue_seconds", max=5), segments)
    assert monologue.answer == Answer.FAIL
    assert monologue.evidence[0].speaker == "agent" and monologue.evidence[0].end == pytest.approx(8.0)


def test_it_reads_analytics_from_an_object_with_the_fields():
    from recordings.analytics import Analytics

    analytics = Analytics(**{**ANALYTICS, "longest_dead_air_seconds": 12.5})
    result = run(AnalyticsRule(metric="longest_dead_air_seconds", max=10), [seg("agent", 0.0, 2.0, "Hello.")], analytics=analytics)
    assert result.answer == Answer.FAIL and "12.5" in result.detail


def test_it_cannot_check_analytics_it_does_not_have():
    segments = [seg("agent", 0.0, 2.0, "Hello.")]
    assert run(AnalyticsRule(metric="overtalk_seconds", max=2), segments, analytics=None).answer == Answer.UNKNOWN
    no_ratio = {**ANALYTICS, "talk_listen_ratio": None}
    assert run(AnalyticsRule(metric="talk_listen_ratio", max=3), segments, analytics=no_ratio).answer == Answer.UNKNOWN


HOLDS = HoldSpec(ask=PhraseRule(phrases=("can i put you on hold", "please hold")), min_silence_seconds=20)
HOLD_RULE = HoldEtiquetteRule(
    holds=HOLDS, thank=PhraseRule(phrases=("thank you for holding",), exclude=("thank you for calling",))
)


def test_it_passes_a_hold_asked_for_and_thanked_for():
    segments = [
        seg("agent", 1.0, 4.0, "Can I put you on hold for a moment?"),
        seg("customer", 4.5, 5.0, "Sure."),
        seg("agent", 40.0, 42.0, "Thank you for holding."),
    ]
    result = run(HOLD_RULE, segments)
    assert result.answer == Answer.PASS
    assert [e.text for e in result.evidence] == ["Can I put you on hold for a moment?", "Thank you for holding."]


def test_it_fails_a_silent_hold_without_thanks_and_shows_the_silence():
    segments = [seg("agent", 1.0, 4.0, "Let me look into that."), seg("agent", 30.0, 33.0, "Okay, it arrives tomorrow.")]
    result = run(HOLD_RULE, segments)
    assert result.answer == Answer.FAIL
    assert "not asked or announced first" in result.detail and "no thanks" in result.detail
    assert (result.evidence[0].start, result.evidence[0].end) == (4.0, 30.0)


def test_it_does_not_take_thanks_for_calling_for_thanks_for_holding():
    segments = [
        seg("agent", 1.0, 3.0, "Please hold."),
        seg("agent", 30.0, 33.0, "Right, that's done. Thank you for calling."),
    ]
    assert run(HOLD_RULE, segments).answer == Answer.FAIL


def test_it_says_a_hold_rule_does_not_apply_to_a_call_without_a_hold():
    result = run(HOLD_RULE, [seg("agent", 1.0, 3.0, "Hello."), seg("customer", 4.0, 5.0, "Hi.")])
    assert result.answer == Answer.UNKNOWN
    assert result.applicable is False
    assert result.detail == "No hold in this call."


def test_it_leaves_announced_holds_out_of_dead_air():
    rule = AnalyticsRule(metric="longest_dead_air_seconds", max=10, holds=HOLDS)
    segments = [
        seg("agent", 1.0, 3.0, "Please hold."),
        seg("agent", 60.0, 62.0, "Thanks for waiting."),
        seg("customer", 66.0, 67.0, "Okay."),
    ]
    analytics = {**ANALYTICS, "longest_dead_air_seconds": 57.0}
    result = run(rule, segments, analytics=analytics)
    assert result.answer == Answer.PASS
    assert "announced holds left out" in result.detail
    unannounced = [seg("agent", 1.0, 3.0, "Hmm."), *segments[1:]]
    failed = run(rule, unannounced, analytics=analytics)
    assert failed.answer == Answer.FAIL
    assert (failed.evidence[0].start, failed.evidence[0].end) == (3.0, 60.0)


def test_it_combines_rules():
    said = PhraseRule(phrases=("hello",))
    unsaid = PhraseRule(phrases=("goodbye",))
    unclear = PhraseRule(phrases=("hello there my friend",), threshold=99)
    segments = [seg("agent", 0.0, 2.0, "Hello there my friends.")]
    assert run(AllOf(rules=(said, unsaid)), segments).answer == Answer.FAIL
    assert run(AllOf(rules=(said, unclear)), segments).answer == Answer.UNKNOWN
    assert run(AnyOf(rules=(unsaid, said)), segments).answer == Answer.PASS
    assert run(AnyOf(rules=(unsaid, unclear)), segments).answer == Answer.UNKNOWN
    assert run(AtLeast(count=2, rules=(said, unsaid, unclear)), segments).answer == Answer.UNKNOWN
    assert run(AtLeast(count=1, rules=(unsaid, said)), segments).answer == Answer.PASS
    assert run(AtLeast(count=2, rules=(said, unsaid, PhraseRule(phrases=("farewell",)))), segments).answer == Answer.FAIL


EMPATHY = SemanticRule(
    examples=("I understand how frustrating that is.", "I'm sorry to hear that."),
    threshold=0.5,
    phrases=PhraseRule(phrases=("im sorry to hear that",)),
)


def test_it_falls_back_to_phrases_without_the_semantic_model_and_says_so():
    segments = [seg("agent", 1.0, 4.0, "Oh no, that sounds really annoying for you.")]
    evaluation = evaluate([Check("empathy", EMPATHY)], transcript=segments, context=CONTEXT, use_semantic_model=False)
    result = evaluation.result("empathy")
    assert result.answer == Answer.FAIL
    assert result.method == "phrase-fallback"
    assert evaluation.semantic_model == ""
    assert any("fell back to their phrases" in note for note in evaluation.notes)


def test_it_settles_a_semantic_rule_by_a_clear_phrase_without_the_model():
    segments = [seg("agent", 1.0, 4.0, "I'm sorry to hear that.")]
    result = run(EMPATHY, segments, use_semantic_model=False)
    assert result.answer == Answer.PASS and result.method == "phrase"


@pytest.mark.skipif(bool(embeddings.semantic_model_missing()), reason=embeddings.semantic_model_missing())
def test_it_hears_empathy_in_other_words_with_the_semantic_model():
    kind = [seg("agent", 1.0, 4.0, "I can imagine how upsetting that is.")]
    cold = [seg("agent", 1.0, 4.0, "What's your account number?")]
    result = evaluate([Check("empathy", EMPATHY)], transcript=kind, context=CONTEXT)
    assert result.semantic_model == embeddings.MODEL_ID
    assert result.result("empathy").answer == Answer.PASS
    assert result.result("empathy").method == "semantic"
    assert result.result("empathy").evidence[0].text == "I can imagine how upsetting that is."
    assert run(EMPATHY, cold).answer == Answer.FAIL


def test_it_says_unknown_for_a_call_in_a_language_the_check_is_not_written_for():
    result = run(PhraseRule(phrases=("hello",)), GREETING, context=CallContext(language="de"))
    assert result.answer == Answer.UNKNOWN and result.applicable is False


def test_it_gives_results_in_the_api_shape():
    evaluation = evaluate(default_checks(), transcript=GREETING, analytics=ANALYTICS, context=CONTEXT)
    item = evaluation.to_dict()["items"][0]
    assert item["criterion_key"] == "greeting"
    assert item["answer"] == "pass"
    assert set(item["evidence"]) == {"speaker", "text", "start", "end"}
    assert isinstance(item["confidence"], float)
    assert [i["criterion_key"] for i in evaluation.to_dict()["items"]] == [c.key for c in default_checks()]


def test_it_reads_stored_segments_with_word_lists():
    stored = [{
        "speaker": "agent", "start": 0.0, "end": 2.0, "text": " Please hold.",
        "words": [[0.0, 0.8, " Please", 0.9], [0.9, 2.0, " hold.", 0.8]],
    }]
    transcript = CallTranscript.from_segments(stored)
    assert [t.text for t in transcript.turns[0].tokens] == ["please", "hold"]
    assert transcript.turns[0].tokens[1].start == 0.9


@pytest.mark.parametrize(
    ("segment", "message"),
    [
        ({"speaker": "agent", "start": 3.0, "end": 1.0, "text": "x"}, "segment 0 ends (1.0) before it starts (3.0)"),
        ({"speaker": "agent", "start": "soon", "end": 1.0, "text": "x"}, "segment 0 start is not a number"),
        ({"speaker": "agent", "start": 0, "end": 1, "text": "x", "words": [[0.0, 1.0]]}, "segment 0 word 0 should be"),
    ],
)
def test_it_names_the_problem_in_a_malformed_transcript(segment, message):
    with pytest.raises(TranscriptError, match=re.escape(message)):
        CallTranscript.from_segments([segment])
