"""Choosing the "we don't carry that" thresholds on a calibration list of things the shop does and
does not sell (benchmarks/shoppers/calibration.yml), and reporting precision and recall.

    .venv/bin/python benchmarks/not_carried.py            # figures at the thresholds in use
    .venv/bin/python benchmarks/not_carried.py --grid     # and the grid the thresholds came from

Each request goes through bot.knowledge.shopping.answer_shopper, as the action server runs it, as a
new customer's first message. "Not carried" is positive: precision is the share of "we don't carry"
answers that were right, recall the share of things not sold that got one.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.knowledge import load_knowledge, shopping
from bot.knowledge.builds import Builds
from bot.knowledge.catalog_index import CatalogIndex
from bot.knowledge.indexes import CATALOG, build_catalog_index
from bot.knowledge.products import ProductFinder
from bot.settings import PROJECT_DIR, load_settings

CALIBRATION = Path(__file__).with_name("shoppers") / "calibration.yml"


def finder() -> ProductFinder:
    settings = load_settings(index_dir=Path(tempfile.mkdtemp()), tune_encoder=False)
    knowledge = load_knowledge(PROJECT_DIR / "knowledge")
    build_catalog_index(settings, knowledge)
    return ProductFinder(knowledge, CatalogIndex.load(Builds(settings.index_dir, CATALOG).current()))


def says_not_carried(products: ProductFinder, text: str) -> bool:
    answer = shopping.answer_shopper(products, text, {}, None, [])
    return any(line.response == "utter_not_carried" for line in answer.said)


def figures(products: ProductFinder, cases: dict[str, list[str]]) -> dict[str, float | int]:
    carried = [says_not_carried(products, text) for text in cases["carried"]]
    missing = [says_not_carried(products, text) for text in cases["not_carried"]]
    true_positive, false_positive = sum(missing), sum(carried)
    precision = true_positive / (true_positive + false_positive) if true_positive + false_positive else 0.0
    recall = true_positive / len(missing)
    return {
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "f1": round(2 * precision * recall / (precision + recall), 3) if precision + recall else 0.0,
        "carried_refused": false_positive,
        "not_carried_refused": true_positive,
        "cases": len(carried) + len(missing),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--grid", action="store_true", help="also try other thresholds")
    parser.add_argument("--failures", action="store_true", help="print the requests answered wrongly")
    arguments = parser.parse_args()
    cases = yaml.safe_load(CALIBRATION.read_text(encoding="utf-8"))
    products = finder()
    in_use = (shopping.HEAD_NOT_A_KIND_BELOW, shopping.THING_NOT_CARRIED_BELOW)
    if arguments.grid:
        for head_below in (0.45, 0.50, 0.55, 0.60, 0.65):
            for thing_below in (0.45, 0.50, 0.55, 0.60, 0.65, 0.70):
                shopping.HEAD_NOT_A_KIND_BELOW, shopping.THING_NOT_CARRIED_BELOW = head_below, thing_below
                result = figures(products, cases)
                print(
                    json.dumps(
                        {"head_not_a_kind_below": head_below, "thing_not_carried_below": thing_below} | result
                    )
                )
        shopping.HEAD_NOT_A_KIND_BELOW, shopping.THING_NOT_CARRIED_BELOW = in_use
    if arguments.failures:
        for group, expected in (("carried", False), ("not_carried", True)):
            for text in cases[group]:
                if says_not_carried(products, text) != expected:
                    print(f"{group}: {text}", file=sys.stderr)
    print(json.dumps({"thresholds": in_use} | figures(products, cases)))


if __name__ == "__main__":
    main()
