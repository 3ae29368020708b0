"""Talking to the Rasa server over the gateway's own channel (bot/rasa_server/channel.py, inside Rasa)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import aiohttp


class AssistantUnavailable(Exception):
    """Rasa (or the action server behind it) did not answer in time or answered with an error."""


@dataclass(frozen=True)
class AssistantTurn:
    """What the assistant made of one customer message."""

    intent: str | None  # what Rasa understood the message as (kept for transcript search)
    replies: list[dict[str, Any]]  # the bot's messages, as Rasa's REST channel shapes them
    # The assistant's request for a person ({"reason", "summary"}), if it made one this turn.
    handoff: dict[str, Any] | None = None


# How often a message waiting for the Rasa server to come up (or back) tries again.
RETRY_EVERY = 0.25


class NotReady(Exception):
    """The Rasa server is not listening yet, or has no model loaded yet."""


class RasaClient:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str,
        timeout_seconds: float,
        secret: str | None = None,
    ):
        self._session = session
        self._webhook = f"{base_url}/webhooks/gateway/webhook"
        self._timeout_seconds = timeout_seconds
        # The Rasa server's gateway channel answers only who shows the shared secret.
        self._headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    async def _post(self, body: dict[str, Any], deadline: float) -> Any:
        """One try: Rasa's answer; NotReady while it starts; AssistantUnavailable otherwise."""
        left = max(deadline - asyncio.get_running_loop().time(), 0.01)
        try:
            async with self._session.post(
                self._webhook, json=body, headers=self._headers, timeout=aiohttp.ClientTimeout(total=left)
            ) as response:
                if response.status == 503:
                    raise NotReady("no model loaded yet")
                if response.status != 200:
                    raise AssistantUnavailable(f"Rasa answered {response.status}")
                return await response.json()
        except aiohttp.ClientConnectorError as error:
            raise NotReady(f"not listening: {error}") from None
        except (TimeoutError, aiohttp.ClientError, ValueError) as error:
            raise AssistantUnavailable(f"Rasa did not answer: {error!r}") from error

    async def send(self, sender: str, text: str, metadata: dict[str, Any]) -> AssistantTurn:
        """The assistant's turn after ``text`` from ``sender`` (Rasa's conversation id)."""
        body = {"sender": sender, "message": text, "metadata": metadata}
        deadline = asyncio.get_running_loop().time() + self._timeout_seconds
        while True:
            try:
                answer = await self._post(body, deadline)
                break
            except NotReady as starting:
                # Starting or restarting: the message waits for it, up to the usual timeout.
                if asyncio.get_running_loop().time() + RETRY_EVERY >= deadline:
                    raise AssistantUnavailable(f"Rasa is not ready: {starting}") from None
                await asyncio.sleep(RETRY_EVERY)
        replies = answer.get("messages") if isinstance(answer, dict) else None
        if not isinstance(replies, list):
            raise AssistantUnavailable("Rasa's answer has no list of messages")
        if not replies:
            # Every turn of our assistant says something; silence means a custom action failed
            # (the action server is down or erred) and the customer would be left hanging.
            raise AssistantUnavailable("Rasa answered nothing (is the action server up?)")
        intent = answer.get("intent")
        handoff = answer.get("handoff")
        return AssistantTurn(
            intent if isinstance(intent, str) else None,
            replies,
            handoff if isinstance(handoff, dict) else None,
        )
