"""Staff and customer in real headless Chromium, against the real gateway, Rasa and action server;
then Rasa and the action server stopped in the middle of a conversation."""

from __future__ import annotations

import json
import urllib.request

import pytest
from playwright.sync_api import expect

from bot.settings import Settings
from tests.browser import say, sign_in

pytestmark = [pytest.mark.rasa, pytest.mark.e2e]
_OPEN: list = []


@pytest.fixture(autouse=True)
def _close_contexts():
    """Every browser a test opened is closed after it (a staff member's open inbox would count as
    someone online for the tests after it)."""
    yield
    while _OPEN:
        _OPEN.pop().close()


def context(browser):
    opened = browser.new_context()
    _OPEN.append(opened)
    return opened


def test_staff_take_over_reply_and_hand_back_to_the_bot(live_shop, browser, tmp_path):
    settings, _ = live_shop
    staff = context(browser).new_page()
    sign_in(staff, settings)  # with the inbox open, Ana counts as available

    chat = context(browser).new_page()
    chat.goto(f"{settings.gateway_url}/chat")
    say(chat, "Where is my order AP-10234?")
    expect(chat.locator(".from-bot").last).to_contain_text("AP-10234")
    say(chat, "I want to talk to a human")
    expect(chat.locator(".from-bot").last).to_contain_text("asked a person from our team")

    waiting = staff.locator("#waiting li").filter(has_text="asked where an order is").first
    expect(waiting).to_contain_text("customer asked for a person")
    expect(waiting).to_contain_text("asked where an order is")  # the summary of what the bot saw
    waiting.get_by_role("link").click()
    staff.get_by_role("button", name="Claim").click()
    expect(chat.locator(".from-system").last).to_contain_text("Ana from our team has joined")

    staff.get_by_label("Reply to the customer").fill("Hi, Ana here. AP-10234 left our warehouse today.")
    staff.get_by_role("button", name="Send").click()
    expect(chat.locator(".from-agent .bubble").last).to_have_text(
        "Hi, Ana here. AP-10234 left our warehouse today."
    )

    say(chat, "Great, thanks <b>Ana</b>!")
    expect(staff.locator("#messages .from-customer").last).to_contain_text("Great, thanks <b>Ana</b>!")

    staff.get_by_role("button", name="Resolve: back to the assistant").click()
    expect(chat.locator(".from-system").last).to_contain_text("from 1 (poor) to 5 (great)")
    say(chat, "5")
    expect(chat.locator(".from-system").last).to_contain_text("Thank you for rating us!")
    say(chat, "How long does delivery take?")
    expect(chat.locator(".from-bot").last).to_contain_text("Standard takes 3-5 business days")
    staff.screenshot(path=str(tmp_path / "inbox.png"), full_page=True)
    chat.screenshot(path=str(tmp_path / "chat.png"), full_page=True)


def test_product_cards_in_the_web_chat_show_pictures_that_load(live_shop, browser, tmp_path):
    settings, _ = live_shop
    chat = context(browser).new_page()
    chat.goto(f"{settings.gateway_url}/chat")
    say(chat, "a tent for two, around $250")
    cards = chat.locator(".from-bot .card")
    expect(cards.first).to_be_visible()
    expect(cards.first).to_contain_text("fits 2 people")
    pictures = chat.locator(".from-bot .card img")
    assert pictures.count() == cards.count() > 0
    for picture in pictures.all():
        # Loaded from the gateway (the shop's own files), and really decoded by the browser.
        assert picture.get_attribute("src").startswith(f"{settings.gateway_url}/catalog/images/")
        picture.scroll_into_view_if_needed()
        chat.wait_for_function("image => image.complete", arg=picture.element_handle())
        assert picture.evaluate("image => image.naturalWidth") > 0
    chat.screenshot(path=str(tmp_path / "cards.png"), full_page=True)


def post(settings: Settings, customer: str, text: str) -> dict:
    token = (settings.channel_token_file).read_text().strip()
    request = urllib.request.Request(
        f"{settings.gateway_url}/api/messages",
        data=json.dumps({"channel": "api", "customer_id": customer, "text": text}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def replies(answer: dict) -> str:
    return "\n".join(reply["text"] for reply in answer["replies"])


@pytest.mark.parametrize("stopped", ["Rasa server", "action server"])
def test_a_stopped_assistant_mid_conversation_queues_the_customer_and_the_bot_resumes(live_shop, stopped):
    settings, supervisor = live_shop
    customer = f"outage-{stopped.split()[0].lower()}"
    assert "Alder & Pine assistant" in replies(post(settings, customer, "hi"))

    supervisor.stop_service(stopped)
    try:
        answer = post(settings, customer, "How long does delivery take?")
        assert "your answer is on its way" in replies(answer)
        assert answer["conversation"]["status"] == "waiting"
    finally:
        supervisor.start_service(stopped)

    back = post(settings, customer, "How long does delivery take?")
    assert "Standard takes 3-5 business days" in replies(back)
    assert back["conversation"]["status"] == "bot"
