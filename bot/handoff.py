"""Handing a conversation to a person and back: the lifecycle as one explicit transition table.

Who owns a conversation (the assistant, a person, nobody once it is closed) and where it is in
its life (open, resolved, closed) both follow from its status; the assistant never answers while a
person owns it, and nobody answers a closed one.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    BOT = "bot"  # the assistant answers
    WAITING = "waiting"  # handed over, in the staff queue
    ASSIGNED = "assigned"  # a staff member has claimed it and answers
    RESOLVED = "resolved"  # handed back to the assistant; the customer was asked for a rating
    # Nothing said for the idle time (Settings.idle_close_minutes) while the assistant had it: the
    # customer's next message starts a new conversation; a staff reply reopens this one.
    CLOSED = "closed"


class Event(StrEnum):
    REQUEST = "request"  # the customer, the fallback, a complaint, anger or a rule asks for a person
    CLAIM = "claim"  # a staff member takes it
    RELEASE = "release"  # the staff member puts it back in the queue
    RESOLVE = "resolve"  # staff hand it back to the assistant
    RECOVER = "recover"  # the assistant is reachable again before anyone claimed it
    RESUME = "resume"  # the customer rated (or moved on); the assistant carries on
    CLOSE = "close"  # nothing said for the idle time while the assistant had it
    REOPEN = "reopen"  # a staff member writes to a closed conversation (and has it from then on)


class Owner(StrEnum):
    BOT = "bot"
    PERSON = "person"
    NOBODY = "nobody"


TRANSITIONS: dict[tuple[Status, Event], Status] = {
    (Status.BOT, Event.REQUEST): Status.WAITING,
    (Status.WAITING, Event.CLAIM): Status.ASSIGNED,
    (Status.WAITING, Event.RESOLVE): Status.RESOLVED,
    (Status.WAITING, Event.RECOVER): Status.BOT,
    (Status.ASSIGNED, Event.RELEASE): Status.WAITING,
    (Status.ASSIGNED, Event.RESOLVE): Status.RESOLVED,
    (Status.RESOLVED, Event.RESUME): Status.BOT,
    (Status.RESOLVED, Event.REQUEST): Status.WAITING,
    (Status.BOT, Event.CLOSE): Status.CLOSED,
    (Status.RESOLVED, Event.CLOSE): Status.CLOSED,
    (Status.CLOSED, Event.REOPEN): Status.ASSIGNED,
}

OWNERS = {
    Status.BOT: Owner.BOT,
    Status.WAITING: Owner.PERSON,
    Status.ASSIGNED: Owner.PERSON,
    Status.RESOLVED: Owner.BOT,
    # Nobody answers a closed conversation: the customer's next message opens a new one.
    Status.CLOSED: Owner.NOBODY,
}
# What a status means for where the conversation is in its life, apart from who has it.
LIFECYCLE = {
    Status.BOT: "open",
    Status.WAITING: "open",
    Status.ASSIGNED: "open",
    Status.RESOLVED: "resolved",
    Status.CLOSED: "closed",
}

# Why a conversation is handed over: the code stored, and the words staff see.
REASONS = {
    "customer_request": "customer asked for a person",
    "repeated_misunderstanding": "assistant did not understand twice",
    "complaint": "complaint",
    "angry_customer": "customer is upset",
    "rule": "a conversation rule hands this over",
    "assistant_unavailable": "assistant unavailable",
}


class TransitionError(Exception):
    """The event is not allowed in the conversation's current status."""

    def __init__(self, status: Status, event: Event):
        allowed = sorted(e.value for (s, e) in TRANSITIONS if s == status)
        super().__init__(
            f"cannot {event.value} a conversation that is {status.value}"
            f" (allowed: {', '.join(allowed) or 'nothing'})"
        )
        self.status, self.event = status, event


def next_status(status: Status | str, event: Event | str) -> Status:
    """The status after ``event``; raises TransitionError when the table has no such edge."""
    status, event = Status(status), Event(event)
    try:
        return TRANSITIONS[(status, event)]
    except KeyError:
        raise TransitionError(status, event) from None


def owner(status: Status | str) -> Owner:
    return OWNERS[Status(status)]
