"""The website chat widget in real headless Chromium, against the real gateway, Rasa and action
server: on the demo shop page and on a shop's own site (another origin), as customers use it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from bot.settings import PROJECT_DIR
from tests.browser import IDENTITY_SECRET, say, sign_in, signed
from tests.test_end_to_end import free_port

pytestmark = [pytest.mark.rasa, pytest.mark.e2e]
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SCREENSHOTS = os.environ.get("SUPPORTDESK_SCREENSHOTS")  # a folder to keep the screenshots in


@pytest.fixture
def context(browser):
    """A browser of one customer's (its own storage, cookies, tabs)."""
    opened = browser.new_context()
    yield opened
    opened.close()


def open_widget(page: Page) -> None:
    page.get_by_role("button", name="Open chat").click()
    expect(page.get_by_label("Your message")).to_be_focused()


def chat_on(context, url: str) -> Page:
    """A new tab on ``url`` with the chat opened."""
    page = context.new_page()
    page.goto(url)
    open_widget(page)
    return page


def ask(page: Page, text: str, answer: str) -> None:
    """Say ``text`` and see the assistant's answer contain ``answer``."""
    say(page, text)
    expect(page.locator(".from-bot").last).to_contain_text(answer)


def log(page: Page):
    return page.get_by_role("log")


def keep(page: Page, name: str, tmp_path: Path) -> None:
    page.screenshot(path=str(Path(SCREENSHOTS or tmp_path) / name))


def test_greet_shop_hand_over_agent_reply_resolve_and_rate_on_the_demo_page(live_shop, browser, tmp_path):
    settings, _ = live_shop
    staff_context, customer_context = browser.new_context(), browser.new_context()
    try:
        staff = staff_context.new_page()
        sign_in(staff, settings)  # with the inbox open, Ana counts as available
        page = customer_context.new_page()
        page.goto(f"{settings.gateway_url}/")
        expect(page.get_by_role("heading", name="Featured gear")).to_be_visible()
        open_widget(page)
        expect(log(page)).to_contain_text("Ask me about orders, returns or gear")  # the page's greeting
        ask(page, "hello there", "Alder & Pine assistant")

        say(page, "I need a tent for two, around $250")
        cards = page.locator(".from-bot .card")
        expect(cards.first).to_be_visible()
        expect(cards.first).to_contain_text("USD")
        expect(cards.first).to_contain_text("In stock")
        for picture in page.locator(".from-bot .card img").all()[:3]:
            picture.scroll_into_view_if_needed()
            page.wait_for_function(
                "image => image.complete && image.naturalWidth > 0", arg=picture.element_handle()
            )
        carousel = page.locator(".cards").last
        carousel.evaluate("cards => cards.scrollTo({left: 0, behavior: 'instant'})")
        page.wait_for_function("cards => cards.scrollLeft < 10", arg=carousel.element_handle())
        keep(page, "widget-desktop.png", tmp_path)

        say(page, "I want to talk to a human")
        expect(page.get_by_text("Waiting for a person from our team")).to_be_visible()
        staff.locator("#waiting li").filter(has_text="I want to talk to a human").first.get_by_role(
            "link"
        ).click()
        staff.get_by_role("button", name="Claim").click()
        expect(page.get_by_text("You're chatting with Ana")).to_be_visible()

        # Reloaded mid-conversation: the history is back.
        page.reload()
        open_widget(page)
        expect(log(page)).to_contain_text("I want to talk to a human")
        expect(page.get_by_text("You're chatting with Ana")).to_be_visible()

        # Minimised, a reply from staff shows as unread on the launcher.
        page.get_by_role("button", name="Close chat").click()
        expect(page.get_by_role("button", name="Open chat")).to_be_focused()
        staff.get_by_label("Reply to the customer").fill("Hi, Ana here: the Ridgeback 2 is a lovely tent.")
        staff.get_by_role("button", name="Send").click()
        expect(
            page.get_by_role("button", name="Open chat: Alder & Pine Outdoor Co. (1 unread)")
        ).to_be_visible()
        open_widget(page)
        expect(page.locator(".from-agent .bubble").last).to_have_text(
            "Hi, Ana here: the Ridgeback 2 is a lovely tent."
        )
        expect(page.locator(".from-agent .sender").last).to_have_text("Ana")
        expect(
            page.get_by_role("button", name="Open chat: Alder & Pine Outdoor Co.", exact=True)
        ).to_be_attached()

        staff.get_by_role("button", name="Resolve: back to the assistant").click()
        page.get_by_role("button", name="Rate 5 out of 5 (great)").click()
        expect(page.locator(".from-system").last).to_contain_text("Thank you for rating us!")
        expect(page.get_by_role("group", name="Rate the help you got")).to_have_count(0)
        expect(page.get_by_text("Assistant", exact=True)).to_be_visible()
    finally:
        staff_context.close()
        customer_context.close()


def test_on_the_shops_own_site_the_conversation_follows_into_a_second_tab(live_shop, shop_site, context):
    settings, _ = live_shop
    url = shop_site.page("shop.html", settings.gateway_url, title="Trail shop help", color="#ffd400")
    page = chat_on(context, url)
    ask(page, "How long does delivery take?", "Standard takes 3-5 business days")
    # The shop's yellow: text on it is dark, for contrast.
    header = page.locator("header").first
    assert header.evaluate("h => getComputedStyle(h).color") == "rgb(17, 17, 17)"

    second = chat_on(context, url)
    expect(log(second)).to_contain_text("How long does delivery take?")
    say(second, "thanks, bye")
    # Said in one tab, shown in the other.
    expect(log(page)).to_contain_text("thanks, bye")


def test_customer_text_is_text_and_only_http_links_are_clickable(live_shop, shop_site, context):
    settings, _ = live_shop
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(shop_site.page("xss.html", settings.gateway_url))
    open_widget(page)
    for attack in ("<img src=x onerror=alert(1)>", "[x](javascript:alert(1))"):
        say(page, attack)
        expect(page.locator(".from-customer .bubble").last).to_have_text(attack)
    page.locator(".from-customer .bubble").last.click()
    page.wait_for_timeout(500)
    assert dialogs == []
    assert page.locator(".log img").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0


def test_a_message_typed_offline_is_sent_once_when_back(live_shop, context):
    settings, _ = live_shop
    page = context.new_page()
    page.goto(f"{settings.gateway_url}/chat")
    ask(page, "hi", "assistant")
    context.set_offline(True)
    say(page, "Do you ship to Canada?")
    expect(page.get_by_text("Sending…")).to_be_visible()
    expect(page.get_by_text("You're offline")).to_be_visible()
    page.wait_for_timeout(1500)
    context.set_offline(False)
    expect(page.get_by_text("Sending…")).to_have_count(0, timeout=15000)
    answered = page.locator(".from-customer:has-text('Do you ship to Canada?') ~ .from-bot")
    expect(answered.first).to_be_visible(timeout=15000)
    page.reload()
    expect(log(page)).to_contain_text("Do you ship to Canada?")
    assert log(page).get_by_text("Do you ship to Canada?", exact=True).count() == 1


def test_with_the_websocket_blocked_the_chat_goes_over_http(live_shop, context):
    settings, _ = live_shop
    page = context.new_page()
    page.route_web_socket("**/widget/v1/ws", lambda socket: socket.close())
    page.goto(f"{settings.gateway_url}/chat")
    ask(page, "How long does delivery take?", "Standard takes 3-5 business days")
    assert log(page).get_by_text("How long does delivery take?", exact=True).count() == 1


def test_a_new_conversation_on_every_visit_when_the_shop_chooses_it(live_shop, shop_site, context):
    settings, _ = live_shop
    url = shop_site.page("visit.html", settings.gateway_url, conversation="visit", greeting="Hello, visitor!")
    page = chat_on(context, url)
    ask(page, "hi", "assistant")
    later = context.new_page()  # another visit: a new tab
    later.goto(url)
    open_widget(later)
    expect(log(later)).to_have_text("Hello, visitor!")
    # "Start over" in the first tab: a clean conversation there too.
    page.get_by_role("button", name="Start over").click()
    expect(log(page)).to_have_text("Hello, visitor!")


def test_the_shops_signed_in_customer_is_verified_and_a_wrong_signature_refused(
    live_shop, shop_site, context
):
    settings, _ = live_shop
    page = context.new_page()
    wrong = shop_site.page("forged.html", settings.gateway_url, customer_id="cust-1", customer_hash="0" * 64)
    page.goto(wrong)
    open_widget_refused(page)
    expect(page.get_by_role("status")).to_contain_text("the hash is not this customer id signed")
    expect(page.get_by_label("Your message")).to_be_hidden()

    right = shop_site.page(
        "account.html",
        settings.gateway_url,
        customer_id="cust-1",
        customer_name="Dana Fox",
        customer_hash=signed("cust-1"),
    )
    page.goto(right)
    open_widget(page)
    ask(page, "hi", "assistant")
    # Signed out on the shop's site (no customer on the page): nothing of Dana's is shown.
    page.goto(shop_site.page("signed-out.html", settings.gateway_url))
    open_widget(page)
    expect(log(page)).not_to_contain_text("hi")


def open_widget_refused(page: Page) -> None:
    page.get_by_role("button", name="Open chat").click()
    expect(page.get_by_role("dialog")).to_be_visible()


def test_with_identity_required_there_is_no_chat_without_a_signed_customer(shop_site, browser, tmp_path):
    """A gateway of its own (no assistant needed: nobody gets to say anything)."""
    port = free_port()
    environment = {
        **os.environ,
        "SUPPORTDESK_GATEWAY_PORT": str(port),
        "SUPPORTDESK_DATA_DIR": str(tmp_path),
        "SUPPORTDESK_ALLOWED_ORIGINS": shop_site.origin,
        "SUPPORTDESK_WIDGET_IDENTITY_SECRET": IDENTITY_SECRET,
        "SUPPORTDESK_WIDGET_IDENTITY_REQUIRED": "true",
        "SUPPORTDESK_RASA_PORT": str(free_port()),
    }
    gateway = subprocess.Popen([sys.executable, "-m", "bot", "gateway"], cwd=PROJECT_DIR, env=environment)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url)
        context = browser.new_context()
        page = context.new_page()
        page.goto(shop_site.page("anonymous.html", url))
        open_widget_refused(page)
        expect(page.get_by_role("status")).to_contain_text("sign in to the shop to chat with us")
        expect(page.get_by_label("Your message")).to_be_hidden()
        context.close()
    finally:
        gateway.terminate()
        gateway.wait(timeout=20)


def wait_until_up(url: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if json.load(response)["status"] == "ok":
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.3)


def test_with_nobody_to_answer_the_widget_takes_an_email_address(live_shop, context):
    """Nobody has the inbox open."""
    settings, _ = live_shop
    page = chat_on(context, f"{settings.gateway_url}/")
    say(page, "I want to talk to a human")
    expect(log(page)).to_contain_text("Nobody from our team is available right now")
    page.get_by_label("Your email address").fill("dana@example.com")
    page.get_by_role("button", name="Send address").click()
    expect(log(page)).to_contain_text("Thank you! We'll write to dana@example.com.")
    expect(page.get_by_label("Your email address")).to_have_count(0)


def test_keyboard_only_and_an_accessibility_check_with_no_serious_problems(live_shop, browser):
    settings, _ = live_shop
    context = browser.new_context(bypass_csp=True)  # to load the vendored axe-core into the page
    try:
        page = context.new_page()
        page.goto(f"{settings.gateway_url}/")
        launcher = page.get_by_role("button", name="Open chat")
        for _ in range(60):  # Tab through the page to the launcher, as a keyboard user would
            page.keyboard.press("Tab")
            if launcher.evaluate("b => b.getRootNode().activeElement === b"):
                break
        page.keyboard.press("Enter")
        expect(page.get_by_label("Your message")).to_be_focused()
        page.keyboard.type("hi")
        page.keyboard.press("Enter")
        expect(page.locator(".from-bot").last).to_contain_text("assistant")
        page.evaluate(AXE.read_text())
        for where in ("/", "/chat"):
            if where != "/":
                page.goto(f"{settings.gateway_url}{where}")
                page.evaluate(AXE.read_text())
                expect(page.locator(".from-bot").last).to_contain_text("assistant")
            found = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
            serious = [v for v in found["violations"] if v["impact"] in ("serious", "critical")]
            assert serious == [], [(v["id"], v["help"], [n["html"] for n in v["nodes"]]) for v in serious]
        page.goto(f"{settings.gateway_url}/")
        open_widget(page)
        page.keyboard.press("Escape")
        expect(launcher).to_be_focused()
    finally:
        context.close()


def test_on_a_phone_the_chat_fills_the_screen(live_shop, browser, tmp_path):
    settings, _ = live_shop
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    try:
        page = chat_on(context, f"{settings.gateway_url}/")
        say(page, "do you have rain jackets?")
        expect(page.locator(".from-bot .card").first).to_be_visible()
        box = page.get_by_role("dialog").bounding_box()
        assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 360, 740)
        keep(page, "widget-phone.png", tmp_path)
    finally:
        context.close()
