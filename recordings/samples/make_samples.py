#!/usr/bin/env python3
"""Generate synthetic two-party customer-support calls with ground truth.

Run from the repository root::

    python recordings/samples/make_samples.py [--output-dir DIR] [--only NAME ...]

For every call in ``CALLS`` this writes ``<name>.flac`` (stereo, 8 kHz,
16-bit; agent on the LEFT channel, customer on the RIGHT) and ``<name>.json``
(ground truth: exact speech intervals per turn, analytics and suggested call
metadata) into the output directory (default: the directory of this script),
and the same for every call in ``EXTRA_CALLS`` into its ``extra/`` folder.

Each turn is synthesised with ``espeak-ng`` into its own wav, band-limited and
resampled to 8 kHz with ``sox`` (no dither, repeatable mode), trimmed of its
leading/trailing silence and then placed at a computed sample offset in its
speaker's channel; the other channel stays digitally silent (all zeros).
Everything is deterministic: same tool versions -> byte-identical files.

Only the standard library and numpy are used; ``espeak-ng`` and ``sox`` must
be on PATH. The generated files are committed, so nothing else in the
project needs espeak-ng or sox.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import numpy as np

SAMPLE_RATE = 8000
CHANNELS = 2
AGENT_CHANNEL = 0  # left
CUSTOMER_CHANNEL = 1  # right

# espeak-ng amplitude (0-200, default 100). A bit lower than the default keeps
# the FLAC files small and leaves headroom.
ESPEAK_AMPLITUDE = 35
# Samples whose absolute value is at or below this (int16 units) count as
# silence when trimming each rendered turn.
TRIM_THRESHOLD = 64
MS_SAMPLES = SAMPLE_RATE // 1000  # turn offsets/lengths are whole milliseconds
LEAD_IN_SECONDS = 0.6  # silence before the first turn
TAIL_SECONDS = 0.8  # silence after the last turn

# Analytics parameters (see analytics_from_turns).
DEAD_AIR_MIN_SECONDS = 2.0
MONOLOGUE_MERGE_GAP_SECONDS = 1.0

# Versions the committed files were generated with; regenerating with other
# versions may legitimately give different bytes.
GENERATED_WITH = {"espeak-ng": "1.51", "sox": "14.4.2"}

DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


# --------------------------------------------------------------------------
# Analytics (the app computes the same quantities from transcribed audio)
# --------------------------------------------------------------------------


def _merge(intervals, max_gap=0.0):
    """Merge (start, end) intervals that overlap, touch, or are separated by a
    gap shorter than max_gap."""
    merged = []
    for start, end in sorted(intervals):
        if merged and (start <= merged[-1][1] or start - merged[-1][1] < max_gap):
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def _total(intervals):
    return sum(e - s for s, e in intervals)


def _intersection_total(a, b):
    """Total length of the intersection of two lists of merged intervals."""
    total, i, j = 0.0, 0, 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if hi > lo:
            total += hi - lo
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


def count_words(text):
    """Whitespace-separated tokens containing at least one letter or digit."""
    return sum(1 for tok in text.split() if any(ch.isalnum() for ch in tok))


def analytics_from_turns(turns):
    """Call analytics from speaker turns.

    ``turns`` is a list of dicts with ``speaker`` ("agent"/"customer"),
    ``start`` and ``end`` (seconds) and ``text``. Definitions:

    * ``agent_talk_seconds`` / ``customer_talk_seconds``: total length of the
      union of that speaker's turn intervals.
    * ``talk_listen_ratio``: agent_talk_seconds / customer_talk_seconds
      (3 decimals; None if the customer never speaks).
    * dead air: stretches where neither speaker talks for at least 2.0 s,
      counted only between the first speech start and the last speech end.
      ``dead_air_seconds`` is their sum, ``longest_dead_air_seconds`` the
      longest (0.0 if none).
    * ``overtalk_seconds``: total time both speakers talk at once.
    * ``interruptions``: number of turns that start strictly inside an
      interval where the other speaker is already talking.
    * ``longest_monologue_seconds``: the agent's longest continuous talk
      interval after merging agent intervals separated by gaps < 1.0 s
      (the short gaps count towards the length).
    * ``agent_words_per_minute``: words in the agent's turn texts (see
      count_words) / (agent_talk_seconds / 60), 1 decimal.

    All durations are rounded to 3 decimals.
    """
    by_speaker = {"agent": [], "customer": []}
    for turn in turns:
        by_speaker[turn["speaker"]].append((float(turn["start"]), float(turn["end"])))
    agent = _merge(by_speaker["agent"])
    customer = _merge(by_speaker["customer"])
    agent_talk = _total(agent)
    customer_talk = _total(customer)

    speech = _merge(agent + customer)
    gaps = [b[0] - a[1] for a, b in zip(speech, speech[1:])]
    dead = [g for g in gaps if g >= DEAD_AIR_MIN_SECONDS - 1e-9]

    interruptions = 0
    for turn in turns:
        other = customer if turn["speaker"] == "agent" else agent
        start = float(turn["start"])
        if any(s < start < e for s, e in other):
            interruptions += 1

    monologues = _merge(by_speaker["agent"], max_gap=MONOLOGUE_MERGE_GAP_SECONDS)
    agent_words = sum(count_words(t["text"]) for t in turns if t["speaker"] == "agent")

    return {
        "agent_talk_seconds": round(agent_talk, 3),
        "customer_talk_seconds": round(customer_talk, 3),
        "talk_listen_ratio": round(agent_talk / customer_talk, 3) if customer_talk else None,
        "dead_air_seconds": round(float(sum(dead)), 3),
        "longest_dead_air_seconds": round(max(dead), 3) if dead else 0.0,
        "overtalk_seconds": round(_intersection_total(agent, customer), 3),
        "interruptions": interruptions,
        "longest_monologue_seconds": round(max((e - s for s, e in monologues), default=0.0), 3),
        "agent_words_per_minute": round(agent_words / (agent_talk / 60.0), 1) if agent_talk else 0.0,
    }


# --------------------------------------------------------------------------
# Call scripts
# --------------------------------------------------------------------------


def digits_as_words(digits, group=4):
    """'4539...' -> 'four, five, three, nine. ...' (one word per digit, a
    slightly longer pause between groups)."""
    groups = [digits[i : i + group] for i in range(0, len(digits), group)]
    return " ".join(", ".join(DIGIT_WORDS[int(d)] for d in g).capitalize() + "." for g in groups)


def luhn_ok(number):
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


CARD_NUMBER = "4539148803436467"  # well-known Luhn-valid test Visa number
assert luhn_ok(CARD_NUMBER)

# A turn is (speaker, text, gap_before_seconds). gap_before is measured from
# the end of the latest speech so far; a negative gap starts the turn while the
# previous speaker is still talking (overtalk / interruption).
A, C = "agent", "customer"

CALLS = [
    {
        "name": "billing_double_charge",
        "title": "Double charge on monthly bill, refund issued",
        "voices": {A: ("en-us+f3", 150), C: ("en-gb", 145)},
        "metadata": {
            "external_id": "CALL-20250304-0001",
            "agent_external_id": "AGT-1042",
            "agent_name": "Sarah",
            "queue": "billing",
            "direction": "inbound",
            "started_at": "2025-03-04T09:12:31-05:00",
            "wait_seconds": 42,
            "hold_seconds": 0,
            "after_call_work_seconds": 35,
            "disposition": "refund_issued",
            "resolved": True,
            "csat": 5,
            "nps": 9,
            "customer_ref": "ACM-772419",
        },
        "turns": [
            (A, "Thank you for calling Acme Telecom, my name is Sarah. This call may be recorded. How can I help?", None),
            (C, "Hi Sarah. I've been charged twice this month.", 0.6),
            (A, "I'm sorry about that, I understand how frustrating that is. What's your account number?", 0.5),
            (C, "It's seven seven two, four one nine.", 0.9),
            (A, "And your date of birth, please?", 0.4),
            (C, "March twelfth, nineteen eighty four.", 0.7),
            (A, "Thanks, Mr. Patel, you're verified. Let me check your bill.", 0.5),
            (A, "I see it. The April charge was taken twice. I've refunded forty two dollars to your card.", 3.2),
            (C, "Great, thank you.", 0.6),
            (A, "Is there anything else I can help with?", 0.4),
            (C, "No, that's all.", 1.1),
            (A, "Thanks for calling Acme Telecom. Goodbye.", 0.4),
            (C, "Bye.", 0.3),
        ],
    },
    {
        "name": "cancel_subscription_interruption",
        "title": "Customer cancels subscription, interrupts retention offer",
        "voices": {A: ("en-us", 150), C: ("en-us+f4", 150)},
        "metadata": {
            "external_id": "CALL-20250305-0017",
            "agent_external_id": "AGT-1077",
            "agent_name": "James",
            "queue": "retention",
            "direction": "inbound",
            "started_at": "2025-03-05T14:03:05-05:00",
            "wait_seconds": 118,
            "hold_seconds": 0,
            "after_call_work_seconds": 60,
            "disposition": "cancelled",
            "resolved": True,
            "csat": 3,
            "nps": 2,
            "customer_ref": "ACM-310558",
        },
        "turns": [
            (A, "Thanks for calling Acme Telecom, this is James. This call may be recorded. How can I help?", None),
            (C, "Hi. I want to cancel my subscription.", 0.7),
            (A, "Sure. Can I have your name and account number?", 0.4),
            (C, "Linda Gomez, three one oh, five five eight.", 0.8),
            (A, "Thank you, Ms. Gomez. May I ask why you're leaving?", 0.5),
            (C, "It's just too expensive.", 0.9),
            (A, "I understand. Before you go, I can offer you fifty percent off for six months, and a free speed upgrade", 0.5),
            (C, "No, sorry, I really just want to cancel.", -1.0),
            (A, "Of course. I'll process that now.", 0.6),
            (A, "Done. You'll get a confirmation email. Is there anything else I can help with?", 2.7),
            (C, "No, that's all.", 0.6),
            (A, "Thanks for calling Acme Telecom. Goodbye.", 0.4),
        ],
    },
    {
        "name": "outage_hold",
        "title": "Internet outage, agent places customer on hold to check",
        "voices": {A: ("en-us+f3", 150), C: ("en-gb-x-rp", 145)},
        "metadata": {
            "external_id": "CALL-20250306-0042",
            "agent_external_id": "AGT-1042",
            "agent_name": "Sarah",
            "queue": "technical_support",
            "direction": "inbound",
            "started_at": "2025-03-06T08:47:10-05:00",
            "wait_seconds": 305,
            "hold_seconds": 60,
            "after_call_work_seconds": 90,
            "disposition": "outage_informed",
            "resolved": False,
            "csat": 4,
            "nps": 6,
            "customer_ref": "ACM-558120",
        },
        "turns": [
            (A, "Thank you for calling Acme Telecom, my name is Sarah. This call may be recorded. How can I help?", None),
            (C, "Hello. My internet has been down since this morning.", 0.6),
            (A, "I'm sorry about that, I know how disruptive that is. Can I have the name and postcode on the account?", 0.5),
            (C, "Tom Hughes, S W one A, two A A.", 0.9),
            (A, "Thank you, Mr. Hughes. Let me check that, please hold.", 0.5),
            (A, "Thank you for holding. There's an outage in your area, and it should be fixed by six p.m. today.", 60.0),
            (C, "Okay, at least I know what's going on.", 0.8),
            (A, "I've added a credit to your account. Is there anything else I can help with?", 0.5),
            (C, "No, thanks.", 0.7),
            (A, "Thank you for your patience. Goodbye.", 0.4),
        ],
    },
    {
        "name": "card_payment",
        "title": "Overdue balance paid by card over the phone",
        "voices": {A: ("en-us", 150), C: ("en-us+f3", 145)},
        "metadata": {
            "external_id": "CALL-20250307-0108",
            "agent_external_id": "AGT-1093",
            "agent_name": "Daniel",
            "queue": "payments",
            "direction": "inbound",
            "started_at": "2025-03-07T16:21:48-05:00",
            "wait_seconds": 15,
            "hold_seconds": 0,
            "after_call_work_seconds": 20,
            "disposition": "payment_taken",
            "resolved": True,
            "csat": 5,
            "nps": 8,
            "customer_ref": "ACM-904633",
        },
        "turns": [
            (A, "Thank you for calling Acme Telecom, my name is Daniel. This call may be recorded. How can I help?", None),
            (C, "Hi, I'd like to pay my overdue balance.", 0.6),
            (A, "Sure. Can you confirm your date of birth?", 0.4),
            (C, "July second, nineteen ninety.", 0.8),
            (A, "Thank you, Ms. Chen. Your balance is eighty nine dollars. What's the card number?", 0.5),
            (C, digits_as_words(CARD_NUMBER), 1.0),
            (A, "And the expiry date?", 0.5),
            (C, "Oh eight, twenty seven.", 0.7),
            (A, "And the security code?", 0.4),
            (C, "Seven, three, one.", 0.9),
            (A, "Thank you, the payment went through. Is there anything else I can help with?", 1.3),
            (C, "No, thank you.", 0.6),
            (A, "Thanks for calling Acme Telecom. Goodbye.", 0.4),
        ],
    },
]


# Calls for the automatic QA checks (qa/autoqa): together with the calls above, every default check has
# a call that passes it and one that fails it. AUTO_QA_EXPECTED is each call's ground truth per check
# (pass / fail / unknown: the item does not apply), written into its JSON as "auto_qa_expected".
CALLS.extend([
    {
        "name": "rude_agent",
        "title": "Agent skips the greeting and is rude to a frustrated customer",
        "voices": {A: ("en-us", 150), C: ("en-us+f4", 145)},
        "metadata": {
            "external_id": "CALL-20250310-0203",
            "agent_external_id": "AGT-1103",
            "agent_name": "Kevin",
            "queue": "technical_support",
            "direction": "inbound",
            "started_at": "2025-03-10T11:05:42-05:00",
            "wait_seconds": 64,
            "hold_seconds": 0,
            "after_call_work_seconds": 15,
            "disposition": "engineer_booked",
            "resolved": False,
            "csat": 1,
            "nps": 0,
            "customer_ref": "ACM-620914",
        },
        "turns": [
            (A, "Yeah, hello. What do you want?", None),
            (C, "Hi. My internet keeps dropping every evening, and I work from home, so I really need it fixed.", 0.7),
            (A, "Did you turn the router off and on again?", 0.6),
            (C, "Yes, three times already. It's really frustrating.", 0.8),
            (A, "Well, that's not my problem. Calm down.", 0.5),
            (C, "Excuse me? I pay for this service every single month.", 0.9),
            (A, "An engineer can come out on Friday morning. Take it or leave it.", 0.6),
            (C, "Fine. Friday morning then.", 1.0),
            (A, "Right. Bye.", 0.5),
        ],
    },
    {
        "name": "unannounced_hold",
        "title": "Late delivery; agent goes silent to check without asking and never thanks",
        "voices": {A: ("en-us+f2", 150), C: ("en-gb", 145)},
        "metadata": {
            "external_id": "CALL-20250311-0077",
            "agent_external_id": "AGT-1101",
            "agent_name": "Emma",
            "queue": "orders",
            "direction": "inbound",
            "started_at": "2025-03-11T15:40:09-05:00",
            "wait_seconds": 31,
            "hold_seconds": 0,
            "after_call_work_seconds": 40,
            "disposition": "delivery_tracked",
            "resolved": True,
            "csat": 3,
            "nps": 6,
            "customer_ref": "ACM-441826",
        },
        "turns": [
            (A, "Thank you for calling Acme Telecom, my name is Emma. This call may be recorded. How can I help?", None),
            (C, "Hello. My new phone hasn't arrived yet, and it was due on Monday.", 0.6),
            (A, "I'm sorry to hear that. Can I have your account number, please?", 0.5),
            (C, "It's four four one, eight two six.", 0.8),
            (A, "And the postcode on the account?", 0.4),
            (C, "L S one, four A B.", 0.9),
            (A, "Thank you. Let me look into that.", 0.5),
            (A, "Okay. The courier has it, and it will arrive tomorrow before noon.", 25.0),
            (C, "Alright, that's good news.", 0.7),
            (A, "Is there anything else I can help you with?", 0.5),
            (C, "No, that's everything.", 0.8),
            (A, "Thank you for calling Acme Telecom. Goodbye.", 0.4),
        ],
    },
    {
        "name": "asked_hold_no_disclosure",
        "title": "Broadband upgrade: a proper hold, but no company name, no disclosure, dead air and an abrupt close",
        "voices": {A: ("en-us+m3", 150), C: ("en-us+f3", 145)},
        "metadata": {
            "external_id": "CALL-20250312-0150",
            "agent_external_id": "AGT-1102",
            "agent_name": "Mark",
            "queue": "sales",
            "direction": "inbound",
            "started_at": "2025-03-12T10:18:27-05:00",
            "wait_seconds": 12,
            "hold_seconds": 22,
            "after_call_work_seconds": 30,
            "disposition": "upgrade_sold",
            "resolved": True,
            "csat": 4,
            "nps": 7,
            "customer_ref": "ACM-187305",
        },
        "turns": [
            (A, "Hi, this is Mark speaking. How can I help you today?", None),
            (C, "Hi Mark. I'd like to upgrade my broadband package, please.", 0.7),
            (A, "Sure. Can I have your full name and date of birth?", 0.5),
            (C, "Peter Novak, fifth of June, nineteen seventy eight.", 0.8),
            (A, "Thanks, Mr. Novak. Can I put you on hold for a moment while I check the offers?", 0.5),
            (C, "Sure, no problem.", 0.7),
            (A, "Thank you for holding. I can move you to the fibre plan for thirty dollars a month.", 22.0),
            (C, "That sounds good. How fast is it?", 0.8),
            (A, "It's five hundred megabits, and the first month is free.", 0.5),
            (C, "Okay, let's do that.", 0.7),
            (A, "Great. I'm setting that up for you now.", 0.5),
            (A, "Done. It will be active from Monday. Bye now.", 14.0),
            (C, "Thanks, bye.", 0.5),
        ],
    },
])

_HOLD_UNKNOWN = {"hold_etiquette": "unknown"}
AUTO_QA_EXPECTED = {
    "billing_double_charge": {
        "greeting": "pass", "recording_disclosure": "pass", "identity_verification": "pass", **_HOLD_UNKNOWN,
        "closing": "pass", "empathy": "pass", "dead_air": "pass",
    },
    "cancel_subscription_interruption": {
        "greeting": "pass", "recording_disclosure": "pass", "identity_verification": "pass", **_HOLD_UNKNOWN,
        "closing": "pass", "empathy": "pass", "dead_air": "pass",
    },
    "outage_hold": {
        "greeting": "pass", "recording_disclosure": "pass", "identity_verification": "pass", "hold_etiquette": "pass",
        "closing": "pass", "empathy": "pass", "dead_air": "pass",
    },
    "card_payment": {  # only the date of birth is asked; no word of empathy
        "greeting": "pass", "recording_disclosure": "pass", "identity_verification": "fail", **_HOLD_UNKNOWN,
        "closing": "pass", "empathy": "fail", "dead_air": "pass",
    },
    "rude_agent": {
        "greeting": "fail", "recording_disclosure": "fail", "identity_verification": "fail", **_HOLD_UNKNOWN,
        "closing": "fail", "empathy": "fail", "dead_air": "pass",
    },
    "unannounced_hold": {
        "greeting": "pass", "recording_disclosure": "pass", "identity_verification": "pass", "hold_etiquette": "fail",
        "closing": "pass", "empathy": "pass", "dead_air": "fail",
    },
    "asked_hold_no_disclosure": {  # own name but no company name; 14 s of unannounced dead air
        "greeting": "fail", "recording_disclosure": "fail", "identity_verification": "pass", "hold_etiquette": "pass",
        "closing": "fail", "empathy": "fail", "dead_air": "fail",
    },
}


# More calls, written to EXTRA_DIR beside the calls above (which the demo and
# most tests use): card numbers with long runs of one digit, read at a normal
# pace and fast (they once sent Whisper into decoding loops), and a German call
# for the multilingual model. Each may name its "language" (default English).
EXTRA_DIR = "extra"


def digits_in_groups(digits, group=4):
    """'3400000...' -> 'Three four zero zero, zero zero zero zero, ...': no pause
    between the digits of a group, as people read card numbers."""
    groups = [digits[i : i + group] for i in range(0, len(digits), group)]
    return ", ".join(" ".join(DIGIT_WORDS[int(d)] for d in g) for g in groups).capitalize() + "."


ZERO_RUN_CARD = "340000000000009"  # well-known Luhn-valid test Amex number: twelve zeros in a row
ONE_RUN_CARD = "4111111111111111"  # well-known Luhn-valid test Visa number: fifteen ones
assert luhn_ok(ZERO_RUN_CARD) and luhn_ok(ONE_RUN_CARD)


def _card_run_call(name, title, customer_speed, metadata):
    return {
        "name": name,
        "title": title,
        "language": "en",
        "voices": {A: ("en-us", 150), C: ("en-gb", customer_speed)},
        "metadata": metadata,
        "turns": [
            (A, "Thank you for calling Acme Telecom, my name is Daniel. This call may be recorded. How can I help?", None),
            (C, "Hi, I'd like to pay my bill by card.", 0.6),
            (A, "Of course. What's the card number?", 0.4),
            (C, digits_in_groups(ZERO_RUN_CARD), 0.8),
            (A, "And the expiry date?", 0.5),
            (C, "March twenty eight.", 0.6),
            (A, "I'm sorry, that card was declined. Do you have another one?", 1.2),
            (C, "Yes, here it is.", 0.5),
            (C, digits_in_groups(ONE_RUN_CARD), 0.6),
            (A, "And the name on the card?", 0.5),
            (C, "Maria Lopez.", 0.6),
            (A, "Thank you, the payment went through. Is there anything else I can help with?", 1.1),
            (C, "No, that's all, thanks.", 0.6),
            (A, "Thanks for calling Acme Telecom. Goodbye.", 0.4),
        ],
    }


def _card_metadata(external_id, started_at):
    return {
        "external_id": external_id,
        "agent_external_id": "AGT-1093",
        "agent_name": "Daniel",
        "queue": "payments",
        "direction": "inbound",
        "started_at": started_at,
        "wait_seconds": 20,
        "hold_seconds": 0,
        "after_call_work_seconds": 25,
        "disposition": "payment_taken",
        "resolved": True,
        "csat": 4,
        "nps": 7,
        "customer_ref": "ACM-118204",
    }


EXTRA_CALLS = [
    _card_run_call(
        "card_digit_runs",
        "Card with long zero and one runs read out at a normal pace",
        145,
        _card_metadata("CALL-20250310-0201", "2025-03-10T10:02:11-05:00"),
    ),
    _card_run_call(
        "card_digit_runs_fast",
        "Card with long zero and one runs read out fast",
        200,
        _card_metadata("CALL-20250310-0233", "2025-03-10T11:40:52-05:00"),
    ),
    {
        "name": "german_billing",
        "title": "German call: a bill too high, refund promised",
        "language": "de",
        "voices": {A: ("de+f3", 150), C: ("de", 145)},
        "metadata": {
            "external_id": "CALL-20250311-0307",
            "agent_external_id": "AGT-2001",
            "agent_name": "Anna",
            "queue": "billing",
            "direction": "inbound",
            "started_at": "2025-03-11T09:15:00+01:00",
            "wait_seconds": 30,
            "hold_seconds": 0,
            "after_call_work_seconds": 40,
            "disposition": "refund_issued",
            "resolved": True,
            "csat": 5,
            "nps": 9,
            "customer_ref": "ACM-DE-4471",
        },
        "turns": [
            (A, "Guten Tag, Acme Telecom, mein Name ist Anna. Wie kann ich Ihnen helfen?", None),
            (C, "Guten Tag. Meine Rechnung ist diesen Monat viel zu hoch.", 0.6),
            (A, "Das tut mir leid. Wie lautet Ihre Kundennummer?", 0.5),
            (C, "Sieben drei eins, vier zwei acht.", 0.8),
            (A, "Vielen Dank. Ich sehe eine doppelte Abbuchung. Ich erstatte Ihnen den Betrag noch heute.", 0.6),
            (C, "Sehr gut, vielen Dank für Ihre Hilfe.", 0.7),
            (A, "Kann ich sonst noch etwas für Sie tun?", 0.4),
            (C, "Nein, das ist alles.", 0.6),
            (A, "Vielen Dank für Ihren Anruf. Auf Wiederhören.", 0.4),
        ],
    },
]


# --------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------


def _read_mono_int16(path):
    with wave.open(str(path), "rb") as w:
        assert w.getnchannels() == 1 and w.getsampwidth() == 2, path
        assert w.getframerate() == SAMPLE_RATE, (path, w.getframerate())
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.int16)


def render_turn(text, voice, speed, workdir, index):
    """Synthesise one turn; returns trimmed int16 mono samples at 8 kHz."""
    raw = Path(workdir) / f"turn{index:02d}_raw.wav"
    tel = Path(workdir) / f"turn{index:02d}_8k.wav"
    subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(speed), "-a", str(ESPEAK_AMPLITUDE), "-w", str(raw), text],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    # -R: repeatable mode, -D: no dither (dither would add random noise).
    # Telephone band-limit (300-3400 Hz) and resample to 8 kHz mono 16-bit.
    subprocess.run(
        ["sox", "-R", "-D", str(raw), "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", "-e", "signed-integer",
         str(tel), "sinc", "300-3400"],
        check=True,
    )
    samples = _read_mono_int16(tel)
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > TRIM_THRESHOLD)
    if loud.size == 0:
        raise RuntimeError(f"espeak-ng produced silence for {text!r}")
    start, end = loud[0], loud[-1] + 1
    # Round the length up to whole milliseconds so that every turn boundary
    # lies exactly on the millisecond grid (start/end are stored with 3
    # decimals); the few extra samples are the turn's own sub-threshold tail.
    end = start + -(-(end - start) // MS_SAMPLES) * MS_SAMPLES
    out = np.zeros(end - start, dtype=np.int16)
    tail = samples[start:end]
    out[: len(tail)] = tail
    return out


def build_call(call, workdir):
    """Render a call; returns (stereo int16 array of shape (n, 2), turns)."""
    rendered = []
    for i, (speaker, text, _gap) in enumerate(call["turns"]):
        voice, speed = call["voices"][speaker]
        rendered.append(render_turn(text, voice, speed, workdir, i))

    # Place the turns on a sample-exact timeline.
    cursor = int(round(LEAD_IN_SECONDS * 1000)) * MS_SAMPLES  # latest speech end so far
    placed = []
    for (speaker, text, gap), samples in zip(call["turns"], rendered):
        start = cursor if gap is None else cursor + int(round(gap * 1000)) * MS_SAMPLES
        end = start + len(samples)
        placed.append((speaker, text, start, end, samples))
        cursor = max(cursor, end)
    total = cursor + int(round(TAIL_SECONDS * 1000)) * MS_SAMPLES

    audio = np.zeros((total, CHANNELS), dtype=np.int16)
    turns = []
    channel_end = [0] * CHANNELS
    for speaker, text, start, end, samples in placed:
        ch = AGENT_CHANNEL if speaker == A else CUSTOMER_CHANNEL
        if start < channel_end[ch]:
            raise RuntimeError(f"{call['name']}: two {speaker} turns overlap at {start / SAMPLE_RATE:.3f} s")
        channel_end[ch] = end
        audio[start:end, ch] = samples
        turns.append(
            {
                "speaker": speaker,
                "start": round(start / SAMPLE_RATE, 3),
                "end": round(end / SAMPLE_RATE, 3),
                "text": text,
            }
        )
    return audio, turns


def write_flac(audio, path, workdir):
    tmp_wav = Path(workdir) / "mix.wav"
    with wave.open(str(tmp_wav), "wb") as w:
        w.setnchannels(CHANNELS)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(audio.astype("<i2").tobytes())
    tmp_flac = Path(workdir) / "mix.flac"
    subprocess.run(["sox", "-R", "-D", str(tmp_wav), "-C", "8", str(tmp_flac)], check=True)
    shutil.move(str(tmp_flac), str(path))


def make_call(call, output_dir):
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"sample_{call['name']}_") as workdir:
        audio, turns = build_call(call, workdir)
        flac_path = output_dir / f"{call['name']}.flac"
        write_flac(audio, flac_path, workdir)
    truth = {
        "name": call["name"],
        "file": flac_path.name,
        "title": call["title"],
        "duration_seconds": round(len(audio) / SAMPLE_RATE, 3),
        "sample_rate": SAMPLE_RATE,
        "channels": CHANNELS,
        "agent_channel": "left",
        "voices": {spk: {"espeak_voice": v, "words_per_minute_setting": s} for spk, (v, s) in call["voices"].items()},
        "turns": turns,
        "analytics": analytics_from_turns(turns),
        "metadata": call["metadata"],
    }
    if "language" in call:  # the calls above predate the field: English
        truth["language"] = call["language"]
    if call["name"] in AUTO_QA_EXPECTED:
        truth["auto_qa_expected"] = AUTO_QA_EXPECTED[call["name"]]
    json_path = output_dir / f"{call['name']}.json"
    json_path.write_text(json.dumps(truth, indent=2) + "\n", encoding="utf-8")
    return flac_path, json_path, truth


def tool_versions():
    """Installed espeak-ng and sox versions, e.g. {'espeak-ng': '1.51', ...}."""
    versions = {}
    for tool, args in (("espeak-ng", ["--version"]), ("sox", ["--version"])):
        try:
            out = subprocess.run([tool, *args], capture_output=True, text=True, check=False).stdout
        except OSError:
            versions[tool] = None
            continue
        if tool == "espeak-ng":
            # "eSpeak NG text-to-speech: 1.51  Data at: ..."
            versions[tool] = out.split(":", 1)[1].split()[0] if ":" in out else None
        else:
            # "sox:      SoX v14.4.2"
            versions[tool] = out.strip().rsplit("v", 1)[-1] if "v" in out else None
    return versions


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--output-dir",
        default=str(Path(__file__).resolve().parent),
        help="where to write <name>.flac and <name>.json (default: next to this script)",
    )
    parser.add_argument("--only", nargs="*", help="only generate these call names")
    args = parser.parse_args(argv)

    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            parser.error(f"{tool} not found on PATH (apt-get install espeak-ng sox)")
    versions = tool_versions()
    if versions != GENERATED_WITH:
        print(f"warning: committed samples were generated with {GENERATED_WITH}, found {versions}; "
              "output may differ byte-wise", file=sys.stderr)

    os.makedirs(args.output_dir, exist_ok=True)
    calls = [(c, args.output_dir) for c in CALLS]
    calls += [(c, os.path.join(args.output_dir, EXTRA_DIR)) for c in EXTRA_CALLS]
    for call, output_dir in calls:
        if args.only and call["name"] not in args.only:
            continue
        flac_path, _json_path, truth = make_call(call, output_dir)
        a = truth["analytics"]
        print(
            f"{flac_path}: {truth['duration_seconds']:.1f} s, {flac_path.stat().st_size // 1024} KB, "
            f"agent {a['agent_talk_seconds']} s / customer {a['customer_talk_seconds']} s, "
            f"dead air {a['dead_air_seconds']} s, overtalk {a['overtalk_seconds']} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
