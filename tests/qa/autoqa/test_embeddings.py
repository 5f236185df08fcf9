"""The packaged sentence-embedding model: loads offline, once, and puts like meanings together."""

import numpy as np
import pytest

from qa.autoqa import embeddings

pytestmark = pytest.mark.skipif(bool(embeddings.semantic_model_missing()), reason=embeddings.semantic_model_missing())


def test_it_loads_the_model_once_per_process(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert embeddings.get_embedder() is embeddings.get_embedder()
    assert embeddings.get_embedder().model_id == "all-MiniLM-L6-v2-onnx-int8"


def test_it_gives_unit_vectors_that_put_like_meanings_together():
    vectors = embeddings.get_embedder().encode(
        ["I'm sorry to hear about the trouble.", "I'm so sorry you had this problem.", "What's your postcode?"]
    )
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    similar, unrelated = vectors[0] @ vectors[1], vectors[0] @ vectors[2]
    assert similar > unrelated + 0.3


def test_it_embeds_a_text_the_same_alone_or_in_a_batch():
    embedder = embeddings.get_embedder()
    texts = ["Thank you for holding.", "Is there anything else I can help you with today?"]
    alone = np.vstack([embedder.encode([t]) for t in texts])
    assert np.allclose(embedder.encode(texts), alone, atol=1e-4)
    assert embedder.encode([]).shape == (0, 384)


def test_it_reports_a_damaged_model_file(tmp_path):
    broken = tmp_path / "model.onnx"
    broken.write_bytes(b"not a model")
    with pytest.raises(embeddings.SemanticModelUnavailable, match="damaged"):
        embeddings.Embedder(broken, expected_sha256="0" * 64)
