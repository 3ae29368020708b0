"""Slack, with slack_sdk: reading what the Events API and Socket Mode bring (direct messages,
mentions of the app, Block Kit button clicks), and sending with its Web API client (text, buttons
and product cards as Block Kit, in the thread the customer wrote in)."""

from __future__ import annotations

import re
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.channels import Capabilities, offered, public_picture, split_text
from bot.core.intake import Incoming
from bot.core.outbox import SendFailed
from bot.settings import Settings

CHANNEL = "slack"
# Where Slack sends events, and clicks on our buttons (the Events API; Socket Mode needs neither).
EVENTS_PATH = "/channels/slack/events"
INTERACTIONS_PATH = "/channels/slack/interactions"
CAPABILITIES = Capabilities()
# A section block's text at most; longer texts go as several messages.
MAX_TEXT = 3000
BUTTON_TEXT = 75
MAX_BUTTONS = 25
MAX_CARDS = 10
MENTION = re.compile(r"<@[A-Z0-9]+>")
# Errors of the Web API that sending again may cure.
TRANSIENT = frozenset(
    {"ratelimited", "service_unavailable", "fatal_error", "internal_error", "request_timeout"}
)


def web_client(settings: Settings, session: aiohttp.ClientSession | None = None) -> AsyncWebClient:
    return AsyncWebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url, session=session)


def signed(signing_secret: str, body: bytes, headers: Any) -> bool:
    """Slack's signature over the raw body, with its timestamp no more than five minutes off."""
    return SignatureVerifier(signing_secret).is_valid(
        body, headers.get("X-Slack-Request-Timestamp"), headers.get("X-Slack-Signature")
    )


# --- reading --------------------------------------------------------------------------------------


def events(payload: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """What the shop acts on in one delivery (Events API or Socket Mode), with the id that makes a
    redelivery the same: an event's event_id, a button click's action_ts."""
    if payload.get("type") == "event_callback" and isinstance(payload.get("event_id"), str):
        event = payload.get("event")
        return [(payload["event_id"], {"event": event})] if isinstance(event, dict) else []
    if payload.get("type") == "block_actions" and isinstance(payload.get("actions"), list):
        return [
            (f"action:{action.get('action_ts')}", {"action": action, "click": payload})
            for action in payload["actions"]
            if isinstance(action, dict)
            and action.get("type") == "button"
            and isinstance(action.get("value"), str)
        ]
    return []


def sender_of(event: dict[str, Any]) -> str | None:
    """Who wrote or clicked (a Slack user id), for handling one person's events in order."""
    if "action" in event:
        user = event["click"].get("user")
        return str(user.get("id")) if isinstance(user, dict) else None
    user = event["event"].get("user")
    return str(user) if user else None


def read(event: dict[str, Any]) -> Incoming | None:
    """A customer's message or button click as the core's message (None for the app's own
    messages, edits and the rest Slack also reports)."""
    if "action" in event:
        click, action = event["click"], event["action"]
        channel = (click.get("channel") or {}).get("id") or (click.get("container") or {}).get("channel_id")
        user = (click.get("user") or {}).get("id")
        if not channel or not user:
            return None
        message = click.get("message") or {}
        thread = message.get("thread_ts") or (click.get("container") or {}).get("thread_ts")
        return _incoming(channel, user, str(action["value"]), f"action:{action.get('action_ts')}", thread)
    message = event["event"]
    kind = message.get("type")
    if message.get("bot_id") or message.get("subtype") not in (None, "file_share") or not message.get("user"):
        return None
    if kind == "message" and message.get("channel_type") == "im":
        thread = message.get("thread_ts")
    elif kind == "app_mention":
        thread = message.get("thread_ts") or message.get("ts")  # answered in the mention's thread
    else:
        return None
    text = MENTION.sub("", message.get("text") or "").strip()
    message_id = message.get("client_msg_id") or message.get("ts")
    return _incoming(message["channel"], message["user"], text, message_id, thread, _file(message, text))


def _file(message: dict[str, Any], text: str) -> dict[str, Any] | None:
    """The first file shared with the message (a screenshot, a document), to keep for staff."""
    files = message.get("files") if message.get("subtype") == "file_share" else None
    shared = files[0] if isinstance(files, list) and files and isinstance(files[0], dict) else None
    if shared is None:
        return None
    mime_type = str(shared.get("mimetype") or "")
    kind = {"image": "image", "audio": "voice note", "video": "video"}.get(
        mime_type.split("/")[0], "document"
    )
    return {
        "kind": kind,
        "media_url": shared.get("url_private_download") or shared.get("url_private"),
        "mime_type": mime_type or None,
        "filename": shared.get("name"),
        "caption": text,
    }


def _incoming(
    channel: str,
    user: str,
    text: str,
    message_id: str | None,
    thread: str | None,
    attachment: dict[str, Any] | None = None,
) -> Incoming:
    return Incoming(
        CHANNEL,
        f"{channel}:{user}",  # one conversation per person per Slack channel (or direct message)
        text,
        {"thread": thread} if thread else {},
        client_message_id=message_id,
        attachment=attachment,
    )


# --- sending --------------------------------------------------------------------------------------


def escaped(text: str) -> str:
    """Text as Slack shows it literally (no <!channel> pings or links made up by the sender)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def parts(message: dict[str, Any], public_url: str | None) -> list[dict[str, Any]]:
    """A message to the customer as Slack messages: its text (in pieces), with its buttons and
    product cards as Block Kit on the last."""
    pieces = split_text(message.get("text") or "", MAX_TEXT) or [""]
    found = [_message(piece) for piece in pieces]
    last = found[-1]
    buttons, products = offered(message)
    last["blocks"] += [
        _card(number, product, public_url) for number, product in enumerate(products[:MAX_CARDS], start=1)
    ]
    if buttons:
        last["blocks"].append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {
                            "type": "plain_text",
                            "text": str(b.get("title") or b["payload"])[:BUTTON_TEXT],
                        },
                        "value": str(b["payload"])[:2000],
                        "action_id": f"choice-{number}",
                    }
                    for number, b in enumerate(buttons[:MAX_BUTTONS])
                ],
            }
        )
    return [part for part in found if part["text"] or part["blocks"]]


def _message(text: str) -> dict[str, Any]:
    blocks = (
        [{"type": "section", "text": {"type": "plain_text", "text": text, "emoji": True}}] if text else []
    )
    return {"kind": "message", "text": escaped(text), "blocks": blocks}


def _card(number: int, product: dict[str, Any], public_url: str | None) -> dict[str, Any]:
    """A product as a Block Kit section, numbered as the text channels number it ("the second one")."""
    price = f" · {product['price']} {product.get('currency') or ''}".rstrip() if product.get("price") else ""
    stock = "" if product.get("in_stock", True) else " · sold out"
    url = str(product.get("url") or "")
    name = escaped(str(product.get("name", "")))
    title = f"*<{escaped(url)}|{name}>*" if url.startswith("http") else f"*{name}*"
    block: dict[str, Any] = {
        "type": "section",
        "text": {"type": "mrkdwn", "text": f"{number}. {title}{escaped(price)}{stock}"},
    }
    if address := public_picture(product, public_url):
        block["accessory"] = {"type": "image", "image_url": address, "alt_text": str(product.get("name", ""))}
    return block


class SlackSender:
    def __init__(self, client: AsyncWebClient):
        self._client = client

    async def send(self, recipient: str, part: dict[str, Any]) -> str | None:
        channel = recipient.split(":", 1)[0]
        thread = {"thread_ts": part["thread"]} if part.get("thread") else {}
        try:
            sent = await self._client.chat_postMessage(
                channel=channel, text=part["text"] or " ", blocks=part["blocks"] or None, **thread
            )
        except SlackApiError as refused:
            error = str(refused.response.get("error", "unknown"))
            transient = error in TRANSIENT or refused.response.status_code >= 500
            raise SendFailed(f"Slack refused it: {error}", not transient) from None
        except (aiohttp.ClientError, TimeoutError) as trouble:
            raise SendFailed(f"Slack's API could not be reached: {trouble!r}") from None
        return str(sent.get("ts") or "") or None
