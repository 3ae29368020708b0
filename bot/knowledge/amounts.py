"""Money amounts as customers write them, read by one parser for the whole project.

"$299", "299 dollars", "40 bucks", "79.95", "$1,200" and "1,200.50" (a comma before three digits
groups thousands) and "79,95" (a comma before one or two digits is a decimal comma).
"""

from __future__ import annotations

import re
from decimal import Decimal

_AMOUNT = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)(?:[.,](\d{1,2}))?(?![.,]?\d)")


def price(text: object) -> Decimal | None:
    """The first amount in `text` (an entity or slot value, a token, a message), or None."""
    if text is None:
        return None
    match = _AMOUNT.search(str(text))
    if not match:
        return None
    whole, cents = match.groups()
    return Decimal(whole.replace(",", "") + (f".{cents}" if cents else ""))
