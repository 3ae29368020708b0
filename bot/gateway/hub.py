"""Live updates over WebSocket: to staff with the inbox open, and to customers in the web chat."""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiohttp import WSCloseCode, web


@dataclass(frozen=True)
class StaffSocket:
    staff_id: int
    session: str  # the sign-in it belongs to: signing out closes it
    expires_at: datetime  # when that sign-in ends: the socket is closed then too


class Hub:
    # A staff socket that stops answering pings is closed within this many seconds (and then no
    # longer counts as someone online); customers' sockets are pinged as often.
    HEARTBEAT = 20.0

    def __init__(self) -> None:
        self._staff: dict[web.WebSocketResponse, StaffSocket] = {}
        self._customers: dict[int, set[web.WebSocketResponse]] = defaultdict(set)

    # --- staff --------------------------------------------------------------------------------

    def add_staff(self, socket: web.WebSocketResponse, staff: StaffSocket) -> None:
        self._staff[socket] = staff

    def remove_staff(self, socket: web.WebSocketResponse) -> None:
        self._staff.pop(socket, None)

    @property
    def staff_online(self) -> int:
        """How many staff members have the inbox open (on a socket that still answers)."""
        return len({staff.staff_id for socket, staff in self._staff.items() if not socket.closed})

    async def sign_out(self, session: str) -> None:
        """Close the live connections of a sign-in that ended."""
        await self._close_staff([socket for socket, staff in self._staff.items() if staff.session == session])

    async def staff_changed(self, staff_id: int) -> None:
        """Close a staff member's live connections: their role or access changed."""
        await self._close_staff(
            [socket for socket, staff in self._staff.items() if staff.staff_id == staff_id]
        )

    async def close_expired(self, now: datetime) -> None:
        """Close the live connections whose sign-in has expired."""
        await self._close_staff([socket for socket, staff in self._staff.items() if staff.expires_at <= now])

    async def _close_staff(self, sockets: list[web.WebSocketResponse]) -> None:
        for socket in sockets:
            self._staff.pop(socket, None)
        await asyncio.gather(
            *(socket.close(code=WSCloseCode.POLICY_VIOLATION, message=b"signed out") for socket in sockets)
        )

    async def to_staff(self, event: dict[str, Any]) -> None:
        await self._send(list(self._staff), event)

    # --- customers ----------------------------------------------------------------------------

    def add_customer(self, socket: web.WebSocketResponse, conversation_id: int) -> None:
        self._customers[conversation_id].add(socket)

    def remove_customer(self, socket: web.WebSocketResponse, conversation_id: int) -> None:
        sockets = self._customers.get(conversation_id)
        if sockets is not None:
            sockets.discard(socket)
            if not sockets:
                del self._customers[conversation_id]

    async def to_customer(self, conversation_id: int, event: dict[str, Any]) -> None:
        await self._send(list(self._customers.get(conversation_id, ())), event)

    # --- both ---------------------------------------------------------------------------------

    async def _send(self, sockets: list[web.WebSocketResponse], event: dict[str, Any]) -> None:
        async def one(socket: web.WebSocketResponse) -> None:
            # A socket that went away is dropped by its own handler; nothing to do here.
            with contextlib.suppress(ConnectionError, RuntimeError):
                await socket.send_json(event)

        await asyncio.gather(*(one(socket) for socket in sockets if not socket.closed))

    async def close(self) -> None:
        sockets = list(self._staff) + [s for group in self._customers.values() for s in group]
        await asyncio.gather(
            *(socket.close(code=WSCloseCode.GOING_AWAY, message=b"server shutdown") for socket in sockets)
        )
        self._staff.clear()
        self._customers.clear()
