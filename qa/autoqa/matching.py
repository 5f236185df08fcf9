"""Fuzzy phrase search over a transcript's turns.

A phrase is compared with every run of about as many words (a sliding window, see `_lengths`) with rapidfuzz's normalised Indel similarity (0-100) on the normalised words. Whisper gets common
words mostly right ("if they're anything else i can help with"), so fixed words compare as text. Names are
what it gets wrong ("at me can come" for "Acme Telecom"), so a phrase with a placeholder (`thank you for
calling {company}`) scores its fixed words as text and the name as the better of text and sound skeleton
(`text.sound_key`), over windows up to twice the name's length, and keeps the lower of the two scores:
neither a good name nor a good frame carries the other.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Indel

from qa.autoqa.text import join_keys, normalise, sound_key
from qa.autoqa.transcript import Token, Turn

_SLOT = re.compile(r"\{([a-z_]+)\}")
_LEGAL_SUFFIXES = {"ltd", "limited", "inc", "llc", "plc", "gmbh", "co", "corp", "sa", "ag", "bv"}


@dataclass(frozen=True)
class Pattern:
    """A phrase ready to match: fixed words before and after an optional name."""

    phrase: str
    before: tuple[str, ...]
    name: tuple[str, ...]
    after: tuple[str, ...]


@dataclass(frozen=True)
class Match:
    score: float
    phrase: str
    turn: Turn
    first: int  # token indexes in the turn, inclusive
    last: int

    @property
    def tokens(self) -> tuple[Token, ...]:
        return self.turn.tokens[self.first : self.last + 1]

    @property
    def start(self) -> float:
        return self.turn.tokens[self.first].start

    @property
    def end(self) -> float:
        return self.turn.tokens[self.last].end

    @property
    def segments(self) -> list[int]:
        return sorted({t.segment for t in self.tokens})


def name_variants(slot: str, value: str) -> list[str]:
    """What a person says for a name: the agent's first or full name; the company without 'Ltd'."""
    words = normalise(value)
    if not words:
        return []
    if slot == "company" and len(words) > 1 and words[-1] in _LEGAL_SUFFIXES:
        return [" ".join(words[:-1])]  # nobody says "Ltd" on the phone
    variants = [words]
    if slot == "agent" and len(words) > 1:
        variants.append(words[:1])
    return [" ".join(v) for v in variants]


@lru_cache(maxsize=1024)
def _patterns(phrase: str, agent: str, company: str) -> tuple[Pattern, ...]:
    values = {"agent": agent, "company": company}
    slots = _SLOT.findall(phrase)
    if not slots:
        return (Pattern(phrase, tuple(normalise(phrase)), (), ()),)
    slot = slots[0]
    before_text, _, after_text = phrase.partition(f"{{{slot}}}")
    for other in slots[1:]:  # a second placeholder is filled in as plain words
        after_text = after_text.replace(f"{{{other}}}", values.get(other, ""))
    return tuple(
        Pattern(phrase, tuple(normalise(before_text)), tuple(variant.split()), tuple(normalise(after_text)))
        for variant in name_variants(slot, values.get(slot, ""))
    )


def patterns(phrase: str, values: dict[str, str]) -> tuple[Pattern, ...]:
    """The phrase with its placeholder filled by each variant of the name; none if the name is unknown."""
    return _patterns(phrase, values.get("agent", ""), values.get("company", ""))


@lru_cache(maxsize=8192)
def _key(words: tuple[str, ...]) -> str:
    return join_keys([sound_key(w) for w in words])


@lru_cache(maxsize=65536)
def text_similarity(heard: tuple[str, ...], expected: tuple[str, ...]) -> float:
    if not expected:
        return 100.0
    return 100.0 * Indel.normalized_similarity(" ".join(heard), " ".join(expected))


# Sound skeletons are coarse: ordinary words can share one with a name ("you today" ~ "acme telecom").
# Spelling that is not at least this close caps what the sound may add.
NAME_SPELLING_FLOOR = 45.0
NAME_SOUND_BONUS_CAP = 25.0


@lru_cache(maxsize=65536)
def name_similarity(heard: tuple[str, ...], expected: tuple[str, ...]) -> float:
    """0-100: how close heard words are to a name, as text or as sound."""
    if not heard:
        return 0.0
    as_text = text_similarity(heard, expected)
    as_sound = 100.0 * Indel.normalized_similarity(_key(heard), _key(expected))
    if as_text < NAME_SPELLING_FLOOR:
        as_sound = min(as_sound, as_text + NAME_SOUND_BONUS_CAP)
    return max(as_text, as_sound)


def clear_caches() -> None:
    """Forget remembered similarities (they persist across calls in a worker; benchmarks start clean)."""
    for cached in (text_similarity, name_similarity, _key):
        cached.cache_clear()


def _lengths(n: int, longest: int | None = None) -> range:
    """Window sizes for n expected words: one more (a word split in two, a filler), one fewer only for long
    phrases (a shorter window would let the one telling word go missing: 'can i have your' for '... name')."""
    if n == 0:
        return range(1)
    return range(n - 1 if n >= 5 else n, (longest or n + 1) + 1)


class WindowIndex:
    """Every run of k consecutive words of some turns, as strings, built once per call and speaker."""

    def __init__(self, turns: list[Turn]):
        self.turns = turns
        self._by_size: dict[int, tuple[list[str], list[tuple[int, int]], np.ndarray]] = {}

    def windows(self, size: int) -> tuple[list[str], list[tuple[int, int]], np.ndarray]:
        """(texts, (turn index, first token) refs, start times) of the windows of `size` words."""
        if size not in self._by_size:
            texts, refs, starts = [], [], []
            for t, turn in enumerate(self.turns):
                words = [tok.text for tok in turn.tokens]
                for i in range(len(words) - size + 1):
                    texts.append(" ".join(words[i : i + size]))
                    refs.append((t, i))
                    starts.append(turn.tokens[i].start)
            self._by_size[size] = (texts, refs, np.array(starts, dtype=float))
        return self._by_size[size]


def search(
    index: WindowIndex,
    pats: list[Pattern],
    allowed: Callable[[np.ndarray], np.ndarray],
    exclude: tuple[str, ...] = (),
) -> Match | None:
    """The best match of any pattern in the indexed turns.

    `allowed(start_times)` masks where a match may start; a run of words closer to one of `exclude` than
    to the pattern does not count (plain patterns only).
    """
    best: Match | None = None
    excluded = [" ".join(normalise(e)) for e in exclude]
    for pattern in pats:
        if pattern.name:
            found = _best_named(index, pattern, allowed)
        else:
            found = _best_plain(index, pattern, allowed, excluded)
        if found is not None and (best is None or found.score > best.score):
            best = found
    return best


def _best_plain(index: WindowIndex, pattern: Pattern, allowed, excluded: list[str]) -> Match | None:
    expected = " ".join(pattern.before)
    best: Match | None = None
    for size in _lengths(len(pattern.before)):
        texts, refs, starts = index.windows(size)
        if not texts:
            continue
        mask = allowed(starts)
        if not mask.any():
            continue
        scores = process.cdist([expected], texts, scorer=Indel.normalized_similarity)[0]
        if excluded:
            look_alikes = process.cdist(excluded, texts, scorer=Indel.normalized_similarity).max(axis=0)
            mask &= look_alikes < scores
        scores = np.where(mask, scores, -1.0)
        at = int(scores.argmax())
        if scores[at] >= 0 and (best is None or 100.0 * scores[at] > best.score):
            t, i = refs[at]
            best = Match(100.0 * float(scores[at]), pattern.phrase, index.turns[t], i, i + size - 1)
    return best


def _best_named(index: WindowIndex, pattern: Pattern, allowed) -> Match | None:
    fixed = pattern.before + pattern.after
    # A misheard name often comes out as more, shorter words ("acme telecom" -> "at me tell a come").
    name_lengths = _lengths(len(pattern.name), 2 * len(pattern.name) + 1)
    best: Match | None = None
    for _t, turn in enumerate(index.turns):
        words = tuple(tok.text for tok in turn.tokens)
        starts = np.array([tok.start for tok in turn.tokens], dtype=float)
        for i in np.flatnonzero(allowed(starts)):
            for nb in _lengths(len(pattern.before)):
                for nn in name_lengths:
                    for na in _lengths(len(pattern.after)):
                        end = i + nb + nn + na
                        if end > len(words):
                            break
                        name_score = name_similarity(words[i + nb : i + nb + nn], pattern.name)
                        if best is not None and name_score <= best.score:
                            continue
                        frame = words[i : i + nb] + words[i + nb + nn : end]
                        score = min(name_score, text_similarity(frame, fixed)) if fixed else name_score
                        if best is None or score > best.score:
                            best = Match(score, pattern.phrase, turn, int(i), end - 1)
    return best
