"""Time building the product index for a large catalog (the demo catalog's products, varied, to N).

    .venv/bin/python benchmarks/catalog_build.py --products 10000

Prints one JSON line: products, build_seconds, query_p50_ms, query_p95_ms.
"""

from __future__ import annotations

import argparse
import json
import random
import time

import numpy as np

from bot.knowledge import load_knowledge
from bot.knowledge.catalog_index import INT8, CatalogIndex
from bot.knowledge.encoder import load_encoder
from bot.settings import load_settings

VARIANTS = ["Lite", "Pro", "Trail", "Summit", "Alpine", "Coastal", "Urban", "Expedition", "Kids'", "Women's"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200)
    arguments = parser.parse_args()
    settings = load_settings()
    base = load_knowledge(settings.knowledge_dir).catalog
    rng = random.Random(0)
    products = []
    for number in range(arguments.products):
        product = base[number % len(base)]
        variant = " ".join(rng.sample(VARIANTS, 2))
        products.append(
            product.model_copy(
                update={
                    "id": f"B{number}",
                    "name": f"{product.name} {variant} {number}",
                    "description": f"{product.description} Edition {variant.lower()}.",
                }
            )
        )
    # Load the model before the clock starts, as a server does.
    load_encoder(settings.embedding_model, int8=INT8)
    started = time.perf_counter()
    index = CatalogIndex.build(products, settings.embedding_model)
    build_seconds = time.perf_counter() - started
    ids = [p.id for p in products]
    latencies = []
    for _ in range(arguments.queries):
        among = rng.sample(ids, 500)
        started = time.perf_counter()
        index.scores("a warm waterproof jacket for winter hikes", among)
        latencies.append((time.perf_counter() - started) * 1000)
    print(
        json.dumps(
            {
                "products": len(products),
                "build_seconds": round(build_seconds, 2),
                "query_p50_ms": round(float(np.percentile(latencies, 50)), 2),
                "query_p95_ms": round(float(np.percentile(latencies, 95)), 2),
            }
        )
    )


if __name__ == "__main__":
    main()
