"""Semantic FAQ search: a dense score (FAISS, inner product on unit vectors) blended with BM25.

An entry's dense score averages its best-matching phrasing and the centroid of all its phrasings;
the keyword score is its best phrasing's BM25, squashed into [0, 1). One number comes out, and the
abstain threshold is calibrated on that number.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import faiss
import numpy as np

from bot.knowledge.builds import Manifest, load_vectors, save_vectors
from bot.knowledge.encoder import Encoder, load_encoder, load_model
from bot.knowledge.keyword import BM25, blend
from bot.knowledge.tuning import TuningPlan, adapt, tunable

KEYWORD_WEIGHT = 0.15
# Only for an FAQ too small to calibrate on (no entry with two phrasings); chosen on CLINC150's
# validation split, see benchmarks/README.md.
DEFAULT_THRESHOLD = 0.55


@dataclass(frozen=True)
class Match:
    key: str
    score: float


def _blend(dense_best: np.ndarray, centroid: np.ndarray, keyword: np.ndarray) -> np.ndarray:
    """The one score: dense (best phrasing and centroid, averaged) plus a little squashed BM25."""
    return blend((dense_best + centroid) / 2, keyword, KEYWORD_WEIGHT)


def content_hash(groups: Mapping[str, Sequence[str]], model: str, plan: TuningPlan | None) -> str:
    payload = json.dumps({"groups": groups, "model": model, "plan": plan and plan.__dict__}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def choose_threshold(best_scores: np.ndarray, correct: np.ndarray, out_of_scope: np.ndarray) -> float:
    """The abstain threshold that maximises the mean of (in-scope answered correctly) and
    (out-of-scope abstained on); with no out-of-scope questions, the one that keeps accuracy."""
    candidates = np.unique(np.round(best_scores, 3))
    if not out_of_scope.any():
        return float(candidates.min())
    best, chosen = -1.0, float(candidates.min())
    for threshold in candidates:
        answered = best_scores >= threshold
        value = ((correct & answered)[~out_of_scope].mean() + (~answered)[out_of_scope].mean()) / 2
        if value > best:
            best, chosen = value, float(threshold)
    return chosen


class FaqIndex:
    """Phrasings grouped by entry key; ranks entries for a query."""

    def __init__(
        self,
        keys: list[str],
        texts: list[str],
        vectors: np.ndarray,
        encoder: Encoder,
        manifest: Manifest,
    ):
        self.manifest = manifest
        self._encoder = encoder
        self._entries = sorted(set(keys))
        position = {key: number for number, key in enumerate(self._entries)}
        self._entry_of_row = np.array([position[key] for key in keys])
        self._phrasings = faiss.IndexFlatIP(vectors.shape[1])
        self._phrasings.add(vectors)
        centroids = np.stack(
            [vectors[self._entry_of_row == i].mean(axis=0) for i in range(len(self._entries))]
        )
        centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
        self._centroids = faiss.IndexFlatIP(vectors.shape[1])
        self._centroids.add(np.ascontiguousarray(centroids, dtype=np.float32))
        self._keywords = BM25(texts)
        self._texts = texts
        self._keys = keys
        self._vectors = vectors

    @property
    def threshold(self) -> float:
        return self.manifest.threshold

    # --- building and persisting -------------------------------------------------------------

    @classmethod
    def build(
        cls, groups: Mapping[str, Sequence[str]], model: str, plan: TuningPlan | None, progress: bool = False
    ) -> FaqIndex:
        """Embed every phrasing (adapting the encoder to them first when ``plan`` is given), then
        calibrate the abstain threshold on held-out phrasings and off-topic questions."""
        started = time.perf_counter()
        tuned = plan is not None and tunable(groups)
        # Tune a private copy: the cached base model stays as it is for everyone else.
        encoder = Encoder(adapt(load_model(model), groups, plan, progress)) if tuned else load_encoder(model)
        keys = [key for key, phrasings in groups.items() for _ in phrasings]
        texts = [text for phrasings in groups.values() for text in phrasings]
        vectors = encoder.encode(texts, progress=progress)
        manifest = Manifest.for_build(
            "faq",
            model,
            vectors,
            content_hash(groups, model, plan),
            started,
            tuned=tuned,
            threshold=DEFAULT_THRESHOLD,
        )
        index = cls(keys, texts, vectors, encoder, manifest)
        index.calibrate(off_topic_questions())
        return index

    def with_threshold(self, threshold: float) -> FaqIndex:
        self.manifest = replace(self.manifest, threshold=threshold)
        return self

    def save(self, directory: Path) -> None:
        if self.manifest.tuned:
            self._encoder.save(directory / "encoder")
        rows = {"keys": self._keys, "texts": self._texts}
        save_vectors(directory, "phrasings", self._phrasings, rows, self.manifest)

    @classmethod
    def load(cls, directory: Path) -> FaqIndex:
        manifest, rows, index = load_vectors(directory, "phrasings")
        vectors = index.reconstruct_n(0, index.ntotal)
        encoder = load_encoder(str(directory / "encoder")) if manifest.tuned else load_encoder(manifest.model)
        return cls(rows["keys"], rows["texts"], vectors, encoder, manifest)

    # --- calibrating ---------------------------------------------------------------------------

    def held_out_scores(self) -> tuple[np.ndarray, np.ndarray]:
        """Each phrasing scored as if it were a new question, with itself left out of the index:
        (best score, whether the best entry is its own), for entries with two or more phrasings."""
        rows = len(self._keys)
        entries = len(self._entries)
        similarity = self._vectors @ self._vectors.T
        np.fill_diagonal(similarity, -np.inf)
        keyword_rows = np.stack([self._keywords.scores(text) for text in self._texts])
        np.fill_diagonal(keyword_rows, 0.0)
        sums = np.zeros((entries, self._vectors.shape[1]), dtype=np.float64)
        np.add.at(sums, self._entry_of_row, self._vectors)
        dense_best = np.empty((rows, entries), dtype=np.float32)
        keyword = np.empty((rows, entries), dtype=np.float32)
        for entry in range(entries):
            members = self._entry_of_row == entry
            dense_best[:, entry] = similarity[:, members].max(axis=1)
            keyword[:, entry] = keyword_rows[:, members].max(axis=1)
        own_sums = sums[self._entry_of_row] - self._vectors  # each row's entry without the row itself
        centroids = np.repeat((sums / np.linalg.norm(sums, axis=1, keepdims=True))[None], rows, axis=0)
        norms = np.linalg.norm(own_sums, axis=1, keepdims=True)
        centroids[np.arange(rows), self._entry_of_row] = own_sums / np.where(norms == 0, 1, norms)
        centroid = np.einsum("rd,red->re", self._vectors, centroids)
        scores = _blend(dense_best, centroid, keyword)
        counts = np.bincount(self._entry_of_row, minlength=entries)
        usable = counts[self._entry_of_row] >= 2
        return scores.max(axis=1)[usable], (scores.argmax(axis=1) == self._entry_of_row)[usable]

    def calibrate(self, off_topic: list[str]) -> float:
        """Choose and keep the abstain threshold that best separates the FAQ's own held-out
        phrasings (answered correctly) from questions no FAQ covers (abstained on)."""
        in_scope, correct = self.held_out_scores()
        if not len(in_scope):
            return self.threshold
        outside = np.array([self.rank(question, limit=1)[0].score for question in off_topic])
        scores = np.concatenate([in_scope, outside])
        is_outside = np.concatenate([np.zeros(len(in_scope), bool), np.ones(len(outside), bool)])
        hits = np.concatenate([correct, np.zeros(len(outside), bool)])
        self.with_threshold(choose_threshold(scores, hits, is_outside))
        return self.threshold

    # --- querying ----------------------------------------------------------------------------

    def rank(self, query: str, among: set[str] | None = None, limit: int = 5) -> list[Match]:
        """Entries best matching ``query``, best first; ``among`` restricts to those keys."""
        vector = self._encoder.encode([query])
        entries = len(self._entries)
        dense_best = np.full(entries, -1.0, dtype=np.float32)
        similarities, rows = self._phrasings.search(vector, self._phrasings.ntotal)
        np.maximum.at(dense_best, self._entry_of_row[rows[0]], similarities[0])
        centroid_scores, centroid_rows = self._centroids.search(vector, entries)
        centroid = np.empty(entries, dtype=np.float32)
        centroid[centroid_rows[0]] = centroid_scores[0]
        keyword = np.zeros(entries, dtype=np.float32)
        np.maximum.at(keyword, self._entry_of_row, self._keywords.scores(query))
        scores = _blend(dense_best, centroid, keyword)
        order = np.argsort(-scores)
        matches = [
            Match(self._entries[i], float(scores[i]))
            for i in order
            if among is None or self._entries[i] in among
        ]
        return matches[:limit]


def off_topic_questions() -> list[str]:
    """Generic questions no shop's FAQ answers (shipped with supportdesk), for calibration."""
    path = Path(__file__).with_name("off_topic.txt")
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]
