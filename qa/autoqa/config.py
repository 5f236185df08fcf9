"""Automatic checks as typed, JSON-serialisable configs.

A `Check` ties a stable key (the rubric criterion's `criterion_key`) to a rule. Rules:

- `PhraseRule` ("phrase"): any of some phrases, said by the agent, the customer or anyone, optionally within
  the first or last N seconds; `must_say` or `must_not_say`; fuzzy threshold 50-100 per rule. A required
  disclosure is a `must_say` rule with `first_seconds`. Phrases may name `{agent}` and `{company}`.
- `SemanticRule` ("semantic"): an utterance close in meaning (cosine >= threshold) to example phrases, or
  one of its `phrases` (a phrase rule, tried first; the only means when the embedding model is missing).
- `AnalyticsRule` ("analytics"): a call analytics figure within min/max.
- `HoldEtiquetteRule` ("hold_etiquette"): every hold asked for before and thanked after.
- `AllOf` / `AnyOf` / `AtLeast` ("all_of" / "any_of" / "at_least"): rules combined.

`Check.from_dict(check.to_dict()) == check`; `from_dict` raises `ConfigError` naming the bad field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, ClassVar

from qa.autoqa.text import normalise

FORMAT = 1
SPEAKERS = ("agent", "customer", "any")
MODES = ("must_say", "must_not_say")
SLOTS = ("agent", "company")
# Call analytics figures (recordings.analytics.Analytics) a rule can bound.
METRICS = (
    "dead_air_seconds",
    "longest_dead_air_seconds",
    "longest_monologue_seconds",
    "talk_listen_ratio",
    "overtalk_seconds",
    "interruptions",
    "agent_words_per_minute",
    "agent_talk_seconds",
    "customer_talk_seconds",
)
DEAD_AIR_METRICS = ("dead_air_seconds", "longest_dead_air_seconds")
_KEY = re.compile(r"[a-z][a-z0-9_]{0,63}")
# A check's key (and its rubric criterion's): lower-case letters, digits and _, starting with a letter.
KEY_PATTERN = _KEY.pattern
_SLOT = re.compile(r"\{([a-z_]*)\}")


class ConfigError(ValueError):
    """A check config is invalid; the message names the field and the problem."""


def _fail(field: str, problem: str) -> None:
    raise ConfigError(f"{field}: {problem}")


def _check_seconds(field: str, value: float | None) -> None:
    if value is not None and not (isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0):
        _fail(field, f"must be a positive number of seconds, got {value!r}")


def _check_window(first: float | None, last: float | None) -> None:
    _check_seconds("first_seconds", first)
    _check_seconds("last_seconds", last)
    if first is not None and last is not None:
        _fail("first_seconds", "give first_seconds or last_seconds, not both")


def _check_choice(field: str, value: Any, choices: tuple[str, ...]) -> None:
    if value not in choices:
        _fail(field, f"must be one of {', '.join(choices)}, got {value!r}")


def _check_texts(field: str, texts: tuple[str, ...], *, slots: bool) -> None:
    if not texts:
        _fail(field, "needs at least one phrase")
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            _fail(f"{field}[{i}]", f"must be text, got {text!r}")
        unknown = [s for s in _SLOT.findall(text) if s not in SLOTS]
        if unknown or (_SLOT.search(text) and not slots):
            allowed = ", ".join(f"{{{s}}}" for s in SLOTS) if slots else "none here"
            _fail(f"{field}[{i}]", f"unknown placeholder in {text!r} (allowed: {allowed})")
        if not normalise(_SLOT.sub(" x ", text)):
            _fail(f"{field}[{i}]", f"has no words to match: {text!r}")


@dataclass(frozen=True)
class PhraseRule:
    TYPE: ClassVar[str] = "phrase"
    phrases: tuple[str, ...]
    speaker: str = "agent"
    mode: str = "must_say"
    first_seconds: float | None = None
    last_seconds: float | None = None
    threshold: float = 80.0
    # Look-alikes that mean something else ("thank you for calling" for "thank you for holding"): words
    # closer to one of these than to the phrases do not count.
    exclude: tuple[str, ...] = ()
    label: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "phrases", tuple(self.phrases))
        object.__setattr__(self, "exclude", tuple(self.exclude))
        _check_texts("phrases", self.phrases, slots=True)
        if self.exclude:
            _check_texts("exclude", self.exclude, slots=False)
        _check_choice("speaker", self.speaker, SPEAKERS)
        _check_choice("mode", self.mode, MODES)
        _check_window(self.first_seconds, self.last_seconds)
        if not isinstance(self.threshold, (int, float)) or not 50 <= self.threshold <= 100:
            _fail("threshold", f"must be a similarity between 50 and 100, got {self.threshold!r}")


@dataclass(frozen=True)
class SemanticRule:
    TYPE: ClassVar[str] = "semantic"
    examples: tuple[str, ...]
    speaker: str = "agent"
    threshold: float = 0.6
    first_seconds: float | None = None
    last_seconds: float | None = None
    # Tried first (a clear phrase needs no model), and alone when the embedding model is not installed.
    phrases: PhraseRule | None = None
    label: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "examples", tuple(self.examples))
        _check_texts("examples", self.examples, slots=False)
        _check_choice("speaker", self.speaker, SPEAKERS)
        _check_window(self.first_seconds, self.last_seconds)
        if not isinstance(self.threshold, (int, float)) or not 0 < self.threshold < 1:
            _fail("threshold", f"must be a cosine similarity between 0 and 1, got {self.threshold!r}")
        if self.phrases is not None and self.phrases.mode != "must_say":
            _fail("phrases.mode", "a semantic rule's phrases must be a must_say phrase rule")


@dataclass(frozen=True)
class HoldSpec:
    """How holds are found: a long silence, or a shorter one right after the agent asks to hold."""

    ask: PhraseRule
    min_silence_seconds: float = 20.0
    announced_min_silence_seconds: float = 5.0
    ask_within_seconds: float = 30.0

    def __post_init__(self) -> None:
        for name in ("min_silence_seconds", "announced_min_silence_seconds", "ask_within_seconds"):
            _check_seconds(name, getattr(self, name))
        if self.announced_min_silence_seconds > self.min_silence_seconds:
            _fail("announced_min_silence_seconds", "cannot exceed min_silence_seconds")
        if self.ask.mode != "must_say":
            _fail("ask.mode", "the hold request is a must_say phrase rule")


@dataclass(frozen=True)
class AnalyticsRule:
    TYPE: ClassVar[str] = "analytics"
    metric: str
    min: float | None = None
    max: float | None = None
    # Dead air only: silences that are announced holds do not count.
    holds: HoldSpec | None = None
    label: str = ""

    def __post_init__(self) -> None:
        _check_choice("metric", self.metric, METRICS)
        if self.min is None and self.max is None:
            _fail("min", "give min, max or both")
        for name in ("min", "max"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0):
                _fail(name, f"must be a number >= 0, got {value!r}")
        if self.min is not None and self.max is not None and self.min > self.max:
            _fail("min", f"{self.min} is above max {self.max}")
        if self.holds is not None and self.metric not in DEAD_AIR_METRICS:
            _fail("holds", f"only dead air metrics ({', '.join(DEAD_AIR_METRICS)}) can leave holds out")


@dataclass(frozen=True)
class HoldEtiquetteRule:
    TYPE: ClassVar[str] = "hold_etiquette"
    holds: HoldSpec
    thank: PhraseRule
    thank_within_seconds: float = 30.0
    label: str = ""

    def __post_init__(self) -> None:
        _check_seconds("thank_within_seconds", self.thank_within_seconds)
        if self.thank.mode != "must_say":
            _fail("thank.mode", "the thanks are a must_say phrase rule")


@dataclass(frozen=True)
class AllOf:
    TYPE: ClassVar[str] = "all_of"
    rules: tuple[Rule, ...]
    label: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "rules", tuple(self.rules))
        if len(self.rules) < 1:
            _fail("rules", "needs at least one rule")


@dataclass(frozen=True)
class AnyOf(AllOf):
    TYPE: ClassVar[str] = "any_of"


@dataclass(frozen=True)
class AtLeast:
    TYPE: ClassVar[str] = "at_least"
    count: int
    rules: tuple[Rule, ...]
    label: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "rules", tuple(self.rules))
        if not isinstance(self.count, int) or isinstance(self.count, bool) or not 1 <= self.count <= len(self.rules):
            _fail("count", f"must be a whole number from 1 to {len(self.rules)} (the number of rules), got {self.count!r}")


Rule = PhraseRule | SemanticRule | AnalyticsRule | HoldEtiquetteRule | AllOf | AnyOf | AtLeast
RULE_TYPES: dict[str, type] = {cls.TYPE: cls for cls in (PhraseRule, SemanticRule, AnalyticsRule, HoldEtiquetteRule, AllOf, AnyOf, AtLeast)}
# Fields holding a nested config, per config type.
_NESTED: dict[type, dict[str, type]] = {
    SemanticRule: {"phrases": PhraseRule},
    HoldSpec: {"ask": PhraseRule},
    AnalyticsRule: {"holds": HoldSpec},
    HoldEtiquetteRule: {"holds": HoldSpec, "thank": PhraseRule},
}


@dataclass(frozen=True)
class Check:
    """An automatic check on a rubric criterion. `languages`: the call languages its phrases are written for."""

    key: str
    rule: Rule
    languages: tuple[str, ...] | None = ("en",)

    def __post_init__(self) -> None:
        if not isinstance(self.key, str) or not _KEY.fullmatch(self.key):
            _fail("key", f"must be lower-case letters, digits and _ (starting with a letter), got {self.key!r}")
        if self.languages is not None:
            object.__setattr__(self, "languages", tuple(self.languages))

    def applies_to(self, language: str | None) -> bool:
        return self.languages is None or not language or language.split("-")[0].lower() in self.languages

    def to_dict(self) -> dict:
        return {
            "format": FORMAT,
            "key": self.key,
            "languages": list(self.languages) if self.languages is not None else None,
            "rule": rule_to_dict(self.rule),
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> Check:
        if not isinstance(data, Mapping):
            raise ConfigError(f"check: must be an object, got {type(data).__name__}")
        if data.get("format", FORMAT) != FORMAT:
            raise ConfigError(f"format: this version reads format {FORMAT}, got {data.get('format')!r}")
        unknown = set(data) - {"format", "key", "languages", "rule"}
        if unknown:
            raise ConfigError(f"check: unknown fields {sorted(unknown)}")
        key = data.get("key")
        if "rule" not in data:
            raise ConfigError(f"{key or 'check'}: missing 'rule'")
        rule = rule_from_dict(data["rule"], path=f"{key}.rule")
        languages = data.get("languages", ("en",))
        try:
            return cls(key=key, rule=rule, languages=languages)
        except ConfigError as exc:
            raise ConfigError(f"check {exc}") from None


def _value_to_json(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_value_to_json(v) for v in value]
    if hasattr(value, "TYPE"):
        return rule_to_dict(value)
    if isinstance(value, HoldSpec):
        return {f.name: _value_to_json(getattr(value, f.name)) for f in fields(value)}
    return value


def rule_to_dict(rule: Rule) -> dict:
    return {"type": rule.TYPE, **{f.name: _value_to_json(getattr(rule, f.name)) for f in fields(rule)}}


def _build(cls: type, data: Any, path: str) -> Any:
    if not isinstance(data, Mapping):
        raise ConfigError(f"{path}: must be an object, got {type(data).__name__}")
    names = {f.name for f in fields(cls)}
    unknown = set(data) - names - {"type"}
    if unknown:
        raise ConfigError(f"{path}: unknown fields {sorted(unknown)} for a {getattr(cls, 'TYPE', cls.__name__)} rule")
    kwargs: dict[str, Any] = {}
    for name, value in data.items():
        if name == "type":
            continue
        if name == "rules":
            if not isinstance(value, list):
                raise ConfigError(f"{path}.rules: must be a list")
            value = tuple(rule_from_dict(r, path=f"{path}.rules[{i}]") for i, r in enumerate(value))
        elif name in _NESTED.get(cls, {}) and value is not None:
            value = _build(_NESTED[cls][name], value, f"{path}.{name}")
        elif isinstance(value, list):
            value = tuple(value)
        kwargs[name] = value
    try:
        return cls(**kwargs)
    except ConfigError as exc:
        raise ConfigError(f"{path}.{exc}") from None
    except TypeError as exc:  # a required field is missing
        missing = [f.name for f in fields(cls) if f.name not in kwargs]
        raise ConfigError(f"{path}: missing {', '.join(missing) or 'fields'} ({exc})") from None


def rule_from_dict(data: Any, path: str = "rule") -> Rule:
    if not isinstance(data, Mapping):
        raise ConfigError(f"{path}: must be an object, got {type(data).__name__}")
    kind = data.get("type")
    if kind not in RULE_TYPES:
        raise ConfigError(f"{path}.type: must be one of {', '.join(RULE_TYPES)}, got {kind!r}")
    return _build(RULE_TYPES[kind], data, path)
