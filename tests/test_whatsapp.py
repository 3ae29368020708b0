"""WhatsApp Cloud API end to end: signed webhooks into the gateway (real HTTP), the assistant (the
Rasa stand-in), the inbox, and what the gateway sends, recorded by a fake Graph API on loopback
that pywa is pointed at."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from bot.channels import whatsapp
from bot.core.availability import StaffHours
from bot.core.channels import split_text
from bot.gateway.app import create_app
from bot.gateway.keys import CHANNEL_EVENTS, CONVERSATIONS, ENGINE, INBOUND, SENDING
from bot.store.models import ChannelEvent, Message, Outgoing, Rating
from tests.gateway_helpers import (
    CSRF,
    PASSWORD,
    channel_settings,
    channels_settled,
    eventually,
    sign_in,
    start_gateway,
)
from tests.platforms import (
    APP_SECRET,
    CUSTOMER_NUMBER,
    JPEG,
    PHONE_ID,
    RIDGE_TENT,
    VERIFY_TOKEN,
    FakeGraphApi,
    meta_signature,
    serving,
    signed_json,
    whatsapp_button_reply,
    whatsapp_image,
    whatsapp_status,
    whatsapp_text,
    whatsapp_update,
)

WEBHOOK = "/channels/whatsapp/webhook"


class Clock:
    """The router's time, which a test moves on (the stored messages keep the real time)."""

    def __init__(self) -> None:
        self.ahead = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.ahead


@pytest.fixture
async def graph():
    async with serving(FakeGraphApi()) as fake:
        yield fake


@pytest.fixture
def clock():
    return Clock()


def whatsapp_settings(tmp_path, rasa, graph, **overrides):
    return channel_settings(
        tmp_path,
        rasa,
        whatsapp_phone_id=PHONE_ID,
        whatsapp_token="whatsapp-token",
        whatsapp_app_secret=APP_SECRET,
        whatsapp_verify_token=VERIFY_TOKEN,
        whatsapp_template="hello_again",
        whatsapp_api_url=graph.url,
        public_url="https://support.alderandpine.example",
        **overrides,
    )


@pytest.fixture
async def shop(aiohttp_client, tmp_path, rasa, graph, clock):
    """The gateway with WhatsApp on, staff there around the clock; outbox retries come fast."""
    client = await start_gateway(
        aiohttp_client,
        whatsapp_settings(tmp_path, rasa, graph, max_message_chars=7000),
        hours=StaffHours.around_the_clock(),
        clock=clock,
    )
    client.app[SENDING].retry_after = (0.05, 0.05, 0.05)
    return client


async def post_update(client, update: dict, secret: str = APP_SECRET):
    body, headers = signed_json(update, secret)
    return await client.post(WEBHOOK, data=body, headers=headers)


settled = channels_settled


async def count(client, model) -> int:
    async with client.app[ENGINE].connect() as connection:
        return await connection.scalar(select(func.count()).select_from(model))


async def conversation_id(client) -> int:
    conversation = await client.app[CONVERSATIONS].latest_for(whatsapp.CHANNEL, CUSTOMER_NUMBER)
    return conversation.id


# --- the webhook's security ---------------------------------------------------------------------


async def test_the_verification_handshake_echoes_the_challenge_only_for_the_verify_token(shop):
    ok = await shop.get(
        WEBHOOK,
        params={"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"},
    )
    assert ok.status == 200 and await ok.text() == "1158201444"
    wrong = await shop.get(
        WEBHOOK, params={"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1158201444"}
    )
    assert wrong.status == 403 and "1158201444" not in await wrong.text()


async def test_forged_and_unsigned_updates_are_refused_and_nothing_is_kept(shop, rasa, graph):
    update = whatsapp_update(whatsapp_text("hi"))
    forged = await post_update(shop, update, secret="not-the-app-secret")
    body, _ = signed_json(update)
    unsigned = await shop.post(WEBHOOK, data=body, headers={"Content-Type": "application/json"})
    tampered_body, headers = signed_json(update)
    tampered = await shop.post(WEBHOOK, data=tampered_body.replace(b"hi", b"yo"), headers=headers)
    await settled(shop)
    assert [forged.status, unsigned.status, tampered.status] == [401, 401, 401]
    assert await count(shop, ChannelEvent) == 0 and await count(shop, Message) == 0
    assert rasa.received == [] and graph.sent == []


async def test_a_signed_update_that_is_not_json_is_a_bad_request(shop):
    body = b"{not json"
    response = await shop.post(WEBHOOK, data=body, headers={"X-Hub-Signature-256": meta_signature(body)})
    assert response.status == 400


# --- the conversation -----------------------------------------------------------------------------


async def test_a_message_is_answered_on_whatsapp_and_a_redelivery_is_answered_once(shop, rasa, graph):
    update = whatsapp_update(whatsapp_text("hi", wamid="wamid.HBgLNDQ3NzAwOTAwMTIz"))
    first = await post_update(shop, update)
    again = await post_update(shop, update)  # Meta redelivers when it thinks we were slow
    await settled(shop)
    assert first.status == again.status == 200
    assert [body["message"] for body in rasa.received] == ["hi"]
    assert len(graph.sent) == 1
    sent = graph.sent[0]
    assert sent["to"] == CUSTOMER_NUMBER and sent["type"] == "text"
    assert sent["text"]["body"].startswith("Hi! I'm the Alder & Pine assistant")
    assert re.fullmatch(rf"/v\d+\.\d+/{PHONE_ID}/messages", graph.paths[0])


async def test_a_batch_of_messages_is_taken_in_message_by_message(shop, rasa, graph):
    await post_update(
        shop, whatsapp_update(whatsapp_text("hi"), whatsapp_text("How long does delivery take?"))
    )
    await settled(shop)
    # One customer's messages are handled one after another, in the order they were written.
    assert [body["message"] for body in rasa.received] == ["hi", "How long does delivery take?"]


async def test_a_picture_is_kept_for_staff_and_a_person_offered_with_buttons_that_reach_rasa(
    shop, rasa, graph
):
    await post_update(shop, whatsapp_update(whatsapp_image(caption="the tent pole snapped")))
    await settled(shop)
    assert rasa.received == []  # the assistant reads words only
    offer = graph.sent[-1]
    assert offer["type"] == "interactive" and offer["interactive"]["type"] == "button"
    buttons = offer["interactive"]["action"]["buttons"]
    assert [b["reply"]["id"] for b in buttons] == ["/contact_human_agent", "/deny"]
    assert all(len(b["reply"]["title"]) <= 20 for b in buttons)
    stored = await shop.app[CONVERSATIONS].messages(await conversation_id(shop))
    assert stored[0].payload["attachment"]["kind"] == "image"
    assert stored[0].text == "the tent pole snapped"
    # Staff see the picture itself, fetched from the Graph API and kept in the data folder.
    assert (await shop.get(f"/inbox/media/{stored[0].id}", allow_redirects=False)).status == 302  # staff only
    await sign_in(shop, "ana@alderandpine.example", PASSWORD)
    page = await (await shop.get(f"/inbox/conversations/{await conversation_id(shop)}")).text()
    assert f'<img class="attachment-picture" src="/inbox/media/{stored[0].id}"' in page
    picture = await shop.get(f"/inbox/media/{stored[0].id}")
    assert picture.content_type == "image/jpeg" and await picture.read() == JPEG

    await post_update(shop, whatsapp_update(whatsapp_button_reply("/contact_human_agent", "Yes, a person")))
    await settled(shop)
    assert [body["message"] for body in rasa.received] == ["/contact_human_agent"]


async def test_bot_handoff_agent_reply_resolve_and_rating_all_on_whatsapp(shop, rasa, graph):
    await post_update(shop, whatsapp_update(whatsapp_text("hi")))
    await post_update(shop, whatsapp_update(whatsapp_text("I want to talk to a human")))
    await settled(shop)
    conversation = await conversation_id(shop)
    assert (await shop.app[CONVERSATIONS].get(conversation)).status == "waiting"

    csrf = await sign_in(shop, "ana@alderandpine.example", PASSWORD)
    await shop.post(f"/inbox/conversations/{conversation}/claim", data={"csrf_token": csrf})
    reply = await shop.post(
        f"/inbox/conversations/{conversation}/reply",
        data={"csrf_token": csrf, "text": "Hi Maya, Ana here: what is the order number?"},
    )
    assert reply.status == 200
    await shop.post(f"/inbox/conversations/{conversation}/resolve", data={"csrf_token": csrf})
    await settled(shop)
    said = graph.texts()
    assert "Ana from our team has joined the conversation." in said
    assert "Hi Maya, Ana here: what is the order number?" in said
    assert any("from 1 (poor) to 5 (great)" in text for text in said)

    await post_update(shop, whatsapp_update(whatsapp_text("5")))
    await settled(shop)
    async with shop.app[ENGINE].connect() as connection:
        assert await connection.scalar(select(Rating.score)) == 5
    assert graph.texts()[-1].startswith("Thank you for rating us!")


async def test_outside_the_24_hour_window_a_reply_is_refused_and_the_template_offered(shop, graph, clock):
    await post_update(shop, whatsapp_update(whatsapp_text("I want to talk to a human")))
    await settled(shop)
    conversation = await conversation_id(shop)
    csrf = await sign_in(shop, "ana@alderandpine.example", PASSWORD)
    await shop.post(f"/inbox/conversations/{conversation}/claim", data={"csrf_token": csrf})
    page = await (await shop.get(f"/inbox/conversations/{conversation}")).text()
    assert "whatsapp takes replies until" in page and 'id="reply"' in page
    clock.ahead = timedelta(hours=25)

    page = await (await shop.get(f"/inbox/conversations/{conversation}")).text()
    assert "reply window closed" in page and 'id="send-template"' in page and 'id="reply"' not in page
    refused = await shop.post(
        f"/inbox/conversations/{conversation}/reply",
        data={"csrf_token": CSRF.search(page).group(1), "text": "Hello?"},
    )
    assert refused.status == 409 and "hello_again" in await refused.text()
    await shop.post(f"/inbox/conversations/{conversation}/template", data={"csrf_token": csrf})
    await settled(shop)
    assert "Hello?" not in graph.texts()
    template = graph.sent[-1]
    assert template["type"] == "template"
    assert template["template"] == {"name": "hello_again", "language": {"code": "en_US"}}

    # The customer writes back: the window is open again, and the reply goes.
    clock.ahead = timedelta()
    await post_update(shop, whatsapp_update(whatsapp_text("yes, still here")))
    await settled(shop)
    ok = await shop.post(
        f"/inbox/conversations/{conversation}/reply", data={"csrf_token": csrf, "text": "Great, thanks!"}
    )
    await settled(shop)
    assert ok.status == 200 and graph.texts()[-1] == "Great, thanks!"


async def test_a_6000_character_reply_goes_as_two_messages_broken_between_sentences(shop, graph):
    await post_update(shop, whatsapp_update(whatsapp_text("I want to talk to a human")))
    await settled(shop)
    conversation = await conversation_id(shop)
    csrf = await sign_in(shop, "ana@alderandpine.example", PASSWORD)
    await shop.post(f"/inbox/conversations/{conversation}/claim", data={"csrf_token": csrf})
    sentence = "Your order left our warehouse this morning and is on its way to you. "
    long_reply = (sentence * 90).strip()  # 6,119 characters
    await shop.post(
        f"/inbox/conversations/{conversation}/reply", data={"csrf_token": csrf, "text": long_reply}
    )
    await settled(shop)
    pieces = [body["text"]["body"] for body in graph.sent if body["type"] == "text"][-2:]
    assert all(len(piece) <= 4096 for piece in pieces)
    assert pieces[0].endswith("to you.") and " ".join(pieces) == long_reply


async def test_a_message_too_long_to_read_is_answered_with_why(shop, rasa, graph):
    await post_update(shop, whatsapp_update(whatsapp_text("my order " * 1000)))  # 9,000 characters
    await settled(shop)
    assert rasa.received == []
    assert graph.texts() == [
        "That message is longer than I can read (7000 characters): could you send it in shorter parts?"
    ]


# --- delivery -------------------------------------------------------------------------------------


async def test_delivery_reports_in_any_order_update_the_message_and_a_failure_shows_in_the_inbox(shop, graph):
    await post_update(shop, whatsapp_update(whatsapp_text("hi")))
    await settled(shop)
    conversation = await conversation_id(shop)
    await sign_in(shop, "owner@alderandpine.example", PASSWORD)
    first = "wamid.out-1"
    await post_update(shop, whatsapp_update(statuses=(whatsapp_status(first, "read"),)))
    await post_update(shop, whatsapp_update(statuses=(whatsapp_status(first, "delivered"),)))
    await settled(shop)
    page = await (await shop.get(f"/inbox/conversations/{conversation}")).text()
    assert "delivery-read" in page and "delivery-delivered" not in page

    await post_update(shop, whatsapp_update(whatsapp_text("How long does delivery take?")))
    await settled(shop)
    second = f"wamid.out-{len(graph.sent)}"
    failed = whatsapp_status(second, "failed", error="Message undeliverable")
    await post_update(shop, whatsapp_update(statuses=(failed,)))
    await settled(shop)
    page = await (await shop.get(f"/inbox/conversations/{conversation}")).text()
    assert "delivery-failed" in page and "Message undeliverable" in page


async def test_a_platform_outage_is_retried_and_a_refusal_is_shown_failed(shop, graph):
    graph.fail_next(2, status=500)
    await post_update(shop, whatsapp_update(whatsapp_text("hi")))
    await shop.app[INBOUND].settle()
    await eventually(lambda: len(graph.sent) == 1)
    assert len(graph.sent) == 1  # sent on the third attempt

    graph.fail_next(1, status=400, code=131026)  # "message undeliverable": sending again cannot help
    await post_update(shop, whatsapp_update(whatsapp_text("How long does delivery take?")))
    await settled(shop)
    await sign_in(shop, "owner@alderandpine.example", PASSWORD)
    page = await (await shop.get(f"/inbox/conversations/{await conversation_id(shop)}")).text()
    assert "delivery-failed" in page and "131026" in page
    assert len(graph.sent) == 1


async def test_what_was_not_sent_before_a_restart_is_sent_after_it(aiohttp_client, tmp_path, rasa, graph):
    settings = whatsapp_settings(tmp_path, rasa, graph)
    first = await start_gateway(aiohttp_client, settings, hours=StaffHours.around_the_clock())
    first.app[SENDING].retry_after = (3600.0,)
    graph.fail_next(1, status=503)
    await post_update(first, whatsapp_update(whatsapp_text("hi")))
    await settled(first)
    assert graph.sent == []
    await first.close()

    # The same store, a new gateway: the message waits for its retry time (an hour: moved to
    # now here), then goes.
    app = create_app(settings, hours=StaffHours.around_the_clock())
    await aiohttp_client(app)
    async with app[ENGINE].begin() as connection:
        await connection.execute(update(Outgoing).values(next_attempt_at=datetime.now(UTC)))
    app[SENDING].wake()
    await eventually(lambda: len(graph.sent) == 1)
    assert graph.texts() and graph.texts()[0].startswith("Hi! I'm the Alder & Pine assistant")


# --- shaping messages for WhatsApp (no network) ------------------------------------------------


def test_four_or_more_options_become_a_list_and_long_titles_are_shortened():
    buttons = [
        {"title": f"Option number {n} with a long title", "payload": f'/choose{{"n": {n}}}'}
        for n in range(12)
    ]
    (part,) = whatsapp.parts({"text": "Which one?", "buttons": buttons}, None, "en_US")
    assert part["kind"] == "list" and len(part["rows"]) == 10
    assert all(len(row["title"]) <= 24 for row in part["rows"])
    (few,) = whatsapp.parts({"text": "Yes?", "buttons": buttons[:3]}, None, "en_US")
    assert few["kind"] == "buttons" and all(len(b["title"]) <= 20 for b in few["buttons"])


def test_product_cards_are_pictures_with_captions_when_the_gateway_has_a_public_address():
    cards = {
        "type": "product_cards",
        "products": [
            RIDGE_TENT,
            {"name": "Trail Stove", "price": "59.00", "currency": "USD", "image": None},
        ],
    }
    parts = whatsapp.parts({"text": "Two ideas:", "custom": cards}, "https://support.shop.example", "en_US")
    assert parts[0] == {"kind": "text", "text": "Two ideas:\n2. Trail Stove (59.00 USD)"}
    assert (
        parts[1]["kind"] == "image" and parts[1]["url"] == "https://support.shop.example/images/ridge-2.jpg"
    )
    assert parts[1]["caption"] == "1. Ridge 2 Tent (249.00 USD): https://shop.example/ridge-2"
    local = whatsapp.parts({"text": "Two ideas:", "custom": cards}, None, "en_US")
    assert [part["kind"] for part in local] == ["text"]
    # Each product once, numbered as the customer may refer to it ("the second one").
    assert local[0]["text"].count("Ridge 2 Tent") == 1 and "\n1. Ridge 2 Tent" in local[0]["text"]


def test_text_is_split_at_paragraphs_then_sentences_then_words():
    assert split_text("one two", 100) == ["one two"]
    assert split_text("First part.\n\nSecond part.", 15) == ["First part.", "Second part."]
    assert split_text("Aaa bbb. Ccc ddd.", 12) == ["Aaa bbb.", "Ccc ddd."]
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


async def test_an_update_acknowledged_but_not_handled_before_a_stop_is_handled_after_it(
    aiohttp_client, tmp_path, rasa, graph
):
    settings = whatsapp_settings(tmp_path, rasa, graph)
    first = await start_gateway(aiohttp_client, settings, hours=StaffHours.around_the_clock())
    # As if the gateway stopped right after keeping (and acknowledging) the update.
    ((event_id, single),) = whatsapp.events(whatsapp_update(whatsapp_text("hi")))
    await first.app[CHANNEL_EVENTS].keep(
        whatsapp.CHANNEL, event_id, {"customer": CUSTOMER_NUMBER, "body": single}
    )
    await first.close()

    restarted = await aiohttp_client(create_app(settings, hours=StaffHours.around_the_clock()))
    await settled(restarted)
    assert [body["message"] for body in rasa.received] == ["hi"]
    assert graph.texts()[0].startswith("Hi! I'm the Alder & Pine assistant")
