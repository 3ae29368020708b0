"""The whole assistant as `./supportdesk run` starts it: a real conversation through the gateway's
channel API (gateway -> Rasa -> action server -> knowledge engine), then Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from bot.processes import check_ports_free, free_port, services
from bot.settings import PROJECT_DIR, Settings, load_settings
from bot.store.conversations import Conversations
from bot.store.database import create_engine, session_factory
from bot.training import ensure_model

pytestmark = [pytest.mark.rasa, pytest.mark.e2e]
READY = "supportdesk is running."


class RunCommand:
    """`python -m bot run` in the background, its output collected line by line."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.lines: list[str] = []
        environment = {**os.environ, **settings.child_environment()}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            cwd=PROJECT_DIR,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._collect, daemon=True).start()

    def _collect(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_for(self, text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output:
            assert self.process.poll() is None, f"exited with {self.process.returncode}:\n{self.output}"
            assert time.monotonic() < deadline, f"no {text!r} within {timeout} s:\n{self.output}"
            time.sleep(0.5)


def settings_on_free_ports(data_dir: Path) -> Settings:
    return load_settings(
        data_dir=data_dir, gateway_port=free_port(), rasa_port=free_port(), actions_port=free_port()
    )


@pytest.fixture(scope="module")
def running(tmp_path_factory) -> Iterator[RunCommand]:
    ensure_model(load_settings())  # train before the clock starts, if the data changed
    command = RunCommand(settings_on_free_ports(tmp_path_factory.mktemp("data")))
    try:
        command.wait_for(READY, timeout=240)
        yield command
    finally:
        if command.process.poll() is None:
            command.process.kill()


async def say(settings: Settings, customer: str, text: str) -> dict:
    token = (settings.channel_token_file).read_text().strip()
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{settings.gateway_url}/api/messages",
            json={"channel": "api", "customer_id": customer, "text": text},
            headers={"Authorization": f"Bearer {token}"},
        ) as response,
    ):
        assert response.status == 200, await response.text()
        return await response.json()


def texts(answer: dict) -> str:
    return "\n".join(reply.get("text", "") for reply in answer["replies"])


async def test_a_customer_conversation_from_greeting_to_a_person(running):
    settings, customer = running.settings, "e2e-customer"
    assert "Alder & Pine assistant" in texts(await say(settings, customer, "hi"))

    delivery = texts(await say(settings, customer, "How long does delivery take?"))
    assert "Standard takes 3-5 business days" in delivery

    answer = await say(settings, customer, "I'm looking for a tent under $300")
    (cards,) = [reply["custom"] for reply in answer["replies"] if "custom" in reply]
    assert cards["type"] == "product_cards" and cards["products"]
    assert all(float(card["price"]) <= 300 and "tent" in card["name"].lower() for card in cards["products"])

    tracking = texts(await say(settings, customer, "Where is my order AP-10234?"))
    assert "https://alderandpine.example/orders/track?order=AP-10234" in tracking

    handoff = await say(settings, customer, "I want to talk to a human")
    assert "asked a person from our team" in texts(handoff)
    assert handoff["conversation"]["status"] == "waiting"
    assert "handoff" not in str(handoff["replies"])

    engine = create_engine(settings.store_url)
    try:
        ((conversation, request),) = await Conversations(session_factory(engine)).queue()
    finally:
        await engine.dispose()
    assert conversation.customer.external_id == customer
    assert request.reason == "customer_request"
    assert "track_order" in request.summary["intents"]


def cards(answer: dict) -> list[dict]:
    return [card for reply in answer["replies"] for card in (reply.get("custom") or {}).get("products", [])]


async def test_a_shopping_conversation_over_the_real_action_server(running):
    settings, shopper = running.settings, "e2e-shopper"
    tents = cards(await say(settings, shopper, "tents"))
    assert tents and all(card["image"].startswith("/catalog/images/") for card in tents)
    cheaper = cards(await say(settings, shopper, "anything cheaper?"))
    assert cheaper and max(float(c["price"]) for c in cheaper) < min(float(c["price"]) for c in tents)
    sold_out = texts(await say(settings, shopper, "is the Cascade Rain Shell in stock?"))
    assert "The Cascade Rain Shell is sold out at the moment." in sold_out
    assert "we don't carry kayaks" in texts(await say(settings, shopper, "do you sell kayaks?"))


async def test_the_gateway_reports_every_process_up(running):
    settings = running.settings
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{settings.gateway_url}/health") as response:
            assert await response.json() == {"status": "ok", "rasa": "up", "actions": "up"}
        async with session.get(f"{settings.gateway_url}/") as response:
            page = await response.text()
    assert "<h1>Alder &amp; Pine Outdoor Co.</h1>" in page  # the demo shop's page
    assert '<script src="/widget/v1/supportdesk.js"' in page  # with the chat widget on it
    assert f"{settings.gateway_url}/api/messages" in page


async def test_only_the_gateway_talks_to_the_assistant(running):
    """Rasa's stock REST channel is off, and its gateway channel wants the supervisor's secret, so a
    page in a browser (or anyone) cannot reach the assistant around the gateway."""
    rasa = running.settings.rasa_url
    body = {"sender": "c1", "message": "/greet"}
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{rasa}/webhooks/rest/webhook", json=body) as response:
            assert response.status == 404
        for headers in ({}, {"Authorization": "Bearer not-the-secret"}):
            async with session.post(
                f"{rasa}/webhooks/gateway/webhook", json=body, headers=headers
            ) as response:
                assert response.status == 401


def test_the_store_tokens_and_logs_are_the_running_users_alone(running):
    data = running.settings.data_dir
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    private = [data / "supportdesk.db", data / "channel-token", *(data / "logs").iterdir()]
    assert len(private) > 3
    for path in private:
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path


def test_ctrl_c_stops_every_process_it_started(running):
    running.process.send_signal(signal.SIGINT)
    assert running.process.wait(timeout=60) == 0, running.output
    settings = running.settings
    check_ports_free(settings.host, services(settings, Path("unused")))  # raises if any still listens


def test_a_port_in_use_stops_start_up_with_a_message_naming_it(tmp_path):
    ensure_model(load_settings())
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        settings = load_settings(
            data_dir=tmp_path,
            gateway_port=taken.getsockname()[1],
            rasa_port=free_port(),
            actions_port=free_port(),
        )
        result = subprocess.run(
            [sys.executable, "-m", "bot", "run"],
            cwd=PROJECT_DIR,
            env={**os.environ, **settings.child_environment()},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert result.returncode == 1
    assert f"port {settings.gateway_port} on 127.0.0.1 (for the gateway) is already in use" in result.stderr
    assert "SUPPORTDESK_GATEWAY_PORT=<port>" in result.stderr
