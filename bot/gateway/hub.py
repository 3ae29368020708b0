"""Live updates over WebSocket: to staff with the inbox open, and to customers in the web chat."""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from typing import Any

from aiohttp import WSCloseCode, web


class Hub:
    def __init__(self) -> None:
        self._staff: dict[web.WebSocketResponse, int] = {}
        self._customers: dict[int, set[web.WebSocketResponse]] = defaultdict(set)

    # --- staff --------------------------------------------------------------------------------

    def add_staff(self, socket: web.WebSocketResponse, staff_id: int) -> None:
        self._staff[socket] = staff_id

    def remove_staff(self, socket: web.WebSocketResponse) -> None:
        self._staff.pop(socket, None)

    @property
    def staff_online(self) -> int:
        """How many staff members have the inbox open."""
        return len(set(self._staff.values()))

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
