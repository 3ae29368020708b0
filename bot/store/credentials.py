"""Channel API credentials: one per integration (a shop's app, a bridge to another platform), each
allowed one channel, and only that channel's conversations. Only a hash of each token is stored;
the token is shown once, when it is made. Admins make and revoke them (CLI and inbox).

The ``web`` channel has none: web-chat visitors are known by the gateway's own signed cookie, and
nobody may post as them with a credential.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.store.database import Session
from bot.store.models import ChannelCredential, now

NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
# Channels whose customers are known by the gateway itself (the web chat's signed cookie, the
# platforms' signed webhooks): nobody may post as them with a credential.
RESERVED_CHANNELS = frozenset({"web", "whatsapp", "twilio", "slack", "email"})
# Tokens are looked up in memory (every API request needs one); revocations reach it this fast.
CACHE_SECONDS = 5.0


class CredentialError(ValueError):
    """A credential cannot be made or revoked as asked; the message says why."""


@dataclass(frozen=True)
class Credential:
    name: str
    channel: str


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Credentials:
    def __init__(self, sessions: async_sessionmaker[Session]):
        self._sessions = sessions
        self._known: dict[str, Credential] = {}
        self._loaded_at = -CACHE_SECONDS

    async def create(self, name: str, channel: str, token: str | None = None) -> str:
        """A new credential for ``channel``; returns its token (given, or made up), which is not
        kept anywhere in clear."""
        name, channel = name.strip().lower(), channel.strip().lower()
        for what, value in (("name", name), ("channel", channel)):
            if not NAME.match(value):
                raise CredentialError(
                    f"the {what} must be lower-case letters, digits, '-' or '_' (at most 40), not {value!r}"
                )
        if channel in RESERVED_CHANNELS:
            raise CredentialError(
                f"the {channel!r} channel takes no credential: its customers are known by the gateway itself"
            )
        token = token or secrets.token_urlsafe(32)
        async with self._sessions.begin() as session:
            if await _active_named(session, name) is not None:
                raise CredentialError(f"there is already a credential named {name!r}: revoke it first")
            session.add(ChannelCredential(name=name, channel=channel, token_hash=digest(token)))
        self._loaded_at = -CACHE_SECONDS
        return token

    async def ensure(self, name: str, channel: str, token: str) -> None:
        """The credential ``name`` holds ``token`` (the default one, from the settings or the data
        folder's token file): made if missing, replaced if the token changed."""
        async with self._sessions.begin() as session:
            active = await _active_named(session, name)
            if active is not None and active.token_hash == digest(token) and active.channel == channel:
                return
            if active is not None:
                active.revoked_at = now()
            session.add(ChannelCredential(name=name, channel=channel, token_hash=digest(token)))
        self._loaded_at = -CACHE_SECONDS

    async def revoke(self, name: str) -> None:
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(ChannelCredential)
                .where(ChannelCredential.name == name.strip().lower(), ChannelCredential.revoked_at.is_(None))
                .values(revoked_at=now())
            )
        if not result.rowcount:
            raise CredentialError(f"no credential named {name!r}")
        self._loaded_at = -CACHE_SECONDS

    async def active(self) -> list[ChannelCredential]:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(ChannelCredential)
                .where(ChannelCredential.revoked_at.is_(None))
                .order_by(ChannelCredential.name)
            )
            return list(rows)

    async def find(self, token: str) -> Credential | None:
        """The credential a bearer token is, if it is an active one."""
        if time.monotonic() - self._loaded_at >= CACHE_SECONDS:
            self._known = {row.token_hash: Credential(row.name, row.channel) for row in await self.active()}
            self._loaded_at = time.monotonic()
        return self._known.get(digest(token))


async def _active_named(session: Session, name: str) -> ChannelCredential | None:
    return await session.scalar(
        select(ChannelCredential).where(
            ChannelCredential.name == name, ChannelCredential.revoked_at.is_(None)
        )
    )
