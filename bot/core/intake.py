"""Taking a customer's message in: what a channel hands over, and the limits every message meets."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.store.models import Conversation, Message


class MessageRejected(Exception):
    """The message was not accepted (too long, too many); ``status`` is the HTTP status to answer."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class Duplicate(Exception):
    """The message was taken in before (the same channel's id for it): not stored or answered
    again. Holds the conversation and what was said to the customer after it so far."""

    def __init__(self, conversation: Conversation, replies: list[Message]):
        super().__init__("this message was received before")
        self.conversation, self.replies = conversation, replies


@dataclass(frozen=True)
class Incoming:
    channel: str
    customer_id: str
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)
    name: str | None = None
    # The channel's own id for the message, if it has one: a message sent again with it is the same.
    client_message_id: str | None = None
    # A picture, voice note or file the customer sent (kind, the platform's id for it, its type,
    # a caption), which the assistant cannot read: it is kept for staff, and a person offered.
    attachment: dict[str, Any] | None = None


class OutsideReplyWindow(Exception):
    """The customer's platform takes no free-form message from the shop now (WhatsApp, 24 hours
    after the customer last wrote); only the approved template ``template`` may go, if any."""

    def __init__(self, closed_at: datetime | None, template: str | None):
        when = f"closed at {closed_at:%Y-%m-%d %H:%M} UTC" if closed_at else "never opened"
        offer = f": send the approved template {template!r} instead" if template else ""
        super().__init__(f"the channel's 24-hour reply window {when}{offer}")
        self.closed_at, self.template = closed_at, template


class RateLimit:
    """At most ``per_minute`` messages per customer in any 60 seconds (sliding window)."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic):
        self._per_minute = per_minute
        self._clock = clock
        self._seen: dict[tuple[str, str], deque[float]] = defaultdict(deque)

    def allow(self, key: tuple[str, str]) -> bool:
        now = self._clock()
        seen = self._seen[key]
        while seen and now - seen[0] >= 60:
            seen.popleft()
        if len(seen) >= self._per_minute:
            return False
        seen.append(now)
        return True


def for_the_assistant(text: str, offered: list[str], numbered: bool) -> str:
    """What the assistant is given for a customer's message. A button's payload ("/affirm") only
    when the reply before offered it: typed, Rasa's "/intent" shortcut would force an intent and
    make the assistant repeat whatever the customer put in it, so the slash goes. On a channel that
    lists buttons as numbered options (``numbered``), the number picks that option."""
    said = text.strip()
    if numbered and said.isdigit() and 1 <= int(said) <= len(offered):
        return offered[int(said) - 1]
    if said.startswith("/") and said not in offered:
        return said.lstrip("/").strip() or "?"
    return text


def may_pick_a_button(text: str) -> bool:
    """Whether ``text`` could be a button's payload or its number (then the reply before is read)."""
    said = text.strip()
    return said.startswith("/") or (said.isdigit() and len(said) <= 2)
