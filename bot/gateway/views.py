"""Request handlers of the gateway."""

from __future__ import annotations

import asyncio
import json
from html import escape

import aiohttp
from aiohttp import web

from bot.gateway.keys import HTTP_CLIENT, KNOWLEDGE, SETTINGS


async def _up(session: aiohttp.ClientSession, url: str) -> bool:
    try:
        async with session.get(url, timeout=aiohttp.ClientTimeout(total=2)) as response:
            return response.status == 200
    except (TimeoutError, aiohttp.ClientError):
        return False


async def health(request: web.Request) -> web.Response:
    """The gateway is up; also says whether Rasa and the action server answer."""
    settings = request.app[SETTINGS]
    session = request.app[HTTP_CLIENT]
    rasa, actions = await asyncio.gather(
        _up(session, f"{settings.rasa_url}/"), _up(session, f"{settings.actions_url}/health")
    )
    return web.json_response(
        {
            "status": "ok",
            "rasa": "up" if rasa else "down",
            "actions": "up" if actions else "down",
        }
    )


_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{name}: support assistant</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}}
pre{{background:#f3f3f0;padding:1rem;overflow-x:auto}}</style></head>
<body>
<h1>{name} support assistant</h1>
<p>The assistant is running. Customers chat with it through Rasa's REST channel at
<code>{webhook}</code>; send a message like this:</p>
<pre>{curl}</pre>
<p>Each customer uses their own <code>sender</code> id; the reply is a JSON list of the assistant's
messages (text, buttons, and product cards under <code>custom</code>).</p>
<p>Status: <a href="/health">/health</a>. The shop's content is read from <code>{knowledge}</code>:
{faq} FAQ entries and {products} products.</p>
</body></html>
"""


async def index(request: web.Request) -> web.Response:
    """Where to chat: the REST endpoint and a ready-to-paste example."""
    settings = request.app[SETTINGS]
    knowledge = request.app[KNOWLEDGE]
    webhook = f"{settings.rasa_url}/webhooks/rest/webhook"
    body = json.dumps({"sender": "customer-1", "message": "How long does delivery take?"})
    curl = f"curl -s -X POST {webhook} -H 'Content-Type: application/json' -d '{body}'"
    page = _PAGE.format(
        name=escape(knowledge.store.name),
        webhook=escape(webhook),
        curl=escape(curl),
        knowledge=escape(str(settings.knowledge_dir)),
        faq=len(knowledge.faq),
        products=len(knowledge.catalog),
    )
    return web.Response(text=page, content_type="text/html")
