"""What every channel webhook does with what it brings: keep each event in the store (a
redelivery, known by the platform's id for it, is not kept twice), acknowledge at once, and handle
it in the background; events kept but not handled when the gateway stopped are handled when it
starts again. And what every platform then does with a customer's message: their file kept for
staff, the message handed to the core (``take_in``)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import aiohttp

from bot.core.intake import Duplicate, Incoming, MessageRejected
from bot.core.router import Router
from bot.store.media import MediaFiles
from bot.store.outbox import ChannelEvents

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], Awaitable[None]]


class Inbound:
    def __init__(self, events: ChannelEvents):
        self._events = events
        self._handlers: dict[str, Handler] = {}
        self._running: set[asyncio.Task] = set()
        # The last event taken of each customer: theirs are handled one after another, in order.
        self._last: dict[tuple[str, str], asyncio.Task] = {}

    def add(self, channel: str, handler: Handler) -> None:
        self._handlers[channel] = handler

    async def take(
        self, channel: str, event_id: str, body: dict[str, Any], customer: str | None = None
    ) -> bool:
        """Keep one event and start handling it (after the customer's earlier ones, if it is
        theirs); False when it came before (nothing is done)."""
        if not await self._events.keep(channel, event_id, {"customer": customer, "body": body}):
            return False
        self._start(channel, event_id, body, customer)
        return True

    def _start(self, channel: str, event_id: str, body: dict[str, Any], customer: str | None) -> None:
        key = (channel, customer) if customer is not None else None
        earlier = self._last.get(key) if key is not None else None
        task = asyncio.create_task(self._handle(channel, event_id, body, earlier))
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        if key is not None:
            self._last[key] = task
            task.add_done_callback(lambda done: self._last.pop(key) if self._last.get(key) is done else None)

    async def _handle(
        self, channel: str, event_id: str, body: dict[str, Any], earlier: asyncio.Task | None
    ) -> None:
        if earlier is not None:
            await asyncio.gather(earlier, return_exceptions=True)
        try:
            await self._handlers[channel](body)
        except Exception:  # kept in the store; logged for the shop to see why
            log.exception("handling %s event %s failed", channel, event_id)
        await self._events.handled(channel, event_id)

    async def resume(self) -> int:
        """Handle what was kept and not handled before the last stop; how many."""
        count = 0
        for channel in self._handlers:
            for event in await self._events.unhandled(channel):
                self._start(channel, event.event_id, event.body.get("body", {}), event.body.get("customer"))
                count += 1
        return count

    async def settle(self) -> None:
        """Wait for the events being handled (tests, and a stop that lets them finish)."""
        while self._running:
            await asyncio.gather(*list(self._running), return_exceptions=True)

    async def close(self) -> None:
        for task in list(self._running):
            task.cancel()
        await asyncio.gather(*list(self._running), return_exceptions=True)


Fetch = Callable[[dict[str, Any]], Awaitable[bytes]]


def downloading(http: aiohttp.ClientSession, **credentials: Any) -> Fetch:
    """Getting an attachment from its ``media_url``, with the platform's credentials (``auth=``
    or ``headers=``, as aiohttp takes them)."""

    async def fetch(attachment: dict[str, Any]) -> bytes:
        async with http.get(str(attachment["media_url"]), **credentials) as response:
            response.raise_for_status()
            return await response.read()

    return fetch


async def with_media(incoming: Incoming, fetch: Fetch, media: MediaFiles) -> Incoming:
    """The message with its picture or file kept for staff (``fetch`` gets it from the platform);
    when that fails, the message goes on without it, saying why."""
    if incoming.attachment is None:
        return incoming
    attachment = dict(incoming.attachment)
    try:
        attachment["stored"] = media.keep(await fetch(attachment), attachment.get("mime_type"))
    except Exception as problem:  # the platform's errors, the network's, the disk's
        log.warning("a %s attachment could not be kept: %r", incoming.channel, problem)
        attachment["not_stored"] = str(problem) or type(problem).__name__
    return replace(incoming, attachment=attachment)


async def take_in(router: Router, incoming: Incoming) -> None:
    """A customer's message to the core; what it answers goes out through the outbox."""
    try:
        await router.receive(incoming)
    except Duplicate:
        pass  # taken in before (under another update): answered then
    except MessageRejected as rejected:
        log.warning("a %s message from a customer was not taken in: %s", incoming.channel, rejected)
        await router.refused(incoming, rejected)
