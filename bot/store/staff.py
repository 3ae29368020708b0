"""Staff accounts and their signed-in sessions. Passwords are kept only as argon2 hashes, session
tokens only as SHA-256 hashes."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.store.database import Session
from bot.store.models import StaffSession, StaffUser, now

ROLES = ("agent", "admin")
MIN_PASSWORD = 10
_hasher = PasswordHasher()
# Verified against when the email is unknown, so a wrong email takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password")


# Hashing and checking a password costs about a tenth of a second of CPU: it runs in a thread of
# its own, beside the event loop (which keeps answering customers), one at a time (so that a flood
# of sign-ins takes one core at most).
_PASSWORDS = ThreadPoolExecutor(max_workers=1, thread_name_prefix="passwords")


async def _beside_the_loop(work, *arguments):
    return await asyncio.get_running_loop().run_in_executor(_PASSWORDS, work, *arguments)


def _matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


class StaffError(ValueError):
    """A staff account cannot be created as asked; the message says why."""


@dataclass(frozen=True)
class SignedIn:
    user: StaffUser
    csrf_token: str
    session: str  # the session's id (its token's hash): what live connections are closed by
    expires_at: datetime


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Staff:
    def __init__(self, sessions: async_sessionmaker[Session]):
        self._sessions = sessions

    async def create(self, email: str, name: str, role: str, password: str) -> StaffUser:
        email = email.strip().lower()
        if role not in ROLES:
            raise StaffError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        if "@" not in email:
            raise StaffError(f"{email!r} is not an email address")
        if len(password) < MIN_PASSWORD:
            raise StaffError(f"the password must have at least {MIN_PASSWORD} characters")
        password_hash = await _beside_the_loop(_hasher.hash, password)
        user = StaffUser(email=email, name=name.strip() or email, role=role, password_hash=password_hash)
        try:
            async with self._sessions.begin() as session:
                session.add(user)
        except IntegrityError:
            raise StaffError(f"there is already a staff member with the email {email}") from None
        return user

    async def all(self) -> list[StaffUser]:
        async with self._sessions() as session:
            return list(await session.scalars(select(StaffUser).order_by(StaffUser.name)))

    async def change(self, email: str, role: str, active: bool) -> StaffUser:
        """Give a staff member another role, or take their access away (``active`` false) or give
        it back; their sign-ins end (they sign in again with what they may do now). The last
        active admin stays one."""
        if role not in ROLES:
            raise StaffError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        async with self._sessions.begin() as session:
            user = await session.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower()))
            if user is None:
                raise StaffError(f"there is no staff member with the email {email}")
            if user.role == "admin" and user.active and (role != "admin" or not active):
                others = await session.scalar(
                    select(func.count())
                    .select_from(StaffUser)
                    .where(StaffUser.role == "admin", StaffUser.active, StaffUser.id != user.id)
                )
                if not others:
                    raise StaffError(f"{user.email} is the last admin: make someone else an admin first")
            user.role, user.active = role, active
            await session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))
        return user

    async def count_admins(self) -> int:
        async with self._sessions() as session:
            return len(list(await session.scalars(select(StaffUser.id).where(StaffUser.role == "admin"))))

    async def authenticate(self, email: str, password: str) -> StaffUser | None:
        async with self._sessions() as session:
            user = await session.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower()))
        if not await _beside_the_loop(_matches, user.password_hash if user else _DUMMY_HASH, password):
            return None
        return user if user and user.active else None

    async def sign_in(self, user: StaffUser, hours: float) -> tuple[str, str]:
        """A new session for ``user``: (cookie token, CSRF token)."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        async with self._sessions.begin() as session:
            await session.execute(delete(StaffSession).where(StaffSession.expires_at < now()))
            session.add(
                StaffSession(
                    token_hash=_digest(token),
                    user_id=user.id,
                    csrf_token=csrf,
                    expires_at=now() + timedelta(hours=hours),
                )
            )
        return token, csrf

    async def signed_in(self, token: str) -> SignedIn | None:
        async with self._sessions() as session:
            found = await session.get(StaffSession, _digest(token))
        if found is None or found.expires_at <= now() or not found.user.active:
            return None
        return SignedIn(found.user, found.csrf_token, found.token_hash, found.expires_at)

    async def sign_out(self, token: str) -> None:
        async with self._sessions.begin() as session:
            await session.execute(delete(StaffSession).where(StaffSession.token_hash == _digest(token)))
