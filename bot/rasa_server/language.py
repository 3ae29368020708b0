"""Messages in another language: recognised, so the customer hears honestly that the assistant
speaks English (and is offered a person) instead of a wrong answer or "outside what I can help with".

Runs after the intent classifier. Only a message long enough to tell (three words, or four
characters of a script written without spaces) that the detector (lingua, over a fixed set of
widely used languages) is confident is not English becomes `other_language`, with the language as
the `language` entity; English fragments, typos and non-native English keep their intent.

    pipeline:
      - name: bot.rasa_server.language.LanguageIdentifier
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

INTENT_NAME = "other_language"
ENTITY = "language"
LANGUAGES = (
    "ENGLISH", "SPANISH", "FRENCH", "GERMAN", "ITALIAN", "PORTUGUESE", "DUTCH", "POLISH", "SWEDISH",
    "TURKISH", "RUSSIAN", "UKRAINIAN", "ARABIC", "HINDI", "CHINESE", "JAPANESE", "KOREAN", "VIETNAMESE",
    "INDONESIAN", "TAGALOG",
)  # fmt: skip
_WORD = re.compile(r"[^\W\d_]+")
_UNSPACED_SCRIPT = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class LanguageIdentifier(GraphComponent, IntentClassifier):
    """Sets the intent `other_language` for a message confidently in another language than English."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # `min_confidence`: the detector's confidence in the other language; `max_english`: its
        # confidence in English, above which the message is treated as (imperfect) English.
        return {"min_words": 3, "min_confidence": 0.6, "max_english": 0.05}

    @staticmethod
    def required_packages() -> list[str]:
        return ["lingua"]

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageIdentifier:
        return cls({**cls.get_default_config(), **config})

    def __init__(self, config: dict[str, Any]) -> None:
        from lingua import Language, LanguageDetectorBuilder

        self._config = config
        self._english = Language.ENGLISH
        languages = [getattr(Language, name) for name in LANGUAGES]
        self._detector = (
            LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models().build()
        )

    def language_of(self, text: str) -> str | None:
        """The language's name ("German") if `text` is long enough and confidently not English."""
        unspaced = len(_UNSPACED_SCRIPT.findall(text))
        if unspaced < 4 and len(_WORD.findall(text)) < self._config["min_words"]:
            return None
        confidences = self._detector.compute_language_confidence_values(text)
        best = confidences[0]
        english = next((c.value for c in confidences if c.language == self._english), 0.0)
        if best.language == self._english or best.value < self._config["min_confidence"]:
            return None
        if english > self._config["max_english"]:
            return None
        return best.language.name.capitalize()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            language = self.language_of(text) if text else None
            if language is None:
                continue
            message.set(INTENT, {"name": INTENT_NAME, "confidence": 1.0}, add_to_output=True)
            ranking = [item for item in message.get(INTENT_RANKING_KEY) or [] if item["name"] != INTENT_NAME]
            message.set(
                INTENT_RANKING_KEY, [{"name": INTENT_NAME, "confidence": 1.0}, *ranking], add_to_output=True
            )
            entity = {
                "entity": ENTITY,
                "value": language,
                "start": 0,
                "end": len(text),
                "extractor": "LanguageIdentifier",
            }
            message.set(ENTITIES, [*(message.get(ENTITIES) or []), entity], add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
