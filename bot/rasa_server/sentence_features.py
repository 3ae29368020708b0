"""Meaning for the intent classifier: a sentence embedding of each message, next to the n-grams.

The encoder is the one the knowledge engine uses (all-MiniLM-L6-v2 by default), exported once from
the project's runtime to ONNX with int8 weights (`bot.knowledge.encoder_export`, run before every
training) and run here in ONNX Runtime with the model's own tokenizer: no PyTorch in the Rasa
runtime, about 1.5 ms a message. The export's manifest is part of this component's fingerprint, so
a different model or export means a new Rasa model.

    pipeline:
      - name: bot.rasa_server.sentence_features.SentenceFeaturizer
        scale: 10
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.pooling import sentence_vectors

# The folder the export writes (bot.knowledge.encoder_export), under the models folder.
ENCODER_FOLDER = "sentence-encoder"
MANIFEST = "encoder.json"
BATCH = 32


def encoder_directory(configured: str | None) -> Path:
    """The configured folder, else the export's place under SUPPORTDESK_MODELS_DIR (or ./models)."""
    if configured:
        return Path(configured)
    return Path(os.environ.get("SUPPORTDESK_MODELS_DIR", "models")) / ENCODER_FOLDER


def read_manifest(directory: Path) -> dict[str, Any]:
    path = directory / MANIFEST
    if not path.exists():
        raise InvalidConfigException(
            f"the sentence encoder is missing: {path} does not exist. It is exported from the project's "
            f"runtime before training: run ./supportdesk train (or .venv/bin/python -m bot.knowledge "
            f"export-encoder {directory})"
        )
    return json.loads(path.read_text())


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class SentenceFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds the message's sentence embedding (unit length, times `scale`) as a dense sentence feature."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # `scale` weighs the embedding against the sparse n-gram counts in a classifier with one
        # regularisation strength for all features (chosen on the held-out set, benchmarks/README.md).
        return {**DenseFeaturizer.get_default_config(), "directory": None, "scale": 10.0}

    @staticmethod
    def required_packages() -> list[str]:
        return ["onnxruntime", "tokenizers"]

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        if not float(config.get("scale", 1.0)) > 0:
            raise InvalidConfigException(
                f"SentenceFeaturizer: scale must be above 0, not {config['scale']!r}"
            )

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """The export's manifest (model, its weights' hash, the graph's hash): a new encoder, a new model."""
        manifest = read_manifest(encoder_directory(config.get("directory")))
        return hashlib.sha256(json.dumps(manifest, sort_keys=True).encode()).hexdigest()

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceFeaturizer:
        return cls({**cls.get_default_config(), **config}, execution_context.node_name)

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        import onnxruntime
        from tokenizers import Tokenizer

        directory = encoder_directory(config.get("directory"))
        manifest = read_manifest(directory)
        self._scale = float(config["scale"])
        self._pooling = manifest["pooling"]
        self._inputs = manifest["inputs"]
        self._tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self._tokenizer.enable_truncation(manifest["max_tokens"])
        self._tokenizer.enable_padding(pad_id=manifest["pad_id"])
        options = onnxruntime.SessionOptions()
        # One thread: the Rasa server serves many conversations, each parse is small, and busy
        # threads would take CPU from the gateway and the action server on a small machine.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        self._session = onnxruntime.InferenceSession(
            str(directory / "model.onnx"), options, providers=["CPUExecutionProvider"]
        )

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-length embeddings, one row per text."""
        encodings = self._tokenizer.encode_batch(texts)
        feed = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        tokens = self._session.run(None, {name: feed[name] for name in self._inputs})[0]
        return sentence_vectors(tokens, feed["attention_mask"], self._pooling)

    def _featurize(self, messages: list[Message]) -> None:
        with_text = [message for message in messages if message.get(TEXT)]
        # Similar lengths together: little padding in each batch.
        with_text.sort(key=lambda message: len(message.get(TEXT)))
        for start in range(0, len(with_text), BATCH):
            batch = with_text[start : start + BATCH]
            vectors = self.embed([message.get(TEXT) for message in batch]) * self._scale
            for message, vector in zip(batch, vectors, strict=False):
                self.add_features_to_message(None, vector[None, :], TEXT, message)

    def process(self, messages: list[Message]) -> list[Message]:
        self._featurize(messages)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples)
        return training_data
