"""Spotting a clearly angry message, so a person takes over before the assistant makes it worse."""

from __future__ import annotations

import re

_STRONG = {
    "furious", "outraged", "disgusting", "disgrace", "unacceptable", "ridiculous", "pathetic",
    "scam", "scammers", "fraud", "useless", "worst", "incompetent", "lawyer", "sue",
    "fuck", "fucking", "shit", "crap", "damn", "wtf",
}  # fmt: skip
_WORDS = re.compile(r"[a-z']+")


def sounds_angry(text: str) -> bool:
    """True for shouting (mostly capitals), strong words of anger, or several of '!!!' and '?!'."""
    letters = [c for c in text if c.isalpha()]
    shouting = len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) >= 0.7
    words = set(_WORDS.findall(text.lower()))
    strong = len(words & _STRONG)
    exclaiming = text.count("!!") + text.count("?!") >= 1
    return shouting or strong >= 2 or (strong >= 1 and exclaiming)
