"""Sending on the channels that are webhooks on someone else's platform (WhatsApp, Slack, Twilio):
what the core says to a customer there is stored in the outbox first, then sent by one background
worker, retried with backoff when the platform is away (across restarts: the outbox is in the
store), and given up on in the end, which staff see on the message in the inbox."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any, Protocol

from bot.core.channels import Capabilities
from bot.core.delivery import StaffDelivery
from bot.store.conversations import Conversations
from bot.store.models import Outgoing, now
from bot.store.outbox import Outbox

log = logging.getLogger(__name__)

# Waits before each new attempt at a message the platform did not take, in seconds (about three
# hours in all); after the last, it has failed.
RETRY_AFTER = (5.0, 30.0, 120.0, 600.0, 1800.0, 3600.0, 3600.0)
# The worker looks for due messages at least this often even when nobody wakes it.
IDLE_SECONDS = 30.0


class SendFailed(Exception):
    """The platform did not take a message. ``permanent`` when sending it again cannot help (the
    number does not exist, the reply window is closed, the request is wrong)."""

    def __init__(self, reason: str, permanent: bool = False):
        super().__init__(reason)
        self.permanent = permanent


class Sender(Protocol):
    async def send(self, recipient: str, part: dict[str, Any]) -> str | None:
        """Send one part; returns the platform's id for it (for its delivery reports), or raises
        SendFailed."""


class Sending:
    """The outbox's one worker: sends what is due, channel by channel, each conversation's
    messages in order."""

    def __init__(
        self,
        outbox: Outbox,
        staff: StaffDelivery,
        senders: dict[str, Sender],
        retry_after: Sequence[float] = RETRY_AFTER,
    ):
        self._outbox = outbox
        self._staff = staff
        self._senders = senders
        self.retry_after = tuple(retry_after)
        self._wake = asyncio.Event()
        self._busy = 0

    def wake(self) -> None:
        """Something was added to the outbox: look now."""
        self._wake.set()

    async def run(self) -> None:
        """Send until cancelled."""
        while True:
            try:
                await self.send_due()
                wait = await self._until_next()
            except Exception:  # a database hiccup: try again shortly
                log.exception("sending from the outbox failed")
                wait = IDLE_SECONDS
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=wait)
            self._wake.clear()

    async def _until_next(self) -> float:
        due = await self._outbox.next_due(list(self._senders))
        if due is None:
            return IDLE_SECONDS
        return min(IDLE_SECONDS, max(0.0, (due - now()).total_seconds()))

    async def send_due(self) -> int:
        """One pass over what is due; how many messages it tried."""
        if not self._senders:
            return 0
        self._busy += 1
        try:
            taken = await self._outbox.take_due(list(self._senders))
            by_conversation: dict[int, list[Outgoing]] = {}
            for row in taken:
                by_conversation.setdefault(row.conversation_id, []).append(row)
            await asyncio.gather(*(self._send_in_order(rows) for rows in by_conversation.values()))
            return len(taken)
        finally:
            self._busy -= 1

    async def settle(self) -> None:
        """Return once nothing due is left to send and no pass is under way (tests; a stop)."""
        while await self.send_due() or self._busy:
            await asyncio.sleep(0.01)

    async def _send_in_order(self, rows: list[Outgoing]) -> None:
        for index, row in enumerate(rows):
            if not await self._send(row):
                # The rest wait for it (the next pass sees them blocked behind it).
                await self._outbox.release([later.id for later in rows[index + 1 :]])
                return

    async def _send(self, row: Outgoing) -> bool:
        try:
            external_id = await self._senders[row.channel].send(row.recipient, row.body)
        except SendFailed as failure:
            attempt = row.attempts + 1
            if failure.permanent or attempt > len(self.retry_after):
                await self._outbox.failed(row.id, str(failure))
                log.warning("giving up on message %s to %s: %s", row.message_id, row.channel, failure)
                await self._tell_staff(row, "failed", str(failure))
            else:
                at = now() + timedelta(seconds=self.retry_after[attempt - 1])
                await self._outbox.retry(row.id, str(failure), at)
            return False
        await self._outbox.sent(row.id, external_id)
        await self._tell_staff(row, "sent")
        return True

    async def reported(self, channel: str, external_id: str, status: str, error: str = "") -> None:
        """The platform's delivery report for a message it took (in whatever order they come)."""
        row = await self._outbox.reported(channel, external_id, status, error)
        if row is not None:
            await self._tell_staff(row, row.status, row.error if row.status == "failed" else "")

    async def _tell_staff(self, row: Outgoing, status: str, error: str = "") -> None:
        await self._staff.to_staff(
            {
                "type": "delivery",
                "conversation": row.conversation_id,
                "message": row.message_id,
                "status": status,
                "error": error,
            }
        )


class Queued:
    """A channel whose messages go out through the outbox: ``deliver`` stores them, shaped into
    the platform's parts by ``parts``, for the customer's id on the channel; the worker sends. On
    a ``threaded`` platform (Slack) they go to the thread the customer last wrote in."""

    def __init__(
        self,
        name: str,
        capabilities: Capabilities,
        parts: Callable[[dict[str, Any]], list[dict[str, Any]]],
        outbox: Outbox,
        conversations: Conversations,
        sending: Sending,
        threaded: bool = False,
    ):
        self.name = name
        self._threaded = threaded
        self.capabilities = capabilities
        self._parts = parts
        self._outbox = outbox
        self._conversations = conversations
        self._sending = sending

    async def deliver(self, conversation_id: int, message: dict[str, Any]) -> None:
        parts = self._parts(message)
        if not parts:
            return
        conversation = await self._conversations.get(conversation_id)
        if self._threaded and (thread := await self._thread(conversation_id)):
            parts = [{**part, "thread": thread} for part in parts]
        await self._outbox.add(
            message["id"], conversation_id, self.name, conversation.customer.external_id, parts
        )
        self._sending.wake()

    async def _thread(self, conversation_id: int) -> str | None:
        last = await self._conversations.last_from_customer(conversation_id)
        return (last.payload.get("metadata") or {}).get("thread") if last is not None else None

    async def changed(self, conversation_id: int, state: dict[str, Any]) -> None:
        return None


EMAIL = "email"


class ByEmail:
    """Staff replies to a customer who left an e-mail address because nobody could answer live,
    sent there too, through the outbox (so retried, and a failure shown on the message)."""

    def __init__(self, outbox: Outbox, sending: Sending):
        self._outbox = outbox
        self._sending = sending

    async def follow_up(
        self, conversation_id: int, address: str, message_id: int, text: str, agent: str
    ) -> None:
        part = {"kind": "email", "text": text, "agent": agent}
        await self._outbox.add(message_id, conversation_id, EMAIL, address, [part])
        self._sending.wake()
