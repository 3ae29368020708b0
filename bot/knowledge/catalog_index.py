"""Semantic product search: one unit vector per product in FAISS, blended with BM25 over the same text.

Filtering (category, colour, size, price, stock) happens first; the index then ranks only the
products that passed, through a FAISS ID selector.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import faiss
import numpy as np

from bot.knowledge.builds import Manifest, load_vectors, save_vectors
from bot.knowledge.catalog import Product
from bot.knowledge.encoder import Encoder, load_encoder
from bot.knowledge.keyword import BM25, blend

KEYWORD_WEIGHT = 0.3
# Products are encoded with int8 weights: twice as fast to build a large catalog, with the same
# retrieval accuracy as float32 (benchmarks/README.md). Queries use the same encoder.
INT8 = True


def product_text(product: Product) -> str:
    """What a product is found by: its name, category, brand and description."""
    return f"{product.name}. {product.category}. {product.brand}. {product.description}"


def catalog_hash(products: Sequence[Product], model: str) -> str:
    texts = [(product.id, product_text(product)) for product in products]
    payload = json.dumps({"texts": texts, "model": model, "int8": INT8})
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


class CatalogIndex:
    def __init__(
        self,
        ids: list[str],
        texts: list[str],
        index: faiss.Index,
        encoder: Encoder,
        manifest: Manifest,
    ):
        self.manifest = manifest
        self._ids = ids
        self._row = {product_id: row for row, product_id in enumerate(ids)}
        self._texts = texts
        self._index = index
        self._encoder = encoder
        self._keywords = BM25(texts)
        self._query_vectors = lru_cache(maxsize=256)(self._encode_query)

    @classmethod
    def build(cls, products: Sequence[Product], model: str, progress: bool = False) -> CatalogIndex:
        started = time.perf_counter()
        encoder = load_encoder(model, int8=INT8)
        texts = [product_text(product) for product in products]
        vectors = encoder.encode(texts, progress=progress)
        index = faiss.IndexFlatIP(vectors.shape[1])
        index.add(vectors)
        manifest = Manifest.for_build(
            "catalog",
            model,
            vectors,
            catalog_hash(products, model),
            started,
            tuned=False,
            threshold=0.0,
            weights=encoder.weights,
        )
        return cls([product.id for product in products], texts, index, encoder, manifest)

    def save(self, directory: Path) -> None:
        save_vectors(
            directory, "products", self._index, {"ids": self._ids, "texts": self._texts}, self.manifest
        )

    @classmethod
    def load(cls, directory: Path) -> CatalogIndex:
        manifest, rows, index = load_vectors(directory, "products")
        encoder = load_encoder(manifest.model, int8=manifest.weights == "int8")
        return cls(rows["ids"], rows["texts"], index, encoder, manifest)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit vectors for ``texts`` from the encoder the index was built with."""
        return self._encoder.encode(texts)

    def query_vector(self, query: str) -> np.ndarray:
        """The unit vector of one query; a shopping turn asks for the same message several times
        (its category, the best match, the ranking), and encoding is the costly part."""
        return self._query_vectors(query)

    def _encode_query(self, query: str) -> np.ndarray:
        vector = self._encoder.encode([query])[0]
        vector.flags.writeable = False  # shared by every caller of the cache
        return vector

    def scores(self, query: str, among: Sequence[str]) -> dict[str, float]:
        """Relevance of each product in ``among`` (ids) to ``query``; unknown ids are left out."""
        rows = np.array(
            [self._row[product_id] for product_id in among if product_id in self._row], dtype="int64"
        )
        if not len(rows) or not query.strip():
            return dict.fromkeys((self._ids[row] for row in rows), 0.0)
        vector = self.query_vector(query)[None, :]
        selector = faiss.IDSelectorBatch(rows)
        similarities, found = self._index.search(
            vector, len(rows), params=faiss.SearchParameters(sel=selector)
        )
        keyword = self._keywords.scores(query)
        return {
            self._ids[row]: float(blend(similarity, keyword[row], KEYWORD_WEIGHT))
            for similarity, row in zip(similarities[0], found[0], strict=True)
            if row >= 0
        }
