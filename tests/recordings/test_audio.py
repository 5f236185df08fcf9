"""Decoding with PyAV: every container the service accepts, at any sample rate."""

import av
import numpy as np
import pytest

from recordings.audio import AudioError, decode, probe
from tests.audio_fixtures import FORMATS, encode_stereo


@pytest.mark.parametrize("ext, container_format, codec, rate", FORMATS)
def test_it_probes_and_decodes_every_accepted_format(tmp_path, ext, container_format, codec, rate):
    path = encode_stereo(tmp_path / f"call.{ext}", container_format, codec, rate)

    info = probe(path)
    audio = decode(path)

    assert info.channels == 2
    assert info.sample_rate == rate
    assert info.duration_seconds == pytest.approx(2.0, abs=0.1)
    assert info.extension == ext
    assert audio.dtype == np.float32
    assert audio.shape[0] == 2
    assert audio.shape[1] / 16_000 == pytest.approx(2.0, abs=0.1)
    # The channels stay apart: the left tone sounds in the first second, the right in the second.
    first, second = slice(4000, 12000), slice(20000, 28000)
    assert np.sqrt(np.mean(audio[0, first] ** 2)) > 0.1 > np.sqrt(np.mean(audio[0, second] ** 2)) * 10
    assert np.sqrt(np.mean(audio[1, second] ** 2)) > 0.1 > np.sqrt(np.mean(audio[1, first] ** 2)) * 10


def test_it_mixes_nothing_in_a_mono_file(tmp_path):
    path = tmp_path / "mono.wav"
    t = np.arange(8000) / 8000
    with av.open(str(path), "w", format="wav") as container:
        stream = container.add_stream("pcm_s16le", rate=8000, layout="mono")
        frame = av.AudioFrame.from_ndarray((0.3 * np.sin(2 * np.pi * 300 * t)).astype(np.float32)[None, :], format="flt", layout="mono")
        frame.sample_rate = 8000
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)

    audio = decode(path)

    assert audio.shape == (1, pytest.approx(16000, abs=50))


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "not decodable audio"),
        (b"\x00" * 4096, "not decodable audio"),
        (b"fLaC" + b"\xff" * 200, "not decodable audio"),
    ],
)
def test_it_names_the_problem_with_a_file_that_is_not_audio(tmp_path, content, message):
    path = tmp_path / "broken.flac"
    path.write_bytes(content)

    with pytest.raises(AudioError, match=message):
        probe(path)


def test_it_decodes_a_file_holding_no_audio_frames_to_nothing(tmp_path):
    """What ingest refuses may still be met by a worker (a replaced file): it decodes to silence."""
    path = tmp_path / "empty.flac"
    path.write_bytes(b"")

    assert decode(path).shape[1] == 0


def test_it_reports_a_missing_file_as_an_audio_error(tmp_path):
    with pytest.raises(AudioError, match="not decodable audio"):
        decode(tmp_path / "gone.wav")
