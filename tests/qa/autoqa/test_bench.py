"""The timing helper the benchmark uses (the figures themselves come from `python -m qa.autoqa.bench`)."""

from qa.autoqa.bench import time_evaluation
from qa.autoqa.defaults import default_checks
from qa.autoqa.transcript import CallContext


def test_it_times_an_evaluation_and_returns_its_result():
    segments = [{"speaker": "agent", "start": 0.5, "end": 4.0, "text": "Thank you for calling Acme Telecom, this is Sam."}]
    seconds, result = time_evaluation(
        default_checks(), transcript=segments, analytics=None, context=CallContext("Sam", "Acme Telecom"), repeat=2
    )
    assert seconds > 0
    assert result.result("greeting").answer.value == "pass"
