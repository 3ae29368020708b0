"""NLU figures: intent accuracy and macro-F1 on held-out sets, confusions, fallback rates, CPU a parse.

Runs in the Rasa runtime against the trained model (train first with ./supportdesk train):

    .venv-rasa/bin/python benchmarks/nlu.py tests/nlu/heldout.yml tests/nlu/scenarios.yml [--json]
    .venv-rasa/bin/python benchmarks/nlu.py --calibrate tests/nlu/calibration.yml

Each message is parsed as the server parses it (the whole NLU pipeline, FallbackClassifier included),
so a message below the fallback threshold counts as `nlu_fallback`. CPU per parse is process time
over all parses, after a warm-up.
"""

from __future__ import annotations

import argparse
import asyncio
import glob
import json
import logging
import os
import sys
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))  # the pipeline's own components (bot.rasa_server)
FALLBACK = "nlu_fallback"
OUT_OF_SCOPE = "out_of_scope"
MAX_IN_SCOPE_FALLBACK = 0.05
MIN_OFF_TOPIC_CAUGHT = 0.85


def load_examples(path: Path) -> list[tuple[str, str]]:
    """(text, intent) pairs from a Rasa NLU YAML file."""
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    return [(message.get("text"), message.get("intent")) for message in data.intent_examples]


def latest_model() -> Path:
    models = sorted(glob.glob(str(PROJECT_DIR / "models" / "supportdesk-*.tar.gz")), key=os.path.getmtime)
    if not models:
        sys.exit("no trained model in models/: run ./supportdesk train first")
    return Path(models[-1])


def scores(pairs: list[tuple[str, str]], predicted: list[str]) -> dict:
    """Accuracy, macro-F1 over the true intents, per-intent recall, and the commonest confusions."""
    truths = [intent for _, intent in pairs]
    labels = sorted(set(truths))
    per_intent = {}
    for label in labels:
        tp = sum(1 for t, p in zip(truths, predicted, strict=False) if t == label and p == label)
        support = truths.count(label)
        claimed = predicted.count(label)
        precision = tp / claimed if claimed else 0.0
        recall = tp / support
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_intent[label] = {"recall": round(recall, 3), "f1": round(f1, 3), "support": support}
    confusions = Counter((t, p) for t, p in zip(truths, predicted, strict=False) if t != p)
    return {
        "messages": len(pairs),
        "accuracy": round(sum(t == p for t, p in zip(truths, predicted, strict=False)) / len(pairs), 3),
        "macro_f1": round(sum(v["f1"] for v in per_intent.values()) / len(labels), 3),
        "fallback_rate": round(predicted.count(FALLBACK) / len(pairs), 3),
        "weakest": sorted(((v["recall"], k) for k, v in per_intent.items()))[:5],
        "confusions": [f"{t} -> {p}: {n}" for (t, p), n in confusions.most_common(10)],
        "per_intent": per_intent,
    }


def ranking(message: dict) -> tuple[str, float, float]:
    """The classifier's own top intent, its confidence and the runner-up's, before any fallback."""
    ranked = [item for item in message.get("intent_ranking", []) if item["name"] != FALLBACK]
    top = ranked[0] if ranked else {"name": FALLBACK, "confidence": 0.0}
    second = ranked[1]["confidence"] if len(ranked) > 1 else 0.0
    return top["name"], top["confidence"], second


def calibrate(pairs: list[tuple[str, str]], parsed: list[dict], ambiguity: float) -> dict:
    """For each threshold, the share of in-scope requests that fall back and the share of off-topic
    messages that fall back or reach out_of_scope. Of the thresholds that keep in-scope fallbacks
    within MAX_IN_SCOPE_FALLBACK and catch at least MIN_OFF_TOPIC_CAUGHT, the chosen one loses the
    fewest in-scope requests, and of those the highest (the most careful) is taken."""
    rows = [(truth, *ranking(message)) for (_, truth), message in zip(pairs, parsed, strict=False)]
    in_scope = [row for row in rows if row[0] != OUT_OF_SCOPE]
    off_topic = [row for row in rows if row[0] == OUT_OF_SCOPE]
    table = []
    for step in range(5, 95, 5):
        threshold = step / 100

        def falls_back(row, threshold=threshold):
            return row[2] < threshold or row[2] - row[3] < ambiguity

        table.append(
            {
                "threshold": threshold,
                "in_scope_fallback": round(sum(map(falls_back, in_scope)) / len(in_scope), 3),
                "in_scope_correct": round(
                    sum(not falls_back(row) and row[1] == row[0] for row in in_scope) / len(in_scope), 3
                ),
                "off_topic_caught": round(
                    sum(falls_back(row) or row[1] == OUT_OF_SCOPE for row in off_topic) / len(off_topic), 3
                ),
            }
        )
    allowed = [
        row
        for row in table
        if row["in_scope_fallback"] <= MAX_IN_SCOPE_FALLBACK
        and row["off_topic_caught"] >= MIN_OFF_TOPIC_CAUGHT
    ]
    return {
        "in_scope": len(in_scope),
        "off_topic": len(off_topic),
        "chosen": max(allowed, key=lambda row: (-row["in_scope_fallback"], row["threshold"]))
        if allowed
        else None,
        "table": table,
    }


async def parse_all(model: Path, texts: list[str]) -> tuple[list[dict], float]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    for text in texts[:20]:  # warm-up
        await agent.parse_message(text)
    parsed = []
    started = time.process_time()
    for text in texts:
        parsed.append(await agent.parse_message(text))
    return parsed, (time.process_time() - started) / len(texts) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("files", nargs="+", type=Path, help="Rasa NLU YAML files to score")
    parser.add_argument("--model", type=Path, help="a trained model (default: the newest in models/)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--errors", action="store_true", help="list every wrong prediction")
    parser.add_argument(
        "--calibrate",
        action="store_true",
        help="choose the fallback threshold on these files (in-scope + out_of_scope)",
    )
    arguments = parser.parse_args()
    logging.disable(logging.WARNING)
    import structlog  # Rasa logs every parse through structlog at debug level

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    model = arguments.model or latest_model()
    sets = {str(path): load_examples(path) for path in arguments.files}
    texts = [text for pairs in sets.values() for text, _ in pairs]
    parsed, cpu_ms = asyncio.run(parse_all(model, texts))
    if arguments.calibrate:
        import yaml

        config = yaml.safe_load((PROJECT_DIR / "config.yml").read_text())
        fallback = next(step for step in config["pipeline"] if step["name"] == "FallbackClassifier")
        pairs = [pair for pairs in sets.values() for pair in pairs]
        result = calibrate(pairs, parsed, fallback.get("ambiguity_threshold", 0.1))
        if arguments.json:
            print(json.dumps(result, indent=2))
            return
        print(f"{result['in_scope']} in-scope, {result['off_topic']} off-topic messages")
        print("threshold  in-scope fallback  in-scope correct  off-topic caught")
        for row in result["table"]:
            mark = "  <- chosen" if row == result["chosen"] else ""
            print(
                f"{row['threshold']:9.2f}  {row['in_scope_fallback']:17.3f}  {row['in_scope_correct']:16.3f}"
                f"  {row['off_topic_caught']:16.3f}{mark}"
            )
        return
    predictions = iter(message["intent"]["name"] for message in parsed)
    figures = {"model": model.name, "cpu_ms_per_parse": round(cpu_ms, 2), "sets": {}}
    for name, pairs in sets.items():
        predicted = [next(predictions) for _ in pairs]
        figures["sets"][name] = scores(pairs, predicted)
        if arguments.errors:
            for (text, truth), guess in zip(pairs, predicted, strict=False):
                if truth != guess:
                    print(f"  {truth:26s} -> {guess:26s} {text}")
    if arguments.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"model {figures['model']}; CPU per parse {figures['cpu_ms_per_parse']} ms")
    for name, result in figures["sets"].items():
        print(
            f"{name}: {result['messages']} messages, accuracy {result['accuracy']}, macro-F1 "
            f"{result['macro_f1']}, fell back {result['fallback_rate']}"
        )
        print(f"  weakest: {result['weakest']}")
        print(f"  confusions: {result['confusions']}")


if __name__ == "__main__":
    main()
