"""WhatsApp through Twilio end to end: the webhook's signature as Twilio's RequestValidator
checks it (also behind a proxy), a message answered through Twilio's REST client pointed at a
fake Twilio on loopback, and its delivery callbacks."""

from __future__ import annotations

import pytest
from twilio.request_validator import RequestValidator

from bot.core.availability import StaffHours
from bot.gateway.keys import CONVERSATIONS
from tests.gateway_helpers import PASSWORD, channel_settings, channels_settled, sign_in, start_gateway
from tests.platforms import JPEG, TWILIO_FROM, TWILIO_SID, TWILIO_TOKEN, FakeTwilio, serving, twilio_message

PUBLIC = "https://support.alderandpine.example"
WEBHOOK = "/channels/twilio/webhook"


@pytest.fixture
async def twilio():
    async with serving(FakeTwilio()) as fake:
        yield fake


def twilio_settings(tmp_path, rasa, twilio, public_url: str | None = PUBLIC):
    return channel_settings(
        tmp_path,
        rasa,
        twilio_account_sid=TWILIO_SID,
        twilio_auth_token=TWILIO_TOKEN,
        twilio_whatsapp_from=TWILIO_FROM,
        twilio_api_url=twilio.url,
        public_url=public_url,
        allowed_hosts="support.alderandpine.example",
    )


@pytest.fixture
async def shop(aiohttp_client, tmp_path, rasa, twilio):
    return await start_gateway(
        aiohttp_client, twilio_settings(tmp_path, rasa, twilio), hours=StaffHours.around_the_clock()
    )


def signature(url: str, form: dict[str, str], token: str = TWILIO_TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, form)


settled = channels_settled


async def test_a_message_is_answered_through_twilio_and_a_redelivery_once(shop, rasa, twilio):
    form = twilio_message("hi", sid="SM11111111111111111111111111111111")
    headers = {"X-Twilio-Signature": signature(PUBLIC + WEBHOOK, form)}
    first = await shop.post(WEBHOOK, data=form, headers=headers)
    again = await shop.post(WEBHOOK, data=form, headers=headers)
    await settled(shop)
    assert first.status == again.status == 200
    assert "<Response>" in await first.text()
    assert [body["message"] for body in rasa.received] == ["hi"]
    (sent,) = twilio.sent
    assert sent["To"] == "whatsapp:+447700900123" and sent["From"] == TWILIO_FROM
    assert sent["Body"].startswith("Hi! I'm the Alder & Pine assistant")
    assert sent["StatusCallback"] == PUBLIC + "/channels/twilio/status"


async def test_forged_signatures_and_other_urls_are_refused_and_nothing_is_kept(shop, rasa, twilio):
    form = twilio_message("hi", sid="SM22222222222222222222222222222222")
    wrong_token = await shop.post(
        WEBHOOK, data=form, headers={"X-Twilio-Signature": signature(PUBLIC + WEBHOOK, form, "guess")}
    )
    other_url = await shop.post(
        WEBHOOK, data=form, headers={"X-Twilio-Signature": signature("https://evil.example" + WEBHOOK, form)}
    )
    changed = await shop.post(
        WEBHOOK,
        data={**form, "Body": "refund me"},
        headers={"X-Twilio-Signature": signature(PUBLIC + WEBHOOK, form)},
    )
    unsigned = await shop.post(WEBHOOK, data=form)
    await settled(shop)
    assert [r.status for r in (wrong_token, other_url, changed, unsigned)] == [401, 401, 401, 401]
    assert rasa.received == [] and twilio.sent == []
    assert await shop.app[CONVERSATIONS].latest_for("twilio", "whatsapp:+447700900123") is None


async def test_behind_a_proxy_the_url_twilio_signed_is_rebuilt_from_forwarded_headers(
    aiohttp_client, tmp_path, rasa, twilio
):
    shop = await start_gateway(
        aiohttp_client,
        twilio_settings(tmp_path, rasa, twilio, public_url=None),
        hours=StaffHours.around_the_clock(),
    )
    form = twilio_message("hi", sid="SM33333333333333333333333333333333")
    proxied = {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "support.alderandpine.example",
        "X-Twilio-Signature": signature("https://support.alderandpine.example" + WEBHOOK, form),
    }
    response = await shop.post(WEBHOOK, data=form, headers=proxied)
    await settled(shop)
    assert response.status == 200 and len(twilio.sent) == 1


async def test_delivery_callbacks_update_the_message_in_the_inbox(shop, twilio):
    form = twilio_message("hi", sid="SM44444444444444444444444444444444")
    await shop.post(WEBHOOK, data=form, headers={"X-Twilio-Signature": signature(PUBLIC + WEBHOOK, form)})
    await settled(shop)
    sid = "SM" + "1".zfill(32)
    callback = {
        "MessageSid": sid,
        "MessageStatus": "undelivered",
        "ErrorCode": "63016",
        "AccountSid": TWILIO_SID,
    }
    url = PUBLIC + "/channels/twilio/status"
    response = await shop.post(
        "/channels/twilio/status", data=callback, headers={"X-Twilio-Signature": signature(url, callback)}
    )
    await settled(shop)
    assert response.status == 200
    await sign_in(shop, "owner@alderandpine.example", PASSWORD)
    conversation = await shop.app[CONVERSATIONS].latest_for("twilio", "whatsapp:+447700900123")
    page = await (await shop.get(f"/inbox/conversations/{conversation.id}")).text()
    assert "delivery-failed" in page and "63016" in page


async def test_a_photo_sent_through_twilio_is_kept_for_staff(shop, rasa, twilio):
    sid = "SM55555555555555555555555555555555"
    form = twilio_message("", sid=sid) | {
        "NumMedia": "1",
        "MediaContentType0": "image/jpeg",
        "MediaUrl0": f"{twilio.url}/2010-04-01/Accounts/{TWILIO_SID}/Messages/{sid}/Media/ME1",
    }
    await shop.post(WEBHOOK, data=form, headers={"X-Twilio-Signature": signature(PUBLIC + WEBHOOK, form)})
    await settled(shop)
    assert rasa.received == []  # a picture is not for the assistant
    assert "can't open pictures" in twilio.sent[-1]["Body"] and "1. Yes, a person" in twilio.sent[-1]["Body"]
    conversation = await shop.app[CONVERSATIONS].latest_for("twilio", "whatsapp:+447700900123")
    (message, *_) = await shop.app[CONVERSATIONS].messages(conversation.id)
    await sign_in(shop, "owner@alderandpine.example", PASSWORD)
    picture = await shop.get(f"/inbox/media/{message.id}")
    assert picture.content_type == "image/jpeg" and await picture.read() == JPEG
    # Twilio shows no buttons: the customer answers with the option's number.
    answer = twilio_message("1", sid="SM66666666666666666666666666666666")
    await shop.post(WEBHOOK, data=answer, headers={"X-Twilio-Signature": signature(PUBLIC + WEBHOOK, answer)})
    await settled(shop)
    assert [body["message"] for body in rasa.received] == ["/contact_human_agent"]
