"""WhatsApp Cloud API, with pywa: reading webhook updates (text, reply buttons, list replies,
media, delivery statuses) and sending (text in pieces of 4,096 characters, up to three reply
buttons, lists of up to ten rows, product cards as pictures with captions, the approved template).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from pywa.types.templates import TemplateLanguage
from pywa_async import WhatsApp
from pywa_async.errors import WhatsAppError
from pywa_async.types import (
    Button,
    CallbackButton,
    CallbackSelection,
    Message,
    MessageStatus,
    RawUpdate,
    Section,
    SectionList,
    SectionRow,
)

from bot.core.channels import Capabilities, offered, product_line, public_picture, split_text
from bot.core.intake import Incoming
from bot.core.outbox import SendFailed
from bot.settings import Settings

CHANNEL = "whatsapp"
# Where Meta sends the webhook (the verification handshake too).
WEBHOOK_PATH = "/channels/whatsapp/webhook"
MAX_TEXT = 4096  # a text message
MAX_BODY = 1024  # the text of a message with buttons or a list, and a picture's caption
MAX_BUTTONS = 3
BUTTON_TITLE = 20
MAX_ROWS = 10
ROW_TITLE = 24
# Product cards sent as pictures, at most this many for one reply (the rest in the text).
MAX_CARDS = 5
REPLY_WINDOW = timedelta(hours=24)
MEDIA = ("image", "audio", "video", "document", "sticker")
# Errors of the Graph API that sending again may cure (rate limits, Meta's own trouble).
TRANSIENT_CODES = frozenset({1, 2, 4, 80007, 130429, 131000, 131016, 131048, 131056, 133004})


def capabilities(settings: Settings) -> Capabilities:
    return Capabilities(reply_window=REPLY_WINDOW, template=settings.whatsapp_template)


def client(settings: Settings, session: httpx.AsyncClient) -> WhatsApp:
    """pywa's client for the shop's number, over ``session`` (the caller closes it), which goes to
    SUPPORTDESK_WHATSAPP_API_URL."""
    whatsapp = WhatsApp(
        phone_id=settings.whatsapp_phone_id,
        token=settings.whatsapp_token,
        session=session,
        verify_token=settings.whatsapp_verify_token,
        app_secret=settings.whatsapp_app_secret,
        validate_updates=True,
        filter_updates=False,
    )
    # pywa points its session at graph.facebook.com; a proxy (or a test's server) replaces the host.
    session.base_url = str(session.base_url).replace(
        "https://graph.facebook.com", settings.whatsapp_api_url.rstrip("/")
    )
    return whatsapp


# --- reading --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Status:
    """A delivery report: the message the platform took (its wamid) was sent, delivered, read or
    failed (with why)."""

    external_id: str
    status: str
    error: str = ""


def events(body: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The webhook's batch as single updates, each with the id that makes it the same update when
    redelivered: a message's wamid, a status's wamid with the status. Whatever does not have the
    documented shape is left out."""
    found = []
    for entry in _dicts(body.get("entry")):
        for change in _dicts(entry.get("changes")):
            value = change.get("value")
            if change.get("field") != "messages" or not isinstance(value, dict):
                continue
            common = {key: value[key] for key in ("messaging_product", "metadata") if key in value}
            contacts = list(_dicts(value.get("contacts")))
            for message in _dicts(value.get("messages")):
                if isinstance(message.get("id"), str) and isinstance(message.get("from"), str):
                    single = {
                        **common,
                        "contacts": [_contact_of(contacts, message["from"])],
                        "messages": [message],
                    }
                    found.append((message["id"], _wrap(entry, single)))
            for status in _dicts(value.get("statuses")):
                if isinstance(status.get("id"), str) and isinstance(status.get("status"), str):
                    contact = _contact_of(contacts, status.get("recipient_id"))
                    single = {**common, "contacts": [contact], "statuses": [status]}
                    found.append((f"{status['id']}:{status['status']}", _wrap(entry, single)))
    return found


def sender_of(update: dict[str, Any]) -> str | None:
    """Whose message a single update (from ``events``) is; None for a delivery report."""
    messages = update["entry"][0]["changes"][0]["value"].get("messages")
    return messages[0]["from"] if messages else None


def _dicts(items: Any) -> list[dict[str, Any]]:
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _contact_of(contacts: list[dict[str, Any]], sender: str | None) -> dict[str, Any]:
    contact = next((c for c in contacts if c.get("wa_id") == sender), None)
    contact = dict(contact or {"wa_id": sender})
    # Updates from before business-scoped user ids carry the number only (statuses no contact).
    contact.setdefault("user_id", contact.get("wa_id") or sender)
    return contact


def _wrap(entry: dict[str, Any], value: dict[str, Any]) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": str(entry.get("id", "")), "changes": [{"field": "messages", "value": value}]}],
    }


def read(whatsapp: WhatsApp, update: dict[str, Any]) -> Incoming | Status | None:
    """One update (from ``events``) as pywa reads it, as the core's message or a delivery report;
    None for what the shop does not act on (reactions, system notices)."""
    raw = RawUpdate(json.dumps(update).encode(), hmac_header=None, update_hash="")
    value = raw.value
    if "statuses" in value:
        status = MessageStatus.from_update(client=whatsapp, update=raw)
        error = status.error.message if status.error is not None else ""
        return Status(status.id, str(status.status), error)
    message = value["messages"][0]
    if message.get("type") == "interactive":
        kind = (message.get("interactive") or {}).get("type")
        if kind in ("button_reply", "list_reply"):
            chosen = (CallbackButton if kind == "button_reply" else CallbackSelection).from_update(
                client=whatsapp, update=raw
            )
            return _incoming(chosen.from_user, chosen.id, chosen.data, {"title": chosen.title})
        return None
    typed = Message.from_update(client=whatsapp, update=raw)
    if typed.text is not None:
        return _incoming(typed.from_user, typed.id, typed.text, {})
    kind = next((name for name in MEDIA if getattr(typed, name, None) is not None), None)
    if kind is None:
        return None
    media = getattr(typed, kind)
    attachment = {
        "kind": "voice note" if kind == "audio" and getattr(media, "voice", False) else kind,
        "media_id": media.id,
        "mime_type": getattr(media, "mime_type", None),
        "caption": typed.caption or "",
        "filename": getattr(media, "filename", None),
    }
    return _incoming(typed.from_user, typed.id, typed.caption or "", {}, attachment)


def _incoming(
    user: Any, wamid: str, text: str, metadata: dict[str, Any], attachment: dict[str, Any] | None = None
) -> Incoming:
    return Incoming(
        CHANNEL,
        user.wa_id or user.bsuid,
        text,
        metadata,
        name=user.name,
        client_message_id=wamid,
        attachment=attachment,
    )


# --- sending --------------------------------------------------------------------------------------


def parts(message: dict[str, Any], public_url: str | None, template_language: str) -> list[dict[str, Any]]:
    """A message to the customer (``channel_view``) as WhatsApp messages: the approved template;
    or the text (in pieces), its buttons on the last piece (a list when more than three), then its
    product cards as pictures."""
    if message.get("template"):
        return [{"kind": "template", "name": message["template"], "language": template_language}]
    text = message.get("text") or ""
    buttons, products = offered(message)
    pictured = [p for p in products if public_picture(p, public_url)][:MAX_CARDS]
    listed = [p for p in products if p not in pictured]
    if listed:
        numbered = [product_line(products.index(p) + 1, p) for p in listed]
        text = "\n".join([text, *numbered]).strip()
    found: list[dict[str, Any]] = []
    pieces = split_text(text, MAX_TEXT) if text else []
    if buttons:
        last = pieces.pop() if pieces else "Choose one:"
        if len(last) > MAX_BODY:
            head = split_text(last, MAX_BODY)
            pieces += head[:-1]
            last = head[-1]
        found += [{"kind": "text", "text": piece} for piece in pieces]
        found.append(_choices(last, buttons))
    else:
        found += [{"kind": "text", "text": piece} for piece in pieces]
    for product in pictured:
        caption = _caption(products.index(product) + 1, product)
        found.append({"kind": "image", "url": public_picture(product, public_url), "caption": caption})
    return found


def _choices(text: str, buttons: list[dict[str, Any]]) -> dict[str, Any]:
    options = [{"id": str(b["payload"])[:200], "title": str(b.get("title") or b["payload"])} for b in buttons]
    if len(options) <= MAX_BUTTONS:
        return {"kind": "buttons", "text": text, "buttons": [_short(o, BUTTON_TITLE) for o in options]}
    return {
        "kind": "list",
        "text": text,
        "button": "Choose",
        "rows": [_short(o, ROW_TITLE) for o in options[:MAX_ROWS]],
    }


def _short(option: dict[str, str], most: int) -> dict[str, str]:
    title = option["title"]
    return {**option, "title": title if len(title) <= most else title[: most - 1].rstrip() + "…"}


def _caption(number: int, product: dict[str, Any]) -> str:
    return product_line(number, product)[:MAX_BODY]


class WhatsAppSender:
    """Sends the parts through pywa; the Graph API's refusals become SendFailed, permanent unless
    they are rate limits or Meta's own trouble."""

    def __init__(self, whatsapp: WhatsApp):
        self._whatsapp = whatsapp

    async def send(self, recipient: str, part: dict[str, Any]) -> str | None:
        whatsapp, kind = self._whatsapp, part.get("kind")
        try:
            if kind == "text":
                sent = await whatsapp.send_message(to=recipient, text=part["text"])
            elif kind == "buttons":
                buttons = [Button(title=b["title"], callback_data=b["id"]) for b in part["buttons"]]
                sent = await whatsapp.send_message(to=recipient, text=part["text"], buttons=buttons)
            elif kind == "list":
                rows = [SectionRow(title=r["title"], callback_data=r["id"]) for r in part["rows"]]
                choices = SectionList(
                    button_title=part["button"], sections=[Section(title="Options", rows=rows)]
                )
                sent = await whatsapp.send_message(to=recipient, text=part["text"], buttons=choices)
            elif kind == "image":
                sent = await whatsapp.send_image(to=recipient, image=part["url"], caption=part["caption"])
            elif kind == "template":
                sent = await whatsapp.send_template(
                    to=recipient, name=part["name"], language=TemplateLanguage(part["language"])
                )
            else:
                raise SendFailed(f"WhatsApp cannot send a {kind!r} part", permanent=True)
        except WhatsAppError as refused:
            transient = refused.code in TRANSIENT_CODES or (refused.status_code or 0) >= 500
            raise SendFailed(
                f"WhatsApp refused it: {refused.message} (code {refused.code})", not transient
            ) from None
        except httpx.HTTPError as trouble:
            raise SendFailed(f"WhatsApp's API could not be reached: {trouble!r}") from None
        except ValueError as wrong:  # pywa's own checks (a template language it does not know)
            raise SendFailed(f"WhatsApp cannot send it: {wrong}", permanent=True) from None
        return sent.id
