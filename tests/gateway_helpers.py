"""Driving the gateway in tests: a channel posting customers' messages, a staff member's browser."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable

from aiohttp.test_utils import TestClient

from bot.gateway.app import create_app
from bot.gateway.keys import INBOUND, SENDING, STAFF
from bot.settings import load_settings

TOKEN = "test-channel-token-0123456789"
PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def customer_says(
    client: TestClient, text: str, customer: str = "cust-1", channel: str = "api", token: str = TOKEN
) -> dict:
    response = await client.post(
        "/api/messages",
        json={"channel": channel, "customer_id": customer, "text": text},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status == 200, await response.text()
    return await response.json()


def texts(answer: dict) -> list[str]:
    return [reply["text"] for reply in answer["replies"]]


async def eventually(check: Callable[[], Awaitable[bool] | bool], seconds: float = 5.0) -> None:
    """Wait until ``check`` (a function, or a coroutine function) is true, for what the gateway
    does in the background; the test's own assertions say what should then be so."""
    for _ in range(int(seconds / 0.05)):
        result = check()
        if await result if asyncio.iscoroutine(result) else result:
            return
        await asyncio.sleep(0.05)


async def widget_session(client: TestClient, origin: str | None = None, **body) -> dict:
    """A web chat visitor's session, as the widget starts it (its answer: token, customer)."""
    headers = {"Origin": origin} if origin else {}
    response = await client.post("/widget/v1/session", json=body, headers=headers)
    assert response.status == 200, await response.text()
    return await response.json()


async def widget_socket(client: TestClient, origin: str | None = None, **body):
    """The widget's WebSocket, introduced with a new session's token; returns it and the token."""
    token = (await widget_session(client, origin, **body))["token"]
    socket = await client.ws_connect("/widget/v1/ws", headers={"Origin": origin} if origin else {})
    await socket.send_json({"type": "hello", "token": token})
    return socket, token


async def sign_in(client: TestClient, email: str, password: str) -> str:
    """Sign in through the form, as a browser does; returns the CSRF token of the session."""
    page = await (await client.get("/inbox/login")).text()
    response = await client.post(
        "/inbox/login",
        data={
            "email": email,
            "password": password,
            "csrf_token": CSRF.search(page).group(1),
            "next": "/inbox",
        },
    )
    assert response.status == 200 and str(response.url).endswith("/inbox"), await response.text()
    return CSRF.search(await response.text()).group(1)


def channel_settings(tmp_path, rasa, **overrides):
    """Settings for a gateway in this process with the platforms' channels ``overrides`` turn on."""
    return load_settings(
        data_dir=tmp_path,
        rasa_port=rasa.port,
        channel_token=TOKEN,
        secure_cookies=False,
        rasa_timeout_seconds=1,
        **overrides,
    )


async def channels_settled(client: TestClient) -> None:
    """What the platforms' webhooks brought handled, and the outbox sent."""
    await client.app[INBOUND].settle()
    await client.app[SENDING].settle()


async def start_gateway(aiohttp_client, settings, **options) -> TestClient:
    """The gateway in this process for ``settings``, with an agent (Ana) and an admin (Olive)."""
    app = create_app(settings, **options)
    client = await aiohttp_client(app)
    await app[STAFF].create("ana@alderandpine.example", "Ana", "agent", PASSWORD)
    await app[STAFF].create("owner@alderandpine.example", "Olive", "admin", PASSWORD)
    return client
