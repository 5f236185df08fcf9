"""Call analytics from each side's speech intervals: pure functions, no database.

The intervals come from voice-activity detection on each channel, not from
transcript segment bounds, which drift. Definitions match the shipped samples'
ground truth (recordings/samples/make_samples.py, `analytics_from_turns`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

Intervals = list[tuple[float, float]]

# Pauses shorter than this belong to the same turn.
TURN_GAP_SECONDS = 1.0
DEAD_AIR_MIN_SECONDS = 2.0
MONOLOGUE_MERGE_GAP_SECONDS = 1.0


@dataclass(frozen=True)
class Analytics:
    agent_talk_seconds: float
    customer_talk_seconds: float
    talk_listen_ratio: float | None
    dead_air_seconds: float
    longest_dead_air_seconds: float
    overtalk_seconds: float
    interruptions: int
    longest_monologue_seconds: float
    agent_words_per_minute: float | None

    def as_dict(self) -> dict:
        return asdict(self)


def merge(intervals: Intervals, max_gap: float = 0.0) -> Intervals:
    """Sorted union of intervals; those less than `max_gap` apart are joined."""
    merged: list[list[float]] = []
    for start, end in sorted(intervals):
        if merged and start - merged[-1][1] < max_gap + 1e-9:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def total(intervals: Intervals) -> float:
    return sum(e - s for s, e in intervals)


def overlap(a: Intervals, b: Intervals) -> float:
    """Total time covered by both lists of merged intervals."""
    result, i, j = 0.0, 0, 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if hi > lo:
            result += hi - lo
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return result


def turns(speech: Intervals) -> Intervals:
    """Speech intervals joined across the short pauses inside a turn."""
    return merge(speech, TURN_GAP_SECONDS)


def call_analytics(*, agent_speech: Intervals, customer_speech: Intervals, agent_words: int) -> Analytics:
    agent = turns(agent_speech)
    customer = turns(customer_speech)
    agent_talk = total(agent)
    customer_talk = total(customer)

    anyone = merge(agent + customer)
    gaps = [later[0] - earlier[1] for earlier, later in zip(anyone, anyone[1:])]
    dead = [g for g in gaps if g >= DEAD_AIR_MIN_SECONDS - 1e-9]

    interruptions = sum(
        1
        for mine, theirs in ((agent, customer), (customer, agent))
        for start, _end in mine
        if any(s < start < e for s, e in theirs)
    )
    monologues = merge(agent, MONOLOGUE_MERGE_GAP_SECONDS)

    return Analytics(
        agent_talk_seconds=round(agent_talk, 3),
        customer_talk_seconds=round(customer_talk, 3),
        talk_listen_ratio=round(agent_talk / customer_talk, 3) if customer_talk else None,
        dead_air_seconds=round(sum(dead), 3),
        longest_dead_air_seconds=round(max(dead, default=0.0), 3),
        overtalk_seconds=round(overlap(agent, customer), 3),
        interruptions=interruptions,
        longest_monologue_seconds=round(max((e - s for s, e in monologues), default=0.0), 3),
        agent_words_per_minute=round(agent_words / (agent_talk / 60.0), 1) if agent_talk else None,
    )
