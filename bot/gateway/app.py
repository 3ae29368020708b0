"""The gateway application: ``create_app(settings)`` builds it, ``run(settings)`` serves it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from bot.gateway.keys import HTTP_CLIENT, KNOWLEDGE, SETTINGS
from bot.gateway.routes import setup_routes
from bot.knowledge import load_knowledge
from bot.settings import Settings


async def _http_client(app: web.Application) -> AsyncIterator[None]:
    """One client session for talking to Rasa and the action server, closed on shutdown."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        app[HTTP_CLIENT] = session
        yield


def create_app(settings: Settings) -> web.Application:
    app = web.Application(client_max_size=64 * 1024)
    app[SETTINGS] = settings
    app[KNOWLEDGE] = load_knowledge(settings.knowledge_dir)
    app.cleanup_ctx.append(_http_client)
    setup_routes(app)
    return app


def run(settings: Settings) -> None:
    web.run_app(create_app(settings), host=settings.host, port=settings.gateway_port, print=None)
