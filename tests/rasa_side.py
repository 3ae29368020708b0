"""Run in the Rasa runtime (Python 3.10) by tests/test_rasa_components.py: the NLU pipeline's own
components on texts from standard input (JSON), results to standard output (JSON).

    .venv-rasa/bin/python tests/rasa_side.py embed|language < texts.json
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def classifier_agrees_with_scikit_learn(count: int) -> float:
    """The largest difference between LinearIntentClassifier's probabilities and scikit-learn's
    predict_proba for the same trained model, on `count` messages with random features."""
    import numpy as np
    from rasa.shared.nlu.training_data.features import Features
    from rasa.shared.nlu.training_data.message import Message
    from scipy.sparse import random as sparse_random

    from bot.rasa_server.intent_classifier import LinearIntentClassifier

    rng = np.random.default_rng(0)
    messages = []
    for row in range(count):
        message = Message(data={"text": f"message {row}"})
        sparse = sparse_random(1, 300, density=0.05, format="coo", random_state=row)
        message.add_features(Features(sparse, "sentence", "text", "CountVectorsFeaturizer"))
        message.add_features(Features(rng.normal(size=(1, 16)), "sentence", "text", "SentenceFeaturizer"))
        messages.append(message)
    classifier = LinearIntentClassifier({**LinearIntentClassifier.get_default_config()}, "test", None, None)
    intents = [f"intent_{row % 5}" for row in range(count)]
    classifier.clf.fit(classifier._create_X(messages), intents)
    expected = classifier.clf.predict_proba(classifier._create_X(messages))
    return float(np.abs(classifier.probabilities(messages) - expected).max())


def main() -> None:
    texts = json.load(sys.stdin)
    if sys.argv[1] == "embed":
        from bot.rasa_server.sentence_features import SentenceFeaturizer

        featurizer = SentenceFeaturizer({**SentenceFeaturizer.get_default_config(), "scale": 1.0}, "test")
        print(json.dumps(featurizer.embed(texts).tolist()))
    elif sys.argv[1] == "classifier":
        print(json.dumps(classifier_agrees_with_scikit_learn(len(texts))))
    elif sys.argv[1] == "handoff":
        from bot.rasa_server.channel import split_handoff

        print(json.dumps(split_handoff(texts)))
    elif sys.argv[1] == "language":
        from bot.rasa_server.language import LanguageIdentifier

        identifier = LanguageIdentifier(LanguageIdentifier.get_default_config())
        print(json.dumps([identifier.language_of(text) for text in texts]))


if __name__ == "__main__":
    main()
