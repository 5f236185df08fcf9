"""The default checks for the shipped default rubric's checkable criteria, under stable keys.

Phrases name `{company}` and `{agent}`; each call fills them from its client and agent (`CallContext`), so
one set of checks serves every client. Thresholds were set on the sample calls' real tiny.en transcripts.
"""

from __future__ import annotations

from qa.autoqa.config import AllOf, AnalyticsRule, AtLeast, Check, HoldEtiquetteRule, HoldSpec, PhraseRule, SemanticRule

GREETING = "greeting"
RECORDING_DISCLOSURE = "recording_disclosure"
IDENTITY_VERIFICATION = "identity_verification"
HOLD_ETIQUETTE = "hold_etiquette"
CLOSING = "closing"
EMPATHY = "empathy"
DEAD_AIR = "dead_air"

DEFAULT_KEYS = (GREETING, RECORDING_DISCLOSURE, IDENTITY_VERIFICATION, HOLD_ETIQUETTE, CLOSING, EMPATHY, DEAD_AIR)

# The default rubric's questions (qa.reviews.services.DEFAULT_RUBRIC) and the key (and check) each carries.
DEAD_AIR_QUESTION = "Kept the line alive: no long unexplained silence"
DEFAULT_RUBRIC_KEYS = {
    "Greeted the caller with the company name and their own name": GREETING,
    "Disclosed that the call may be recorded": RECORDING_DISCLOSURE,
    "Verified the caller's identity before discussing the account": IDENTITY_VERIFICATION,
    "Asked permission before placing on hold and thanked the caller after": HOLD_ETIQUETTE,
    'Asked "Is there anything else I can help with?" before closing': CLOSING,
    "Showed empathy and kept a professional tone": EMPATHY,
    DEAD_AIR_QUESTION: DEAD_AIR,
}

GREETING_SECONDS = 15.0
DISCLOSURE_SECONDS = 30.0
CLOSING_SECONDS = 60.0
DEAD_AIR_MAX_SECONDS = 10.0

HOLDS = HoldSpec(
    ask=PhraseRule(
        label="hold request",
        phrases=(
            "can i put you on hold", "may i put you on hold", "can i place you on hold", "may i place you on hold",
            "would you mind holding", "do you mind if i put you on hold", "is it okay if i put you on hold",
            "let me put you on hold", "i will put you on hold", "please hold",
            "bear with me", "one moment please", "just a moment please",
        ),
        threshold=80,
    ),
    min_silence_seconds=20.0,
    announced_min_silence_seconds=5.0,
    ask_within_seconds=30.0,
)

EMPATHY_EXAMPLES = (
    "I'm sorry about that.",
    "I'm sorry to hear that.",
    "I understand how frustrating that is.",
    "I understand.",
    "I know how disruptive that is.",
    "That must be really annoying for you.",
    "I apologise for the inconvenience.",
    "I can see why you're upset.",
)

RUDE_PHRASES = (
    "calm down", "that is not my problem", "not my problem", "that is your problem", "i dont care",
    "it is your own fault", "stop shouting", "what do you want", "deal with it", "it is not my job",
)

IDENTIFIERS = {
    "account number": ("account number", "customer number", "reference number"),
    "date of birth": ("date of birth", "when were you born"),
    "postcode": ("postcode", "zip code", "postal code"),
    "name": ("can i have your name", "can i have the name", "your full name", "name on the account"),
    "address": ("first line of your address", "your address", "billing address"),
    "phone number": ("phone number on the account", "your phone number"),
    "email": ("email address on the account",),
    "security question": ("security question", "memorable word", "security answer"),
}


def default_checks() -> list[Check]:
    return [
        Check(
            GREETING,
            AllOf(
                label="greeting",
                rules=(
                    PhraseRule(
                        label="company name",
                        phrases=(
                            "thank you for calling {company}", "thanks for calling {company}", "welcome to {company}",
                            "you have reached {company}", "this is {company}", "{company} good morning",
                            "{company} good afternoon", "{company} how can i help",
                        ),
                        first_seconds=GREETING_SECONDS,
                        threshold=75,
                    ),
                    PhraseRule(
                        label="own name",
                        phrases=(
                            "my name is {agent}", "this is {agent}", "{agent} speaking", "you are speaking with {agent}",
                            "you are speaking to {agent}", "i am {agent}",
                        ),
                        first_seconds=GREETING_SECONDS,
                        threshold=75,
                    ),
                ),
            ),
        ),
        Check(
            RECORDING_DISCLOSURE,
            PhraseRule(
                phrases=(
                    "this call may be recorded", "this call is recorded", "this call is being recorded",
                    "calls may be recorded", "calls are recorded", "this call may be monitored",
                    "recorded for quality and training purposes", "recorded for training purposes",
                ),
                first_seconds=DISCLOSURE_SECONDS,
                threshold=80,
            ),
        ),
        Check(
            IDENTITY_VERIFICATION,
            AtLeast(
                count=2,
                label="identifiers asked",
                rules=tuple(PhraseRule(label=name, phrases=phrases, threshold=80) for name, phrases in IDENTIFIERS.items()),
            ),
        ),
        Check(
            HOLD_ETIQUETTE,
            HoldEtiquetteRule(
                holds=HOLDS,
                thank=PhraseRule(
                    label="thanks",
                    phrases=(
                        "thank you for holding", "thanks for holding", "thank you for waiting", "thanks for waiting",
                        "thank you for your patience", "thanks for your patience", "sorry to keep you waiting",
                        "sorry for the wait", "thanks for bearing with me",
                    ),
                    exclude=("thank you for calling", "thanks for calling"),
                    threshold=80,
                ),
                thank_within_seconds=30.0,
            ),
        ),
        Check(
            CLOSING,
            PhraseRule(
                phrases=(
                    "is there anything else i can help you with", "is there anything else i can help with",
                    "is there anything else i can do for you", "can i help you with anything else",
                    "anything else i can help you with today", "is there anything else",
                ),
                last_seconds=CLOSING_SECONDS,
                threshold=80,
            ),
        ),
        Check(
            EMPATHY,
            AllOf(
                label="empathy and tone",
                rules=(
                    SemanticRule(
                        label="empathy",
                        examples=EMPATHY_EXAMPLES,
                        threshold=0.6,
                        phrases=PhraseRule(
                            label="empathy",
                            phrases=(
                                "im sorry about that", "im sorry to hear that", "i understand how frustrating",
                                "i understand", "i know how frustrating", "i know how disruptive", "i apologise for the inconvenience", "sorry for the trouble",
                            ),
                            threshold=80,
                        ),
                    ),
                    PhraseRule(label="professional tone", phrases=RUDE_PHRASES, mode="must_not_say", threshold=85),
                ),
            ),
        ),
        Check(
            DEAD_AIR,
            AnalyticsRule(metric="longest_dead_air_seconds", max=DEAD_AIR_MAX_SECONDS, holds=HOLDS, label="dead air"),
        ),
    ]
