"""WhatsApp through Twilio, with Twilio's own library: the webhook's X-Twilio-Signature checked by
its RequestValidator over the URL Twilio called (the configured public address, else rebuilt
from the proxy's X-Forwarded-* headers), incoming messages and delivery callbacks read from the
form Twilio posts, and messages sent through its REST client. Twilio's plain messages carry no
buttons or cards: options are numbered and products listed in the text."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import aiohttp
from aiohttp import web
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from bot.core.channels import Capabilities, split_text
from bot.core.intake import Incoming
from bot.core.outbox import SendFailed
from bot.settings import Settings

CHANNEL = "twilio"
TWILIO_API = "https://api.twilio.com"
# Twilio's longest WhatsApp message body.
MAX_TEXT = 1600
# Where Twilio posts incoming messages, and the delivery callbacks of ours.
WEBHOOK_PATH = "/channels/twilio/webhook"
STATUS_PATH = "/channels/twilio/status"
# Twilio's message statuses as the outbox counts them (queued and accepted are not yet sent).
STATUSES = {
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "failed": "failed",
    "undelivered": "failed",
}

CAPABILITIES = Capabilities(buttons=False, cards=False, reply_window=timedelta(hours=24))


def called_url(request: web.Request, public_url: str | None) -> str:
    """The URL Twilio signed: the configured public address with the request's path, or the
    request's own, as the proxy in front of the gateway says it was reached."""
    if public_url:
        return public_url.rstrip("/") + request.path_qs
    scheme = request.headers.get("X-Forwarded-Proto", request.scheme).split(",")[0].strip()
    host = request.headers.get("X-Forwarded-Host", request.host).split(",")[0].strip()
    return f"{scheme}://{host}{request.path_qs}"


def signed(auth_token: str, url: str, form: dict[str, str], signature: str | None) -> bool:
    return bool(signature) and RequestValidator(auth_token).validate(url, form, signature)


def read(form: dict[str, str]) -> Incoming:
    """A message Twilio posted: its sender (whatsapp:+number), text or the quick reply's payload,
    and its first picture or file, if any."""
    attachment = None
    if int(form.get("NumMedia") or 0) > 0:
        kind = (form.get("MediaContentType0") or "file").split("/")[0]
        attachment = {
            "kind": {"audio": "voice note", "application": "document"}.get(kind, kind),
            "media_url": form.get("MediaUrl0"),
            "mime_type": form.get("MediaContentType0"),
            "caption": form.get("Body", ""),
        }
    text = form.get("ButtonPayload") or form.get("Body", "")
    return Incoming(
        CHANNEL,
        form["From"],
        text,
        {},
        name=form.get("ProfileName") or None,
        client_message_id=form.get("MessageSid"),
        attachment=attachment,
    )


def parts(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"kind": "text", "text": piece} for piece in split_text(message.get("text") or "", MAX_TEXT)]


class _Rebased(AsyncTwilioHttpClient):
    """Twilio's HTTP client, sending to another address than api.twilio.com (a proxy, a test)."""

    def __init__(self, base_url: str):
        super().__init__(timeout=15.0)
        self._base_url = base_url.rstrip("/")

    async def request(self, method: str, url: str, *args: Any, **kwargs: Any):
        return await super().request(method, url.replace(TWILIO_API, self._base_url, 1), *args, **kwargs)


def client(settings: Settings) -> Client:
    """Twilio's REST client, asynchronous; close it with ``await client.http_client.close()``."""
    http = (
        AsyncTwilioHttpClient(timeout=15.0)
        if settings.twilio_api_url == TWILIO_API
        else _Rebased(settings.twilio_api_url)
    )
    return Client(settings.twilio_account_sid, settings.twilio_auth_token, http_client=http)


class TwilioSender:
    def __init__(self, twilio: Client, sender: str, status_url: str | None):
        self._twilio = twilio
        self._from = sender
        self._status_url = status_url

    async def send(self, recipient: str, part: dict[str, Any]) -> str | None:
        options = {"status_callback": self._status_url} if self._status_url else {}
        try:
            sent = await self._twilio.messages.create_async(
                to=recipient, from_=self._from, body=part["text"], **options
            )
        except TwilioRestException as refused:
            transient = refused.status == 429 or refused.status >= 500
            raise SendFailed(
                f"Twilio refused it: {refused.msg} (code {refused.code})", not transient
            ) from None
        except (aiohttp.ClientError, TimeoutError) as trouble:
            raise SendFailed(f"Twilio's API could not be reached: {trouble!r}") from None
        return sent.sid
