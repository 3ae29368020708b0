"""Whether a shopper says a thing is NOT what they want: "not a kid", "anything but black", "grey is
boring", "I already have a tent", "no tents please". Read from the words around the thing, as
spaCy's blank English tokenizes them (no parser: a short window, stopped by a comma or a "but")."""

from __future__ import annotations

from spacy.tokens import Doc

# Words that turn what follows them (within a few words) into something not wanted.
_BEFORE = frozenset(
    """not no n't nt dont doesnt didnt cant wont isnt never nothing none without except nor neither
    hate hates dislike dislikes avoid than forget skip scrap mind""".split()
)
# Two-word cues: "already have", "got one", "other than", "anything but", "rather than".
_BEFORE_PAIRS = frozenset(
    {
        ("already", "have"),
        ("already", "has"),
        ("has", "already"),
        ("already", "owns"),
        ("already", "own"),
        ("already", "got"),
        ("already", "bought"),
        ("have", "already"),
        ("own", "already"),
        ("got", "already"),
        ("anything", "but"),
        ("other", "than"),
        ("apart", "from"),
        ("rather", "than"),
        ("instead", "of"),
        ("sick", "of"),
        ("tired", "of"),
        ("done", "with"),
        ("forget", "the"),
        ("forget", "about"),
        ("never", "mind"),
        ("skip", "the"),
        ("scrap", "the"),
    }
)
# What ends a cue's reach: "not a refund, I want a jacket"; "no, but blue".
_STOPS = frozenset({",", ".", ";", "!", "?", "but", "however", "just", "instead", "so", "because", "-"})
# Said after the thing: "grey is boring", "tents are not needed", "black? no thanks".
_AFTER_VERBS = frozenset({"is", "are", "'s", "'re", "looks", "look", "seems"})
_AFTER_JUDGEMENTS = frozenset(
    """boring ugly awful horrible hideous bad dull meh overrated not too gross terrible dated
    depressing""".split()
)
_AFTER_ALREADY = frozenset({"already"})
_REACH = 4


def negated(doc: Doc, start: int, end: int) -> bool:
    """Whether the tokens ``doc[start:end]`` (a colour, a category, "kid") are said as not wanted."""
    for position in range(start - 1, max(-1, start - 1 - _REACH), -1):
        token = doc[position].lower_
        if position > 0 and (doc[position - 1].lower_, token) in _BEFORE_PAIRS:
            return True
        if token in _STOPS:
            break
        if token in _BEFORE and not _cancelled(doc, position):
            return True
    after = [token.lower_ for token in doc[end : end + 3]]
    if after and after[0] in _AFTER_ALREADY:
        return True  # "a tent already" / "got a stove already"
    return len(after) >= 2 and after[0] in _AFTER_VERBS and after[1] in _AFTER_JUDGEMENTS


def _cancelled(doc: Doc, position: int) -> bool:
    """Cues that do not negate what follows: "not only", "no more than 120" (a budget), "not
    sure", "never been camping" (about the shopper), "than" outside "other/rather than"."""
    token = doc[position].lower_
    following = doc[position + 1].lower_ if position + 1 < len(doc) else ""
    if token == "than":
        return position == 0 or doc[position - 1].lower_ not in ("other", "rather")
    if token == "instead":
        return following != "of"
    return following in ("only", "more", "less", "sure", "been", "problem", "worries", "matter", "idea")
