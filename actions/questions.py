"""The other questions of a message that asks several ("do you have kids' headlamps and do you ship
to Canada?"): each answered from the FAQ when it confidently can, after the first."""

from __future__ import annotations

import re

from actions import shop
from bot.knowledge import FaqEntry
from bot.knowledge.questions import parts

# A part of a message that asks something: it starts like a question or ends with a "?".
_ASKS = re.compile(
    r"\s*(?:do|does|did|can|could|is|are|was|will|would|should|how|what|when|where|which|who|why|"
    r"any|have|has|may|shall)\b",
    re.IGNORECASE,
)


def faq_text(entry: FaqEntry) -> str:
    return f"{entry.answer}\nMore: {entry.link}" if entry.link else entry.answer


def other_answers(text: str, answered: set[str], first_too: bool = False) -> list[str]:
    """FAQ answers to the message's parts that the FAQ answers confidently, other than the entries
    already given (``answered``) and parts about products, in the order asked; with
    ``first_too``, only when the message has two parts or more and each is answered."""
    pieces = parts(text)
    if len(pieces) < 2:
        return []
    finder, answerer, knowledge = shop.product_finder(), shop.faq_answerer(), shop.knowledge()
    said: list[str] = []
    for piece in pieces:
        if not _ASKS.match(piece) and f"{piece}?" not in text:
            continue  # "... cheaper ones" or "a gift for my dad" is no question for the FAQ
        parsed = finder.parser.parse(piece)
        if parsed.category or parsed.kinds or parsed.products:
            continue  # the product answer covers it
        key = answerer.answer(piece).key
        if key and key not in answered:
            answered.add(key)
            said.append(faq_text(knowledge.faq_entry(key)))
        elif first_too and not key:
            return []  # a part nobody can answer: better to ask again than half an answer
    return said
