"""The tables, as a shop talks about them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, ColumnElement, ForeignKey, Index, String, Text, UniqueConstraint, and_, or_
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import DateTime, TypeDecorator

from bot.handoff import STATES, Lifecycle, Owner, Status, status_of


def now() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator):
    """Timestamps stored with their zone where the database can, and always read back in UTC
    (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("timestamps must carry a time zone")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    type_annotation_map: ClassVar = {datetime: UtcDateTime(), dict[str, Any]: JSON()}


class StaffUser(Base):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))  # agent | admin
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=now)


class StaffSession(Base):
    """A signed-in browser. Only the token's hash is stored; the cookie holds the token."""

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=now)
    expires_at: Mapped[datetime]

    user: Mapped[StaffUser] = relationship(lazy="joined")


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(40))
    # The customer's id on their channel (a widget visitor id, a phone number, a Slack user).
    external_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(default=now)


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_state_waiting", "lifecycle", "owner", "waiting_since"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(40))
    # Who has it (assistant, queue, person) and where it is in its life (open, resolved, closed):
    # bot.handoff's state machine; only its transitions change them.
    owner: Mapped[str] = mapped_column(String(20), default=Owner.ASSISTANT)
    lifecycle: Mapped[str] = mapped_column(String(20), default=Lifecycle.OPEN)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    escalated: Mapped[bool] = mapped_column(default=False)
    waiting_since: Mapped[datetime | None]
    # Waiting for the customer to leave an email because nobody could answer live.
    awaiting_email: Mapped[bool] = mapped_column(default=False)
    # The customer left that address because nobody could answer: staff replies go there too.
    email_follow_up: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=now)
    last_message_at: Mapped[datetime] = mapped_column(default=now, index=True)

    customer: Mapped[Customer] = relationship(lazy="joined")
    assignee: Mapped[StaffUser | None] = relationship(lazy="joined")

    @property
    def status(self) -> Status:
        return status_of(self.owner, self.lifecycle)

    @status.setter
    def status(self, status: Status) -> None:
        self.owner, self.lifecycle = STATES[status].owner, STATES[status].lifecycle

    @staticmethod
    def in_status(*statuses: Status) -> ColumnElement[bool]:
        """The SQL condition for conversations in any of ``statuses``."""
        return or_(
            *(
                and_(Conversation.owner == STATES[s].owner, Conversation.lifecycle == STATES[s].lifecycle)
                for s in statuses
            )
        )


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_client_id", "conversation_id", "client_id", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    direction: Mapped[str] = mapped_column(String(3))  # in | out
    sender: Mapped[str] = mapped_column(String(10))  # customer | bot | agent | system
    text: Mapped[str] = mapped_column(Text, default="")
    # The message as the channel or Rasa gave it (buttons, product cards, metadata).
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    intent: Mapped[str | None] = mapped_column(String(100), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    # The channel's own id for a customer's message, when it sends one: a message sent again with
    # the same id (a double tap, a redelivery) is the same message.
    client_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=now)


class Handoff(Base):
    __tablename__ = "handoffs"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(String(60))
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    requested_at: Mapped[datetime] = mapped_column(default=now)
    claimed_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    claimed_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]


class Note(Base):
    """Staff-only remarks on a conversation; never shown to the customer."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=now)

    author: Mapped[StaffUser | None] = relationship(lazy="joined")


class ChannelCredential(Base):
    """What an integration shows to use the channel API: one channel, its conversations only."""

    __tablename__ = "channel_credentials"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), index=True)
    channel: Mapped[str] = mapped_column(String(40))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    revoked_at: Mapped[datetime | None]


class AuditEvent(Base):
    """One thing a staff member did (or tried to), for admins to read back."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=now, index=True)
    action: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(320))  # the email given (also when it is nobody's)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    address: Mapped[str] = mapped_column(String(64), default="")  # the client's address
    conversation_id: Mapped[int | None]
    detail: Mapped[str] = mapped_column(Text, default="")


class Rating(Base):
    __tablename__ = "ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    handoff_id: Mapped[int | None] = mapped_column(ForeignKey("handoffs.id", ondelete="SET NULL"))
    score: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=now)


class ChannelEvent(Base):
    """A message or status a channel's webhook brought, kept before it is acknowledged: the
    channel's own id for it makes a redelivery the same event (processed once), and one not yet
    handled when the gateway stopped is handled when it starts again."""

    __tablename__ = "channel_events"
    __table_args__ = (UniqueConstraint("channel", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(40))
    # wamid (WhatsApp), event_id (Slack), MessageSid (Twilio), with the status for a status update.
    event_id: Mapped[str] = mapped_column(String(300))
    body: Mapped[dict[str, Any]] = mapped_column(default=dict)
    received_at: Mapped[datetime] = mapped_column(default=now)
    handled_at: Mapped[datetime | None] = mapped_column(index=True)


class Outgoing(Base):
    """One message to send on a customer's channel (a long reply is several), kept until the
    channel took it: retried with backoff, across restarts, and its delivery followed."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_external", "channel", "external_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(40))
    # Who it goes to on the channel (a WhatsApp number, a Slack channel and thread).
    recipient: Mapped[str] = mapped_column(String(300))
    part: Mapped[int] = mapped_column(default=0)
    body: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # pending (to send) | sent | delivered | read | failed (given up, or the channel said so)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=now)
    # The channel's id for the message once sent (a wamid, a Slack ts, a Twilio SID).
    external_id: Mapped[str | None] = mapped_column(String(300))
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now)
