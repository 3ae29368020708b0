"""Every accepted message is stored exactly once, however many arrive at once: a customer
double-tapping "send", a channel redelivering, fifty first messages from one new customer. On
SQLite and on the real PostgreSQL server, through the gateway's channel API."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from bot.core.availability import StaffHours
from bot.gateway.app import create_app
from bot.gateway.keys import ENGINE
from bot.settings import load_settings
from bot.store.database import session_factory
from bot.store.models import Conversation, Customer, Handoff, Message
from tests.gateway_helpers import TOKEN
from tests.stores import KINDS, fresh_database


@pytest.fixture(params=KINDS)
async def gateway(request, aiohttp_client, rasa, tmp_path):
    async with fresh_database(request.param, tmp_path) as url:
        settings = load_settings(
            data_dir=tmp_path,
            database_url=None if url.startswith("sqlite") else url,
            rasa_port=rasa.port,
            channel_token=TOKEN,
            secure_cookies=False,
            rasa_timeout_seconds=10,
            messages_per_minute=1000,
        )
        client = await aiohttp_client(create_app(settings, hours=StaffHours.around_the_clock()))
        yield client
        await client.close()


def post(gateway, text: str, customer: str = "new-customer", **extra):
    return gateway.post(
        "/api/messages",
        json={"channel": "api", "customer_id": customer, "text": text, **extra},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )


async def stored(gateway) -> tuple[int, int, list[str]]:
    """Customers, conversations, and the customers' messages in the store."""
    async with session_factory(gateway.app[ENGINE])() as session:
        customers = await session.scalar(select(func.count()).select_from(Customer))
        conversations = await session.scalar(select(func.count()).select_from(Conversation))
        texts = list(await session.scalars(select(Message.text).where(Message.sender == "customer")))
    return customers, conversations, texts


async def test_fifty_first_messages_at_once_from_one_new_customer_are_all_stored_once(gateway):
    answers = await asyncio.gather(*(post(gateway, f"message {n}") for n in range(50)))
    assert [answer.status for answer in answers] == [200] * 50, [await a.text() for a in answers]
    customers, conversations, texts = await stored(gateway)
    assert (customers, conversations) == (1, 1)
    assert sorted(texts) == sorted(f"message {n}" for n in range(50))
    ids = {(await answer.json())["conversation"]["id"] for answer in answers}
    assert len(ids) == 1


async def test_a_message_sent_again_with_its_id_is_stored_once_and_answered_once(gateway, rasa):
    first, again, *more = await asyncio.gather(
        *(post(gateway, "hi", client_message_id="tap-1") for _ in range(5))
    )
    assert [a.status for a in (first, again, *more)] == [200] * 5
    _, _, texts = await stored(gateway)
    assert texts == ["hi"]
    assert len(rasa.received) == 1  # the assistant was asked once
    bodies = [await a.json() for a in (first, again, *more)]
    assert sum(1 for body in bodies if not body.get("duplicate")) == 1
    # A later resend gets the replies the first one got.
    resent = await (await post(gateway, "hi", client_message_id="tap-1")).json()
    answered = next(body for body in bodies if not body.get("duplicate"))
    assert resent["duplicate"] is True and resent["replies"] == answered["replies"]
    # The same id from another customer is another message.
    await post(gateway, "hi", customer="someone-else", client_message_id="tap-1")
    _, _, texts = await stored(gateway)
    assert texts == ["hi", "hi"]


async def test_messages_at_once_that_each_ask_for_a_person_hand_over_once_and_none_fails(gateway):
    answers = await asyncio.gather(*(post(gateway, "I want to talk to a human") for _ in range(6)))
    assert [answer.status for answer in answers] == [200] * 6, [await a.text() for a in answers]
    async with session_factory(gateway.app[ENGINE])() as session:
        handoffs = await session.scalar(select(func.count()).select_from(Handoff))
    assert handoffs == 1
    bodies = [await answer.json() for answer in answers]
    assert all(body["conversation"]["status"] == "waiting" for body in bodies)
