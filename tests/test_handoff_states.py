"""The conversation's state machine (bot.handoff): properties of the transition table rather than
a copy of it: every state reachable, who owns what apart from where it is in its life, each
transition's effects fitting the states it joins, closed is the end but for a staff reply, who may
do what, and every edge the table leaves out refused with what is allowed."""

from __future__ import annotations

import itertools

import pytest

from bot.handoff import (
    STATES,
    TRANSITIONS,
    ClaimFirst,
    Effect,
    Event,
    Lifecycle,
    NotAllowed,
    Owner,
    Status,
    TransitionError,
    check_staff_may,
    status_of,
    transition,
)


def reachable_from(start: Status) -> set[Status]:
    seen, frontier = {start}, [start]
    while frontier:
        status = frontier.pop()
        for (source, _), step in TRANSITIONS.items():
            if source == status and step.target not in seen:
                seen.add(step.target)
                frontier.append(step.target)
    return seen


def owner(status: Status) -> Owner:
    return STATES[status].owner


def test_every_state_is_reachable_from_a_new_conversation():
    assert reachable_from(Status.BOT) == set(Status)


def test_every_state_but_closed_can_get_back_to_the_assistant():
    for status in set(Status) - {Status.CLOSED}:
        assert Status.BOT in reachable_from(status) or status == Status.BOT, status


def test_each_status_is_one_owner_and_lifecycle_and_back():
    assert set(STATES) == set(Status)
    assert len(set(STATES.values())) == len(Status)  # no two statuses share a state
    for status, state in STATES.items():
        assert status_of(state.owner, state.lifecycle) == status
    assert {owner(s) for s in Status} == set(Owner)
    assert {STATES[s].lifecycle for s in Status} == set(Lifecycle)


def test_a_pair_no_status_names_is_refused():
    with pytest.raises(ValueError, match="no conversation is owned by queue while closed"):
        status_of("queue", "closed")


def test_closed_is_left_only_by_a_staff_reply_which_gives_it_to_that_person():
    assert [
        (event, step.target) for (source, event), step in TRANSITIONS.items() if source == Status.CLOSED
    ] == [(Event.REOPEN, Status.ASSIGNED)]


def test_only_conversations_the_assistant_has_close_when_quiet():
    closing = {source for (source, event) in TRANSITIONS if event == Event.CLOSE}
    assert closing and all(owner(status) == Owner.ASSISTANT for status in closing)


def test_staff_events_start_or_end_with_a_person():
    for (source, event), step in TRANSITIONS.items():
        if event in (Event.CLAIM, Event.REOPEN):
            assert owner(step.target) == Owner.PERSON, (source, event)
        if event == Event.RELEASE:
            assert (owner(source), owner(step.target)) == (Owner.PERSON, Owner.QUEUE)
        if event == Event.RESOLVE:
            assert owner(source) != Owner.ASSISTANT and owner(step.target) == Owner.ASSISTANT


def test_a_request_for_a_person_always_lands_in_the_queue_with_a_handoff_opened():
    requests = [step for (_, event), step in TRANSITIONS.items() if event == Event.REQUEST]
    assert requests and all(step.target == Status.WAITING for step in requests)
    assert all(Effect.OPEN_HANDOFF in step.effects for step in requests)


@pytest.mark.parametrize(("source", "event"), list(TRANSITIONS))
def test_each_transitions_effects_fit_the_states_it_joins(source, event):
    step = TRANSITIONS[(source, event)]
    before, after = owner(source), owner(step.target)
    effects = set(step.effects)
    # A named person exactly when the transition makes one the owner; nobody when it leaves them.
    assert (Effect.ASSIGN in effects) == (after == Owner.PERSON != before)
    assert (Effect.UNASSIGN in effects) == (
        before == Owner.PERSON != after or (before == Owner.QUEUE and after == Owner.ASSISTANT)
    )
    # The queue's clock starts on entering the queue and stops on leaving the staff's hands.
    assert (Effect.START_WAITING in effects) == (after == Owner.QUEUE != before)
    if after == Owner.ASSISTANT and before != Owner.ASSISTANT:
        assert {Effect.STOP_WAITING, Effect.END_HANDOFF} <= effects
    # A handoff opens only when the assistant gives the conversation away.
    assert (Effect.OPEN_HANDOFF in effects) == (before == Owner.ASSISTANT != after and event == Event.REQUEST)
    assert (Effect.CLAIM_HANDOFF in effects) == (event == Event.CLAIM)


@pytest.mark.parametrize(
    ("status", "event"), [pair for pair in itertools.product(Status, Event) if pair not in TRANSITIONS]
)
def test_every_other_edge_is_refused_with_what_is_allowed(status, event):
    with pytest.raises(TransitionError) as refused:
        transition(status, event)
    allowed = ", ".join(sorted(e.value for (s, e) in TRANSITIONS if s == status)) or "nothing"
    assert (
        str(refused.value)
        == f"cannot {event.value} a conversation that is {status.value} (allowed: {allowed})"
    )


ME, SOMEONE = 1, 2


@pytest.mark.parametrize(
    ("status", "assignee", "admin"), list(itertools.product(Status, (None, ME, SOMEONE), (False, True)))
)
def test_who_may_do_what(status, assignee, admin):
    assignee = assignee if status == Status.ASSIGNED else None
    someone_elses = status == Status.ASSIGNED and assignee != ME  # None: the person was removed

    def allowed(event: Event | None) -> bool:
        try:
            check_staff_may(event, status, assignee, ME, admin)
        except NotAllowed:
            return False
        return True

    # Anyone may claim (whether the table lets them is the table's business).
    assert allowed(Event.CLAIM)
    # Only the person who has it, or an admin, releases or resolves it.
    assert allowed(Event.RELEASE) == allowed(Event.RESOLVE) == (admin or not someone_elses)
    # A reply comes from the person who has it, or reopens a closed one; an admin claims first too.
    assert allowed(None) == (status == Status.CLOSED or assignee == ME)
    if not allowed(None):
        with pytest.raises(ClaimFirst, match="claim the conversation before replying"):
            check_staff_may(None, status, assignee, ME, admin)
