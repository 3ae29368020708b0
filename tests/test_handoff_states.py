"""The handoff lifecycle: every edge of the transition table, and every edge it leaves out."""

from __future__ import annotations

import itertools

import pytest

from bot.handoff import OWNERS, TRANSITIONS, Event, Owner, Status, TransitionError, next_status, owner

EXPECTED = {
    (Status.BOT, Event.REQUEST): Status.WAITING,
    (Status.WAITING, Event.CLAIM): Status.ASSIGNED,
    (Status.WAITING, Event.RESOLVE): Status.RESOLVED,
    (Status.WAITING, Event.RECOVER): Status.BOT,
    (Status.ASSIGNED, Event.RELEASE): Status.WAITING,
    (Status.ASSIGNED, Event.RESOLVE): Status.RESOLVED,
    (Status.RESOLVED, Event.RESUME): Status.BOT,
    (Status.RESOLVED, Event.REQUEST): Status.WAITING,
}


@pytest.mark.parametrize(("status", "event"), list(EXPECTED))
def test_every_allowed_edge(status, event):
    assert next_status(status, event) == EXPECTED[(status, event)]


@pytest.mark.parametrize(
    ("status", "event"),
    [pair for pair in itertools.product(Status, Event) if pair not in EXPECTED],
)
def test_every_other_edge_is_refused_with_what_is_allowed(status, event):
    with pytest.raises(TransitionError) as refused:
        next_status(status, event)
    assert f"cannot {event.value} a conversation that is {status.value}" in str(refused.value)


def test_the_table_is_exactly_the_documented_one():
    assert TRANSITIONS == EXPECTED


def test_a_person_owns_exactly_the_waiting_and_assigned_conversations():
    assert {status for status, who in OWNERS.items() if who == Owner.PERSON} == {
        Status.WAITING,
        Status.ASSIGNED,
    }
    assert owner("resolved") == Owner.BOT


def test_every_status_can_be_reached_and_left():
    assert {status for status, _ in TRANSITIONS} == set(Status)
    assert set(TRANSITIONS.values()) == set(Status)
