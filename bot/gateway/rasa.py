"""Talking to the Rasa server over its REST channel."""

from __future__ import annotations

from typing import Any

import aiohttp


class AssistantUnavailable(Exception):
    """Rasa (or the action server behind it) did not answer in time or answered with an error."""


class RasaClient:
    def __init__(self, session: aiohttp.ClientSession, base_url: str, timeout_seconds: float):
        self._session = session
        self._webhook = f"{base_url}/webhooks/rest/webhook"
        self._base_url = base_url
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)

    async def send(self, sender: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        """The assistant's replies to ``text`` from ``sender`` (Rasa's conversation id)."""
        body = {"sender": sender, "message": text, "metadata": metadata}
        try:
            async with self._session.post(self._webhook, json=body, timeout=self._timeout) as response:
                if response.status != 200:
                    raise AssistantUnavailable(f"Rasa answered {response.status}")
                replies = await response.json()
        except (TimeoutError, aiohttp.ClientError, ValueError) as error:
            raise AssistantUnavailable(f"Rasa did not answer: {error!r}") from error
        if not isinstance(replies, list):
            raise AssistantUnavailable("Rasa's reply is not a list of messages")
        if not replies:
            # Every turn of our assistant says something; silence means a custom action failed
            # (the action server is down or erred) and the customer would be left hanging.
            raise AssistantUnavailable("Rasa answered nothing (is the action server up?)")
        return replies

    async def latest_intent(self, sender: str) -> str | None:
        """What Rasa understood the latest message as (for transcript search); None if unknown."""
        url = f"{self._base_url}/conversations/{sender}/tracker"
        try:
            async with self._session.get(url, params={"include_events": "NONE"}, timeout=self._timeout) as r:
                if r.status != 200:
                    return None
                tracker = await r.json()
        except (TimeoutError, aiohttp.ClientError, ValueError):
            return None
        return ((tracker.get("latest_message") or {}).get("intent") or {}).get("name")
