"""Measuring the FAQ engine on labelled questions: accuracy, abstention, speed.

Example and query files are JSON Lines of ``{"text": ..., "label": ...}``; the label ``oos`` marks
a question the FAQ does not cover. Each example label becomes one FAQ entry whose phrasings are
its examples; queries are answered through FaqAnswerer, the code path the assistant uses.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.knowledge.answers import FaqAnswerer
from bot.knowledge.faq_index import FaqIndex, choose_threshold
from bot.knowledge.problems import KnowledgeError, Problem
from bot.knowledge.tuning import TuningPlan

OUT_OF_SCOPE = "oos"


@dataclass(frozen=True)
class Labelled:
    text: str
    label: str


def read_labelled(path: Path) -> list[Labelled]:
    """Read a JSON Lines file; every bad line is reported with its number, none is skipped."""
    rows, problems = [], []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise KnowledgeError([Problem(path, None, None, "file not found")]) from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(Problem(path, number, None, f"invalid JSON: {error.msg}"))
            continue
        if not isinstance(row, dict):
            problems.append(Problem(path, number, None, "each line must be a JSON object"))
            continue
        for field in ("text", "label"):
            if not isinstance(row.get(field), str) or not row[field].strip():
                problems.append(Problem(path, number, field, "must be a non-empty string"))
        if isinstance(row.get("text"), str) and isinstance(row.get("label"), str) and row["text"].strip():
            rows.append(Labelled(row["text"], row["label"]))
    if problems:
        raise KnowledgeError(problems)
    if not rows:
        raise KnowledgeError([Problem(path, None, None, "no examples in the file")])
    return rows


def _answers(answerer: FaqAnswerer, queries: list[Labelled]) -> tuple[np.ndarray, np.ndarray, list[float]]:
    best, predicted, latencies = [], [], []
    for query in queries:
        started = time.perf_counter()
        answer = answerer.answer(query.text)
        latencies.append((time.perf_counter() - started) * 1000)
        best.append(answer.score)
        predicted.append(answer.best_key)
    return np.array(best), np.array(predicted, dtype=object), latencies


def evaluate(
    examples: Path,
    queries: Path,
    calibration: Path | None,
    model: str,
    plan: TuningPlan | None,
    progress: bool = False,
) -> dict:
    training = [row for row in read_labelled(examples) if row.label != OUT_OF_SCOPE]
    questions = read_labelled(queries)
    groups: dict[str, list[str]] = {}
    for row in training:
        groups.setdefault(row.label, []).append(row.text)
    started = time.perf_counter()
    index = FaqIndex.build(groups, model, plan, progress=progress)
    build_seconds = time.perf_counter() - started
    answerer = FaqAnswerer(index)
    if calibration:
        held = read_labelled(calibration)
        scores, predicted, _ = _answers(answerer, held)
        labels = np.array([row.label for row in held], dtype=object)
        index.with_threshold(choose_threshold(scores, predicted == labels, labels == OUT_OF_SCOPE))
    scores, predicted, latencies = _answers(answerer, questions)
    labels = np.array([row.label for row in questions], dtype=object)
    in_scope = labels != OUT_OF_SCOPE
    correct = predicted == labels
    answered = scores >= index.threshold
    return {
        "in_scope_top1": round(float(correct[in_scope].mean()), 4) if in_scope.any() else None,
        "in_scope_answered_correct": round(float((correct & answered)[in_scope].mean()), 4)
        if in_scope.any()
        else None,
        "oos_recall": round(float((~answered)[~in_scope].mean()), 4) if (~in_scope).any() else None,
        "threshold": round(index.threshold, 4),
        "threshold_from": str(calibration)
        if calibration
        else "self-calibrated (held-out phrasings, off-topic)",
        "build_seconds": round(build_seconds, 2),
        "query_p50_ms": round(float(np.percentile(latencies, 50)), 2),
        "query_p95_ms": round(float(np.percentile(latencies, 95)), 2),
        "entries": len(groups),
        "examples": len(training),
        "queries": len(questions),
        "model": model,
        "tuned": index.manifest.tuned,
    }
