"""The conversation's states (bot.handoff): properties of the transition table rather than a copy of
it: every state reachable, who may own what, closed is the end but for a staff reply, and every
edge the table leaves out refused with what is allowed."""

from __future__ import annotations

import itertools

import pytest

from bot.handoff import (
    LIFECYCLE,
    OWNERS,
    TRANSITIONS,
    Event,
    Owner,
    Status,
    TransitionError,
    next_status,
    owner,
)


def reachable_from(start: Status) -> set[Status]:
    seen, frontier = {start}, [start]
    while frontier:
        status = frontier.pop()
        for (source, _), target in TRANSITIONS.items():
            if source == status and target not in seen:
                seen.add(target)
                frontier.append(target)
    return seen


def test_every_state_is_reachable_from_a_new_conversation():
    assert reachable_from(Status.BOT) == set(Status)


def test_every_state_but_closed_can_get_back_to_the_assistant():
    for status in set(Status) - {Status.CLOSED}:
        assert Status.BOT in reachable_from(status) or status == Status.BOT, status


def test_closed_is_left_only_by_a_staff_reply_which_gives_it_to_that_person():
    assert [
        (event, target) for (source, event), target in TRANSITIONS.items() if source == Status.CLOSED
    ] == [(Event.REOPEN, Status.ASSIGNED)]


def test_only_conversations_the_assistant_has_close_when_quiet():
    closing = {source for (source, event) in TRANSITIONS if event == Event.CLOSE}
    assert closing and all(owner(status) == Owner.BOT for status in closing)


def test_who_owns_what_and_where_it_is_in_its_life_are_given_for_every_state():
    assert set(OWNERS) == set(Status) == set(LIFECYCLE)
    assert {status for status, who in OWNERS.items() if who == Owner.PERSON} == {
        Status.WAITING,
        Status.ASSIGNED,
    }
    assert owner("closed") == Owner.NOBODY and LIFECYCLE[Status.CLOSED] == "closed"


def test_staff_events_start_or_end_with_a_person():
    for (source, event), target in TRANSITIONS.items():
        if event in (Event.CLAIM, Event.RELEASE, Event.REOPEN):
            assert owner(target) == Owner.PERSON, (source, event)
        if event == Event.RESOLVE:
            assert owner(source) == Owner.PERSON and owner(target) == Owner.BOT


def test_a_request_for_a_person_always_lands_in_the_queue():
    assert {target for (_, event), target in TRANSITIONS.items() if event == Event.REQUEST} == {
        Status.WAITING
    }


@pytest.mark.parametrize(
    ("status", "event"), [pair for pair in itertools.product(Status, Event) if pair not in TRANSITIONS]
)
def test_every_other_edge_is_refused_with_what_is_allowed(status, event):
    with pytest.raises(TransitionError) as refused:
        next_status(status, event)
    allowed = ", ".join(sorted(e.value for (s, e) in TRANSITIONS if s == status)) or "nothing"
    assert (
        str(refused.value)
        == f"cannot {event.value} a conversation that is {status.value} (allowed: {allowed})"
    )
