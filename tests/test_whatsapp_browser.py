"""A WhatsApp customer and a staff member in real Chromium, against the real gateway, Rasa and
action server: the assistant's own answers reach the (fake) Graph API, and the inbox shows the
platform's delivery reports as they come, without reloading."""

from __future__ import annotations

import time
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.browser import sign_in
from tests.platforms import signed_json, whatsapp_status, whatsapp_text, whatsapp_update

pytestmark = [pytest.mark.rasa, pytest.mark.e2e]
NUMBER = "447700900555"


def post(settings, update: dict) -> int:
    body, headers = signed_json(update)
    request = urllib.request.Request(
        f"{settings.gateway_url}/channels/whatsapp/webhook", data=body, headers=headers
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def said_to(graph, number: str, after: int = 0, seconds: float = 60) -> list[dict]:
    """What the Graph API was asked to send to ``number``, once there is more than ``after``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        sent = [body for body in graph.sent if body.get("to") == number]
        if len(sent) > after:
            return sent
        time.sleep(0.1)
    raise AssertionError(f"nothing more was sent to {number} within {seconds} s")


def test_a_whatsapp_customer_is_answered_by_the_real_assistant_and_staff_see_deliveries_live(
    live_shop, live_graph, browser, tmp_path
):
    settings, _ = live_shop
    assert (
        post(settings, whatsapp_update(whatsapp_text("How long does delivery take?", number=NUMBER))) == 200
    )
    (answer,) = said_to(live_graph, NUMBER)
    assert "Standard takes 3-5 business days" in answer["text"]["body"]

    assert post(settings, whatsapp_update(whatsapp_text("I want to talk to a human", number=NUMBER))) == 200
    before = len(said_to(live_graph, NUMBER, after=1))
    staff = browser.new_context().new_page()
    try:
        sign_in(staff, settings)
        staff.locator("#waiting li").filter(has_text="on whatsapp").first.get_by_role("link").click()
        staff.get_by_role("button", name="Claim").click()
        staff.get_by_label("Reply to the customer").fill("Hi Maya, Ana here.")
        staff.get_by_role("button", name="Send").click()
        sent = said_to(live_graph, NUMBER, after=before + 1)  # "Ana has joined", then the reply
        assert sent[-1]["text"]["body"] == "Hi Maya, Ana here."
        reply = staff.locator("#messages .from-agent").last
        expect(reply.locator(".delivery")).to_have_text("sent")

        wamid = f"wamid.out-{len(live_graph.sent)}"
        assert (
            post(settings, whatsapp_update(statuses=(whatsapp_status(wamid, "read", number=NUMBER),))) == 200
        )
        expect(reply.locator(".delivery")).to_have_text("read")  # live, no reload
        staff.screenshot(path=str(tmp_path / "whatsapp-inbox.png"), full_page=True)
    finally:
        staff.context.close()
