"""The conversation's state machine: who owns a conversation, apart from where it is in its life,
and one table of transitions, each with the effects the store applies with it (atomically).

Who owns it: the assistant; the queue (handed over, nobody assigned yet: the assistant only
acknowledges); a named person. Where it is in its life: open, resolved (handed back, the customer
asked for a rating), closed (quiet for the idle time: the customer's next message starts a new
conversation, a staff reply reopens this one). The API's ``status`` is the pair in one word.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Owner(StrEnum):
    ASSISTANT = "assistant"
    QUEUE = "queue"
    PERSON = "person"


class Lifecycle(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Status(StrEnum):
    """The state in one word, as the API and the inbox show it."""

    BOT = "bot"  # the assistant answers
    WAITING = "waiting"  # in the staff queue
    ASSIGNED = "assigned"  # a staff member has claimed it and answers
    RESOLVED = "resolved"  # handed back to the assistant; the customer was asked for a rating
    CLOSED = "closed"  # quiet for the idle time (Settings.idle_close_minutes)


@dataclass(frozen=True)
class State:
    owner: Owner
    lifecycle: Lifecycle


STATES: dict[Status, State] = {
    Status.BOT: State(Owner.ASSISTANT, Lifecycle.OPEN),
    Status.WAITING: State(Owner.QUEUE, Lifecycle.OPEN),
    Status.ASSIGNED: State(Owner.PERSON, Lifecycle.OPEN),
    Status.RESOLVED: State(Owner.ASSISTANT, Lifecycle.RESOLVED),
    # Only the assistant's conversations close; nobody answers one while it is closed.
    Status.CLOSED: State(Owner.ASSISTANT, Lifecycle.CLOSED),
}
_STATUS_OF = {state: status for status, state in STATES.items()}


def status_of(owner: Owner | str, lifecycle: Lifecycle | str) -> Status:
    """The one-word status of an owner and a lifecycle (a pair no transition leads to is refused)."""
    try:
        return _STATUS_OF[State(Owner(owner), Lifecycle(lifecycle))]
    except KeyError:
        raise ValueError(f"no conversation is owned by {owner} while {lifecycle}") from None


class Event(StrEnum):
    REQUEST = "request"  # the customer, the fallback, a complaint, anger or a rule asks for a person
    CLAIM = "claim"  # a staff member takes it
    RELEASE = "release"  # the staff member puts it back in the queue
    RESOLVE = "resolve"  # staff hand it back to the assistant
    RECOVER = "recover"  # the assistant is reachable again before anyone claimed it
    RESUME = "resume"  # the customer rated (or moved on); the assistant carries on
    CLOSE = "close"  # quiet for the idle time while the assistant had it, or the customer started over
    REOPEN = "reopen"  # a staff member writes to a closed conversation (and has it from then on)


class Effect(StrEnum):
    """What a transition does besides changing the state; the store applies each (bot.store)."""

    OPEN_HANDOFF = "open a handoff with its reason and summary, mark the conversation escalated"
    START_WAITING = "start the queue's clock"
    STOP_WAITING = "stop the queue's clock"
    ASSIGN = "assign the staff member"
    CLAIM_HANDOFF = "record who claimed the handoff, and when"
    UNASSIGN = "assign nobody"
    END_HANDOFF = "record when the handoff ended; stop waiting for an email"


@dataclass(frozen=True)
class Transition:
    target: Status
    effects: tuple[Effect, ...] = ()


_HAND_BACK = Transition(Status.RESOLVED, (Effect.END_HANDOFF, Effect.UNASSIGN, Effect.STOP_WAITING))
_REQUEST = Transition(Status.WAITING, (Effect.OPEN_HANDOFF, Effect.START_WAITING))

TRANSITIONS: dict[tuple[Status, Event], Transition] = {
    (Status.BOT, Event.REQUEST): _REQUEST,
    (Status.RESOLVED, Event.REQUEST): _REQUEST,
    (Status.WAITING, Event.CLAIM): Transition(Status.ASSIGNED, (Effect.ASSIGN, Effect.CLAIM_HANDOFF)),
    (Status.WAITING, Event.RESOLVE): _HAND_BACK,
    (Status.ASSIGNED, Event.RESOLVE): _HAND_BACK,
    (Status.WAITING, Event.RECOVER): Transition(
        Status.BOT, (Effect.END_HANDOFF, Effect.UNASSIGN, Effect.STOP_WAITING)
    ),
    (Status.ASSIGNED, Event.RELEASE): Transition(Status.WAITING, (Effect.UNASSIGN, Effect.START_WAITING)),
    (Status.RESOLVED, Event.RESUME): Transition(Status.BOT),
    (Status.BOT, Event.CLOSE): Transition(Status.CLOSED),
    (Status.RESOLVED, Event.CLOSE): Transition(Status.CLOSED),
    (Status.CLOSED, Event.REOPEN): Transition(Status.ASSIGNED, (Effect.ASSIGN, Effect.STOP_WAITING)),
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


def transition(status: Status | str, event: Event | str) -> Transition:
    """Where ``event`` leads from ``status`` and what it does; TransitionError when the table has
    no such edge."""
    status, event = Status(status), Event(event)
    try:
        return TRANSITIONS[(status, event)]
    except KeyError:
        raise TransitionError(status, event) from None


class NotAllowed(Exception):
    """A staff member may not do this to this conversation: someone else has it."""


class ClaimFirst(NotAllowed):
    """A staff member replies to a conversation nobody gave them."""


def check_staff_may(
    event: Event | None, status: Status, assignee_id: int | None, staff_id: int, admin: bool
) -> None:
    """Who may do what: anyone claims from the queue; only the person who has a conversation (or
    an admin) releases or resolves it; a reply (``event`` None) comes from the person who has it,
    or reopens a closed one. Raises NotAllowed (ClaimFirst for a reply) with the reason."""
    someone_elses = status == Status.ASSIGNED and assignee_id != staff_id
    if event is None:
        if not (status == Status.CLOSED or (status == Status.ASSIGNED and not someone_elses)):
            raise ClaimFirst("claim the conversation before replying")
    elif event in (Event.RELEASE, Event.RESOLVE) and someone_elses and not admin:
        raise NotAllowed("another staff member has this conversation")
