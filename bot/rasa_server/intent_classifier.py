"""Rasa's LogisticRegressionClassifier (the same scikit-learn model, trained the same way), with its
two costs per message removed; together they were half of a parse's CPU (measured with cProfile):

- scikit-learn scores a sparse message against the transposed coefficient matrix, and scipy makes a
  contiguous copy of that view for each product (features x intents floats, about 1.3 ms). This
  classifier keeps one contiguous copy and takes the softmax of the same scores (the multinomial
  model Rasa trains: lbfgs over more than two intents).
- Rasa assembles the features by deep-copying and stacking every featuriser's sequence and sentence
  matrices (about 1 ms), though the classifier reads only the sentence ones. This classifier lays
  the sentence features (sparse, then dense, each in pipeline order) side by side in one row.

    pipeline:
      - name: bot.rasa_server.intent_classifier.LinearIntentClassifier
"""

from __future__ import annotations

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.utils.tensorflow.constants import RANKING_LENGTH
from scipy.sparse import csr_matrix


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(LogisticRegressionClassifier):
    """Logistic regression over the message's sparse and dense sentence features."""

    # A contiguous copy of the trained coefficients, made on first use after loading or training.
    _weights: np.ndarray | None = None

    def train(self, training_data: TrainingData) -> Resource:
        self._weights = None
        return super().train(training_data)

    def _create_X(self, messages: list[Message]) -> csr_matrix:
        """One row per message: its sparse sentence features, then its dense ones, side by side."""
        values, columns, rows = [], [], [0]
        width = count = 0
        for message in messages:
            blocks = [f for f in message.features if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE]
            blocks.sort(key=lambda f: not f.is_sparse())  # a stable sort: pipeline order within each kind
            offset = 0
            for block in blocks:
                if block.is_sparse():
                    entries = block.features.tocoo()
                    values.append(entries.data)
                    columns.append(entries.col + offset)
                    count += entries.nnz
                else:
                    row = np.asarray(block.features, dtype=np.float64).ravel()
                    values.append(row)
                    columns.append(np.arange(offset, offset + row.size))
                    count += row.size
                offset += block.features.shape[-1]
            width = max(width, offset)
            rows.append(count)
        if not values:
            return csr_matrix((len(messages), width))
        return csr_matrix(
            (np.concatenate(values), np.concatenate(columns), np.array(rows)), shape=(len(messages), width)
        )

    def probabilities(self, messages: list[Message]) -> np.ndarray:
        """One row per message: each intent's probability, in the order of `self.clf.classes_`."""
        if self._weights is None:
            self._weights = np.ascontiguousarray(self.clf.coef_.T)
        if len(self.clf.classes_) <= 2:  # a one-vs-rest model: scikit-learn's own computation
            return self.clf.predict_proba(self._create_X(messages))
        scores = np.asarray(self._create_X(messages) @ self._weights) + self.clf.intercept_
        scores -= scores.max(axis=1, keepdims=True)
        exponentials = np.exp(scores)
        return exponentials / exponentials.sum(axis=1, keepdims=True)

    def process(self, messages: list[Message]) -> list[Message]:
        probabilities = self.probabilities(messages)
        for message, row in zip(messages, probabilities, strict=False):
            ranking = sorted(
                (
                    {"name": name, "confidence": float(p)}
                    for name, p in zip(self.clf.classes_, row, strict=False)
                ),
                key=lambda item: -item["confidence"],
            )
            message.set("intent", ranking[0], add_to_output=True)
            if self.config[RANKING_LENGTH] > 0:
                ranking = ranking[: self.config[RANKING_LENGTH]]
            message.set("intent_ranking", ranking, add_to_output=True)
        return messages
