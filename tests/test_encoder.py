"""The embedding model: the official file, and the same vectors whichever runtime runs it."""

from __future__ import annotations

import numpy as np
import pytest
from sentence_transformers import SentenceTransformer
from sentence_transformers.models import Pooling

from bot.knowledge.encoder import Encoder, EncoderError, load_encoder, load_model, model_directory

TEXTS = [
    "How long does delivery take?",
    "do you ship to canada",
    "a warm waterproof jacket for winter hikes under $100 in blue, size M, that packs small",
    "hi",
]


def test_a_model_that_is_not_on_disk_is_a_clear_error_and_nothing_is_downloaded(tmp_path):
    with pytest.raises(
        EncoderError, match="neither 'all-MiniLM-L6-v2' nor a directory .* nothing is downloaded"
    ):
        model_directory(str(tmp_path / "no-such-model"))


def test_the_packaged_model_is_the_official_one():
    assert (model_directory() / "model.safetensors").exists()  # checked against its sha256 on the way


def test_onnx_runtime_gives_the_vectors_sentence_transformers_gives():
    encoder = load_encoder()
    assert encoder.runtime == "onnxruntime"
    vectors = encoder.encode(TEXTS, batch_size=3)  # batches of mixed lengths, in a new order
    expected = encoder.model.encode(TEXTS, normalize_embeddings=True)
    assert vectors.dtype == np.float32 and vectors.shape == (len(TEXTS), 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert (vectors * expected).sum(axis=1).min() > 0.9999


def test_int8_weights_give_vectors_close_to_the_float_ones_and_rank_the_same():
    float32, int8 = load_encoder(), load_encoder(int8=True)
    assert (float32.weights, int8.weights) == ("float32", "int8")
    vectors, expected = int8.encode(TEXTS), float32.encode(TEXTS)
    assert vectors.dtype == np.float32 and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    similarity = (vectors * expected).sum(axis=1)
    assert similarity.min() > 0.98 and not np.allclose(vectors, expected, atol=1e-4)  # really int8
    # The delivery question is still closest to the shipping one, in either precision.
    for encoder in (float32, int8):
        question, *others = encoder.encode(["when will my parcel arrive", *TEXTS])
        assert int(np.argmax(np.array(others) @ question)) == 0


def test_a_model_onnx_does_not_cover_here_runs_in_pytorch_with_the_same_results():
    base = load_model()
    max_pooled = SentenceTransformer(
        modules=[base[0], Pooling(base.get_embedding_dimension(), pooling_mode="max")], device="cpu"
    )
    encoder = Encoder(max_pooled)
    assert encoder.runtime == "pytorch"
    expected = max_pooled.encode(TEXTS, normalize_embeddings=True)
    assert np.allclose(encoder.encode(TEXTS), expected, atol=1e-6)
