"""The whole assistant, as ./supportdesk run starts it: a real conversation over Rasa's REST channel."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import aiohttp
import pytest

from bot.handoff import HandoffLog
from bot.processes import Supervisor, services
from bot.settings import Settings, load_settings
from bot.training import ensure_model

pytestmark = [pytest.mark.rasa, pytest.mark.e2e]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def running(tmp_path_factory) -> Iterator[Settings]:
    data_dir = tmp_path_factory.mktemp("data")
    settings = load_settings(
        data_dir=data_dir, gateway_port=free_port(), rasa_port=free_port(), actions_port=free_port()
    )
    supervisor = Supervisor(settings, services(settings, ensure_model(load_settings())), data_dir / "logs")
    try:
        supervisor.start(timeout=240)
        yield settings
    finally:
        supervisor.stop()


async def say(settings: Settings, sender: str, text: str) -> list[dict]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{settings.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}
        ) as response,
    ):
        assert response.status == 200
        return await response.json()


def texts(replies: list[dict]) -> str:
    return "\n".join(reply.get("text", "") for reply in replies)


async def test_a_customer_conversation_from_greeting_to_a_person(running):
    customer = "e2e-customer"
    assert "Alder & Pine assistant" in texts(await say(running, customer, "hi"))

    delivery = texts(await say(running, customer, "How long does delivery take?"))
    assert "Standard takes 3-5 business days" in delivery

    replies = await say(running, customer, "I'm looking for a tent under $300")
    (cards,) = [reply["custom"] for reply in replies if "custom" in reply]
    assert cards["type"] == "product_cards" and cards["products"]
    assert all(float(card["price"]) <= 300 and "tent" in card["name"].lower() for card in cards["products"])

    tracking = texts(await say(running, customer, "Where is my order AP-10234?"))
    assert "https://alderandpine.example/orders/track?order=AP-10234" in tracking

    handoff = texts(await say(running, customer, "I want to talk to a human"))
    assert "asked a person from our team" in handoff
    (request,) = HandoffLog(running.supportdesk_db).all()
    assert request.conversation_id == customer and request.reason == "customer asked for a person"
    assert "track_order" in request.summary["intents"]


async def test_the_gateway_reports_every_process_up(running):
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{running.gateway_url}/health") as response:
            assert await response.json() == {"status": "ok", "rasa": "up", "actions": "up"}
        async with session.get(f"{running.gateway_url}/") as response:
            page = await response.text()
    assert "Alder &amp; Pine Outdoor Co. support assistant" in page
    assert f"{running.rasa_url}/webhooks/rest/webhook" in page
