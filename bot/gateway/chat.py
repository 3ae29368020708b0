"""The web chat as a channel of the core, and the gateway's own pages that carry it: the demo
shop page (``/``) with the widget on it, and the full-page chat (``/chat``), the same widget code."""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from bot.core.channels import Capabilities
from bot.gateway.hub import Hub
from bot.gateway.keys import KNOWLEDGE, SETTINGS
from bot.gateway.views import api_example

CHANNEL = "web"
# How many of the catalog's products the demo shop page shows.
DEMO_PRODUCTS = 8


class WebChat:
    """The web chat as a channel of the core: it draws buttons and product cards, shows a
    customer's own messages on all their tabs, and reaches them over every chat socket open on
    their conversation."""

    capabilities = Capabilities(echo=True)

    def __init__(self, hub: Hub):
        self._hub = hub

    async def deliver(self, conversation_id: int, message: dict[str, Any]) -> None:
        await self._hub.to_customer(conversation_id, {"type": "message", "message": message})

    async def changed(self, conversation_id: int, state: dict[str, Any]) -> None:
        await self._hub.to_customer(conversation_id, {"type": "state", "state": state})


async def page(request: web.Request) -> web.Response:
    """The chat on a page of its own (a link a shop can send, or its help page)."""
    return aiohttp_jinja2.render_template("chat.html", request, {"shop": request.app[KNOWLEDGE].shop})


async def demo(request: web.Request) -> web.Response:
    """The demo shop's front page with the widget on it, and where staff and integrations go."""
    settings, knowledge = request.app[SETTINGS], request.app[KNOWLEDGE]
    in_stock = [product for product in knowledge.catalog if product.stock > 0]
    # One of each category first, so the page shows the range of what the shop sells.
    seen: set[str] = set()
    featured = [p for p in in_stock if not (p.category in seen or seen.add(p.category))][:DEMO_PRODUCTS]
    context = {
        "shop": knowledge.shop,
        "products": featured,
        "example": api_example(settings.gateway_url, str(settings.channel_token_file))
        + 'chat "How long does delivery take?"',
        "token_file": str(settings.channel_token_file),
        "knowledge_dir": str(settings.knowledge_dir),
        "faq_count": len(knowledge.faq),
        "product_count": len(knowledge.catalog),
    }
    return aiohttp_jinja2.render_template("demo.html", request, context)
