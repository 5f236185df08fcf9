"""Redacted copies of recordings: silence where the spans are, every other sample as it was, nothing half-written."""

from __future__ import annotations

import wave
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from recordings.audio import AudioError, decode
from recordings.audio_redaction import PAD_SECONDS, audio_redact, silence_windows
from recordings.engines import SAMPLE_RATE
from recordings.redaction import RedactionKind, transcript_redact
from tests.audio_fixtures import encode_stereo
from tests.conftest import SAMPLES_DIR
from tests.recordings.redaction_fixtures import SAMPLE_CARD, digit_groups, digits_in, sample_segments

CARD_PAYMENT = SAMPLES_DIR / "card_payment.flac"


def raw_samples(path: Path) -> tuple[np.ndarray, int, str, str]:
    """Every decoded sample as stored, shape (samples, channels), with the rate, layout and sample format."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        frames = []
        for frame in container.decode(stream):
            array = frame.to_ndarray()
            frames.append(array.T if frame.format.is_planar else array.reshape(-1, frame.layout.nb_channels))
        ctx = stream.codec_context
        return np.concatenate(frames), ctx.sample_rate, ctx.layout.name, ctx.format.name


def write_pcm(path: Path, samples: np.ndarray, rate: int, layout: str) -> Path:
    """A WAV file of int16 samples, shape (samples, channels)."""
    with av.open(str(path), "w", format="wav") as container:
        stream = container.add_stream("pcm_s16le", rate=rate, layout=layout)
        for start in range(0, len(samples), 1000):
            chunk = np.ascontiguousarray(samples[start : start + 1000]).reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(chunk, format="s16", layout=layout)
            frame.sample_rate, frame.pts, frame.time_base = rate, start, Fraction(1, rate)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


@pytest.fixture
def folder(tmp_path) -> Path:
    """An empty folder of the test's own, to check that nothing is left in it."""
    path = tmp_path / "out"
    path.mkdir()
    return path


def noise(seconds: float, rate: int, channels: int) -> np.ndarray:
    """Loud noise with no zero sample, so any silenced sample shows."""
    rng = np.random.default_rng(7)
    values = rng.integers(1, 20000, size=(int(seconds * rate), channels), dtype=np.int16)
    return values * rng.choice(np.array([-1, 1], dtype=np.int16), size=values.shape)


def silenced_mask(length: int, rate: int, intervals, pad: float = PAD_SECONDS) -> np.ndarray:
    mask = np.zeros(length, dtype=bool)
    for start, end in intervals:
        mask[max(0, int(np.floor((start - pad) * rate))) : int(np.ceil((end + pad) * rate))] = True
    return mask


def assert_redacted(original: np.ndarray, redacted: np.ndarray, mask: np.ndarray) -> None:
    assert redacted.shape == original.shape
    assert not redacted[mask].any(), "a silenced stretch is not silent"
    assert np.array_equal(redacted[~mask], original[~mask]), "a sample outside the spans changed"


# ---------------------------------------------------------------------------------------------
# Silence where asked, every other sample untouched
# ---------------------------------------------------------------------------------------------


def test_it_silences_the_spans_of_the_card_payment_sample_and_keeps_every_other_sample(tmp_path):
    intervals = [(25.88, 36.24), (10.0, 10.1)]
    result = audio_redact(CARD_PAYMENT, tmp_path / "redacted.flac", intervals=intervals)

    original, rate, layout, sample_format = raw_samples(CARD_PAYMENT)
    redacted, out_rate, out_layout, out_format = raw_samples(result.path)
    assert (out_rate, out_layout, out_format) == (rate, layout, sample_format) == (8000, "stereo", "s16")
    mask = silenced_mask(len(original), rate, intervals)
    assert_redacted(original, redacted, mask)
    assert original[mask].any(), "the card was read out here: there was sound to silence"
    assert (result.sample_rate, result.channels, result.samples) == (8000, 2, len(original))
    assert result.silenced == ((9.75, 10.35), (25.63, 36.49))
    assert result.silenced_seconds == pytest.approx(11.46)


@pytest.mark.parametrize(
    ("rate", "layout", "channels"), [(8000, "mono", 1), (44100, "stereo", 2), (48000, "5.1", 6), (16000, "7.1", 8)]
)
def test_it_keeps_the_channels_and_sample_rate_and_silences_every_channel(tmp_path, rate, layout, channels):
    source = write_pcm(tmp_path / "call.wav", noise(3.0, rate, channels), rate, layout)
    intervals = [(0.5, 0.75), (0.9, 1.0), (2.6, 2.61)]
    result = audio_redact(source, tmp_path / "redacted.flac", intervals=intervals)

    original, *_ = raw_samples(source)
    redacted, out_rate, out_layout, out_format = raw_samples(result.path)
    assert (out_rate, out_layout, out_format) == (rate, layout, "s16")
    assert_redacted(original, redacted, silenced_mask(len(original), rate, intervals))


def test_it_pads_each_span_by_a_quarter_second_to_the_sample(tmp_path):
    rate = 8000
    source = write_pcm(tmp_path / "call.wav", noise(2.0, rate, 2), rate, "stereo")
    redacted, *_ = raw_samples(audio_redact(source, tmp_path / "r.flac", intervals=[(1.0, 1.25)]).path)
    silent = np.flatnonzero(~redacted.any(axis=1))
    assert (silent[0], silent[-1] + 1) == (int(0.75 * rate), int(1.5 * rate))
    assert len(silent) == int(0.75 * rate)


def test_it_silences_to_the_edges_when_a_span_runs_past_the_recording(tmp_path):
    rate = 8000
    source = write_pcm(tmp_path / "call.wav", noise(2.0, rate, 1), rate, "mono")
    result = audio_redact(source, tmp_path / "r.flac", intervals=[(0.1, 0.2), (1.9, 5.0)])
    redacted, *_ = raw_samples(result.path)
    assert len(redacted) == 2 * rate
    assert not redacted[: int(0.45 * rate)].any() and not redacted[int(1.65 * rate) :].any()
    assert result.silenced == ((0.0, 0.45), (1.65, 2.0))


def test_it_copies_the_recording_unchanged_when_there_is_nothing_to_silence(tmp_path):
    result = audio_redact(CARD_PAYMENT, tmp_path / "copy.flac", intervals=[])
    assert np.array_equal(raw_samples(result.path)[0], raw_samples(CARD_PAYMENT)[0])
    assert result.silenced == ()


@pytest.mark.parametrize(
    ("extension", "container", "codec", "rate"),
    [("ogg", "ogg", "libopus", 48000), ("mp3", "mp3", "libmp3lame", 44100), ("m4a", "mp4", "aac", 16000)],
)
def test_it_writes_lossy_recordings_as_32_bit_flac(tmp_path, extension, container, codec, rate):
    source = encode_stereo(tmp_path / f"call.{extension}", container, codec, rate, seconds=3.0)
    result = audio_redact(source, tmp_path / "redacted.flac", intervals=[(1.2, 1.5)])
    assert result.sample_format == "s32"
    # Decoded the way transcription decodes: the same float samples up to FLAC's 24 bits, silence in the span.
    original, redacted = decode(source, sample_rate=rate), decode(result.path, sample_rate=rate)
    assert redacted.shape == original.shape
    mask = silenced_mask(original.shape[1], rate, [(1.2, 1.5)])
    assert not redacted[:, mask].any()
    assert np.abs(redacted[:, ~mask] - original[:, ~mask]).max() < 1e-6


# ---------------------------------------------------------------------------------------------
# Bad input: a clear error, nothing half-written
# ---------------------------------------------------------------------------------------------


def test_it_refuses_a_file_that_is_not_audio_and_leaves_nothing_behind(tmp_path, folder):
    source = tmp_path / "call.flac"
    source.write_text("not audio at all")
    out = folder
    with pytest.raises(AudioError, match="not decodable audio"):
        audio_redact(source, out / "redacted.flac", intervals=[(0, 1)])
    assert list(out.iterdir()) == []


def test_it_keeps_the_previous_copy_when_the_recording_breaks_mid_way(tmp_path, folder):
    # A real FLAC header and first frames, then garbage: decoding fails after the copy was started.
    data = CARD_PAYMENT.read_bytes()
    source = tmp_path / "broken.flac"
    source.write_bytes(data[:20_000] + bytes(range(256)) * 400)
    out = folder
    previous = out / "redacted.flac"
    previous.write_bytes(b"the previous redacted copy")
    with pytest.raises(AudioError, match="not decodable audio"):
        audio_redact(source, previous, intervals=[(0.5, 1.0)])
    assert previous.read_bytes() == b"the previous redacted copy"
    assert sorted(p.name for p in out.iterdir()) == ["redacted.flac"]


def test_it_refuses_a_recording_without_audio(folder):
    source = folder / "empty.wav"
    with wave.open(str(source), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
    with pytest.raises(AudioError, match="zero duration"):
        audio_redact(source, folder / "r.flac", intervals=[])
    assert [p.name for p in folder.iterdir()] == ["empty.wav"]


@pytest.mark.parametrize(
    ("intervals", "pad", "message"),
    [
        ([(2.0, 1.0)], PAD_SECONDS, "not a time interval"),
        ([(0, float("nan"))], PAD_SECONDS, "not a time interval"),
        ([(0, 1)], -0.1, "pad_seconds"),
    ],
)
def test_it_refuses_bad_intervals(folder, intervals, pad, message):
    with pytest.raises(ValueError, match=message):
        audio_redact(CARD_PAYMENT, folder / "r.flac", intervals=intervals, pad_seconds=pad)
    assert list(folder.iterdir()) == []


def test_it_refuses_to_overwrite_its_source_or_write_into_a_missing_folder(tmp_path):
    source = tmp_path / "call.flac"
    source.write_bytes(CARD_PAYMENT.read_bytes())
    with pytest.raises(ValueError, match="its own source"):
        audio_redact(source, source, intervals=[(1, 2)])
    with pytest.raises(ValueError, match="does not exist"):
        audio_redact(source, tmp_path / "missing" / "r.flac", intervals=[(1, 2)])
    assert source.read_bytes() == CARD_PAYMENT.read_bytes()


def test_it_merges_overlapping_windows():
    assert silence_windows([(3, 4), (0.1, 0.2), (3.9, 5)], pad_seconds=0.25) == [(0.0, 0.45), (2.75, 5.25)]


# ---------------------------------------------------------------------------------------------
# End to end with the real engine
# ---------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_it_leaves_no_card_digit_for_whisper_to_hear_in_the_redacted_card_payment_sample(tmp_path, engine):
    redaction = transcript_redact(sample_segments("card_payment"), region="US")
    assert any(span.kind is RedactionKind.CARD_NUMBER for span in redaction.spans)
    result = audio_redact(CARD_PAYMENT, tmp_path / "redacted.flac", intervals=redaction.audio_intervals)

    audio = decode(result.path, sample_rate=SAMPLE_RATE)
    heard = {side: engine.transcribe_channel(audio[i], language="en") for i, side in enumerate(("agent", "customer"))}
    words = [w for channel in heard.values() for u in channel.utterances for w in u.words]
    text = "".join(w.text for w in words)
    assert not any(group in digits_in(text) for group in digit_groups(SAMPLE_CARD)), text
    # Nothing at all is heard where the card was read out (25.2 s to 36.3 s in the script).
    assert [w.text for w in words if w.end > 25.2 and w.start < 36.3] == []
    # The rest of the call is still there to be heard.
    assert "payment went through" in text
