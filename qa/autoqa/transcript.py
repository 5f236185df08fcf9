"""What a check reads: the call's transcript as timed words per speaker, and facts about the call.

`CallTranscript.from_segments` takes the stored shape (`recordings.models.Segment` rows, or dicts with
speaker, start, end, text and words as `[start, end, word, probability]` lists or `{"start", "end",
"word"|"text"}` dicts). Segments without word times get times spread evenly over the segment.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from qa.autoqa.text import normalise, sound_key

AGENT, CUSTOMER, UNKNOWN = "agent", "customer", "unknown"
# Same-speaker segments closer than this read as one turn, so a phrase split by Whisper still matches.
TURN_GAP_SECONDS = 1.0


class TranscriptError(ValueError):
    """The transcript handed to auto-QA is malformed."""


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Segment:
    speaker: str
    start: float
    end: float
    text: str
    words: tuple[Word, ...]


@dataclass(frozen=True)
class Token:
    """One normalised word, with the time and segment of the spoken word it came from."""

    text: str
    key: str
    start: float
    end: float
    segment: int


@dataclass(frozen=True)
class Turn:
    """Consecutive segments of one speaker, as one stream of tokens."""

    speaker: str
    segments: tuple[int, ...]
    tokens: tuple[Token, ...]

    @property
    def start(self) -> float:
        return self.tokens[0].start

    @property
    def end(self) -> float:
        return self.tokens[-1].end


@dataclass(frozen=True)
class CallContext:
    """Facts about the call that rules refer to: `{agent}` and `{company}` in phrases, the call's length."""

    agent_name: str = ""
    company_name: str = ""
    duration_seconds: float | None = None
    # Seconds on hold from the telephony system, when it reports them.
    hold_seconds: float | None = None
    language: str | None = None


@dataclass(frozen=True)
class CallTranscript:
    segments: tuple[Segment, ...]
    turns: tuple[Turn, ...] = field(repr=False)

    @classmethod
    def from_segments(cls, segments: Iterable[Any]) -> CallTranscript:
        parsed = sorted((_segment(i, s) for i, s in enumerate(segments)), key=lambda s: (s.start, s.end))
        return cls(segments=tuple(parsed), turns=_turns(parsed))

    @classmethod
    def from_channels(cls, channels: Mapping[str, Any]) -> CallTranscript:
        """From the engine's output per speaker (`{"agent": ChannelTranscript, ...}`: utterances with words)."""
        return cls.from_segments(
            {"speaker": speaker, "start": u.start, "end": u.end, "text": u.text, "words": u.words}
            for speaker, channel in channels.items()
            for u in channel.utterances
        )

    @cached_property
    def end(self) -> float:
        return max((s.end for s in self.segments), default=0.0)

    @property
    def has_speakers(self) -> bool:
        """Whether agent and customer are told apart (a stereo call)."""
        return any(s.speaker in (AGENT, CUSTOMER) for s in self.segments)

    def gaps(self) -> list[tuple[float, float]]:
        """Silences between speech (anyone's), as (start, end), from the segments' times."""
        spans: list[list[float]] = []
        for seg in self.segments:
            if spans and seg.start <= spans[-1][1]:
                spans[-1][1] = max(spans[-1][1], seg.end)
            else:
                spans.append([seg.start, seg.end])
        return [(a[1], b[0]) for a, b in itertools.pairwise(spans)]

    def quote(self, segment_indexes: Iterable[int]) -> str:
        return " ".join(self.segments[i].text.strip() for i in sorted(set(segment_indexes)))


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _number(value: Any, what: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TranscriptError(f"{what} is not a number: {value!r}") from None


def _segment(index: int, raw: Any) -> Segment:
    where = f"segment {index}"
    speaker = str(_get(raw, "speaker") or UNKNOWN)
    start = _number(_get(raw, "start"), f"{where} start")
    end = _number(_get(raw, "end"), f"{where} end")
    if end < start:
        raise TranscriptError(f"{where} ends ({end}) before it starts ({start})")
    text = str(_get(raw, "text") or "")
    words = tuple(_word(w, f"{where} word {j}") for j, w in enumerate(_get(raw, "words") or ()))
    if not words and text.strip():
        words = _spread(text, start, end)
    return Segment(speaker=speaker, start=start, end=end, text=text, words=words)


def _word(raw: Any, where: str) -> Word:
    if isinstance(raw, (list, tuple)):
        if len(raw) < 3:
            raise TranscriptError(f"{where} should be [start, end, word, ...], got {raw!r}")
        start, end, text = raw[0], raw[1], raw[2]
    else:
        start, end, text = _get(raw, "start"), _get(raw, "end"), _get(raw, "word", _get(raw, "text"))
    return Word(start=_number(start, f"{where} start"), end=_number(end, f"{where} end"), text=str(text or ""))


def _spread(text: str, start: float, end: float) -> tuple[Word, ...]:
    pieces = re.findall(r"\S+", text)
    step = (end - start) / len(pieces)
    return tuple(Word(start + i * step, start + (i + 1) * step, " " + p) for i, p in enumerate(pieces))


def _turns(segments: list[Segment]) -> tuple[Turn, ...]:
    turns: list[tuple[str, list[int], list[Token]]] = []
    last_end: dict[str, float] = {}
    for index, seg in enumerate(segments):
        tokens = [
            Token(text=t, key=sound_key(t), start=w.start, end=w.end, segment=index)
            for w in seg.words
            for t in normalise(w.text)
        ]
        if not tokens:
            continue
        current = turns[-1] if turns else None
        if current and current[0] == seg.speaker and seg.start - last_end[seg.speaker] < TURN_GAP_SECONDS:
            current[1].append(index)
            current[2].extend(tokens)
        else:
            turns.append((seg.speaker, [index], tokens))
        last_end[seg.speaker] = seg.end
    return tuple(Turn(speaker=s, segments=tuple(i), tokens=tuple(t)) for s, i, t in turns)
