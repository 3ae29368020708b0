"""Slack end to end: the Events API and interactivity signed as Slack signs them (slack_sdk's
verifier), Socket Mode against a fake Socket Mode server, and what the gateway posts, recorded by
a fake Web API on loopback that slack_sdk's client is pointed at."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest

from bot.channels import slack
from bot.core.availability import StaffHours
from bot.gateway.keys import CONVERSATIONS
from tests.gateway_helpers import (
    PASSWORD,
    channel_settings,
    channels_settled,
    eventually,
    sign_in,
    start_gateway,
)
from tests.platforms import (
    JPEG,
    RIDGE_TENT,
    SLACK_APP_TOKEN,
    SLACK_BOT_TOKEN,
    SLACK_SECRET,
    FakeSlack,
    serving,
    slack_click,
    slack_event,
    slack_headers,
)

EVENTS = "/channels/slack/events"
INTERACTIONS = "/channels/slack/interactions"


@pytest.fixture
async def fake_slack():
    async with serving(FakeSlack()) as fake:
        yield fake


def slack_settings(tmp_path, rasa, fake_slack, **overrides):
    return channel_settings(
        tmp_path,
        rasa,
        slack_bot_token=SLACK_BOT_TOKEN,
        slack_api_url=fake_slack.api,
        **overrides,
    )


@pytest.fixture
async def shop(aiohttp_client, tmp_path, rasa, fake_slack):
    settings = slack_settings(tmp_path, rasa, fake_slack, slack_signing_secret=SLACK_SECRET)
    return await start_gateway(aiohttp_client, settings, hours=StaffHours.around_the_clock())


async def deliver(client, path: str, payload: dict, **signing):
    if path == INTERACTIONS:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        headers = slack_headers(body, content_type="application/x-www-form-urlencoded", **signing)
    else:
        body = json.dumps(payload).encode()
        headers = slack_headers(body, **signing)
    return await client.post(path, data=body, headers=headers)


settled = channels_settled


async def test_the_url_check_answers_the_challenge_when_signed(shop):
    check = {
        "token": "unused",
        "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
        "type": "url_verification",
    }
    answered = await deliver(shop, EVENTS, check)
    assert answered.status == 200 and (await answered.json())["challenge"] == check["challenge"]
    unsigned = await shop.post(EVENTS, json=check)
    assert unsigned.status == 401


async def test_forged_and_stale_requests_are_refused_and_nothing_is_kept(shop, rasa, fake_slack):
    event = slack_event("hi", "Ev01")
    forged = await deliver(shop, EVENTS, event, secret="not-the-signing-secret")
    stale = await deliver(shop, EVENTS, event, at=int(time.time()) - 6 * 60)  # a replayed capture
    click = await deliver(shop, INTERACTIONS, slack_click("/affirm"), secret="guess")
    await settled(shop)
    assert [forged.status, stale.status, click.status] == [401, 401, 401]
    assert rasa.received == [] and fake_slack.posted == []
    assert await shop.app[CONVERSATIONS].latest_for("slack", "D024BE91L:U2147483697") is None


async def test_a_direct_message_is_answered_and_a_retried_delivery_answered_once(shop, rasa, fake_slack):
    event = slack_event("hi", "Ev02")
    first = await deliver(shop, EVENTS, event)
    retried = await deliver(shop, EVENTS, event)  # Slack retries when the ack was slow
    await settled(shop)
    assert first.status == retried.status == 200
    assert [body["message"] for body in rasa.received] == ["hi"]
    (posted,) = fake_slack.posted
    assert posted["channel"] == "D024BE91L" and "thread_ts" not in posted
    assert posted["blocks"][0]["text"]["text"].startswith("Hi! I'm the Alder & Pine assistant")
    conversation = await shop.app[CONVERSATIONS].latest_for("slack", "D024BE91L:U2147483697")
    assert conversation.customer.name == "Maya Kowalski"  # as staff see them in the inbox


async def test_a_mention_in_a_channel_is_answered_in_its_thread(shop, rasa, fake_slack):
    event = slack_event("<@U0LAN0Z89> How long does delivery take?", "Ev03", channel="C0LAN2Q65")
    event["event"] |= {"type": "app_mention", "ts": "1733139999.000200"}
    event["event"].pop("channel_type")
    await deliver(shop, EVENTS, event)
    await settled(shop)
    assert [body["message"] for body in rasa.received] == ["How long does delivery take?"]
    assert fake_slack.posted[0]["channel"] == "C0LAN2Q65"
    assert fake_slack.posted[0]["thread_ts"] == "1733139999.000200"


async def test_a_button_click_reaches_rasa_as_its_payload(shop, rasa, fake_slack):
    await deliver(shop, EVENTS, slack_event("what is the meaning of it all", "Ev04"))
    await settled(shop)
    actions = fake_slack.posted[-1]["blocks"][-1]
    assert actions["type"] == "actions"
    assert [e["value"] for e in actions["elements"]] == ["/affirm", "/deny"]
    clicked = await deliver(shop, INTERACTIONS, slack_click("/affirm"))
    await settled(shop)
    assert clicked.status == 200
    assert [body["message"] for body in rasa.received] == ["what is the meaning of it all", "/affirm"]


async def test_the_apps_own_messages_and_edits_are_not_answered(shop, rasa):
    await deliver(shop, EVENTS, slack_event("I said this", "Ev05", bot_id="B123"))
    await deliver(shop, EVENTS, slack_event("edited", "Ev06", subtype="message_changed"))
    await settled(shop)
    assert rasa.received == []


async def test_a_shared_screenshot_is_kept_for_staff_and_a_person_offered(shop, rasa, fake_slack):
    shared = {
        "subtype": "file_share",
        "files": [
            {
                "id": "F0S43P1CZ",
                "name": "broken-zip.jpg",
                "mimetype": "image/jpeg",
                "url_private_download": f"{fake_slack.url}/files-pri/T123-F0S43P1CZ/download/broken-zip.jpg",
            }
        ],
    }
    await deliver(shop, EVENTS, slack_event("this is what I got", "Ev08", **shared))
    await settled(shop)
    assert rasa.received == []
    offer = fake_slack.posted[-1]["blocks"]
    assert "can't open pictures" in offer[0]["text"]["text"]
    assert [e["value"] for e in offer[-1]["elements"]] == ["/contact_human_agent", "/deny"]
    conversation = await shop.app[CONVERSATIONS].latest_for("slack", "D024BE91L:U2147483697")
    (message, *_) = await shop.app[CONVERSATIONS].messages(conversation.id)
    assert message.payload["attachment"]["filename"] == "broken-zip.jpg"
    await sign_in(shop, "owner@alderandpine.example", PASSWORD)
    picture = await shop.get(f"/inbox/media/{message.id}")
    assert await picture.read() == JPEG


async def test_socket_mode_delivers_a_message_and_its_answer(aiohttp_client, tmp_path, rasa, fake_slack):
    settings = slack_settings(tmp_path, rasa, fake_slack, slack_app_token=SLACK_APP_TOKEN)
    shop = await start_gateway(aiohttp_client, settings, hours=StaffHours.around_the_clock())
    await eventually(lambda: bool(fake_slack.sockets))
    await fake_slack.push(
        {
            "envelope_id": "57d6a792-4d35-4d0b-b6aa-3361493e1caf",
            "type": "events_api",
            "accepts_response_payload": False,
            "payload": slack_event("hi", "Ev07"),
            "retry_attempt": 0,
            "retry_reason": "",
        }
    )
    await eventually(lambda: bool(fake_slack.posted))
    await settled(shop)
    assert fake_slack.acks == ["57d6a792-4d35-4d0b-b6aa-3361493e1caf"]
    assert [body["message"] for body in rasa.received] == ["hi"]
    assert fake_slack.posted[0]["channel"] == "D024BE91L"


def test_block_kit_shows_staff_text_literally_and_cards_with_pictures():
    cards = {
        "type": "product_cards",
        "products": [RIDGE_TENT],
    }
    (part,) = slack.parts({"text": "<!channel> look", "custom": cards}, "https://support.shop.example")
    assert part["text"] == "&lt;!channel&gt; look"
    card = part["blocks"][1]
    assert card["text"]["text"] == "1. *<https://shop.example/ridge-2|Ridge 2 Tent>* · 249.00 USD"
    assert card["accessory"]["image_url"] == "https://support.shop.example/images/ridge-2.jpg"
