"""The NLU pipeline's own components (bot/rasa_server/), run in the Rasa runtime as Rasa runs them."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bot.knowledge.encoder import load_encoder
from bot.knowledge.encoder_export import export_sentence_encoder
from bot.settings import load_settings
from tests.rasa_cli import rasa_python

pytestmark = pytest.mark.rasa


def in_rasa_runtime(command: str, texts: list[str]):
    settings = load_settings()
    export_sentence_encoder(settings.models_dir, settings.embedding_model)
    result = rasa_python(settings, "tests/rasa_side.py", command, stdin=json.dumps(texts), timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_rasa_servers_sentence_vectors_are_the_models_vectors():
    """The exported int8 encoder, run by the Rasa runtime's ONNX Runtime and tokenizer, gives the
    model's own (float32) vectors to within the int8 weights' rounding (which depends on the CPU and
    ONNX Runtime's version: "hi" is 0.976 of the float vector with 1.23 on an AVX2-only CPU; a
    broken export is far below)."""
    texts = ["where is my refund", "I'd like to close my account please", "hi", "tent for two under $300"]
    rasa_side = np.array(in_rasa_runtime("embed", texts), dtype=np.float32)
    model_side = load_encoder().encode(texts)
    assert rasa_side.shape == model_side.shape
    assert np.allclose(np.linalg.norm(rasa_side, axis=1), 1.0, atol=1e-4)
    assert (rasa_side * model_side).sum(axis=1).min() > 0.97


def test_only_messages_confidently_in_another_language_are_flagged():
    english = [
        "where is my order",
        "wher is my oder pls",  # typos
        "i wnat refund",
        "I am needing the invoice kindly do the needful",  # non-native English
        "cancel ord ap20931",  # a fragment
        "where the fuck is my package",
        "hi",
        "gracias",  # one foreign word is too little to tell
        "merci beaucoup",
    ]
    other = {
        "Wo ist meine Bestellung? Ich warte seit zwei Wochen": "German",
        "¿Dónde está mi pedido?": "Spanish",
        "Je voudrais annuler ma commande": "French",
        "我的订单在哪里": "Chinese",
    }
    found = in_rasa_runtime("language", [*english, *other])
    assert found == [None] * len(english) + list(other.values())


def test_the_intent_classifier_gives_scikit_learns_probabilities():
    assert in_rasa_runtime("classifier", ["message"] * 60) < 1e-9


def test_the_gateway_channel_answers_the_request_for_a_person_apart_from_the_replies():
    handoff = {"type": "handoff", "reason": "customer_request", "summary": {"asked": ["asked for a person"]}}
    messages = [
        {"recipient_id": "c1", "text": "I've asked a person"},
        {"recipient_id": "c1", "custom": handoff},
    ]
    replies, request = in_rasa_runtime("handoff", messages)
    assert replies == [{"recipient_id": "c1", "text": "I've asked a person"}]
    assert request == {"reason": "customer_request", "summary": {"asked": ["asked for a person"]}}
