"""Spotting a clearly angry message, so a person takes over before the assistant makes it worse.

Swearing on its own is how many people write ("where's my damn refund?"): the assistant answers it.
Swearing together with words of anger, or right after the assistant failed to understand, counts.
"""

from __future__ import annotations

import re

_ANGER = {
    "furious", "outraged", "disgusting", "disgrace", "unacceptable", "ridiculous", "pathetic",
    "scam", "scammers", "fraud", "useless", "worst", "incompetent", "lawyer", "sue", "joke",
}  # fmt: skip
_PROFANITY = {
    "fuck", "fucking", "fucked", "fck", "shit", "shitty", "crap", "crappy", "damn", "damned", "wtf",
    "bullshit", "hell", "bloody", "ass", "asshole", "bastards", "idiots",
}  # fmt: skip
_WORDS = re.compile(r"[a-z]+")


def _words(text: str) -> set[str]:
    return set(_WORDS.findall(text.lower()))


def is_profane(text: str) -> bool:
    """True when the message swears."""
    return bool(_words(text) & _PROFANITY)


def sounds_angry(text: str, after_failed_answer: bool = False) -> bool:
    """True for shouting (mostly capitals), two words of anger, a word of anger with '!!' or '?!'
    or with swearing, or swearing right after the assistant failed to understand."""
    letters = [c for c in text if c.isalpha()]
    shouting = len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) >= 0.7
    words = _words(text)
    anger = len(words & _ANGER)
    profane = bool(words & _PROFANITY)
    exclaiming = text.count("!!") + text.count("?!") >= 1
    return (
        shouting
        or anger >= 2
        or (anger >= 1 and (exclaiming or profane))
        or (profane and after_failed_answer)
    )
