"""Rasa's LogisticRegressionClassifier, with the same model and the same probabilities, computed
without copying the weight matrix on every message.

scikit-learn scores a sparse message against the transposed coefficient matrix, and scipy makes a
contiguous copy of that view for each product (features x intents floats, about 1.3 ms a parse
here, measured with cProfile). This classifier keeps one contiguous copy and takes the softmax of
the same scores (the multinomial model Rasa trains: lbfgs over more than two intents).

    pipeline:
      - name: bot.rasa_server.intent_classifier.LinearIntentClassifier
"""

from __future__ import annotations

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.training_data.message import Message
from rasa.utils.tensorflow.constants import RANKING_LENGTH


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(LogisticRegressionClassifier):
    """Logistic regression over the message's sparse and dense sentence features."""

    _weights: np.ndarray | None = None

    def probabilities(self, messages: list[Message]) -> np.ndarray:
        """One row per message: each intent's probability, in the order of `self.clf.classes_`."""
        if self._weights is None or self._weights.shape[1] != len(self.clf.classes_):
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
                ({"name": name, "confidence": float(p)} for name, p in zip(self.clf.classes_, row, strict=False)),
                key=lambda item: -item["confidence"],
            )
            message.set("intent", ranking[0], add_to_output=True)
            if self.config[RANKING_LENGTH] > 0:
                ranking = ranking[: self.config[RANKING_LENGTH]]
            message.set("intent_ranking", ranking, add_to_output=True)
        return messages
