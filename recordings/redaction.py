"""Redaction of a call transcript: what client staff and agents may read. Pure: no database, no audio.

explain
-------
`transcript_redact(segments, region=...)` takes one call's segments in time order (speaker, start,
end, text, words as [start, end, word, probability]) and masks whole words:

- **Card numbers** `[card number]`. Each speaker's words are read as one stream (other speakers'
  turns in between are skipped; a pause over 10 s ends it), so a number split over segments is one.
  Digits count written ("4111", "4-1-1-1", "4,539"), spoken ("four", "forty five", "double four",
  "oh" for zero, "four hundred") or as Whisper's homophones ("for", "to", "too", "won", "ate", "oh":
  only next to real digits). Punctuation and fillers ("um", "dash") do not break a run.
  A run of 13-19 digits passing the Luhn check is a card. Safety first, since Whisper mishears,
  drops or doubles digits (the shipped sample ends "6, 4, 6, 10" for "six four six seven"):
  * any run of **12 or more digits** that is not a phone number or id is a card, Luhn or not, with
    no upper limit (a card read with its expiry, a decoder loop "4-1-1-1-1...");
  * runs with **one unreadable word** between them, under 2.5 s apart ("4539 1488 hello 343 6467";
    not a month or a unit such as "pounds") are joined, and are a card with 12+ digits together;
  * such an unconfirmed card (no Luhn match) also takes the word right before and after it when
    under a second away and not an obvious one ("is", "thanks", "expiry"): it may be a misheard digit.
    So the date of birth, expiry date or security code read right next to it may be masked with it.
- **E-mail addresses** `[e-mail]`, written or spoken ("john dot smith at example dot com",
  "underscore", "plus"), ending in a known top-level domain, with up to three plain words of a
  spoken name before "at" and any spelled letters. After "email"/"address", a dotted name ending in
  a top-level domain is masked without "at" too (Whisper drops it: "john.miss.example.com").
- **Phone numbers** `[phone number]`: a run the `phonenumbers` library finds valid for the region
  (international after "plus"/"+"), or possible with 10+ digits.
- **National ids** `[national id]`: US Social Security numbers (valid area/group/serial) written
  123-45-6789, or any such 9-digit run when the region is US, or any 8-11 digits after "social
  (security)"/"SSN" in the last 60 s (anyone saying it); UK National Insurance numbers, two letters,
  six digits, a letter A-D ("QQ 12 34 56 C", "Q Q one two ... C", "cue cue ... see"), or 5-7 digits
  and the short words around them after "national insurance"/"NI". Homophones like "to" never make
  a phone number or id ("2019 to 2023").
- Overlapping detections become one span named by the strongest kind (card, national id, phone,
  e-mail). A span has one part per segment it touches; each part's audio stretch reaches into the
  pause around it up to 1 s (never into the speaker's neighbouring words), because Whisper's word
  times are least reliable at a pause: the sample's first card digit is stamped 0.7 s late.
- A segment whose words do not spell its text, or without words, is redacted from its text; its
  spans then take the whole segment's time.

Not masked: amounts, dates, times, order and account numbers under 12 digits (unless a valid phone
number, or 9 digits in the US), card expiry dates and security codes read on their own.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum, StrEnum

import phonenumbers

# A same-speaker pause longer than this ends a number: it cannot continue in the next segment.
MAX_PAUSE_SECONDS = 10.0
CARD_MIN_LUHN_DIGITS = 13
CARD_MAX_LUHN_DIGITS = 19
# Any run this long is masked as a card even when it fails Luhn (see the module docstring).
LONG_RUN_DIGITS = 12
# Runs joined over one unreadable word must be this close to each other.
GAP_WORD_MAX_SECONDS = 2.5
GAP_WORD_MAX_CHARS = 12
# Words that join two numbers for a reason of their own ("12 March 1984", "25 pounds 50"): never a misheard digit.
_NOT_GAP_WORDS = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december", "pounds", "pound", "quid", "dollars", "dollar", "bucks", "euros", "euro", "pence", "cents", "percent",
    "am", "pm", "o'clock", "minutes", "hours", "days", "weeks", "months", "years", "items", "times",
}  # fmt: skip
# An unconfirmed card takes an adjacent word this close, which may be a misheard digit.
EDGE_WORD_MAX_SECONDS = 1.0
# Silence this far into the pause around a masked part (see SpanPart).
EDGE_SECONDS = 1.0
CONTEXT_SECONDS = 60.0
PHONE_POSSIBLE_MIN_DIGITS = 10


class RedactionKind(StrEnum):
    CARD_NUMBER = "card_number"
    EMAIL = "email"
    PHONE_NUMBER = "phone_number"
    NATIONAL_ID = "national_id"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    RedactionKind.CARD_NUMBER: "[card number]",
    RedactionKind.EMAIL: "[e-mail]",
    RedactionKind.PHONE_NUMBER: "[phone number]",
    RedactionKind.NATIONAL_ID: "[national id]",
}
# Which kind names a span where detections overlap.
_PRIORITY = [RedactionKind.CARD_NUMBER, RedactionKind.NATIONAL_ID, RedactionKind.PHONE_NUMBER, RedactionKind.EMAIL]


class RedactionInputError(ValueError):
    """The segments or the region are malformed. The message names the segment and the problem."""


@dataclass(frozen=True)
class TranscriptWord:
    start: float
    end: float
    text: str
    probability: float


@dataclass(frozen=True)
class TranscriptSegment:
    speaker: str
    start: float
    end: float
    text: str
    words: tuple[TranscriptWord, ...] = ()

    @classmethod
    def coerce(cls, item, index: int = 0) -> TranscriptSegment:
        """A segment from a `Segment` row, a mapping, a `SpokenUtterance` or anything with the same fields."""
        if isinstance(item, TranscriptSegment):
            return item
        if hasattr(item, "utterance") and hasattr(item, "speaker"):  # transcription.SpokenUtterance
            u = item.utterance
            fields = {"speaker": item.speaker, "start": u.start, "end": u.end, "text": u.text, "words": u.words}
        elif isinstance(item, Mapping):
            fields = {name: item.get(name) for name in ("speaker", "start", "end", "text", "words")}
        else:
            fields = {name: getattr(item, name, None) for name in ("speaker", "start", "end", "text", "words")}
        where = f"segment {index}"
        if not isinstance(fields["speaker"], str) or not fields["speaker"]:
            raise RedactionInputError(f"{where}: speaker must be a non-empty string, not {fields['speaker']!r}")
        if not isinstance(fields["text"], str):
            raise RedactionInputError(f"{where}: text must be a string, not {type(fields['text']).__name__}")
        start, end = _seconds(fields["start"], f"{where} start"), _seconds(fields["end"], f"{where} end")
        if end < start:
            raise RedactionInputError(f"{where}: ends ({end}) before it starts ({start})")
        words = tuple(_coerce_word(w, f"{where} word {i}") for i, w in enumerate(fields["words"] or ()))
        return cls(fields["speaker"], start, end, fields["text"], words)


@dataclass(frozen=True)
class WordRef:
    """A masked word: `word` indexes the segment's `words` (or its text's words, for a segment without timings)."""

    segment: int
    word: int


@dataclass(frozen=True)
class SpanPart:
    """The words of a span within one segment, and the stretch of audio to silence for them."""

    segment: int
    first_word: int
    last_word: int
    start: float  # the first word's start
    end: float  # the last word's end
    # Where the speaker's neighbouring words are, up to EDGE_SECONDS around the part: Whisper's
    # timings are least reliable at a pause, where a segment's first digit can start 0.7 s early.
    audio_start: float
    audio_end: float

    def as_list(self) -> list:
        return [self.segment, self.first_word, self.last_word, self.start, self.end, self.audio_start, self.audio_end]


@dataclass(frozen=True)
class MaskedSpan:
    kind: RedactionKind
    speaker: str
    start: float
    end: float
    # One part per segment the span touches: a card read over several segments is one span.
    parts: tuple[SpanPart, ...]
    # Which rule matched (e.g. "luhn", "long_digit_run"): why this was masked, for reviewers and tests.
    rule: str

    @property
    def label(self) -> str:
        return self.kind.label

    @property
    def words(self) -> tuple[WordRef, ...]:
        return tuple(WordRef(p.segment, w) for p in self.parts for w in range(p.first_word, p.last_word + 1))

    @property
    def segments(self) -> tuple[int, ...]:
        return tuple(p.segment for p in self.parts)

    @property
    def audio_intervals(self) -> tuple[tuple[float, float], ...]:
        return tuple((p.audio_start, p.audio_end) for p in self.parts)

    def as_dict(self) -> dict:
        """JSON-ready; parts are [segment, first_word, last_word, start, end, audio_start, audio_end]."""
        return {
            "kind": self.kind.value,
            "label": self.label,
            "speaker": self.speaker,
            "start": self.start,
            "end": self.end,
            "rule": self.rule,
            "parts": [p.as_list() for p in self.parts],
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> MaskedSpan:
        try:
            parts = tuple(
                SpanPart(int(seg), int(first), int(last), float(s), float(e), float(a_s), float(a_e))
                for seg, first, last, s, e, a_s, a_e in data["parts"]
            )
            return cls(
                kind=RedactionKind(data["kind"]),
                speaker=str(data["speaker"]),
                start=float(data["start"]),
                end=float(data["end"]),
                parts=parts,
                rule=str(data.get("rule", "")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise RedactionInputError(f"not a masked span: {data!r} ({exc})") from exc


@dataclass(frozen=True)
class RedactedSegment:
    index: int
    speaker: str
    start: float
    end: float
    text: str
    # Same shape as `Segment.words`; each masked run of words is one entry whose text is the label.
    words: tuple[tuple[float, float, str, float], ...]
    masked_words: tuple[int, ...]

    @property
    def changed(self) -> bool:
        return bool(self.masked_words)


@dataclass(frozen=True)
class RedactionResult:
    segments: tuple[RedactedSegment, ...]
    spans: tuple[MaskedSpan, ...]

    @property
    def text(self) -> str:
        """All segments' redacted text, one per line: what the search index of redacted users holds."""
        return "\n".join(s.text for s in self.segments)

    @property
    def audio_intervals(self) -> tuple[tuple[float, float], ...]:
        """(start, end) in seconds of every stretch to silence (before the audio padding), in time order."""
        return tuple(sorted(interval for span in self.spans for interval in span.audio_intervals))

    def spans_as_json(self) -> list[dict]:
        return [span.as_dict() for span in self.spans]


def transcript_redact(segments: Iterable, *, region: str) -> RedactionResult:
    """Mask card numbers, e-mails, phone numbers and national ids in one call's segments (see `explain`)."""
    region = _checked_region(region)
    segs = [TranscriptSegment.coerce(item, index) for index, item in enumerate(segments)]
    tokens_by_segment = [_segment_tokens(index, seg) for index, seg in enumerate(segs)]
    contexts = _contexts(tokens_by_segment)

    candidates: list[_Candidate] = []
    passages = _passages(segs, tokens_by_segment)
    for passage in passages:
        _assign_digits(passage)
        candidates += _number_candidates(passage, region, contexts)
        candidates += _ni_candidates(passage)
        candidates += _email_candidates(passage)

    spans = _merged_spans(candidates, passages)
    masked: dict[tuple[int, int], int] = {}
    for span_index, span in enumerate(spans):
        for ref in span.words:
            masked[(ref.segment, ref.word)] = span_index
    redacted = tuple(
        _redacted_segment(index, seg, tokens_by_segment[index], masked, spans) for index, seg in enumerate(segs)
    )
    return RedactionResult(segments=redacted, spans=tuple(spans))


def luhn_valid(digits: str) -> bool:
    if not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


# ---------------------------------------------------------------------------------------------
# Tokens: one per word, read as one stream per speaker
# ---------------------------------------------------------------------------------------------


class _Role(Enum):
    DIGIT = "digit"  # carries digits for sure
    WEAK = "weak"  # a homophone of a digit ("for", "to", "oh"): a digit only next to real ones
    FILLER = "filler"  # punctuation, "um", "dash", "double": does not break a run
    WORD = "word"


@dataclass(eq=False)
class _Token:
    segment: int
    word: int
    start: float
    end: float
    raw: str
    norm: str
    timed: bool  # False: the segment had no usable words; the token spans the whole segment
    speaker: str = ""
    passage: int = 0
    pos: int = 0  # index in its passage
    role: _Role = _Role.WORD
    digits: str = ""


@dataclass(frozen=True)
class _Candidate:
    kind: RedactionKind
    rule: str
    tokens: tuple[_Token, ...]


_STRIP = "\"'`“”‘’.,!?;:()[]{}<>…-–—/\\*#~_"


def _segment_tokens(index: int, seg: TranscriptSegment) -> list[_Token]:
    if seg.words and _squash("".join(w.text for w in seg.words)) == _squash(seg.text):
        return [_Token(index, i, w.start, w.end, w.text, _norm(w.text), True) for i, w in enumerate(seg.words)]
    # No usable word timings: the segment's own text, each word spanning the whole segment.
    return [_Token(index, i, seg.start, seg.end, raw, _norm(raw), False) for i, raw in enumerate(_text_words(seg.text))]


def _text_words(text: str) -> list[str]:
    return re.findall(r"\s*\S+", text)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _norm(raw: str) -> str:
    return raw.strip().lower().strip(_STRIP)


def _passages(segs: list[TranscriptSegment], tokens_by_segment: list[list[_Token]]) -> list[list[_Token]]:
    """Each speaker's tokens in time order, cut where that speaker pauses longer than MAX_PAUSE_SECONDS."""
    by_speaker: dict[str, list[int]] = {}
    for index, seg in enumerate(segs):
        by_speaker.setdefault(seg.speaker, []).append(index)
    passages: list[list[_Token]] = []
    for indexes in by_speaker.values():
        current: list[_Token] = []
        for index in sorted(indexes, key=lambda i: (segs[i].start, i)):
            tokens = tokens_by_segment[index]
            if not tokens:
                continue
            if current and tokens[0].start - current[-1].end > MAX_PAUSE_SECONDS:
                passages.append(current)
                current = []
            current.extend(tokens)
        if current:
            passages.append(current)
    for number, passage in enumerate(passages):
        for pos, token in enumerate(passage):
            token.passage, token.pos, token.speaker = number, pos, segs[token.segment].speaker
    return passages


# ---------------------------------------------------------------------------------------------
# Digits: written, spoken, misheard
# ---------------------------------------------------------------------------------------------

_UNITS = {
    "zero": "0", "nought": "0", "naught": "0", "nil": "0", "one": "1", "two": "2", "three": "3", "four": "4",
    "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9", "niner": "9",
}  # fmt: skip
# Whisper's homophones and mishearings of digits; common words, so only trusted next to real digits.
_WEAK_UNITS = {"oh": "0", "o": "0", "won": "1", "to": "2", "too": "2", "for": "4", "fore": "4", "ate": "8"}
_TEENS = {
    "ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13", "fourteen": "14", "fifteen": "15",
    "sixteen": "16", "seventeen": "17", "eighteen": "18", "nineteen": "19",
}  # fmt: skip
_TENS = {"twenty": "2", "thirty": "3", "forty": "4", "fourty": "4", "fifty": "5", "sixty": "6", "seventy": "7",
         "eighty": "8", "ninety": "9"}  # fmt: skip
_SCALES = {"hundred": 2, "thousand": 3}  # zeros each one stands for
_REPEATS = {"double": 2, "triple": 3, "treble": 3}
_FILLERS = {"um", "umm", "uh", "uhh", "er", "erm", "ah", "eh", "mm", "mmm", "hmm", "hm", "dash", "hyphen", "space"}
_NUMBER_WORDS = set(_UNITS) | set(_WEAK_UNITS) | set(_TEENS) | set(_TENS) | set(_SCALES) | set(_REPEATS)


@dataclass
class _Atom:
    token: _Token
    word: str  # a number word, or "" for written digits
    digits: str = ""
    role: _Role = _Role.WORD
    repeat: int = 1  # set by a "double"/"triple" before it


def _atoms(token: _Token) -> list[_Atom]:
    if any(ch.isdigit() for ch in token.raw):
        return [_Atom(token, "", "".join(ch for ch in token.raw if ch.isdigit()), _Role.DIGIT)]
    if not token.norm:
        return [_Atom(token, "", "", _Role.FILLER)]
    parts = [p for p in re.split(r"[-–/]", token.norm) if p]
    if len(parts) > 1 and all(p in _NUMBER_WORDS for p in parts):  # "twenty-five", "four-one-one-one"
        return [_Atom(token, p) for p in parts]
    return [_Atom(token, token.norm)]


def _assign_digits(passage: list[_Token]) -> None:
    """Give each token of the passage its digits and role, reading spoken numbers across words."""
    atoms = [atom for token in passage for atom in _atoms(token)]
    for i, atom in enumerate(atoms):
        word = atom.word
        nxt = atoms[i + 1] if i + 1 < len(atoms) else None
        if not word:
            atom.digits *= atom.repeat
        elif word in _UNITS:
            atom.digits, atom.role = _UNITS[word] * atom.repeat, _Role.DIGIT
        elif word in _WEAK_UNITS:
            # "double oh" is a number for sure; a lone "oh" or "for" may be just a word.
            atom.digits = _WEAK_UNITS[word] * atom.repeat
            atom.role = _Role.DIGIT if atom.repeat > 1 else _Role.WEAK
        elif word in _TEENS:
            atom.digits, atom.role = _TEENS[word], _Role.DIGIT
        elif word in _TENS:
            followed_by_unit = nxt is not None and nxt.word in _UNITS and _UNITS[nxt.word] != "0"
            atom.digits, atom.role = _TENS[word] + ("" if followed_by_unit else "0"), _Role.DIGIT
        elif word in _SCALES:
            zeros = max(0, _SCALES[word] - _quantity_width(atoms, i + 1))
            lead = "" if i > 0 and atoms[i - 1].digits else "1"  # "a hundred"
            atom.digits, atom.role = lead + "0" * zeros, _Role.DIGIT
            if nxt is not None and nxt.word == "and" and _quantity_width(atoms, i + 2):
                nxt.role, nxt.word = _Role.FILLER, ""  # "four hundred and twelve"
        elif word in _REPEATS and nxt is not None and _is_single_digit(nxt):
            atom.role = _Role.FILLER
            nxt.repeat = _REPEATS[word]
        elif word in _FILLERS:
            atom.role = _Role.FILLER
    for token in passage:
        token.digits = ""
    roles: dict[int, set[_Role]] = {}
    for atom in atoms:
        atom.token.digits += atom.digits
        roles.setdefault(id(atom.token), set()).add(atom.role)
    for token in passage:
        token_roles = roles[id(token)]
        # One real digit makes a word a digit ("4,"); any other word makes it a word ("twenty-something").
        for role in (_Role.DIGIT, _Role.WORD, _Role.WEAK, _Role.FILLER):
            if role in token_roles:
                token.role = role
                break


def _is_single_digit(atom: _Atom) -> bool:
    return atom.word in _UNITS or atom.word in _WEAK_UNITS or (not atom.word and len(atom.digits) == 1)


def _quantity_width(atoms: list[_Atom], i: int) -> int:
    """How many digits the number starting at atoms[i] fills after "hundred"/"thousand" (0: none)."""
    if i < len(atoms) and atoms[i].word == "and":
        i += 1
    if i >= len(atoms):
        return 0
    atom = atoms[i]
    if not atom.word:
        return len(atom.digits)
    if atom.word in _UNITS:
        return 3 if i + 1 < len(atoms) and atoms[i + 1].word == "hundred" else 1
    if atom.word in _TEENS or atom.word in _TENS:
        return 2
    return 0


# ---------------------------------------------------------------------------------------------
# Digit runs: cards, phone numbers, social security numbers
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Reading:
    digits: str
    tokens: tuple[_Token, ...]


@dataclass
class _Run:
    """Consecutive digit-bearing words of one passage (fillers inside)."""

    tokens: list[_Token]
    kind: RedactionKind | None = None
    rule: str = ""
    matched: tuple[_Token, ...] = ()  # the words the rule matched: the run less any homophone it left out

    @property
    def digits(self) -> str:
        return "".join(t.digits for t in self.tokens)

    def readings(self, *, strict: bool = False) -> list[_Reading]:
        """The digits read with and without homophones at its edges ("for 4111..." may be "for"), widest first.

        strict: only readings without an ambiguous homophone ("2019 to 2023" is no id or phone number;
        "oh" between digits is a zero).
        """
        with_digits = [i for i, t in enumerate(self.tokens) if t.digits]
        strong = [i for i in with_digits if self.tokens[i].role is _Role.DIGIT]
        readings: list[_Reading] = []
        for lo in dict.fromkeys((with_digits[0], strong[0])):
            for hi in dict.fromkeys((with_digits[-1], strong[-1])):
                used = tuple(self.tokens[lo : hi + 1])
                if strict and any(t.role is _Role.WEAK and t.norm not in ("oh", "o") for t in used):
                    continue
                readings.append(_Reading("".join(t.digits for t in used), used))
        return readings


def _runs(passage: list[_Token]) -> list[_Run]:
    runs: list[_Run] = []
    current: list[_Token] = []
    for token in passage + [None]:
        if token is not None and token.role is not _Role.WORD:
            current.append(token)
            continue
        while current and current[0].role is _Role.FILLER:
            current.pop(0)
        while current and current[-1].role is _Role.FILLER:
            current.pop()
        if any(t.role is _Role.DIGIT for t in current):
            runs.append(_Run(current))
        current = []
    return runs


def _number_candidates(passage: list[_Token], region: str, contexts: _Contexts) -> list[_Candidate]:
    runs = _runs(passage)
    for run in runs:
        _classify_run(run, passage, region, contexts)
    candidates: list[_Candidate] = []
    for chain in _chains(passage, runs):
        # A phone number or id inside a chain stands on its own; the rest may still add up to a card.
        group: list[_Run] = []
        for run in chain + [None]:
            if run is not None and run.kind in (None, RedactionKind.CARD_NUMBER):
                group.append(run)
                continue
            candidates += _group_candidates(group, passage, contexts)
            group = []
            if run is not None:
                tokens = run.matched
                if run.rule == "ni_context":
                    tokens = _with_ni_letters(tokens, passage)
                elif tokens[0].pos > 0 and passage[tokens[0].pos - 1].norm == "plus":
                    tokens = tuple(passage[tokens[0].pos - 1 : tokens[-1].pos + 1])
                candidates.append(_Candidate(run.kind, run.rule, tokens))
    return candidates


def _classify_run(run: _Run, passage: list[_Token], region: str, contexts: _Contexts) -> None:
    """Set the run's kind, rule and matched words (kind None: nothing on its own)."""
    run.kind, run.rule, run.matched = None, "", tuple(run.tokens)
    for reading in run.readings():
        if CARD_MIN_LUHN_DIGITS <= len(reading.digits) <= CARD_MAX_LUHN_DIGITS and luhn_valid(reading.digits):
            run.kind, run.rule, run.matched = RedactionKind.CARD_NUMBER, "luhn", reading.tokens
            return
    international = _international(run, passage)
    written_ssn = any(_WRITTEN_SSN.fullmatch(t.raw.strip().strip(_STRIP)) for t in run.tokens)
    near_ssn, near_ni = contexts.near(_SSN, run.tokens[0].start), contexts.near(_NI, run.tokens[0].start)
    for reading in run.readings(strict=True):
        digits, rule = reading.digits, ""
        if written_ssn and _ssn_valid(digits):
            kind, rule = RedactionKind.NATIONAL_ID, "ssn_written"
        elif region == "US" and _ssn_valid(digits):
            kind, rule = RedactionKind.NATIONAL_ID, "ssn"
        elif near_ssn and 8 <= len(digits) <= 11:
            kind, rule = RedactionKind.NATIONAL_ID, "ssn_context"
        elif near_ni and 5 <= len(digits) <= 7:
            kind, rule = RedactionKind.NATIONAL_ID, "ni_context"
        else:
            kind, rule = RedactionKind.PHONE_NUMBER, _phone_rule(digits, region, international)
        if rule:
            run.kind, run.rule, run.matched = kind, rule, reading.tokens
            return
    if len(run.digits) >= LONG_RUN_DIGITS:
        run.kind, run.rule = RedactionKind.CARD_NUMBER, "long_digit_run"


def _chains(passage: list[_Token], runs: list[_Run]) -> list[list[_Run]]:
    """Runs joined across one unreadable word between them ("4539 1488 hello 343 6467")."""
    chains: list[list[_Run]] = []
    for run in runs:
        if chains:
            prev = chains[-1][-1]
            between = passage[prev.tokens[-1].pos + 1 : run.tokens[0].pos]
            words = [t for t in between if t.role is _Role.WORD]
            if (
                len(words) == 1
                and len(words[0].norm) <= GAP_WORD_MAX_CHARS
                and words[0].norm not in _NOT_GAP_WORDS
                and run.tokens[0].start - prev.tokens[-1].end <= GAP_WORD_MAX_SECONDS
            ):
                chains[-1].append(run)
                continue
        chains.append([run])
    return chains


def _group_candidates(group: list[_Run], passage: list[_Token], contexts: _Contexts) -> list[_Candidate]:
    if not group:
        return []
    tokens = tuple(passage[group[0].tokens[0].pos : group[-1].tokens[-1].pos + 1])
    readable = sum(len(run.digits) for run in group)
    if len(group) > 1 and readable >= LONG_RUN_DIGITS:
        return [_Candidate(RedactionKind.CARD_NUMBER, "digit_run_with_unreadable_word", _widened(tokens, passage))]
    if len(group) > 1 and contexts.near(_SSN, tokens[0].start) and 8 <= readable <= 11:
        return [_Candidate(RedactionKind.NATIONAL_ID, "ssn_context_with_unreadable_word", tokens)]
    candidates = []
    for run in group:
        if run.kind is RedactionKind.CARD_NUMBER:
            run_tokens = run.matched
            if run.rule != "luhn":
                run_tokens = _widened(run_tokens, passage)
            candidates.append(_Candidate(run.kind, run.rule, run_tokens))
    return candidates


def _widened(tokens: tuple[_Token, ...], passage: list[_Token]) -> tuple[_Token, ...]:
    """Take the nearest word on each side when it is close enough to be a misheard digit."""
    first, last = tokens[0].pos, tokens[-1].pos
    before = next((t for t in reversed(passage[:first]) if t.norm), None)
    if before is not None and _maybe_digit(before) and tokens[0].start - before.end <= EDGE_WORD_MAX_SECONDS:
        first = before.pos
    after = next((t for t in passage[last + 1 :] if t.norm), None)
    if after is not None and _maybe_digit(after) and after.start - tokens[-1].end <= EDGE_WORD_MAX_SECONDS:
        last = after.pos
    return tuple(passage[first : last + 1])


# Words around a number that are clearly not a misheard digit.
_NUMBER_NEIGHBOURS = {
    "is", "it's", "its", "it", "was", "that's", "thats", "number", "card", "the", "my", "sure", "yes", "yeah", "ok",
    "okay", "and", "thanks", "thank", "please", "right", "so", "expiry", "expires", "date", "security", "code",
}  # fmt: skip


def _maybe_digit(token: _Token) -> bool:
    return token.norm not in _NUMBER_NEIGHBOURS and len(token.norm) <= GAP_WORD_MAX_CHARS


def _with_ni_letters(tokens: tuple[_Token, ...], passage: list[_Token]) -> tuple[_Token, ...]:
    """The short words around NI digits, which are its letters however Whisper heard them ("Jay Bee", "see")."""

    def letters(token: _Token | None, gap: float) -> bool:
        return (
            token is not None
            and len(token.norm) <= 4
            and token.norm not in _NUMBER_NEIGHBOURS
            and gap <= EDGE_WORD_MAX_SECONDS * 2
        )

    first, last = tokens[0].pos, tokens[-1].pos
    for _ in range(2):
        before = passage[first - 1] if first > 0 else None
        if not letters(before, tokens[0].start - before.end if before else 0):
            break
        first -= 1
    after = passage[last + 1] if last + 1 < len(passage) else None
    if letters(after, after.start - tokens[-1].end if after else 0):
        last += 1
    return tuple(passage[first : last + 1])


_WRITTEN_SSN = re.compile(r"\d{3}-\d{2}-\d{4}")


def _ssn_valid(digits: str) -> bool:
    if len(digits) != 9:
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    return area not in ("000", "666") and not area.startswith("9") and group != "00" and serial != "0000"


def _international(run: _Run, passage: list[_Token]) -> bool:
    first = run.tokens[0]
    if first.raw.strip().startswith("+"):
        return True
    return first.pos > 0 and passage[first.pos - 1].norm == "plus"


def _phone_rule(digits: str, region: str, international: bool) -> str:
    if len(digits) < 7 or len(digits) > 15:
        return ""
    texts = [f"+{digits}"] if international else [digits]
    for text in texts:
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return "phone"
        if len(digits) >= PHONE_POSSIBLE_MIN_DIGITS and phonenumbers.is_possible_number(number):
            return "phone_possible"
    return ""


# ---------------------------------------------------------------------------------------------
# Context: "social security", "national insurance" said by anyone shortly before
# ---------------------------------------------------------------------------------------------

_SSN = "ssn"
_NI = "ni"


@dataclass
class _Contexts:
    times: dict[str, list[float]] = field(default_factory=dict)

    def near(self, kind: str, time: float) -> bool:
        return any(t <= time + 1.0 and time - t <= CONTEXT_SECONDS for t in self.times.get(kind, ()))


def _contexts(tokens_by_segment: list[list[_Token]]) -> _Contexts:
    contexts = _Contexts()
    for tokens in tokens_by_segment:
        for i, token in enumerate(tokens):
            prev = tokens[i - 1].norm if i else ""
            word = token.norm
            bare = token.raw.strip().strip(_STRIP)
            if word in ("ssn", "s.s.n", "social") or (word == "security" and prev == "social"):
                contexts.times.setdefault(_SSN, []).append(token.start)
            if (word == "insurance" and prev == "national") or bare in ("NI", "N.I", "NINO") or word == "nino":
                contexts.times.setdefault(_NI, []).append(token.start)
    return contexts


# ---------------------------------------------------------------------------------------------
# UK National Insurance numbers: letters and digits, written or spoken
# ---------------------------------------------------------------------------------------------

_NI_NUMBER = re.compile(r"[A-Z]{2}\d{6}[A-D]?")
_LETTER_NAMES = {
    "ay": "A", "bee": "B", "be": "B", "see": "C", "sea": "C", "cee": "C", "dee": "D", "ee": "E", "eff": "F",
    "gee": "G", "aitch": "H", "jay": "J", "kay": "K", "el": "L", "em": "M", "en": "N", "pee": "P", "cue": "Q",
    "queue": "Q", "are": "R", "ess": "S", "tee": "T", "tea": "T", "you": "U", "vee": "V", "ex": "X", "why": "Y",
    "zed": "Z", "zee": "Z",
}  # fmt: skip


def _ni_piece(token: _Token) -> str:
    """What a token contributes to a spelled-out NI number: letters, digits, or "" (not part of one)."""
    bare = re.sub(r"[^A-Za-z0-9]", "", token.raw)
    if re.fullmatch(r"[A-Z]{1,2}", bare):
        return bare
    if re.search(r"\d", bare) and re.fullmatch(r"[A-Za-z0-9]+", bare):
        return bare.upper()
    if token.norm in _LETTER_NAMES:
        return _LETTER_NAMES[token.norm]
    if token.role in (_Role.DIGIT, _Role.WEAK):
        return token.digits
    return ""


def _ni_candidates(passage: list[_Token]) -> list[_Candidate]:
    candidates: list[_Candidate] = []
    pos = 0
    while pos < len(passage):
        compact, best = "", None
        for end in range(pos, min(len(passage), pos + 12)):
            token = passage[end]
            piece = _ni_piece(token) if token.norm else ""
            if not token.norm:  # punctuation between letters and digits
                continue
            if not piece or (end == pos and not piece[0].isalpha()):
                break
            compact += piece
            if _NI_NUMBER.fullmatch(compact):
                best = end
            if len(compact) > 9:
                break
        if best is None:
            pos += 1
            continue
        candidates.append(_Candidate(RedactionKind.NATIONAL_ID, "ni", tuple(passage[pos : best + 1])))
        pos = best + 1
    return candidates


# ---------------------------------------------------------------------------------------------
# E-mail addresses: written or spoken
# ---------------------------------------------------------------------------------------------

_TOP_LEVEL_DOMAINS = {
    "com", "net", "org", "co", "uk", "io", "us", "gov", "edu", "info", "biz", "me", "ie", "de", "fr", "es", "it",
    "nl", "eu", "ca", "au", "nz", "in", "ac", "ai", "app", "dev", "tv", "online", "email", "mail",
}  # fmt: skip
_SPOKEN_SYMBOLS = {"dot": ".", "period": ".", "at": "@", "underscore": "_", "dash": "-", "hyphen": "-", "plus": "+"}
_LOCAL_SEPARATORS = {".", "_", "-", "+"}
# Words that end a spoken name before "at": not part of the address.
_EMAIL_STOPWORDS = {
    "a", "an", "and", "at", "be", "by", "email", "emails", "mail", "address", "for", "from", "i", "im", "is", "it",
    "its", "me", "mine", "my", "of", "ok", "okay", "on", "or", "our", "please", "send", "so", "sure", "that",
    "thats", "the", "this", "to", "use", "was", "with", "yeah", "yes", "you", "your", "um", "uh", "er", "erm",
    "s", "just", "then", "but", "try", "reach", "contact", "write",
}  # fmt: skip
_EMAIL_CONTEXT = {"email", "e-mail", "emails", "mail", "address"}
_EMAIL_CONTEXT_TOKENS = 6
_EMAIL_NAME_WORDS = 3


@dataclass(frozen=True)
class _Part:
    text: str
    token: _Token

    @property
    def is_label(self) -> bool:
        return self.text.isalnum()


def _email_parts(passage: list[_Token]) -> list[_Part]:
    parts: list[_Part] = []
    for token in passage:
        if token.norm in _SPOKEN_SYMBOLS:
            parts.append(_Part(_SPOKEN_SYMBOLS[token.norm], token))
            continue
        text = token.raw.lower().replace("'", "").replace("’", "")
        parts += [_Part(p, token) for p in re.findall(r"[a-z0-9]+|[@._+-]", text)]
    return parts


def _email_candidates(passage: list[_Token]) -> list[_Candidate]:
    parts = _email_parts(passage)
    candidates: list[_Candidate] = []
    for k, part in enumerate(parts):
        if part.text != "@":
            continue
        end = _domain_end(parts, k + 1)
        if end is None or k == 0 or not parts[k - 1].is_label:
            continue
        start = _name_start(parts, k - 1)
        candidates.append(_Candidate(RedactionKind.EMAIL, "email", _tokens_between(passage, parts[start], parts[end])))
    # After "email"/"address": a dotted name ending in a top-level domain, "at" dropped by Whisper.
    k = 0
    while k < len(parts):
        end = _domain_end(parts, k) if parts[k].is_label else None
        if (
            end is None
            or not _after_email_word(passage, parts[k].token)
            or any(p.text == "@" for p in parts[k : end + 1])
        ):
            k += 1
            continue
        start = _name_start(parts, k)
        candidates.append(
            _Candidate(RedactionKind.EMAIL, "email_context", _tokens_between(passage, parts[start], parts[end]))
        )
        k = end + 1
    return candidates


def _domain_end(parts: list[_Part], i: int) -> int | None:
    """Index of the last part of a domain ("example . co . uk") starting at parts[i], or None."""
    if i >= len(parts) or not parts[i].is_label or parts[i].text == "www":
        return None
    end = i
    while end + 2 < len(parts) and parts[end + 1].text == "." and parts[end + 2].is_label:
        end += 2
    if end == i or parts[end].text not in _TOP_LEVEL_DOMAINS:
        return None
    return end


def _name_start(parts: list[_Part], i: int) -> int:
    """Where the name before an address begins: joined by dots/underscores, spelled letters, a few plain words."""
    while i >= 2 and parts[i - 1].text in _LOCAL_SEPARATORS and parts[i - 2].is_label:
        i -= 2
    words = 0
    while i >= 1 and parts[i - 1].is_label and parts[i - 1].text not in _EMAIL_STOPWORDS:
        if len(parts[i - 1].text) > 1:
            if words == _EMAIL_NAME_WORDS:
                break
            words += 1
        i -= 1
        while i >= 2 and parts[i - 1].text in _LOCAL_SEPARATORS and parts[i - 2].is_label:
            i -= 2
    return i


def _after_email_word(passage: list[_Token], token: _Token) -> bool:
    before = passage[max(0, token.pos - _EMAIL_CONTEXT_TOKENS) : token.pos]
    return any(t.norm in _EMAIL_CONTEXT for t in before)


def _tokens_between(passage: list[_Token], first: _Part, last: _Part) -> tuple[_Token, ...]:
    return tuple(passage[first.token.pos : last.token.pos + 1])


# ---------------------------------------------------------------------------------------------
# Spans and the redacted text
# ---------------------------------------------------------------------------------------------


def _merged_spans(candidates: list[_Candidate], passages: list[list[_Token]]) -> list[MaskedSpan]:
    """Overlapping candidates of one passage become one span, named by the strongest kind."""
    groups: list[list[_Candidate]] = []
    ordered = sorted(candidates, key=lambda c: (c.tokens[0].passage, c.tokens[0].pos, c.tokens[-1].pos))
    for candidate in ordered:
        last = groups[-1] if groups else None
        if (
            last is not None
            and last[0].tokens[0].passage == candidate.tokens[0].passage
            and candidate.tokens[0].pos <= max(c.tokens[-1].pos for c in last)
        ):
            last.append(candidate)
        else:
            groups.append([candidate])
    spans = []
    for group in groups:
        passage = passages[group[0].tokens[0].passage]
        first = min(c.tokens[0].pos for c in group)
        last = max(c.tokens[-1].pos for c in group)
        kind = min((c.kind for c in group), key=_PRIORITY.index)
        rules = "+".join(dict.fromkeys(c.rule for c in group if c.kind is kind))
        parts = _span_parts(passage, first, last)
        spans.append(MaskedSpan(kind, passage[first].speaker, parts[0].start, parts[-1].end, parts, rules))
    return sorted(spans, key=lambda s: (s.start, s.end, s.speaker))


def _span_parts(passage: list[_Token], first: int, last: int) -> tuple[SpanPart, ...]:
    parts = []
    pos = first
    while pos <= last:
        end = pos
        while end < last and passage[end + 1].segment == passage[pos].segment:
            end += 1
        head, tail = passage[pos], passage[end]
        start, stop = min(head.start, tail.start), max(head.end, tail.end)
        before = passage[pos - 1].end if pos > 0 else 0.0
        after = passage[end + 1].start if end + 1 < len(passage) else stop + EDGE_SECONDS
        audio_start = min(start, max(before, start - EDGE_SECONDS, 0.0))
        audio_end = max(stop, min(after, stop + EDGE_SECONDS))
        parts.append(SpanPart(head.segment, head.word, tail.word, start, stop, audio_start, audio_end))
        pos = end + 1
    return tuple(parts)


def _redacted_segment(
    index: int,
    seg: TranscriptSegment,
    tokens: list[_Token],
    masked: dict[tuple[int, int], int],
    spans: list[MaskedSpan],
) -> RedactedSegment:
    pieces: list[str] = []
    words: list[tuple[float, float, str, float]] = []
    masked_words: list[int] = []
    i = 0
    while i < len(tokens):
        span_index = masked.get((index, i))
        if span_index is None:
            pieces.append(tokens[i].raw)
            if tokens[i].timed:
                w = seg.words[i]
                words.append((w.start, w.end, w.text, w.probability))
            i += 1
            continue
        j = i
        while j + 1 < len(tokens) and masked.get((index, j + 1)) == span_index:
            j += 1
        leading = re.match(r"\s*", tokens[i].raw).group(0)
        trailing = re.search(r"[.,!?;:]*$", tokens[j].raw.rstrip()).group(0)
        label = f"{leading}{spans[span_index].label}{trailing}"
        pieces.append(label)
        if tokens[i].timed:
            words.append((tokens[i].start, tokens[j].end, label, 1.0))
        masked_words += range(i, j + 1)
        i = j + 1
    if not masked_words:
        return RedactedSegment(index, seg.speaker, seg.start, seg.end, seg.text, _word_rows(seg), ())
    text = "".join(pieces).strip()
    if tokens and not tokens[0].timed:
        # Redacted from the text: the original words would give the masked ones away.
        words = [(seg.start, seg.end, text, 1.0)] if seg.words else []
    return RedactedSegment(index, seg.speaker, seg.start, seg.end, text, tuple(words), tuple(masked_words))


def _word_rows(seg: TranscriptSegment) -> tuple[tuple[float, float, str, float], ...]:
    return tuple((w.start, w.end, w.text, w.probability) for w in seg.words)


# ---------------------------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------------------------


def _checked_region(region: str) -> str:
    if not isinstance(region, str) or not region.strip():
        raise RedactionInputError("a default phone region is needed (an ISO 3166 country code such as GB or US)")
    code = region.strip().upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        hint = " (the United Kingdom is GB)" if code == "UK" else ""
        raise RedactionInputError(
            f"unknown phone region {region!r}{hint}: use an ISO 3166 country code such as GB or US"
        )
    return code


def _seconds(value, what: str) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise RedactionInputError(f"{what} must be a number of seconds, not {value!r}") from None
    if not math.isfinite(seconds) or seconds < 0:
        raise RedactionInputError(f"{what} must be a non-negative number of seconds, not {value!r}")
    return seconds


def _coerce_word(word, where: str) -> TranscriptWord:
    if isinstance(word, TranscriptWord):
        return word
    if hasattr(word, "text") and hasattr(word, "start"):  # engines.Word
        start, end, text, probability = word.start, word.end, word.text, getattr(word, "probability", 1.0)
    elif isinstance(word, Sequence) and not isinstance(word, str) and len(word) == 4:
        start, end, text, probability = word
    else:
        raise RedactionInputError(f"{where} must be [start, end, word, probability], not {word!r}")
    if not isinstance(text, str):
        raise RedactionInputError(f"{where}: the word must be a string, not {text!r}")
    start, end = _seconds(start, f"{where} start"), _seconds(end, f"{where} end")
    try:
        probability = float(probability)
    except (TypeError, ValueError):
        raise RedactionInputError(f"{where}: probability must be a number, not {probability!r}") from None
    # Whisper sometimes gives a word no length; never a negative one worth rejecting a transcript for.
    return TranscriptWord(start, max(start, end), text, probability)
