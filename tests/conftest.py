"""Shared fixtures: the project's real content, tracker JSON, and isolated settings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from rasa_sdk import Tracker

from actions import shop
from bot.core.availability import StaffHours
from bot.knowledge import Knowledge, load_knowledge
from bot.knowledge.builds import Builds
from bot.knowledge.catalog_index import CatalogIndex
from bot.knowledge.faq_index import FaqIndex
from bot.knowledge.indexes import CATALOG, FAQ, build_catalog_index, build_faq_index
from bot.settings import PROJECT_DIR, load_settings
from tests.browser import CHROMIUM, CHROMIUM_ARGS, ShopSite, running_shop
from tests.gateway_helpers import PASSWORD, TOKEN, sign_in, start_gateway
from tests.mailbox import Mailbox
from tests.platforms import (
    APP_SECRET,
    PHONE_ID,
    SLACK_BOT_TOKEN,
    SLACK_SECRET,
    VERIFY_TOKEN,
    FakeGraphApi,
    FakeSlack,
    in_a_thread,
)
from tests.rasa_standin import RasaStandIn

FIXTURES = Path(__file__).parent / "fixtures"
_REPORT: dict[str, str] = {}


@pytest.fixture(scope="session")
def report():
    """Record a measured figure; the figures are printed at the end of the test run."""

    def record(name: str, value: str) -> None:
        _REPORT[name] = value

    return record


def pytest_terminal_summary(terminalreporter):
    if _REPORT:
        terminalreporter.section("supportdesk figures")
        for name, value in _REPORT.items():
            terminalreporter.write_line(f"{name}: {value}")


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return load_knowledge(PROJECT_DIR / "knowledge")


@pytest.fixture(scope="session")
def index_settings(tmp_path_factory):
    """Indexes of the demo content built for the tests, in a folder of their own, without tuning the
    encoder to the FAQ (the assistant's own indexes in var/index are the assistant's)."""
    return load_settings(index_dir=tmp_path_factory.mktemp("index"), tune_encoder=False)


@pytest.fixture(scope="session")
def faq_index(knowledge, index_settings):
    build_faq_index(index_settings, knowledge)
    return FaqIndex.load(Builds(index_settings.index_dir, FAQ).current())


@pytest.fixture(scope="session")
def catalog_index(knowledge, index_settings):
    build_catalog_index(index_settings, knowledge)
    return CatalogIndex.load(Builds(index_settings.index_dir, CATALOG).current())


@pytest.fixture
async def rasa():
    """The stand-in for the Rasa server that the in-process gateway tests talk to."""
    standin = RasaStandIn()
    server = TestServer(standin.app(), host="127.0.0.1")
    await server.start_server()
    standin.port = server.port
    yield standin
    await server.close()


@pytest.fixture(scope="session")
def mailbox():
    """The shop's mail server, on loopback: what the gateway e-mails customers lands here."""
    server = Mailbox()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def settings(tmp_path, rasa, mailbox):
    """Settings for a gateway in this process, talking to the stand-in Rasa server, e-mailing
    through the test mail server."""
    return load_settings(
        **mailbox.settings(),
        data_dir=tmp_path,
        rasa_port=rasa.port,
        channel_token=TOKEN,
        secure_cookies=False,  # the test client speaks plain http and would not send Secure cookies
        rasa_timeout_seconds=1,
        messages_per_minute=20,
    )


@pytest.fixture
async def gateway(aiohttp_client, settings):
    """The gateway in this process; staff are available around the clock unless a test says otherwise."""
    return await start_gateway(aiohttp_client, settings, hours=StaffHours.around_the_clock())


@pytest.fixture
async def staff_browser(gateway):
    """A second browser, in which the admin is signed in to the inbox."""
    browser = TestClient(gateway.server, cookie_jar=aiohttp.CookieJar(unsafe=True))
    await sign_in(browser, "owner@alderandpine.example", PASSWORD)
    yield browser
    await browser.close()


@pytest.fixture
def data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, index_settings, faq_index, catalog_index
) -> Path:
    """The action server's settings pointed at a fresh data directory (handoffs land there) and at
    the tests' indexes."""
    monkeypatch.setenv("SUPPORTDESK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SUPPORTDESK_INDEX_DIR", str(index_settings.index_dir))
    for accessor in (shop.settings, shop._knowledge_for, shop.indexes, shop._finder_for):
        accessor.cache_clear()
    yield tmp_path
    for accessor in (shop.settings, shop._knowledge_for, shop.indexes, shop._finder_for):
        accessor.cache_clear()


@pytest.fixture(scope="session")
def shop_site(tmp_path_factory):
    """The shop's own web site, another origin than the gateway's, embedding the widget."""
    site = ShopSite(tmp_path_factory.mktemp("site"))
    site.start()
    yield site
    site.stop()


@pytest.fixture(scope="session")
def live_graph():
    """The Graph API the live shop's WhatsApp number sends through (a fake, in a thread)."""
    with in_a_thread(FakeGraphApi()) as graph:
        yield graph


@pytest.fixture(scope="session")
def live_slack():
    """The Slack Web API the live shop's Slack app posts through (a fake, in a thread)."""
    with in_a_thread(FakeSlack()) as slack:
        yield slack


@pytest.fixture(scope="session")
def live_shop(tmp_path_factory, shop_site, mailbox, live_graph, live_slack):
    """All three real processes (the browser tests share them): settings and supervisor; the shop
    e-mails through the test mail server, has a WhatsApp number on the fake Graph API and a Slack
    app on the fake Slack Web API."""
    platforms = {
        "whatsapp_phone_id": PHONE_ID,
        "whatsapp_token": "whatsapp-token",
        "whatsapp_app_secret": APP_SECRET,
        "whatsapp_verify_token": VERIFY_TOKEN,
        "whatsapp_api_url": live_graph.url,
        "slack_bot_token": SLACK_BOT_TOKEN,
        "slack_signing_secret": SLACK_SECRET,
        "slack_api_url": live_slack.api,
    }
    with running_shop(tmp_path_factory.mktemp("shop"), shop_site, mailbox.settings() | platforms) as running:
        yield running


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def tracker_from_fixture(name: str) -> Tracker:
    state = json.loads((FIXTURES / "trackers" / f"{name}.json").read_text())
    return Tracker.from_dict(state)


def tracker_for(
    text: str,
    intent: str,
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
    sender_id: str = "customer-1",
) -> Tracker:
    """A tracker whose latest message is ``text``, as Rasa sends it to the action server."""
    entities = entities or []
    parse_data = {"intent": {"name": intent, "confidence": 0.95}, "entities": entities}
    return Tracker.from_dict(
        {
            "sender_id": sender_id,
            "slots": slots or {},
            "latest_message": {"text": text, **parse_data},
            "events": [
                {"event": "action", "name": "action_listen"},
                {"event": "user", "text": text, "parse_data": parse_data},
            ],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )


def pytest_collection_modifyitems(items):
    """Fast tests first; the ones that need the trained Rasa model (and start processes) last."""
    items.sort(
        key=lambda item: (
            item.get_closest_marker("rasa") is not None,
            item.get_closest_marker("e2e") is not None,
        )
    )
