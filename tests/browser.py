"""Driving the real assistant in headless Chromium: all three processes for a shop whose staff
answer at any hour, a second web site (another origin) that embeds the widget, staff signing in."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml
from playwright.sync_api import Page, expect

from bot.gateway.visitors import identity_hash
from bot.processes import Supervisor, services
from bot.settings import PROJECT_DIR, Settings
from bot.training import ensure_model
from tests.test_end_to_end import settings_on_free_ports

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu"]
PASSWORD = "a long staff password"
# What the shop's own server signs its signed-in customers' ids with (shared with the gateway).
IDENTITY_SECRET = "the shop's identity secret, shared with the gateway"


class ShopSite:
    """The shop's own web site, on another port (so another origin) than the gateway: pages that
    embed the widget with one script tag."""

    def __init__(self, root: Path):
        self.root = root
        handler = functools.partial(_QuietFiles, directory=str(root))
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.origin = f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> None:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def page(self, name: str, gateway_url: str, **attributes: str) -> str:
        """A shop page with the widget's tag (``attributes`` as data-* attributes); its URL."""
        data = " ".join(f'data-{key.replace("_", "-")}="{value}"' for key, value in attributes.items())
        (self.root / name).write_text(
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'><title>Trail shop</title>"
            # The shop's own CSS, hostile to anything it did not expect: the widget must not care.
            "<style>body{font-family:serif;background:#222;color:#eee} button{all:unset}"
            " *{font-size:40px}</style>"
            "</head><body><main><h1>Trail shop</h1><p>Our own page, our own CSS.</p></main>"
            f'<script src="{gateway_url}/widget/v1/supportdesk.js" {data} async></script></body></html>'
        )
        return f"{self.origin}/{name}"


class _QuietFiles(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:
        return None


def signed(identifier: str) -> str:
    return identity_hash(IDENTITY_SECRET, identifier)


@contextmanager
def running_shop(
    root: Path, site: ShopSite, extra: dict[str, object] | None = None
) -> Iterator[tuple[Settings, Supervisor]]:
    """All three processes, for a shop whose staff answer at any hour (no schedule in store.yml),
    so a test does not depend on the time of day it runs at; the shop's site may embed the chat,
    and its signed-in customers are verified."""
    model = ensure_model(settings_on_free_ports(Path("unused")))
    knowledge = root / "knowledge"
    shutil.copytree(PROJECT_DIR / "knowledge", knowledge)
    store = knowledge / "store.yml"
    facts = yaml.safe_load(store.read_text())
    del facts["support"]["schedule"]
    store.write_text(yaml.safe_dump(facts, allow_unicode=True))
    settings = settings_on_free_ports(root / "data").model_copy(
        update={
            "knowledge_dir": knowledge,
            "allowed_origins": site.origin,
            "widget_identity_secret": IDENTITY_SECRET,
            **(extra or {}),
        }
    )
    supervisor = Supervisor(settings, services(settings, model), settings.data_dir / "logs")
    supervisor.start()
    try:
        created = subprocess.run(
            [sys.executable, "-m", "bot", "agent", "--email", "ana@alderandpine.example", "--name", "Ana"],
            cwd=PROJECT_DIR,
            env={**os.environ, **settings.child_environment(), "SUPPORTDESK_NEW_PASSWORD": PASSWORD},
            capture_output=True,
            text=True,
            check=False,
        )
        assert created.returncode == 0, created.stderr
        yield settings, supervisor
    finally:
        supervisor.stop()


def sign_in(page: Page, settings: Settings) -> None:
    page.goto(f"{settings.gateway_url}/inbox")
    expect(page).to_have_url(f"{settings.gateway_url}/inbox/login?next=/inbox")
    page.get_by_label("Email").fill("ana@alderandpine.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Waiting for a person")).to_be_visible()


def say(chat: Page, text: str) -> None:
    chat.get_by_label("Your message").fill(text)
    chat.get_by_role("button", name="Send", exact=True).click()
