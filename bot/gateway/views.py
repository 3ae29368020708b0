"""Request handlers of the gateway."""

from __future__ import annotations

import asyncio
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
<link rel="stylesheet" href="/static/supportdesk.css">
<style>main{{max-width:46rem;margin:2rem auto;padding:0 1rem}}
pre{{background:#eef0ec;padding:1rem;overflow-x:auto}}</style></head>
<body><main>
<h1>{name} support assistant</h1>
<ul>
<li><a href="/chat">Chat with the assistant</a> (what a customer sees)</li>
<li><a href="/inbox">Staff inbox</a> (create the first admin with <code>./supportdesk admin</code>)</li>
<li><a href="/api/openapi.json">Channel API</a> (OpenAPI); token in <code>{token_file}</code></li>
<li><a href="/health">Health</a></li>
</ul>
<p>Channels hand customers' messages to the gateway, which stores them and routes them to the
assistant or to a person:</p>
<pre>{curl}</pre>
<p>The shop's content is read from <code>{knowledge}</code>: {faq} FAQ entries and {products} products.</p>
</main></body></html>
"""


def api_example(gateway_url: str, token_file: str) -> str:
    """A shell function that talks to the assistant as a channel would: the one example of the
    channel API, shown on the start page and in the README (a test holds the README to it)."""
    return (
        f"chat() {{ curl -s -X POST {gateway_url}/api/messages -H 'Content-Type: application/json' \\\n"
        f'  -H "Authorization: Bearer $(cat {token_file})" \\\n'
        '  -d "{\\"channel\\": \\"api\\", \\"customer_id\\": \\"anna\\", \\"text\\": \\"$1\\"}"; echo; }\n'
    )


async def index(request: web.Request) -> web.Response:
    """Where to chat, where staff work, and a ready-to-paste API example."""
    settings = request.app[SETTINGS]
    knowledge = request.app[KNOWLEDGE]
    example = api_example(settings.gateway_url, str(settings.channel_token_file))
    page = _PAGE.format(
        name=escape(knowledge.shop.name),
        curl=escape(example + 'chat "How long does delivery take?"'),
        token_file=escape(str(settings.channel_token_file)),
        knowledge=escape(str(settings.knowledge_dir)),
        faq=len(knowledge.faq),
        products=len(knowledge.catalog),
    )
    return web.Response(text=page, content_type="text/html")
