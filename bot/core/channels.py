"""How channels plug into the conversation core: one small interface.

A channel hands a customer's message to ``Router.receive`` (an ``Incoming``), and the core hands
what is said to the customer back to the channel's ``deliver``, shaped for what the channel can
show (``Capabilities``): buttons and product cards as they are where the channel draws them, as
text where it cannot. The web chat (over its WebSocket) and the channel API (in its HTTP response,
and polled for later replies) are channels; WhatsApp and Slack plug in the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol
from urllib.parse import urljoin

from bot.core.views import customer_view
from bot.store.models import Message


@dataclass(frozen=True)
class Capabilities:
    buttons: bool = True  # quick replies the customer taps (else listed in the text)
    cards: bool = True  # product cards with pictures (else the products in the text)
    max_chars: int | None = None  # the longest text one message may carry (else cut, with "…")
    # The customer's own messages go back to them once stored (the web chat: their other tabs and
    # devices show them, and the sending one knows it arrived).
    echo: bool = False
    # A platform that lets the shop write only this long after the customer's last message
    # (WhatsApp: 24 hours); after it, only an approved template (``template``, its name) may go.
    reply_window: timedelta | None = None
    template: str | None = None


class Channel(Protocol):
    """A way customers reach the shop."""

    @property
    def capabilities(self) -> Capabilities: ...

    async def deliver(self, conversation_id: int, message: dict[str, Any]) -> None:
        """Send one message (``channel_view``) to the customer, now; a channel that has no way to
        reach the customer on its own (the API, which is polled) does nothing."""

    async def changed(self, conversation_id: int, state: dict[str, Any]) -> None:
        """The conversation's state changed (``customer_state``): a person joined, it was resolved,
        an email address is no longer awaited; a channel that shows no such state does nothing."""


class Polled:
    """A channel the core cannot push to: it gets the replies to a message in its answer, and
    later ones (a person's) by asking (``GET /api/conversations/{id}/messages``)."""

    def __init__(self, capabilities: Capabilities | None = None):
        self.capabilities = capabilities or Capabilities()

    async def deliver(self, conversation_id: int, message: dict[str, Any]) -> None:
        return None

    async def changed(self, conversation_id: int, state: dict[str, Any]) -> None:
        return None


class Channels:
    """The channels the core knows by name; any other name (a shop's own integration over the
    API) is polled, with every capability."""

    def __init__(self, channels: dict[str, Channel] | None = None):
        self._channels: dict[str, Channel] = dict(channels or {})
        self._polled = Polled()

    def add(self, name: str, channel: Channel) -> None:
        self._channels[name] = channel

    def __getitem__(self, name: str) -> Channel:
        return self._channels.get(name, self._polled)


def channel_view(message: Message, capabilities: Capabilities) -> dict[str, Any]:
    """A stored message as a channel with ``capabilities`` gets it: what it cannot draw is said in
    the text instead (the options to reply with, the products with their prices and links)."""
    view = customer_view(message)
    lines = [view["text"]] if view["text"] else []
    buttons = view.get("buttons") or []
    if buttons and not capabilities.buttons:
        lines += [f"{number}. {button.get('title', '')}" for number, button in enumerate(buttons, start=1)]
        view.pop("buttons")
    cards = view.get("custom") if isinstance(view.get("custom"), dict) else None
    if cards and cards.get("type") == "product_cards" and not capabilities.cards:
        products = cards.get("products", [])
        lines += [product_line(number, product) for number, product in enumerate(products, start=1)]
        view.pop("custom")
    text = "\n".join(lines)
    if capabilities.max_chars and len(text) > capabilities.max_chars:
        text = text[: capabilities.max_chars - 1].rstrip() + "…"
    view["text"] = text
    return view


def product_line(number: int, product: dict[str, Any]) -> str:
    """A product as one numbered line of text, for a channel that shows no cards: numbered, so the
    customer can say "the second one"."""
    price = f"{product['price']} {product.get('currency') or ''}".strip() if product.get("price") else ""
    stock = "" if product.get("in_stock", True) else "sold out"
    why = str(product.get("why") or "")
    if not (price and price in why):  # the reason usually gives the price already
        why = "; ".join(filter(None, [price, stock, why]))
    link = f": {product['url']}" if product.get("url") else ""
    return f"{number}. {product.get('name', '')}" + (f" ({why})" if why else "") + link


def offered(view: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """What a message (``channel_view``) offers besides its text: the buttons that carry a payload,
    and the products of its product cards; for a platform that draws them its own way."""
    buttons = [b for b in view.get("buttons") or [] if isinstance(b, dict) and b.get("payload")]
    cards = view.get("custom") if isinstance(view.get("custom"), dict) else {}
    products = cards.get("products", []) if cards.get("type") == "product_cards" else []
    return buttons, products


def public_picture(product: dict[str, Any], public_url: str | None) -> str | None:
    """The product's picture as an https address a platform can fetch itself (the shop's own
    pictures through the gateway's public address); None on a gateway only this machine reaches."""
    image = product.get("image")
    if not image:
        return None
    address = urljoin(public_url.rstrip("/") + "/", str(image)) if public_url else str(image)
    return address if address.startswith("https://") else None


def split_text(text: str, limit: int) -> list[str]:
    """``text`` as pieces of at most ``limit`` characters, broken where a reader would: between
    paragraphs, else lines, else sentences, else words; a word longer than a piece is cut."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[: limit + 1]
        cut = -1
        for mark in ("\n\n", "\n", ". ", "! ", "? ", " "):
            at = window.rfind(mark)
            if at > limit // 3:
                cut = at + (1 if mark in (". ", "! ", "? ") else 0)
                break
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces
