"""Order numbers as customers type them, in the shop's one format: AP-10234.

Customers write AP10234, ap-10234, AP 10234, #10234, "order 10234" or "order no. 10234"; each is
the same order. data/nlu/entities.yml has the regexes Rasa extracts them with; a test checks that
they find every variant read here.
"""

from __future__ import annotations

import re

PREFIX = "AP"
DIGITS = 5
EXAMPLE = "AP-10234"

_NUMBER = re.compile(
    rf"(?:\b{PREFIX}[\s-]?|#\s?|\border\s+(?:number\s+|no\.?\s+|nr\.?\s+|#\s?)?)(\d{{{DIGITS}}})(?!\d)",
    re.IGNORECASE,
)
_BARE = re.compile(rf"\d{{{DIGITS}}}")
_LONG_NUMBER = re.compile(r"\b(?:[A-Za-z]{1,3}-?\d{3,}|\d{5,})\b")


def order_number(text: str | None) -> str | None:
    """The first order number in `text` (a message or an extracted entity), as AP-10234; None if
    there is none in the shop's format."""
    if not text:
        return None
    text = text.strip()
    if _BARE.fullmatch(text):
        return f"{PREFIX}-{text}"
    match = _NUMBER.search(text)
    return f"{PREFIX}-{match.group(1)}" if match else None


def unreadable_number(text: str | None) -> str | None:
    """A number the customer seems to give as an order number that is not in the shop's format
    ("order 732201349959", "AP-1023"), so the assistant can say so instead of asking again."""
    if not text or order_number(text):
        return None
    match = _LONG_NUMBER.search(text)
    return match.group() if match else None
