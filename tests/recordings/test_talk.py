"""Talk time trimmed to the voice: on made-up signals, and on the samples against their scripts."""

import numpy as np
import pytest

from recordings.analytics import total, turns
from recordings.audio import decode
from recordings.engines import SAMPLE_RATE, detect_speech
from recordings.talk import trim_to_voice
from tests.conftest import SAMPLES_DIR
from tests.recordings.conftest import sample_truth

ENGLISH_SAMPLES = ["billing_double_charge", "cancel_subscription_interruption", "card_payment", "outage_hold",
                   "rude_agent", "unannounced_hold", "asked_hold_no_disclosure",
                   "extra/card_digit_runs", "extra/card_digit_runs_fast"]


def test_it_trims_quiet_edges_and_keeps_the_voice():
    audio = np.zeros(3 * SAMPLE_RATE, dtype=np.float32)
    t = np.arange(SAMPLE_RATE) / SAMPLE_RATE
    audio[SAMPLE_RATE : 2 * SAMPLE_RATE] = 0.3 * np.sin(2 * np.pi * 220 * t)

    assert trim_to_voice(audio, [(0.8, 2.3)], SAMPLE_RATE) == [(1.0, 2.0)]
    assert trim_to_voice(audio, [(0.1, 0.5)], SAMPLE_RATE) == []  # nothing there but silence


@pytest.mark.parametrize("name", ENGLISH_SAMPLES)
def test_it_counts_talk_within_half_a_second_of_the_scripts_per_call(name):
    truth = sample_truth(name)["analytics"]
    audio = decode(SAMPLES_DIR / f"{name}.flac", sample_rate=SAMPLE_RATE)

    for index, speaker in enumerate(("agent", "customer")):
        talk = total(turns(trim_to_voice(audio[index], detect_speech(audio[index]), SAMPLE_RATE)))
        assert talk == pytest.approx(truth[f"{speaker}_talk_seconds"], abs=0.5), speaker
