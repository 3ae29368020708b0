"""What channels bring and what is sent on them, kept in the store: each webhook event before it is
acknowledged (so a redelivery is recognised and nothing acknowledged is lost), and each message to
send until the channel took it, with its delivery as the channel reports it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.store.database import Session, insert_for
from bot.store.models import ChannelEvent, Outgoing, now

# How far a delivery has come; a report that comes late (delivered after read) changes nothing.
PROGRESS = {"pending": 0, "sent": 1, "delivered": 2, "read": 3}
FAILED = "failed"
# A message being sent is not picked up by another worker (or this one after a crash) for this long.
LEASE = timedelta(minutes=2)


class ChannelEvents:
    def __init__(self, sessions: async_sessionmaker[Session]):
        self._sessions = sessions

    async def keep(self, channel: str, event_id: str, body: dict[str, Any]) -> bool:
        """Keep an event a webhook brought; False when the channel sent it before (a redelivery)."""
        async with self._sessions.begin() as session:
            result = await session.execute(
                insert_for(session)(ChannelEvent)
                .values(channel=channel, event_id=event_id[:300], body=body, received_at=now())
                .on_conflict_do_nothing(index_elements=["channel", "event_id"])
            )
            return bool(result.rowcount)

    async def unhandled(self, channel: str, limit: int = 500) -> list[ChannelEvent]:
        """Events kept but not handled (the gateway stopped in between), oldest first."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(ChannelEvent)
                .where(ChannelEvent.channel == channel, ChannelEvent.handled_at.is_(None))
                .order_by(ChannelEvent.id)
                .limit(limit)
            )
            return list(rows)

    async def handled(self, channel: str, event_id: str) -> None:
        async with self._sessions.begin() as session:
            await session.execute(
                update(ChannelEvent)
                .where(ChannelEvent.channel == channel, ChannelEvent.event_id == event_id[:300])
                .values(handled_at=now())
            )


@dataclass(frozen=True)
class Delivery:
    """How a message to the customer fared on their channel (all its parts together)."""

    status: str
    error: str = ""


class Outbox:
    def __init__(self, sessions: async_sessionmaker[Session]):
        self._sessions = sessions

    async def add(
        self, message_id: int, conversation_id: int, channel: str, recipient: str, parts: Sequence[dict]
    ) -> list[Outgoing]:
        """A message to send, as the channel's parts (in order); due at once."""
        rows = [
            Outgoing(
                message_id=message_id,
                conversation_id=conversation_id,
                channel=channel,
                recipient=recipient,
                part=number,
                body=body,
                next_attempt_at=now(),
                created_at=now(),
                updated_at=now(),
            )
            for number, body in enumerate(parts)
        ]
        async with self._sessions.begin() as session:
            session.add_all(rows)
        return rows

    async def take_due(self, channels: Sequence[str], limit: int = 100) -> list[Outgoing]:
        """Pending messages whose time has come, leased to the caller so no other worker sends
        them meanwhile. A conversation's messages go in order: none is taken while one before it
        still waits for its retry."""
        moment = now()
        async with self._sessions.begin() as session:
            pending = await session.scalars(
                select(Outgoing)
                .where(Outgoing.status == "pending", Outgoing.channel.in_(channels))
                .order_by(Outgoing.id)
                .limit(limit * 4)
            )
            blocked: set[int] = set()
            taken: list[Outgoing] = []
            for row in pending:
                if row.conversation_id in blocked or row.next_attempt_at > moment:
                    blocked.add(row.conversation_id)
                    continue
                leased = await session.execute(
                    update(Outgoing)
                    .where(Outgoing.id == row.id, Outgoing.next_attempt_at == row.next_attempt_at)
                    .values(next_attempt_at=moment + LEASE)
                )
                if leased.rowcount:
                    taken.append(row)
                else:
                    blocked.add(row.conversation_id)
                if len(taken) >= limit:
                    break
            return taken

    async def next_due(self, channels: Sequence[str]) -> datetime | None:
        async with self._sessions() as session:
            return await session.scalar(
                select(Outgoing.next_attempt_at)
                .where(Outgoing.status == "pending", Outgoing.channel.in_(channels))
                .order_by(Outgoing.next_attempt_at)
                .limit(1)
            )

    async def sent(self, outgoing_id: int, external_id: str | None) -> None:
        await self._set(outgoing_id, status="sent", external_id=external_id, attempts=Outgoing.attempts + 1)

    async def retry(self, outgoing_id: int, error: str, at: datetime) -> None:
        await self._set(outgoing_id, next_attempt_at=at, error=error, attempts=Outgoing.attempts + 1)

    async def failed(self, outgoing_id: int, error: str) -> None:
        await self._set(outgoing_id, status=FAILED, error=error, attempts=Outgoing.attempts + 1)

    async def release(self, outgoing_ids: Sequence[int]) -> None:
        """Give back messages taken but not tried: due again now."""
        if outgoing_ids:
            async with self._sessions.begin() as session:
                await session.execute(
                    update(Outgoing).where(Outgoing.id.in_(outgoing_ids)).values(next_attempt_at=now())
                )

    async def _set(self, outgoing_id: int, **values: Any) -> None:
        async with self._sessions.begin() as session:
            await session.execute(
                update(Outgoing).where(Outgoing.id == outgoing_id).values(updated_at=now(), **values)
            )

    async def reported(self, channel: str, external_id: str, status: str, error: str = "") -> Outgoing | None:
        """The channel reports how a message it took fared (sent, delivered, read or failed, in
        any order, several at once); returns the message when that changed what staff see. One
        conditional update, so two reports at once cannot undo each other."""
        if status == FAILED:
            earlier = list(PROGRESS)
            values: dict[str, Any] = {"status": FAILED, "error": error or "the channel could not deliver it"}
        elif status in PROGRESS:
            earlier = [name for name, rank in PROGRESS.items() if rank < PROGRESS[status]]
            values = {"status": status}
        else:
            return None
        mine = (Outgoing.channel == channel, Outgoing.external_id == external_id)
        async with self._sessions.begin() as session:
            changed = await session.execute(
                update(Outgoing).where(*mine, Outgoing.status.in_(earlier)).values(updated_at=now(), **values)
            )
            if not changed.rowcount:
                return None
            return await session.scalar(select(Outgoing).where(*mine))

    async def deliveries(self, message_ids: Sequence[int]) -> dict[int, Delivery]:
        """How each of these messages fared (those sent through the outbox): failed if any part
        failed, else the least far any part has come."""
        if not message_ids:
            return {}
        async with self._sessions() as session:
            rows = await session.scalars(
                select(Outgoing).where(Outgoing.message_id.in_(message_ids)).order_by(Outgoing.id)
            )
            parts: dict[int, list[Outgoing]] = {}
            for row in rows:
                parts.setdefault(row.message_id, []).append(row)
        return {message_id: _together(rows) for message_id, rows in parts.items()}


def _together(parts: list[Outgoing]) -> Delivery:
    failed = [part for part in parts if part.status == FAILED]
    if failed:
        return Delivery(FAILED, failed[0].error)
    least = min(parts, key=lambda part: PROGRESS.get(part.status, 0))
    return Delivery(least.status, least.error if least.status == "pending" else "")
