"""Evaluate automatic checks on one call: per check `pass`, `fail` or `unknown`, a confidence and evidence.

`unknown` means the item does not apply (no hold in the call: `applicable` is False) or the evidence is
too weak to say (a phrase heard only half-clearly, no analytics, a mono call): never a guess shown as a
fact. Confidence is of the answer given, 0-1; an `unknown` has confidence 0.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np

from qa.autoqa import embeddings
from qa.autoqa.config import (
    DEAD_AIR_METRICS,
    METRICS,
    AllOf,
    AnalyticsRule,
    AnyOf,
    AtLeast,
    Check,
    HoldEtiquetteRule,
    HoldSpec,
    PhraseRule,
    Rule,
    SemanticRule,
)
from qa.autoqa.matching import Match, WindowIndex, patterns, search
from qa.autoqa.transcript import AGENT, CallContext, CallTranscript, Turn

# Below the threshold by less than this (phrase score points / cosine * 100) is too close to call.
UNCERTAIN_MARGIN = 10.0
DEAD_AIR_MIN_SECONDS = 2.0
_SENTENCE_END = re.compile(r"[.?!]\s*$")


class Answer(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Evidence:
    """A quote and when it is said: `start`/`end` are the matched words (or the silence), for seeking."""

    speaker: str
    text: str
    start: float
    end: float

    def to_dict(self) -> dict:
        return {"speaker": self.speaker, "text": self.text, "start": round(self.start, 2), "end": round(self.end, 2)}


@dataclass(frozen=True)
class Outcome:
    answer: Answer
    confidence: float
    detail: str
    evidence: tuple[Evidence, ...] = ()
    methods: frozenset[str] = frozenset()
    applicable: bool = True


@dataclass(frozen=True)
class CheckResult:
    key: str
    answer: Answer
    confidence: float
    detail: str
    evidence: tuple[Evidence, ...]
    method: str
    applicable: bool

    def to_dict(self) -> dict:
        """The API shape: `evidence` is the main quote (or null), `more_evidence` any others."""
        return {
            "criterion_key": self.key,
            "answer": self.answer.value,
            "confidence": round(self.confidence, 2),
            "evidence": self.evidence[0].to_dict() if self.evidence else None,
            "more_evidence": [e.to_dict() for e in self.evidence[1:]],
            "detail": self.detail,
            "method": self.method,
            "applicable": self.applicable,
        }


@dataclass(frozen=True)
class Evaluation:
    results: tuple[CheckResult, ...]
    # The embedding model used by semantic rules; empty when they fell back to phrases (see `notes`).
    semantic_model: str
    notes: tuple[str, ...]
    seconds: float

    def result(self, key: str) -> CheckResult:
        for result in self.results:
            if result.key == key:
                return result
        raise KeyError(f"no check '{key}' in this evaluation")

    def to_dict(self) -> dict:
        return {
            "items": [r.to_dict() for r in self.results],
            "semantic_model": self.semantic_model,
            "notes": list(self.notes),
        }


def evaluate(
    checks: Sequence[Check],
    *,
    transcript: CallTranscript | Iterable[Any],
    analytics: Any = None,
    context: CallContext | None = None,
    use_semantic_model: bool = True,
) -> Evaluation:
    """Run the checks on one call.

    transcript: a `CallTranscript` or its segments (see `CallTranscript.from_segments`).
    analytics: `recordings.analytics.Analytics`, a `CallAnalytics` row or a dict of its fields; None for mono calls.
    context: agent and company names (for `{agent}`/`{company}`), call duration, telephony hold seconds, language.
    use_semantic_model: False leaves semantic rules to their phrases alone.
    """
    started = time.perf_counter()
    if not isinstance(transcript, CallTranscript):
        transcript = CallTranscript.from_segments(transcript)
    call = _Call(transcript, _analytics_dict(analytics), context or CallContext(), use_semantic_model)
    results = []
    for check in checks:
        if not check.applies_to(call.context.language):
            outcome = Outcome(Answer.UNKNOWN, 0.0, f"No phrases for calls in '{call.context.language}'.", applicable=False)
        else:
            outcome = call.run(check.rule)
        results.append(
            CheckResult(
                key=check.key,
                answer=outcome.answer,
                confidence=round(outcome.confidence, 2) if outcome.answer != Answer.UNKNOWN else 0.0,
                detail=outcome.detail[:1].upper() + outcome.detail[1:],
                evidence=outcome.evidence,
                method="+".join(sorted(outcome.methods)) or "none",
                applicable=outcome.applicable,
            )
        )
    return Evaluation(
        results=tuple(results),
        semantic_model=call.semantic_model_used,
        notes=tuple(call.notes),
        seconds=time.perf_counter() - started,
    )


def _analytics_dict(analytics: Any) -> dict | None:
    if analytics is None:
        return None
    if isinstance(analytics, Mapping):
        return dict(analytics)
    if hasattr(analytics, "as_dict"):
        return analytics.as_dict()
    return {name: getattr(analytics, name, None) for name in METRICS}  # e.g. a CallAnalytics row


def _found_confidence(score: float, threshold: float, top: float = 100.0) -> float:
    return min(0.99, 0.7 + 0.29 * (score - threshold) / max(1e-9, top - threshold))


def _absent_confidence(score: float, low: float) -> float:
    return min(0.95, 0.6 + (low - score) / 100.0)


def _clock(seconds: float) -> str:
    return f"{seconds:.1f} s"


@dataclass(frozen=True)
class _Hold:
    start: float
    end: float
    ask: Match | None  # the request before it, when heard clearly
    weak_ask: Match | None  # a request heard only half-clearly

    @property
    def seconds(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class _Chunk:
    """A sentence of one speaker, for semantic rules."""

    speaker: str
    text: str
    start: float
    end: float
    segment: int


@dataclass
class _Call:
    transcript: CallTranscript
    analytics: dict | None
    context: CallContext
    use_semantic_model: bool
    notes: list[str] = field(default_factory=list)
    semantic_model_used: str = ""
    _holds: dict = field(default_factory=dict)
    _chunks: dict = field(default_factory=dict)
    _indexes: dict = field(default_factory=dict)

    @property
    def duration(self) -> float:
        return self.context.duration_seconds or self.transcript.end

    def run(self, rule: Rule) -> Outcome:
        handler = {
            "phrase": self._phrase,
            "semantic": self._semantic,
            "analytics": self._analytics,
            "hold_etiquette": self._hold_etiquette,
            "all_of": self._all_of,
            "any_of": self._any_of,
            "at_least": self._at_least,
        }[rule.TYPE]
        return handler(rule)

    # --- phrases -------------------------------------------------------------------

    def _turns(self, speaker: str) -> list[Turn]:
        return [t for t in self.transcript.turns if speaker == "any" or t.speaker == speaker]

    def _in_window(self, start: float, rule: PhraseRule | SemanticRule) -> bool:
        if rule.first_seconds is not None:
            return start <= rule.first_seconds
        if rule.last_seconds is not None:
            return start >= self.duration - rule.last_seconds
        return True

    def _window_text(self, rule: PhraseRule | SemanticRule) -> str:
        if rule.first_seconds is not None:
            return f" in the first {rule.first_seconds:g} s"
        if rule.last_seconds is not None:
            return f" in the last {rule.last_seconds:g} s"
        return ""

    def search(self, rule: PhraseRule, *, start: float | None = None, end: float | None = None, windowed: bool = True):
        """Best match of the rule's phrases among its speaker's turns, limited in time. None: no phrase fits."""
        values = {"agent": self.context.agent_name, "company": self.context.company_name}
        pats = [p for phrase in rule.phrases for p in patterns(phrase, values)]
        if not pats:
            return None
        if rule.speaker not in self._indexes:
            self._indexes[rule.speaker] = WindowIndex(self._turns(rule.speaker))
        lo, hi = -np.inf, np.inf
        if windowed and rule.first_seconds is not None:
            hi = rule.first_seconds
        if windowed and rule.last_seconds is not None:
            lo = self.duration - rule.last_seconds
        if start is not None:
            lo = max(lo, start)
        if end is not None:
            hi = min(hi, end)
        return search(self._indexes[rule.speaker], pats, lambda starts: (starts >= lo) & (starts <= hi), rule.exclude)

    def evidence(self, match: Match) -> Evidence:
        return Evidence(match.turn.speaker, self.transcript.quote(match.segments), match.start, match.end)

    def _speaker_problem(self, speaker: str) -> str:
        if speaker != "any" and not self.transcript.has_speakers:
            return "Agent and customer are not told apart in this call (mono recording)."
        if not self._turns(speaker):
            return f"The {speaker if speaker != 'any' else 'call'} has no transcribed speech."
        return ""

    def _phrase(self, rule: PhraseRule) -> Outcome:
        methods = frozenset({"phrase"})
        label = f"{rule.label}: " if rule.label else ""
        problem = self._speaker_problem(rule.speaker)
        if problem:
            return Outcome(Answer.UNKNOWN, 0.0, label + problem, methods=methods)
        values = {"agent": self.context.agent_name, "company": self.context.company_name}
        if not any(patterns(p, values) for p in rule.phrases):
            missing = sorted({s for p in rule.phrases for s in re.findall(r"\{(\w+)\}", p) if not values.get(s)})
            return Outcome(Answer.UNKNOWN, 0.0, f"{label}no {' or '.join(missing)} name known for this call.", methods=methods)
        threshold, low = rule.threshold, rule.threshold - UNCERTAIN_MARGIN
        window = self._window_text(rule)
        who = {"any": "anyone", "agent": "the agent", "customer": "the customer"}[rule.speaker]
        match = self.search(rule)
        score = match.score if match else 0.0
        heard = f"'{' '.join(t.text for t in match.tokens)}' ~ '{match.phrase}' ({score:.0f}/{threshold:g})" if match else ""

        if rule.mode == "must_not_say":
            if score >= threshold:
                return Outcome(Answer.FAIL, _found_confidence(score, threshold), f"{label}{who} said {heard}.", (self.evidence(match),), methods)
            if score >= low:
                return Outcome(Answer.UNKNOWN, 0.0, f"{label}maybe said {heard}: too unclear to tell.", (self.evidence(match),), methods)
            return Outcome(Answer.PASS, _absent_confidence(score, low), f"{label}none of the phrases to avoid heard{window}.", methods=methods)

        if score >= threshold:
            return Outcome(Answer.PASS, _found_confidence(score, threshold), f"{label}{who} said {heard}.", (self.evidence(match),), methods)
        if score >= low:
            return Outcome(Answer.UNKNOWN, 0.0, f"{label}closest was {heard}: too unclear to tell.", (self.evidence(match),), methods)
        if window:
            anywhere = self.search(rule, windowed=False)
            if anywhere is not None and anywhere.score >= threshold:
                return Outcome(
                    Answer.FAIL,
                    0.85,
                    f"{label}said at {_clock(anywhere.start)}, not{window}: '{anywhere.phrase}'.",
                    (self.evidence(anywhere),),
                    methods,
                )
        if match is None:
            return Outcome(Answer.FAIL, 0.6, f"{label}{who} says nothing{window}.", methods=methods)
        closest = f" (closest: {heard})" if score >= 50 else ""
        return Outcome(Answer.FAIL, _absent_confidence(score, low), f"{label}not heard{window}{closest}.", methods=methods)

    # --- semantic ------------------------------------------------------------------

    def _embedder(self):
        if not self.use_semantic_model:
            return None, "the semantic model is switched off for this evaluation"
        try:
            return embeddings.get_embedder(), ""
        except embeddings.SemanticModelUnavailable as exc:
            return None, str(exc)

    def chunks(self, speaker: str) -> tuple[list[_Chunk], Any]:
        """The speaker's sentences and their embeddings, computed once per call."""
        if speaker not in self._chunks:
            chunks = []
            for index, seg in enumerate(self.transcript.segments):
                if speaker != "any" and seg.speaker != speaker:
                    continue
                words: list = []
                for word in seg.words:
                    words.append(word)
                    if _SENTENCE_END.search(word.text) or word is seg.words[-1]:
                        text = "".join(w.text for w in words).strip()
                        if re.search(r"\w", text):
                            chunks.append(_Chunk(seg.speaker, text, words[0].start, words[-1].end, index))
                        words = []
            vectors = embeddings.get_embedder().encode([c.text for c in chunks])
            self._chunks[speaker] = (chunks, vectors)
        return self._chunks[speaker]

    def _semantic(self, rule: SemanticRule) -> Outcome:
        label = f"{rule.label}: " if rule.label else ""
        problem = self._speaker_problem(rule.speaker)
        if problem:
            return Outcome(Answer.UNKNOWN, 0.0, label + problem, methods=frozenset({"semantic"}))
        by_phrase = self._phrase(rule.phrases) if rule.phrases is not None else None
        if by_phrase is not None and by_phrase.answer == Answer.PASS:
            return by_phrase  # a clear phrase settles it without the model
        embedder, why_not = self._embedder()
        if embedder is None:
            note = f"Semantic rules fell back to their phrases: {why_not}."
            if note not in self.notes:
                self.notes.append(note)
            if by_phrase is None:
                return Outcome(Answer.UNKNOWN, 0.0, f"{label}needs the semantic model ({why_not}).", methods=frozenset({"semantic"}))
            return Outcome(
                by_phrase.answer,
                by_phrase.confidence,
                f"{by_phrase.detail} (by phrases only: no semantic model)",
                by_phrase.evidence,
                frozenset({"phrase-fallback"}),
            )
        by_meaning = self._by_meaning(rule, embedder, label)
        if by_phrase is None or by_meaning.answer == Answer.PASS:
            return by_meaning
        if Answer.UNKNOWN in (by_phrase.answer, by_meaning.answer):
            return _unknown_of([by_phrase, by_meaning], "", by_phrase.methods | by_meaning.methods)
        return Outcome(
            Answer.FAIL,
            min(by_phrase.confidence, by_meaning.confidence),
            by_meaning.detail,
            methods=by_phrase.methods | by_meaning.methods,
        )

    def _by_meaning(self, rule: SemanticRule, embedder, label: str) -> Outcome:
        self.semantic_model_used = embedder.model_id
        chunks, vectors = self.chunks(rule.speaker)
        eligible = [i for i, c in enumerate(chunks) if self._in_window(c.start, rule)]
        window = self._window_text(rule)
        methods = frozenset({"semantic"})
        if not eligible:
            return Outcome(Answer.FAIL, 0.6, f"{label}the {rule.speaker} says nothing{window}.", methods=methods)
        scores = vectors[eligible] @ embedder.encode_examples(rule.examples).T
        best_row, best_col = divmod(int(scores.argmax()), scores.shape[1])
        cosine = float(scores[best_row, best_col])
        chunk = chunks[eligible[best_row]]
        evidence = (Evidence(chunk.speaker, chunk.text, chunk.start, chunk.end),)
        heard = f"'{chunk.text}' ~ '{rule.examples[best_col]}' (cosine {cosine:.2f}/{rule.threshold:g})"
        low = rule.threshold - UNCERTAIN_MARGIN / 100
        if cosine >= rule.threshold:
            return Outcome(Answer.PASS, _found_confidence(cosine, rule.threshold, 1.0), f"{label}{heard}.", evidence, methods)
        if cosine >= low:
            return Outcome(Answer.UNKNOWN, 0.0, f"{label}closest was {heard}: too unclear to tell.", evidence, methods)
        return Outcome(
            Answer.FAIL, _absent_confidence(cosine * 100, low * 100), f"{label}nothing like it{window} (closest: {heard}).", methods=methods
        )

    # --- holds and analytics -------------------------------------------------------

    def holds(self, spec: HoldSpec) -> list[_Hold]:
        """Silences long enough to be holds, or shorter ones right after the agent asks to hold."""
        if spec in self._holds:
            return self._holds[spec]
        found = []
        threshold, low = spec.ask.threshold, spec.ask.threshold - UNCERTAIN_MARGIN
        for start, end in self.transcript.gaps():
            if end - start < spec.announced_min_silence_seconds:
                continue
            ask = self.search(spec.ask, start=start - spec.ask_within_seconds, end=start + 0.5, windowed=False)
            clear = ask if ask is not None and ask.score >= threshold else None
            weak = ask if ask is not None and low <= ask.score < threshold else None
            if clear is not None or end - start >= spec.min_silence_seconds:
                found.append(_Hold(start, end, clear, weak))
        self._holds[spec] = found
        return found

    def _hold_etiquette(self, rule: HoldEtiquetteRule) -> Outcome:
        methods = frozenset({"hold"})
        label = f"{rule.label}: " if rule.label else ""
        problem = self._speaker_problem(AGENT)
        if problem:
            return Outcome(Answer.UNKNOWN, 0.0, label + problem, methods=methods)
        holds = self.holds(rule.holds)
        if not holds:
            if self.context.hold_seconds:
                return Outcome(
                    Answer.UNKNOWN, 0.0,
                    f"{label}the phone system reports {self.context.hold_seconds:g} s on hold, but no silence marks it.",
                    methods=methods,
                )
            return Outcome(Answer.UNKNOWN, 0.0, f"{label}no hold in this call.", methods=methods, applicable=False)
        outcomes = []
        for hold in holds:
            span = f"hold {_clock(hold.start)}-{_clock(hold.end)} ({hold.seconds:.0f} s)"
            silence = Evidence("", f"{hold.seconds:.0f} s on hold", hold.start, hold.end)
            thanks = self.search(rule.thank, start=hold.end - 1.0, end=hold.end + rule.thank_within_seconds, windowed=False)
            thank_score = thanks.score if thanks else 0.0
            parts, evidence, answer, confidences = [], [], Answer.PASS, []
            if hold.ask is not None:
                parts.append(f"asked first ('{hold.ask.phrase}', {hold.ask.score:.0f})")
                evidence.append(self.evidence(hold.ask))
                confidences.append(_found_confidence(hold.ask.score, rule.holds.ask.threshold))
            elif hold.weak_ask is not None:
                parts.append(f"maybe asked first ('{hold.weak_ask.phrase}', {hold.weak_ask.score:.0f}): unclear")
                evidence.append(self.evidence(hold.weak_ask))
                answer = Answer.UNKNOWN
            else:
                parts.append("not asked or announced first")
                evidence.append(silence)
                answer = Answer.FAIL
                confidences.append(0.8)
            low = rule.thank.threshold - UNCERTAIN_MARGIN
            if thank_score >= rule.thank.threshold:
                parts.append(f"thanked after ('{thanks.phrase}', {thank_score:.0f})")
                evidence.append(self.evidence(thanks))
                confidences.append(_found_confidence(thank_score, rule.thank.threshold))
            elif thank_score >= low:
                parts.append(f"maybe thanked after ('{thanks.phrase}', {thank_score:.0f}): unclear")
                evidence.append(self.evidence(thanks))
                answer = answer if answer == Answer.FAIL else Answer.UNKNOWN
            else:
                parts.append(f"no thanks within {rule.thank_within_seconds:g} s after")
                answer = Answer.FAIL
                confidences.append(_absent_confidence(thank_score, low))
            if answer == Answer.FAIL:
                confidences = [min(confidences)]
            outcomes.append(
                Outcome(answer, min(confidences) if confidences else 0.0, f"{span}: {', '.join(parts)}", tuple(evidence), methods)
            )
        return _combine_all(outcomes, label)

    def _dead_air_without_holds(self, rule: AnalyticsRule) -> tuple[float, list[_Hold], tuple[float, float] | None]:
        """Dead air from the transcript's silences, leaving out holds the agent announced."""
        announced = [h for h in self.holds(rule.holds) if h.ask is not None]
        gaps = [
            (s, e)
            for s, e in self.transcript.gaps()
            if e - s >= DEAD_AIR_MIN_SECONDS and not any(h.start == s and h.end == e for h in announced)
        ]
        longest = max(gaps, key=lambda g: g[1] - g[0], default=None)
        if rule.metric == "longest_dead_air_seconds":
            value = longest[1] - longest[0] if longest else 0.0
        else:
            value = sum(e - s for s, e in gaps)
        return value, announced, longest

    def _analytics(self, rule: AnalyticsRule) -> Outcome:
        methods = frozenset({"analytics"})
        label = f"{rule.label}: " if rule.label else ""
        name = rule.metric.replace("_", " ")
        if self.analytics is None:
            return Outcome(Answer.UNKNOWN, 0.0, f"{label}no call analytics (mono recording, or not computed yet).", methods=methods)
        value = self.analytics.get(rule.metric)
        if value is None:
            return Outcome(Answer.UNKNOWN, 0.0, f"{label}{name} is not known for this call.", methods=methods)
        extra, evidence = "", ()
        if rule.metric in DEAD_AIR_METRICS:
            longest = max(
                (g for g in self.transcript.gaps() if g[1] - g[0] >= DEAD_AIR_MIN_SECONDS),
                key=lambda g: g[1] - g[0],
                default=None,
            )
            if rule.holds is not None:
                without, announced, longest_left = self._dead_air_without_holds(rule)
                if announced:
                    value = without
                    longest = longest_left
                    spans = ", ".join(f"{_clock(h.start)}-{_clock(h.end)}" for h in announced)
                    extra = f" (announced holds left out: {spans})"
            if longest is not None:
                evidence = (Evidence("", f"{longest[1] - longest[0]:.1f} s of silence", longest[0], longest[1]),)
        elif rule.metric == "longest_monologue_seconds":
            agent_turns = self._turns(AGENT)
            if agent_turns:
                turn = max(agent_turns, key=lambda t: t.end - t.start)
                evidence = (Evidence(AGENT, self.transcript.quote(turn.segments), turn.start, turn.end),)
        bounds = " and ".join(
            part for part in (f">= {rule.min:g}" if rule.min is not None else "", f"<= {rule.max:g}" if rule.max is not None else "") if part
        )
        within = (rule.min is None or value >= rule.min) and (rule.max is None or value <= rule.max)
        # Analytics come from voice activity: a value right at the limit is less certain than one far from it.
        limits = [b for b in (rule.min, rule.max) if b is not None]
        margin = min(abs(value - b) / max(abs(b), 1.0) for b in limits)
        confidence = 0.95 if margin >= 0.2 else 0.75
        detail = f"{label}{name} {value:g}{extra}, expected {bounds}."
        return Outcome(Answer.PASS if within else Answer.FAIL, confidence, detail, evidence if not within else evidence[:1], methods)

    # --- combinations --------------------------------------------------------------

    def _all_of(self, rule: AllOf) -> Outcome:
        return _combine_all([self.run(r) for r in rule.rules], f"{rule.label}: " if rule.label else "")

    def _any_of(self, rule: AnyOf) -> Outcome:
        outcomes = [self.run(r) for r in rule.rules]
        label = f"{rule.label}: " if rule.label else ""
        methods = frozenset().union(*(o.methods for o in outcomes))
        passed = [o for o in outcomes if o.answer == Answer.PASS]
        if passed:
            best = max(passed, key=lambda o: o.confidence)
            return Outcome(Answer.PASS, best.confidence, label + best.detail, best.evidence, methods)
        if any(o.answer == Answer.UNKNOWN for o in outcomes):
            return _unknown_of(outcomes, label, methods)
        return Outcome(Answer.FAIL, min(o.confidence for o in outcomes), label + _join(o.detail for o in outcomes), (), methods)

    def _at_least(self, rule: AtLeast) -> Outcome:
        outcomes = [self.run(r) for r in rule.rules]
        label = f"{rule.label}: " if rule.label else ""
        methods = frozenset().union(*(o.methods for o in outcomes))
        passed = sorted((o for o in outcomes if o.answer == Answer.PASS), key=lambda o: -o.confidence)
        unknown = [o for o in outcomes if o.answer == Answer.UNKNOWN]
        heard = _join(o.detail for o in passed).rstrip(".") if passed else "none"
        evidence = tuple(e for o in passed for e in o.evidence)
        if len(passed) >= rule.count:
            return Outcome(Answer.PASS, passed[rule.count - 1].confidence, f"{label}{len(passed)} of {rule.count} needed: {heard}.", evidence, methods)
        if len(passed) + len(unknown) >= rule.count:
            return Outcome(Answer.UNKNOWN, 0.0, f"{label}{len(passed)} of {rule.count} needed, {len(unknown)} unclear: {heard}.", evidence, methods)
        failed = [o.confidence for o in outcomes if o.answer == Answer.FAIL]
        return Outcome(Answer.FAIL, min(failed), f"{label}only {len(passed)} of {rule.count} needed: {heard}.", evidence, methods)


def _join(details: Iterable[str]) -> str:
    return "; ".join(d.rstrip(".") for d in details) + "."


def _unknown_of(outcomes: list[Outcome], label: str, methods: frozenset[str]) -> Outcome:
    unknown = [o for o in outcomes if o.answer == Answer.UNKNOWN]
    return Outcome(
        Answer.UNKNOWN,
        0.0,
        label + _join(o.detail for o in unknown),
        tuple(e for o in unknown for e in o.evidence),
        methods,
        applicable=any(o.applicable for o in unknown),
    )


def _combine_all(outcomes: list[Outcome], label: str) -> Outcome:
    methods = frozenset().union(*(o.methods for o in outcomes))
    failed = [o for o in outcomes if o.answer == Answer.FAIL]
    if failed:
        evidence = tuple(dict.fromkeys(e for o in failed + [o for o in outcomes if o not in failed] for e in o.evidence))
        return Outcome(Answer.FAIL, max(o.confidence for o in failed), label + _join(o.detail for o in failed), evidence, methods)
    if any(o.answer == Answer.UNKNOWN for o in outcomes):
        return _unknown_of(outcomes, label, methods)
    evidence = tuple(dict.fromkeys(e for o in outcomes for e in o.evidence))
    return Outcome(Answer.PASS, min(o.confidence for o in outcomes), label + _join(o.detail for o in outcomes), evidence, methods)
