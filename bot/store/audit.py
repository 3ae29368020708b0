"""The audit log: what staff did (signed in or failed to, claimed, replied, resolved, exported,
changed accounts), by whom, from where, and when. Admins read it in the inbox."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.store.database import Session
from bot.store.models import AuditEvent

ACTIONS = (
    "sign-in",
    "sign-in failed",
    "sign-in throttled",
    "sign-out",
    "claim",
    "release",
    "resolve",
    "reply",
    "note",
    "export",
    "staff added",
    "staff changed",
    "sign-in unlocked",
    "credential made",
    "credential revoked",
)


class Audit:
    def __init__(self, sessions: async_sessionmaker[Session]):
        self._sessions = sessions

    async def record(
        self,
        action: str,
        actor: str,
        address: str | None = None,
        actor_id: int | None = None,
        conversation_id: int | None = None,
        detail: str = "",
    ) -> None:
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action {action!r}")
        async with self._sessions.begin() as session:
            session.add(
                AuditEvent(
                    action=action,
                    actor=actor[:320],
                    actor_id=actor_id,
                    address=(address or "")[:64],
                    conversation_id=conversation_id,
                    detail=detail[:1000],
                )
            )

    async def recent(self, limit: int = 500) -> list[AuditEvent]:
        async with self._sessions() as session:
            rows = await session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit))
            return list(rows)
