"""The website chat widget's endpoints, in-process: visitors known only by tokens the gateway signed,
the shop's signed-in customers, which sites may embed the chat, the HTTP fallback, starting over."""

from __future__ import annotations

import logging

import pytest

from bot.core.availability import StaffHours
from bot.gateway.keys import CONVERSATIONS
from bot.gateway.visitors import IDENTIFIED, VisitorTokens, identity_hash
from bot.settings import SettingsError, load_settings
from tests.gateway_helpers import TOKEN, start_gateway, widget_session, widget_socket

SECRET = "the-shops-identity-secret-123"
SHOP = "https://www.shop.example"


def signed(identifier: str, **extra) -> dict:
    return {"id": identifier, "hash": identity_hash(SECRET, identifier), **extra}


@pytest.fixture
async def shop_gateway(aiohttp_client, settings):
    """A gateway a shop's site embeds the chat on, verifying the shop's signed-in customers."""
    configured = settings.model_copy(update={"allowed_origins": SHOP, "widget_identity_secret": SECRET})
    return await start_gateway(aiohttp_client, configured, hours=StaffHours.around_the_clock())


async def say_over_http(client, token: str, text: str, client_id: str | None = None, after: int = 0):
    response = await client.post(
        "/widget/v1/messages",
        json={"text": text, "client_message_id": client_id, "after": after},
        headers={"Authorization": f"Bearer {token}"},
    )
    return response.status, await response.json()


def test_a_token_names_the_visitor_it_was_signed_for_and_nothing_else_passes():
    tokens = VisitorTokens("a-long-enough-secret")
    visitor, token = tokens.new_anonymous()
    assert tokens.visitor(token) == visitor
    other_visitor, _ = tokens.new_anonymous()
    assert other_visitor != visitor
    encoded, signature = token.split(".")
    forged = VisitorTokens("another-gateways-secret").issue(IDENTIFIED + "42")
    not_ascii = f"{encoded}.{signature[:-1]}é"
    for wrong in (
        None,
        "",
        "nonsense",
        f"{encoded}.{signature[:-2]}xx",
        forged,
        token + ".x",
        "é.é",
        not_ascii,
    ):
        assert tokens.visitor(wrong) is None, wrong


async def test_a_visitor_keeps_their_token_and_their_conversation(gateway):
    first = await widget_session(gateway)
    assert first["customer"] == "anonymous"
    again = await widget_session(gateway, token=first["token"])
    assert again["token"] == first["token"]
    status, answer = await say_over_http(gateway, first["token"], "hi")
    assert status == 200
    assert [m["sender"] for m in answer["messages"]] == ["customer", "bot"]
    # A token nobody signed is never taken as a visitor: a new visitor starts.
    assert (await widget_session(gateway, token="made.up"))["token"] != first["token"]


async def test_over_http_a_message_sent_twice_is_stored_and_answered_once(gateway):
    token = (await widget_session(gateway))["token"]
    status, first = await say_over_http(gateway, token, "How long does delivery take?", "tap-1")
    assert status == 200
    status, again = await say_over_http(gateway, token, "How long does delivery take?", "tap-1")
    assert status == 200
    assert again["messages"] == first["messages"]
    (conversation,) = await gateway.app[CONVERSATIONS].search(filters_for_web())
    texts = [m.text for m in await gateway.app[CONVERSATIONS].messages(conversation.id)]
    assert texts.count("How long does delivery take?") == 1
    later = await gateway.get(
        f"/widget/v1/messages?after={first['messages'][-1]['id']}",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert (await later.json())["messages"] == []


def filters_for_web():
    from bot.store.conversations import SearchFilters

    return SearchFilters(channel="web")


async def test_the_http_fallback_refuses_what_it_cannot_take(gateway):
    token = (await widget_session(gateway))["token"]
    assert (await say_over_http(gateway, "made.up", "hi"))[0] == 401
    assert (await say_over_http(gateway, TOKEN, "hi"))[0] == 401  # a channel credential is no visitor
    status, answer = await say_over_http(gateway, token, "x" * 3000)
    assert status == 413 and "longer than" in answer["error"]
    bad = await gateway.get("/widget/v1/messages?after=abc", headers={"Authorization": f"Bearer {token}"})
    assert bad.status == 400 and "after" in (await bad.json())["error"]
    junk = await gateway.post(
        "/widget/v1/session", data="[" * 100, headers={"Content-Type": "application/json"}
    )
    assert junk.status == 400


async def test_only_the_gateways_own_pages_and_the_shops_configured_sites_may_use_the_chat(shop_gateway):
    own = str(shop_gateway.make_url("")).rstrip("/")
    for origin in (own, SHOP):
        response = await shop_gateway.post("/widget/v1/session", json={}, headers={"Origin": origin})
        assert response.status == 200, origin
    shop = await shop_gateway.post("/widget/v1/session", json={}, headers={"Origin": SHOP})
    assert shop.headers["Access-Control-Allow-Origin"] == SHOP
    refused = await shop_gateway.post(
        "/widget/v1/session", json={}, headers={"Origin": "https://evil.example"}
    )
    assert refused.status == 403 and "SUPPORTDESK_ALLOWED_ORIGINS" in (await refused.json())["error"]
    assert "Access-Control-Allow-Origin" not in refused.headers
    preflight = await shop_gateway.options(
        "/widget/v1/messages",
        headers={
            "Origin": SHOP,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert preflight.status == 204 and "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    assert (
        await shop_gateway.options("/widget/v1/messages", headers={"Origin": "https://evil.example"})
    ).status == 403
    upgrade = await shop_gateway.get(
        "/widget/v1/ws",
        headers={"Origin": "https://evil.example", "Upgrade": "websocket", "Connection": "Upgrade",
                 "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="},
    )  # fmt: skip
    assert upgrade.status == 403
    socket, _ = await widget_socket(shop_gateway, origin=SHOP)
    assert (await socket.receive_json(timeout=2))["type"] == "history"
    await socket.close()


async def test_a_signed_in_customer_has_one_conversation_on_every_browser(shop_gateway, rasa):
    laptop = await widget_session(
        shop_gateway, identity=signed("cust-42", name="Dana Fox", email="dana@example.com")
    )
    assert laptop["customer"] == "identified" and laptop["name"] == "Dana Fox"
    assert (await say_over_http(shop_gateway, laptop["token"], "hi"))[0] == 200
    phone = await widget_session(shop_gateway, identity=signed("cust-42"))
    status, seen = await say_over_http(shop_gateway, phone["token"], "How long does delivery take?")
    assert status == 200
    (conversation,) = await shop_gateway.app[CONVERSATIONS].search(filters_for_web())
    assert conversation.customer.name == "Dana Fox" and conversation.customer.email == "dana@example.com"
    texts = [m.text for m in await shop_gateway.app[CONVERSATIONS].messages(conversation.id)]
    assert "hi" in texts and "How long does delivery take?" in texts
    # What the assistant is told: the customer the shop vouched for (order look-ups trust it).
    assert rasa.received[-1]["metadata"]["verified_customer_id"] == "cust-42"
    # Another customer's signature does not open Dana's conversation.
    other = await widget_session(shop_gateway, identity=signed("cust-43"))
    status, answer = await say_over_http(shop_gateway, other["token"], "what did I say before?")
    assert "hi" not in [m["text"] for m in answer["messages"]]


async def test_a_wrongly_signed_identity_is_refused_logged_and_nothing_is_stored(shop_gateway, caplog):
    caplog.set_level(logging.WARNING, logger="bot.gateway.widget")
    for wrong in (
        {"id": "cust-42", "hash": identity_hash("not-the-shops-secret-0000", "cust-42")},
        {"id": "cust-42", "hash": identity_hash(SECRET, "cust-43")},
        {"id": "cust-42"},
        {"id": "cust-42", "hash": "é" * 64},
        "cust-42",
    ):
        response = await shop_gateway.post("/widget/v1/session", json={"identity": wrong})
        answer = await response.json()
        assert response.status == 403 and answer["identity"] == "refused", wrong
    assert "identity refused" in caplog.text
    assert await shop_gateway.app[CONVERSATIONS].search(filters_for_web()) == []


async def test_with_identity_required_nobody_chats_without_a_signed_customer(aiohttp_client, settings):
    required = settings.model_copy(
        update={"widget_identity_secret": SECRET, "widget_identity_required": True}
    )
    gateway = await start_gateway(aiohttp_client, required)
    response = await gateway.post("/widget/v1/session", json={})
    assert response.status == 403 and (await response.json())["identity"] == "required"
    anonymous = VisitorTokens(required.visitor_secret or (required.data_dir / "visitor-secret").read_text())
    _, token = anonymous.new_anonymous()
    assert (await say_over_http(gateway, token, "hi"))[0] == 403
    chat = await gateway.ws_connect("/widget/v1/ws")
    await chat.send_json({"type": "hello", "token": token})
    assert (await chat.receive_json(timeout=2))["identity"] == "required"
    await chat.close()
    signed_in = await widget_session(gateway, identity=signed("cust-7"))
    assert (await say_over_http(gateway, signed_in["token"], "hi"))[0] == 200


def test_widget_settings_that_cannot_work_are_refused_by_name():
    with pytest.raises(SettingsError, match="SUPPORTDESK_ALLOWED_ORIGINS"):
        load_settings(allowed_origins="www.shop.example/page")
    with pytest.raises(SettingsError, match="SUPPORTDESK_WIDGET_IDENTITY_SECRET"):
        load_settings(widget_identity_required=True)
    assert load_settings(allowed_origins="https://A.example, http://b.example:8080/").origins_allowed == {
        "https://a.example",
        "http://b.example:8080",
    }


async def test_starting_over_begins_a_new_conversation(gateway):
    first = await widget_session(gateway)
    await say_over_http(gateway, first["token"], "hi")
    fresh = await widget_session(gateway, token=first["token"], fresh=True)
    assert fresh["token"] != first["token"]
    status, answer = await say_over_http(gateway, fresh["token"], "hello again")
    assert answer["messages"][0]["text"] == "hello again"
    old, new = sorted(await gateway.app[CONVERSATIONS].search(filters_for_web()), key=lambda c: c.id)
    assert old.lifecycle == "closed" and new.lifecycle == "open"


async def test_a_signed_in_customer_with_a_person_cannot_start_over(shop_gateway):
    me = await widget_session(shop_gateway, identity=signed("cust-9"))
    status, answer = await say_over_http(shop_gateway, me["token"], "I want to talk to a human")
    assert answer["state"]["owner"] == "queue"
    response = await shop_gateway.post(
        "/widget/v1/session", json={"identity": signed("cust-9"), "fresh": True}
    )
    assert response.status == 409 and "goes on" in (await response.json())["error"]


async def test_with_nobody_to_answer_the_chat_asks_for_an_email_and_takes_it(gateway):
    """Nobody has the inbox open: as out of hours, the customer may leave an address."""
    token = (await widget_session(gateway))["token"]
    status, answer = await say_over_http(gateway, token, "I want to talk to a human")
    assert answer["state"]["awaiting_email"] is True
    assert any("type your email address" in m["text"] for m in answer["messages"])
    status, answer = await say_over_http(
        gateway, token, "it's dana@example.com", after=answer["messages"][-1]["id"]
    )
    assert answer["state"]["awaiting_email"] is False
    assert answer["messages"][-1]["text"] == "Thank you! We'll write to dana@example.com."


async def test_the_demo_shop_page_and_the_chat_page_carry_the_same_widget(gateway):
    for path in ("/", "/chat"):
        page = await (await gateway.get(path)).text()
        assert '<script src="/widget/v1/supportdesk.js"' in page, path
    script = await gateway.get("/widget/v1/supportdesk.js")
    assert script.status == 200 and script.content_type == "text/javascript"
    assert "attachShadow" in await script.text()
