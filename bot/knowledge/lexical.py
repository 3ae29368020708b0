"""Keyword matching: TF-IDF over words and character n-grams, so typos still match.

This is the lexical half of retrieval; the semantic (embedding) half builds on the same interface.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer


@dataclass(frozen=True)
class Match:
    key: str
    score: float


class LexicalIndex:
    """Cosine similarity between a query and documents; each key may own several documents."""

    def __init__(self, documents: Sequence[tuple[str, str]]):
        if not documents:
            raise ValueError("a lexical index needs at least one document")
        self._keys = [key for key, _ in documents]
        texts = [text for _, text in documents]
        self._words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, stop_words="english")
        self._chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
        self._matrix = self._normalise(
            hstack([self._words.fit_transform(texts), self._chars.fit_transform(texts)]).tocsr()
        )

    @staticmethod
    def _normalise(matrix):
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1))).ravel()
        norms[norms == 0] = 1.0
        return matrix.multiply(1 / norms[:, None]).tocsr()

    def scores(self, query: str) -> dict[str, float]:
        """Best score per key (the maximum over that key's documents)."""
        vector = self._normalise(
            hstack([self._words.transform([query]), self._chars.transform([query])]).tocsr()
        )
        similarities = (self._matrix @ vector.T).toarray().ravel()
        best: dict[str, float] = {}
        for key, score in zip(self._keys, similarities, strict=True):
            if score > best.get(key, -1.0):
                best[key] = float(score)
        return best

    def search(self, query: str, limit: int = 5) -> list[Match]:
        ranked = sorted(self.scores(query).items(), key=lambda item: item[1], reverse=True)
        return [Match(key, score) for key, score in ranked[:limit]]
