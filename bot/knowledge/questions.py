"""One message, several questions: "do you ship to Canada and take PayPal?", "any kids' headlamps?
also how long is delivery". The message's parts, so each can be answered in order; and whether a
message is someone shopping (rather than a complaint, an order question or a refund)."""

from __future__ import annotations

import re

from bot.knowledge.parsing import Constraints

# Where a message splits into questions: sentence ends, and "and"/"also"/"plus" between clauses.
_BREAKS = re.compile(r"[?!;.]+\s*|\s*,?\s+\b(?:and also|and|also|plus|oh and|btw)\b\s+", re.IGNORECASE)
# Words of an order already placed, a parcel, money back: a message with them is not shopping,
# even when it names a product ("the tent I ordered arrived broken").
_ORDER_WORDS = re.compile(
    r"\b(?:my order|order(?:ed)?|orders|deliver(?:y|ed)|arrived?|arriving|package|parcel|ship(?:ped|ment)|"
    r"tracking|received|charged|refund(?:ed)?|return(?:ed|ing)?|exchange|bought|purchased|damaged|"
    r"defective|faulty|missing|invoice|receipt|account|password)\b",
    re.IGNORECASE,
)
# Words of someone choosing something to buy.
_SHOPPING = re.compile(
    r"\b(?:need|needs|want|wants|looking for|look for|recommend|suggest|should i (?:get|buy)|"
    r"what .{0,30}(?:should|do) i (?:get|buy|need)|help me (?:pick|choose|find)|new one|"
    r"do you (?:have|sell|carry|stock)|got any|any good|best|which .{0,20}(?:get|buy)|shopping for|"
    r"gift|present|for my|i'?m after|after a|(?:can|could) i see|show me|let me see|browse)\b",
    re.IGNORECASE,
)


def parts(text: str) -> list[str]:
    """The message's clauses, each of at least two words, in order ("do you ship to Canada",
    "take PayPal"); the whole message when it does not split."""
    pieces = [piece.strip(" ,") for piece in _BREAKS.split(text)]
    pieces = [piece for piece in pieces if len(piece.split()) >= 2]
    return pieces or [text]


def is_about_an_order(text: str) -> bool:
    """Whether the message speaks of an order, a parcel, money back or an account."""
    return bool(_ORDER_WORDS.search(text))


def is_shopping(said: Constraints) -> bool:
    """Whether the message is someone choosing something to buy: it names a kind of product the
    shop sells (not as something unwanted), in words of wanting or choosing, and says nothing of
    an order, a parcel or money back (those are for the order and refund answers, or a person)."""
    if not (said.category or said.kinds or said.product):
        return False
    text = said.text
    # "not a refund", "I'm not after a refund": the refund is what they do not want.
    refund_refused = re.search(r"(?:\bnot|\bno|n't|\bnever)\W+(?:\w+\W+){0,3}?refund", text, re.IGNORECASE)
    order_words = [
        word
        for word in _ORDER_WORDS.finditer(text)
        if not (refund_refused and "refund" in word.group(0).lower())
    ]
    return bool(_SHOPPING.search(text)) and not order_words
