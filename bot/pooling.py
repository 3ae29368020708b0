"""Sentence vectors from a transformer's token vectors: CLS or mean pooling, then unit length.

Plain numpy, so both encoders compute the same vectors the same way: the project's
(bot/knowledge/encoder.py) and the Rasa server's (bot/rasa_server/sentence_features.py, Python 3.10).
"""

from __future__ import annotations

import numpy as np


def sentence_vectors(tokens: np.ndarray, attention_mask: np.ndarray, pooling: str) -> np.ndarray:
    """Unit-length float32 vectors, one per row of `tokens` (batch x tokens x dimension); `pooling`
    is "cls" (the first token) or "mean" (the mean of the tokens the mask keeps)."""
    if pooling == "cls":
        pooled = tokens[:, 0]
    else:
        mask = attention_mask[..., None].astype(np.float32)
        pooled = (tokens * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
    norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
    return (pooled / norms).astype(np.float32)
