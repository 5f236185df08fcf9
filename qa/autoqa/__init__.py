"""Auto-QA: check every transcribed call against the rubric's automatic items, with evidence.

The engine is pure code (no models, no database): `evaluate(checks, transcript=..., analytics=..., context=...)`
returns per check `pass` / `fail` / `unknown`, a confidence and evidence. Checks are `Check` configs (see
`config`), JSON-serialisable; `default_checks()` gives the ones for the default rubric's checkable criteria.
The app stores the results (`models`, `services`) and reads figures from them (`selectors`); which checks a
call gets and when is decided by `qa.reviews` (rubrics), which runs the engine in a task after each transcript.
"""

from qa.autoqa.config import Check, ConfigError, rule_from_dict, rule_to_dict
from qa.autoqa.defaults import DEFAULT_KEYS, DEFAULT_RUBRIC_KEYS, default_checks
from qa.autoqa.evaluation import Answer, CheckResult, Evaluation, Evidence, evaluate
from qa.autoqa.transcript import CallContext, CallTranscript, TranscriptError

__all__ = [
    "DEFAULT_KEYS",
    "DEFAULT_RUBRIC_KEYS",
    "Answer",
    "CallContext",
    "CallTranscript",
    "Check",
    "CheckResult",
    "ConfigError",
    "Evaluation",
    "Evidence",
    "TranscriptError",
    "default_checks",
    "evaluate",
    "rule_from_dict",
    "rule_to_dict",
]
