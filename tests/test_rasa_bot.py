"""The Rasa bot itself: its data validates, its NLU generalises, its conversations go as designed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.settings import PROJECT_DIR, Settings, load_settings
from bot.training import ensure_model
from tests.rasa_cli import rasa

pytestmark = pytest.mark.rasa
RESULTS = PROJECT_DIR / "results"
MACRO_F1_FLOOR = 0.92


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings()


@pytest.fixture(scope="module")
def model(settings) -> Path:
    return ensure_model(settings)


def responses_sent_by_custom_actions() -> set[str]:
    sent = set()
    for path in (PROJECT_DIR / "actions").glob("*.py"):
        sent |= set(re.findall(r'response="(utter_\w+)"', path.read_text()))
    return sent


def test_training_data_validates(settings):
    result = rasa(settings, "data", "validate")
    assert result.returncode == 0, result.stdout + result.stderr
    warnings = re.findall(r"UserWarning: (.+)", result.stdout + result.stderr)
    # Rasa cannot see responses that custom actions send; every one it flags must really be sent by
    # an action (utter_default is sent by Rasa's own default fallback action).
    used_elsewhere = responses_sent_by_custom_actions() | {"utter_default"}
    unexplained = [
        warning
        for warning in warnings
        if not (
            m := re.fullmatch(r"The utterance '(\w+)' is not used in any story or rule\.", warning.strip())
        )
        or m.group(1) not in used_elsewhere
    ]
    assert unexplained == []


def test_nlu_recognises_held_out_messages(settings, model, report):
    out = RESULTS / "nlu"
    result = rasa(
        settings, "test", "nlu", "--nlu", "tests/nlu/heldout.yml", "--model", str(model), "--out", str(out)
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    intents = json.loads((out / "intent_report.json").read_text())
    macro_f1 = intents["macro avg"]["f1-score"]
    report(
        "NLU held-out macro-F1",
        f"{macro_f1:.3f} (accuracy {intents['accuracy']:.3f}, "
        f"{intents['macro avg']['support']} messages; per-intent figures in {out / 'intent_report.json'})",
    )
    weakest = sorted(
        (v["f1-score"], k)
        for k, v in intents.items()
        if isinstance(v, dict) and "support" in v and k not in ("macro avg", "weighted avg", "micro avg")
    )[:5]
    assert macro_f1 >= MACRO_F1_FLOOR, f"macro-F1 {macro_f1:.3f}; weakest intents: {weakest}"


def test_conversations_follow_the_designed_flows(settings, model):
    out = RESULTS / "conversations"
    result = rasa(
        settings,
        "test",
        "core",
        "--stories",
        "tests/conversations",
        "--model",
        str(model),
        "--out",
        str(out),
        "--fail-on-prediction-errors",
    )
    failed = out / "failed_test_stories.yml"
    details = failed.read_text() if failed.exists() else result.stdout[-3000:] + result.stderr[-3000:]
    assert result.returncode == 0, details
