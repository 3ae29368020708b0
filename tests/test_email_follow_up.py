"""E-mail follow-up: out of hours, a customer leaves an address; the staff reply reaches it, through
a real SMTP server on loopback (aiosmtpd). Without SMTP settings nobody is promised an e-mail."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.gateway.keys import SENDING
from bot.settings import load_settings
from tests.gateway_helpers import PASSWORD, TOKEN, customer_says, sign_in, start_gateway, texts
from tests.mailbox import SHOP_ADDRESS

# A Saturday, 11pm in the shop's time zone (Pacific): the team is away until Monday.
SATURDAY_NIGHT = datetime(2026, 12, 6, 7, 0, tzinfo=UTC)


async def test_an_out_of_hours_staff_reply_reaches_the_customers_email(aiohttp_client, settings, mailbox):
    shop = await start_gateway(aiohttp_client, settings, clock=lambda: SATURDAY_NIGHT)
    before = len(mailbox.received)
    answer = await customer_says(shop, "I want to talk to a human", customer="maya")
    assert "type your email address" in texts(answer)[-1] and "Monday" in texts(answer)[-1]
    await customer_says(shop, "it's maya.k@example.org", customer="maya")
    conversation = answer["conversation"]["id"]

    csrf = await sign_in(shop, "ana@alderandpine.example", PASSWORD)
    await shop.post(f"/inbox/conversations/{conversation}/claim", data={"csrf_token": csrf})
    await shop.post(
        f"/inbox/conversations/{conversation}/reply",
        data={"csrf_token": csrf, "text": "Your refund of $42 went out today.\nSubject: not a header"},
    )
    await shop.app[SENDING].settle()
    (recipients, message), *_ = mailbox.received[before:]
    assert recipients == ["maya.k@example.org"]
    assert message["From"].addresses[0].addr_spec == SHOP_ADDRESS and message["To"] == "maya.k@example.org"
    assert message["Subject"] == "Your question to Alder & Pine Outdoor Co."
    body = message.get_content()
    assert "Your refund of $42 went out today." in body and "Ana, Alder & Pine Outdoor Co." in body
    page = await (await shop.get(f"/inbox/conversations/{conversation}")).text()
    assert "delivery-sent" in page


async def test_a_customer_who_did_not_ask_for_email_gets_none(aiohttp_client, settings, mailbox):
    shop = await start_gateway(aiohttp_client, settings, clock=lambda: SATURDAY_NIGHT)
    before = len(mailbox.received)
    answer = await customer_says(shop, "I want to talk to a human", customer="lee")
    conversation = answer["conversation"]["id"]
    csrf = await sign_in(shop, "ana@alderandpine.example", PASSWORD)
    await shop.post(f"/inbox/conversations/{conversation}/claim", data={"csrf_token": csrf})
    await shop.post(
        f"/inbox/conversations/{conversation}/reply", data={"csrf_token": csrf, "text": "Hello Lee"}
    )
    await shop.app[SENDING].settle()
    assert len(mailbox.received) == before


async def test_without_smtp_settings_nobody_is_promised_an_email(aiohttp_client, tmp_path, rasa):
    plain = load_settings(data_dir=tmp_path, rasa_port=rasa.port, channel_token=TOKEN, secure_cookies=False)
    shop = await start_gateway(aiohttp_client, plain, clock=lambda: SATURDAY_NIGHT)
    answer = await customer_says(shop, "I want to talk to a human")
    assert "Nobody from our team is available right now" in texts(answer)[-1]
    assert "email" not in texts(answer)[-1]
    assert answer["conversation"]["status"] == "waiting"
    followed = await customer_says(shop, "it's jo@example.org")
    assert "We'll write to" not in " ".join(texts(followed))
