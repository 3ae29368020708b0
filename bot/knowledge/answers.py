"""Finding the FAQ entry that answers a customer's message, or deciding there is none."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.knowledge.faq_index import FaqIndex


@dataclass(frozen=True)
class FaqAnswer:
    best_key: str | None  # the closest entry, even when not confident enough to answer with it
    score: float
    answered: bool

    @property
    def key(self) -> str | None:
        """The entry to answer with, or None when the assistant should say it is not sure."""
        return self.best_key if self.answered else None


class FaqAnswerer:
    """Answers from the FAQ index: within an intent's own entries when Rasa recognised an intent the
    FAQ serves (the intent already decided the topic), else over all entries, abstaining below the
    index's calibrated threshold."""

    def __init__(self, index: FaqIndex, entries_by_intent: Mapping[str, set[str]] | None = None):
        self._index = index
        self._entries_by_intent = entries_by_intent or {}

    def answer(self, text: str, intent: str | None = None) -> FaqAnswer:
        among = self._entries_by_intent.get(intent) if intent else None
        matches = self._index.rank(text, among=among, limit=1)
        if not matches:
            return FaqAnswer(None, 0.0, False)
        best = matches[0]
        return FaqAnswer(best.key, best.score, among is not None or best.score >= self._index.threshold)
