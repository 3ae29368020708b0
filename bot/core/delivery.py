"""How the core reaches staff live: who is there to take a conversation, and the inbox's updates.
The gateway's WebSocket hub is one. (Customers are reached through their channel: bot.core.channels.)"""

from __future__ import annotations

from typing import Any, Protocol


class StaffDelivery(Protocol):
    @property
    def staff_online(self) -> int:
        """How many staff members are there to take a conversation now."""

    async def to_staff(self, event: dict[str, Any]) -> None:
        """To every staff member with the inbox open."""
