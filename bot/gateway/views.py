"""Request handlers of the gateway."""

from __future__ import annotations

import asyncio

import aiohttp
from aiohttp import web

from bot.gateway.keys import HTTP_CLIENT, SETTINGS


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


def api_example(gateway_url: str, token_file: str) -> str:
    """A shell function that talks to the assistant as a channel would: the one example of the
    channel API, shown on the start page and in the README (a test holds the README to it)."""
    return (
        f"chat() {{ curl -s -X POST {gateway_url}/api/messages -H 'Content-Type: application/json' \\\n"
        f'  -H "Authorization: Bearer $(cat {token_file})" \\\n'
        '  -d "{\\"channel\\": \\"api\\", \\"customer_id\\": \\"anna\\", \\"text\\": \\"$1\\"}"; echo; }\n'
    )
