"""Typed keys for the gateway's application state."""

from __future__ import annotations

import aiohttp
from aiohttp import web

from bot.knowledge import Knowledge
from bot.settings import Settings

SETTINGS = web.AppKey("settings", Settings)
KNOWLEDGE = web.AppKey("knowledge", Knowledge)
HTTP_CLIENT = web.AppKey("http_client", aiohttp.ClientSession)
