"""Keyword relevance: BM25 over spaCy-normalised tokens (rule-based, from spacy.blank("en"))."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import spacy
from scipy.sparse import csr_matrix


@lru_cache(maxsize=1)
def _tokenizer():
    return spacy.blank("en").tokenizer


def singular(word: str) -> str:
    """Fold English plurals ("boxes" -> "box", "batteries" -> "battery"); spaCy's blank English
    has no lemmatizer tables, and plurals are what keyword matching most often trips on."""
    if len(word) <= 3:
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("xes", "ches", "shes", "sses", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def tokens(text: str) -> list[str]:
    """Lowercased content words: no punctuation, spaces or stop words; plurals folded."""
    return [
        singular(token.lower_)
        for token in _tokenizer()(text)
        if not (token.is_punct or token.is_space or token.is_stop)
    ]


class BM25:
    """Okapi BM25 over a fixed set of documents; ``scores`` is one vectorised pass per query."""

    def __init__(self, documents: Sequence[str], k1: float = 1.5, b: float = 0.75):
        tokenised = [tokens(document) for document in documents]
        self._vocabulary: dict[str, int] = {}
        rows, columns, counts = [], [], []
        for row, words in enumerate(tokenised):
            for word in set(words):
                column = self._vocabulary.setdefault(word, len(self._vocabulary))
                rows.append(row)
                columns.append(column)
                counts.append(words.count(word))
        shape = (len(documents), max(len(self._vocabulary), 1))
        frequency = csr_matrix((np.array(counts, dtype=np.float32), (rows, columns)), shape=shape)
        lengths = np.array([len(words) for words in tokenised], dtype=np.float32)
        average = lengths.mean() if len(lengths) and lengths.mean() > 0 else 1.0
        document_frequency = np.bincount(columns, minlength=shape[1]).astype(np.float32)
        self._idf = np.log(1 + (len(documents) - document_frequency + 0.5) / (document_frequency + 0.5))
        # Precompute each (document, word) weight; a query then only sums its words' columns.
        frequency = frequency.tocoo()
        norm = k1 * (1 - b + b * lengths[frequency.row] / average)
        weights = frequency.data * (k1 + 1) / (frequency.data + norm) * self._idf[frequency.col]
        self._weights = csr_matrix((weights, (frequency.row, frequency.col)), shape=shape).tocsc()

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document for ``query`` (zeros when no word is known)."""
        columns = [self._vocabulary[word] for word in tokens(query) if word in self._vocabulary]
        if not columns:
            return np.zeros(self._weights.shape[0], dtype=np.float32)
        return np.asarray(self._weights[:, columns].sum(axis=1)).ravel()


# BM25 score at which the keyword part reaches half its weight.
KEYWORD_SATURATION = 8.0


def blend(dense, keyword, keyword_weight: float):
    """The one score both indexes rank by: the dense similarity, plus ``keyword_weight`` of BM25
    squashed into [0, 1) (works on numbers and on numpy arrays alike)."""
    return (1 - keyword_weight) * dense + keyword_weight * keyword / (keyword + KEYWORD_SATURATION)
