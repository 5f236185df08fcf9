"""Cards read out with long runs of one digit: no decoding loop, and nothing after the card lost."""

from __future__ import annotations

import functools
import math
import time

import pytest

from recordings import loops, whisper_models
from recordings.audio import decode
from recordings.engines import SAMPLE_RATE, EngineConfig, get_engine
from tests.conftest import SAMPLES_DIR
from tests.recordings.conftest import sample_truth
from tests.recordings.test_engines import longest_run

pytestmark = pytest.mark.slow

CARD_CALLS = ["extra/card_digit_runs", "extra/card_digit_runs_fast"]
# The customer reads a 16-digit card without long runs of one digit, in a call of about the same length.
# A call with no card at all would hold about half the customer's speech, and compare that, not loops.
WITHOUT_LONG_RUNS = "card_payment"


@functools.cache
def customer_side(name: str):
    audio = decode(SAMPLES_DIR / f"{name}.flac", sample_rate=SAMPLE_RATE)
    return get_engine(EngineConfig.from_settings()).transcribe_channel(audio[1], language="en")


@pytest.mark.parametrize("name", CARD_CALLS)
def test_it_repeats_no_word_more_often_than_the_customer_said_it(name):
    truth = sample_truth(name)
    said = [w for t in truth["turns"] if t["speaker"] == "customer" for w in loops.spoken_words(t["text"])]
    heard = [w for u in customer_side(name).utterances for w in loops.spoken_words(u.text)]

    assert longest_run(heard) <= longest_run(said), " | ".join(u.text for u in customer_side(name).utterances)
    assert len(heard) <= len(said) + 5


@pytest.mark.parametrize("name", CARD_CALLS)
def test_it_transcribes_every_turn_after_the_card(name):
    truth = sample_truth(name)
    turns = [t for t in truth["turns"] if t["speaker"] == "customer"]
    first_card = next(i for i, t in enumerate(turns) if t["text"].startswith("Three four zero zero"))
    words = [w for u in customer_side(name).utterances for w in u.words]

    for turn in turns[first_card:]:
        inside = [w.text for w in words if turn["start"] - 0.5 <= w.start <= turn["end"] + 0.5]
        assert inside, f"nothing heard of {turn['text']!r}"


@pytest.mark.skipif(bool(whisper_models.base_missing()), reason=whisper_models.base_missing() or "installed")
def test_it_keeps_the_multilingual_model_out_of_loops_on_the_fast_card():
    audio = decode(SAMPLES_DIR / "extra/card_digit_runs_fast.flac", sample_rate=SAMPLE_RATE)
    result = get_engine(EngineConfig.from_settings(model="base")).transcribe_channel(audio[1], language="en")

    heard = [w for u in result.utterances for w in loops.spoken_words(u.text)]
    assert longest_run(heard) <= loops.MAX_SAME_WORD_RUN
    assert not loops.loop_reason(" ".join(heard), 15.0)


def test_it_transcribes_a_card_with_long_runs_within_twice_the_real_time_factor_of_one_without():
    """CPU seconds of this process (every decoder thread), best of three interleaved runs: other work on
    the machine slows a run down but adds no CPU time to it."""
    engine = get_engine(EngineConfig.from_settings())
    channels = {name: decode(SAMPLES_DIR / f"{name}.flac", sample_rate=SAMPLE_RATE)[1] for name in [WITHOUT_LONG_RUNS, *CARD_CALLS]}
    best = dict.fromkeys(channels, math.inf)
    for _ in range(3):
        for name, audio in channels.items():
            started = time.process_time()
            engine.transcribe_channel(audio, language="en")
            best[name] = min(best[name], (time.process_time() - started) / (len(audio) / SAMPLE_RATE))

    for name in CARD_CALLS:
        assert best[name] <= 2 * best[WITHOUT_LONG_RUNS], best
