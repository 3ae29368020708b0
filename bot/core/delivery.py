"""How the core reaches people live: a channel's open connections to customers, and the staff with
the inbox open. The gateway's WebSocket hub is one; a channel that answers over HTTP gets its
replies in the response instead, and needs nothing here."""

from __future__ import annotations

from typing import Any, Protocol


class Delivery(Protocol):
    @property
    def staff_online(self) -> int:
        """How many staff members are there to take a conversation now."""

    async def to_customer(self, conversation_id: int, event: dict[str, Any]) -> None:
        """To the customer's live connections for this conversation, if any."""

    async def to_staff(self, event: dict[str, Any]) -> None:
        """To every staff member with the inbox open."""
