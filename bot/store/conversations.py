"""Conversations as the gateway and the inbox use them: messages in and out, handoffs, notes, ratings.

Every method is one transaction. State changes go through bot.handoff's transition table, with
the conversation's row locked (PostgreSQL) or the database write-locked (SQLite), so two staff
members cannot claim the same conversation; each transition's effects are applied here, in the
same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.orm import aliased

from bot.handoff import STATES, TRANSITIONS, Effect, Event, Status, transition
from bot.store.database import Session, insert_for
from bot.store.models import Conversation, Customer, Handoff, Message, Note, Rating, now

# The statuses a conversation closes from after going quiet (the assistant has it).
CLOSABLE = tuple(status for status, event in TRANSITIONS if event == Event.CLOSE)


def _goes_quiet(conversation: Conversation, idle_before: datetime | None) -> bool:
    return (
        idle_before is not None
        and conversation.status in CLOSABLE
        and conversation.last_message_at < idle_before
    )


@dataclass(frozen=True)
class Intake:
    """A customer's message as taken in: its conversation, the message stored (or, for a
    duplicate, the one stored before), and the intent of the customer's message before it."""

    conversation: Conversation
    message: Message
    previous_intent: str | None
    duplicate: bool = False


class NotFound(Exception):
    """No such conversation (or it is not the caller's to see)."""


@dataclass(frozen=True)
class Transcript:
    conversation: Conversation
    messages: list[Message]
    handoffs: list[Handoff]
    notes: list[Note]
    ratings: list[Rating]


@dataclass(frozen=True)
class SearchFilters:
    channel: str | None = None
    status: str | None = None
    escalated: bool | None = None
    rating: int | None = None
    intent: str | None = None
    text: str | None = None
    since: datetime | None = None
    until: datetime | None = None


class Conversations:
    def __init__(self, sessions: async_sessionmaker[Session]):
        self._sessions = sessions

    # --- customers and messages ----------------------------------------------------------------

    async def open_for(
        self, channel: str, external_id: str, name: str | None = None, idle_before: datetime | None = None
    ) -> Conversation:
        """The customer's conversation on ``channel``: created, with the customer, the first time,
        and again when the last one is closed, or goes quiet since before ``idle_before`` while the
        assistant has it (it is closed then, in the same transaction)."""
        async with self._sessions.begin() as session:
            return await _open(session, channel, external_id, name, idle_before)

    async def latest_for(self, channel: str, external_id: str) -> Conversation | None:
        """The customer's latest conversation on ``channel``, if they have one (nothing is created)."""
        async with self._sessions() as session:
            return await session.scalar(
                select(Conversation)
                .join(Customer)
                .where(Customer.channel == channel, Customer.external_id == external_id)
                .order_by(Conversation.id.desc())
                .limit(1)
            )

    async def take_in(
        self,
        channel: str,
        external_id: str,
        text: str,
        payload: dict[str, Any],
        name: str | None = None,
        idle_before: datetime | None = None,
        client_id: str | None = None,
    ) -> Intake:
        """A customer's message stored, in one transaction: their conversation (as ``open_for``
        finds or starts it), the message, and what the assistant understood their message before
        as (for the escalation rules). A message whose ``client_id`` (the channel's id for it)
        was taken in before is not stored again: the earlier one comes back, as a duplicate."""
        async with self._sessions.begin() as session:
            conversation = await _open(session, channel, external_id, name, idle_before)
            if client_id is not None:
                earlier = await session.scalar(
                    select(Message).where(
                        Message.conversation_id == conversation.id, Message.client_id == client_id
                    )
                )
                if earlier is not None:
                    return Intake(conversation, earlier, None, duplicate=True)
            previous = await session.scalar(
                select(Message.intent)
                .where(Message.conversation_id == conversation.id, Message.sender == "customer")
                .order_by(Message.id.desc())
                .limit(1)
            )
            message = _message(conversation.id, "customer", text, payload, None)
            message.client_id = client_id
            await _add(session, conversation.id, [message])
            return Intake(conversation, message, previous)

    async def offered_payloads(self, conversation_id: int, before: int) -> list[str]:
        """The payloads of the buttons in the last message said to the customer before message
        ``before`` (none if it had none)."""
        async with self._sessions() as session:
            payload = await session.scalar(
                select(Message.payload)
                .where(
                    Message.conversation_id == conversation_id,
                    Message.id < before,
                    Message.sender != "customer",
                )
                .order_by(Message.id.desc())
                .limit(1)
            )
        buttons = (payload or {}).get("buttons") or []
        return [str(button.get("payload")) for button in buttons if isinstance(button, dict)]

    async def last_notice(self, conversation_id: int, notice: str) -> dict[str, Any] | None:
        """The payload of the latest of the core's own notices of this kind (``{"notice": kind,
        ...}``) among the conversation's last messages to the customer, if any."""
        async with self._sessions() as session:
            payloads = await session.scalars(
                select(Message.payload)
                .where(Message.conversation_id == conversation_id, Message.sender == "system")
                .order_by(Message.id.desc())
                .limit(20)
            )
            return next((p for p in payloads if (p or {}).get("notice") == notice), None)

    async def queue_position(self, conversation_id: int) -> int:
        """Where the conversation stands in the staff queue: 1 is next."""
        async with self._sessions() as session:
            waiting = await session.get(Conversation, conversation_id)
            if waiting is None or waiting.waiting_since is None:
                return 1
            ahead = await session.scalar(
                select(func.count())
                .select_from(Conversation)
                .where(
                    Conversation.in_status(Status.WAITING),
                    or_(
                        Conversation.waiting_since < waiting.waiting_since,
                        (Conversation.waiting_since == waiting.waiting_since)
                        & (Conversation.id < waiting.id),
                    ),
                )
            )
            return (ahead or 0) + 1

    async def last_from_customer(self, conversation_id: int) -> Message | None:
        """The customer's latest message in the conversation."""
        async with self._sessions() as session:
            return await session.scalar(
                select(Message)
                .where(Message.conversation_id == conversation_id, Message.sender == "customer")
                .order_by(Message.id.desc())
                .limit(1)
            )

    async def last_heard(self, customer_id: int) -> datetime | None:
        """When the customer last wrote, in any of their conversations on their channel."""
        async with self._sessions() as session:
            return await session.scalar(
                select(func.max(Message.created_at))
                .join(Conversation, Conversation.id == Message.conversation_id)
                .where(Conversation.customer_id == customer_id, Message.sender == "customer")
            )

    async def replies_to(self, message: Message) -> list[Message]:
        """What was said to the customer after ``message`` and before their next one."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(Message)
                .where(Message.conversation_id == message.conversation_id, Message.id > message.id)
                .order_by(Message.id)
            )
            replies = []
            for row in rows:
                if row.sender == "customer":
                    break
                replies.append(row)
            return replies

    async def close_idle(self, idle_before: datetime) -> int:
        """Close every conversation the assistant has that went quiet before ``idle_before``; how many."""
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(Conversation)
                .where(Conversation.in_status(*CLOSABLE), Conversation.last_message_at < idle_before)
                .values(owner=STATES[Status.CLOSED].owner, lifecycle=STATES[Status.CLOSED].lifecycle)
            )
            return result.rowcount or 0

    async def add_message(
        self,
        conversation_id: int,
        sender: str,
        text: str,
        payload: dict[str, Any] | None = None,
        agent_id: int | None = None,
    ) -> Message:
        """Store one message (direction follows from the sender) and bump the conversation."""
        message = _message(conversation_id, sender, text, payload, agent_id)
        async with self._sessions.begin() as session:
            await _add(session, conversation_id, [message])
        return message

    async def record_turn(
        self, conversation_id: int, message_id: int, intent: str | None, replies: Sequence[dict[str, Any]]
    ) -> tuple[list[Message], Conversation]:
        """The assistant's turn in one transaction: what it understood the customer's message
        ``message_id`` as (kept for search), and its replies (each a payload with its ``text``);
        returns them stored, with the conversation as it is after them."""
        messages = [_message(conversation_id, "bot", reply.get("text") or "", reply) for reply in replies]
        async with self._sessions.begin() as session:
            if intent:
                await session.execute(update(Message).where(Message.id == message_id).values(intent=intent))
            await _add(session, conversation_id, messages)
            conversation = await session.get(Conversation, conversation_id)
        return messages, conversation

    async def get(self, conversation_id: int) -> Conversation:
        async with self._sessions() as session:
            conversation = await session.get(Conversation, conversation_id)
        if conversation is None:
            raise NotFound(f"no conversation {conversation_id}")
        return conversation

    async def message(self, message_id: int) -> Message | None:
        async with self._sessions() as session:
            return await session.get(Message, message_id)

    async def messages(self, conversation_id: int, after: int = 0) -> list[Message]:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(Message)
                .where(Message.conversation_id == conversation_id, Message.id > after)
                .order_by(Message.id)
            )
            return list(rows)

    async def identify(self, channel: str, external_id: str, name: str | None, email: str | None) -> None:
        """What the shop says of its signed-in customer (their name, email) kept on the customer,
        who is created if this is their first visit."""
        async with self._sessions.begin() as session:
            await _write_lock(session)
            customer = await _customer(session, channel, external_id, name)
            customer.name = name or customer.name
            customer.email = email or customer.email

    async def set_email(self, conversation_id: int, email: str) -> None:
        async with self._sessions.begin() as session:
            conversation = await session.get(Conversation, conversation_id)
            conversation.customer.email = email
            conversation.awaiting_email = False
            conversation.email_follow_up = True

    # --- the handoff lifecycle ------------------------------------------------------------------

    async def _locked(self, session: Session, conversation_id: int) -> Conversation:
        conversation = await session.scalar(
            select(Conversation).where(Conversation.id == conversation_id).with_for_update(of=Conversation)
        )
        if conversation is None:
            raise NotFound(f"no conversation {conversation_id}")
        return conversation

    async def _open_handoff(self, session: Session, conversation_id: int) -> Handoff | None:
        return await session.scalar(
            select(Handoff)
            .where(Handoff.conversation_id == conversation_id)
            .order_by(Handoff.id.desc())
            .limit(1)
        )

    async def transition(
        self,
        conversation_id: int,
        event: Event,
        staff_id: int | None = None,
        reason: str | None = None,
        summary: dict[str, Any] | None = None,
        awaiting_email: bool = False,
    ) -> Conversation:
        """Apply ``event``; raises bot.handoff.TransitionError when the table forbids it."""
        async with self._sessions.begin() as session:
            await _write_lock(session)
            conversation = await self._locked(session, conversation_id)
            step = transition(conversation.status, event)
            handoff = await self._open_handoff(session, conversation_id)
            for effect in step.effects:
                if effect == Effect.OPEN_HANDOFF:
                    session.add(
                        Handoff(
                            conversation_id=conversation_id, reason=reason or "rule", summary=summary or {}
                        )
                    )
                    conversation.escalated = True
                    conversation.awaiting_email = awaiting_email
                elif effect == Effect.START_WAITING:
                    conversation.waiting_since = now()
                elif effect == Effect.STOP_WAITING:
                    conversation.waiting_since = None
                elif effect == Effect.ASSIGN:
                    conversation.assignee_id = staff_id
                elif effect == Effect.CLAIM_HANDOFF:
                    handoff.claimed_by, handoff.claimed_at = staff_id, now()
                elif effect == Effect.UNASSIGN:
                    conversation.assignee_id = None
                elif effect == Effect.END_HANDOFF:
                    handoff.resolved_at = now()
                    conversation.awaiting_email = False
            conversation.status = step.target
            await session.flush()
            await session.refresh(conversation)
            return conversation

    async def latest_handoff(self, conversation_id: int) -> Handoff | None:
        async with self._sessions() as session:
            return await self._open_handoff(session, conversation_id)

    async def queue(self) -> list[tuple[Conversation, Handoff]]:
        """Conversations waiting for a person, oldest first, with the handoff that put them there."""
        async with self._sessions() as session:
            other = aliased(Handoff)
            latest = (
                select(func.max(other.id))
                .where(other.conversation_id == Conversation.id)
                .correlate(Conversation)
                .scalar_subquery()
            )
            rows = await session.execute(
                select(Conversation, Handoff)
                .join(Handoff, Handoff.id == latest)
                .where(Conversation.in_status(Status.WAITING))
                .order_by(Conversation.waiting_since, Conversation.id)
            )
            return [(conversation, handoff) for conversation, handoff in rows]

    async def assigned_to(self, staff_id: int) -> list[Conversation]:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(Conversation)
                .where(Conversation.in_status(Status.ASSIGNED), Conversation.assignee_id == staff_id)
                .order_by(Conversation.last_message_at.desc())
            )
            return list(rows)

    # --- notes, ratings, transcripts --------------------------------------------------------------

    async def add_note(self, conversation_id: int, author_id: int, text: str) -> Note:
        async with self._sessions.begin() as session:
            if await session.get(Conversation, conversation_id) is None:
                raise NotFound(f"no conversation {conversation_id}")
            note = Note(conversation_id=conversation_id, author_id=author_id, text=text)
            session.add(note)
        return note

    async def rate(self, conversation_id: int, score: int) -> Rating:
        if not 1 <= score <= 5:
            raise ValueError("a rating is a whole number from 1 to 5")
        async with self._sessions.begin() as session:
            handoff = await self._open_handoff(session, conversation_id)
            rating = Rating(conversation_id=conversation_id, handoff_id=handoff and handoff.id, score=score)
            session.add(rating)
        return rating

    async def transcript(self, conversation_id: int) -> Transcript:
        async with self._sessions() as session:
            conversation = await session.get(Conversation, conversation_id)
            if conversation is None:
                raise NotFound(f"no conversation {conversation_id}")

            async def rows(model, order) -> list:
                result = await session.scalars(
                    select(model).where(model.conversation_id == conversation_id).order_by(order)
                )
                return list(result)

            return Transcript(
                conversation,
                await rows(Message, Message.id),
                await rows(Handoff, Handoff.id),
                await rows(Note, Note.id),
                await rows(Rating, Rating.id),
            )

    async def search(self, filters: SearchFilters, limit: int = 200) -> list[Conversation]:
        """Conversations matching every given filter, most recent first."""
        query = select(Conversation)
        if filters.channel:
            query = query.where(Conversation.channel == filters.channel)
        if filters.status:
            query = query.where(Conversation.in_status(Status(filters.status)))
        if filters.escalated is not None:
            query = query.where(Conversation.escalated == filters.escalated)
        if filters.since:
            query = query.where(Conversation.last_message_at >= filters.since)
        if filters.until:
            query = query.where(Conversation.created_at <= filters.until)
        if filters.rating:
            query = query.where(
                select(Rating.id)
                .where(Rating.conversation_id == Conversation.id, Rating.score == filters.rating)
                .exists()
            )
        if filters.intent:
            query = query.where(
                select(Message.id)
                .where(Message.conversation_id == Conversation.id, Message.intent == filters.intent)
                .exists()
            )
        if filters.text:
            pattern = "%" + filters.text.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"
            query = query.where(
                or_(
                    select(Message.id)
                    .where(
                        Message.conversation_id == Conversation.id,
                        Message.text.ilike(pattern, escape="\\"),
                    )
                    .exists(),
                    Conversation.customer.has(Customer.email.ilike(pattern, escape="\\")),
                )
            )
        async with self._sessions() as session:
            rows = await session.scalars(query.order_by(Conversation.last_message_at.desc()).limit(limit))
            return list(rows)

    async def transcripts(self, ids: Sequence[int]) -> list[Transcript]:
        return [await self.transcript(conversation_id) for conversation_id in ids]


def _message(
    conversation_id: int, sender: str, text: str, payload: dict[str, Any] | None, agent_id: int | None = None
) -> Message:
    return Message(
        conversation_id=conversation_id,
        direction="in" if sender == "customer" else "out",
        sender=sender,
        text=text,
        payload=payload or {},
        agent_id=agent_id,
        created_at=now(),
    )


async def _write_lock(session: Session) -> None:
    """On SQLite, take the database's write lock before reading anything: a transaction that read
    first and writes second fails if another wrote in between. (PostgreSQL locks rows instead.)"""
    if session.bind.dialect.name == "sqlite":
        await session.execute(update(Conversation).where(Conversation.id == -1).values(owner=""))


async def _customer(session: Session, channel: str, external_id: str, name: str | None) -> Customer:
    """The customer, created the first time, and locked until the transaction ends: two first
    messages at once make one customer and one conversation, and the second waits for the first."""
    found = select(Customer).where(Customer.channel == channel, Customer.external_id == external_id)
    customer = await session.scalar(found.with_for_update())
    if customer is None:
        await session.execute(
            insert_for(session)(Customer)
            .values(channel=channel, external_id=external_id, name=name, created_at=now())
            .on_conflict_do_nothing(index_elements=["channel", "external_id"])
        )
        customer = await session.scalar(found.with_for_update())
    return customer


async def _open(
    session: Session, channel: str, external_id: str, name: str | None, idle_before: datetime | None
) -> Conversation:
    await _write_lock(session)
    customer = await _customer(session, channel, external_id, name)
    conversation = await session.scalar(
        select(Conversation)
        .where(Conversation.customer_id == customer.id)
        .order_by(Conversation.id.desc())
        .limit(1)
    )
    if conversation is not None and _goes_quiet(conversation, idle_before):
        conversation.status = transition(conversation.status, Event.CLOSE).target
    if conversation is None or conversation.status == Status.CLOSED:
        conversation = Conversation(customer=customer, channel=channel, status=Status.BOT)
        session.add(conversation)
        await session.flush()
    return conversation


async def _add(session: Session, conversation_id: int, messages: list[Message]) -> None:
    """Add messages to a conversation (in order) and bump its last-message time."""
    if not messages:
        return
    session.add_all(messages)
    await session.flush()  # ids in the order the messages were said
    await session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id)
        .values(last_message_at=messages[-1].created_at)
    )
