"""Shopping on WhatsApp and in Slack with the real gateway, Rasa and action server: a product answer
lists each product exactly once (never a numbered list and then the same cards as lines), and the
customer can ask about the list just shown."""

from __future__ import annotations

import json
import time
import urllib.request

import pytest

from bot.knowledge import load_knowledge
from bot.settings import PROJECT_DIR
from tests.platforms import signed_json, slack_event, slack_headers, whatsapp_text, whatsapp_update

pytestmark = [pytest.mark.rasa, pytest.mark.e2e]
NUMBER = "447700900777"
SLACK_CHANNEL = "D0SHOPPER1"
PRODUCTS = [product.name for product in load_knowledge(PROJECT_DIR / "knowledge").catalog]


def post(url: str, body: bytes, headers: dict) -> int:
    with urllib.request.urlopen(
        urllib.request.Request(url, data=body, headers=headers), timeout=10
    ) as answer:
        return answer.status


def settle(read, seconds: float = 60) -> list[str]:
    """What ``read`` returns once it has stopped growing for a second (the whole answer sent)."""
    deadline, last, since = time.monotonic() + seconds, None, time.monotonic()
    while time.monotonic() < deadline:
        now = read()
        if now != last:
            last, since = now, time.monotonic()
        elif now and time.monotonic() - since >= 1.5:
            return now
        time.sleep(0.1)
    raise AssertionError("no answer arrived")


def listed(texts: list[str]) -> dict[str, int]:
    """How often each catalog product is named in the texts (the longest name wins where one name
    holds another: "Cascade Rain Shell Lite" is not also the "Cascade Rain Shell")."""
    joined = "\n".join(texts)
    counts = {}
    for name in sorted(PRODUCTS, key=len, reverse=True):
        if count := joined.count(name):
            counts[name] = count
            joined = joined.replace(name, "")
    return counts


def test_a_whatsapp_shopper_sees_each_product_once_and_can_ask_about_them(live_shop, live_graph):
    settings, _ = live_shop
    url = f"{settings.gateway_url}/channels/whatsapp/webhook"

    def texts(after: int) -> list[str]:
        sent = [body for body in live_graph.sent if body.get("to") == NUMBER][after:]
        return [body.get("text", {}).get("body") or body.get("image", {}).get("caption", "") for body in sent]

    assert (
        post(url, *signed_json(whatsapp_update(whatsapp_text("got any camp chairs?", number=NUMBER)))) == 200
    )
    first = settle(lambda: texts(0))
    counts = listed(first)
    assert counts and set(counts.values()) == {1}, first
    assert all("Chair" in name for name in counts)

    before = len([body for body in live_graph.sent if body.get("to") == NUMBER])
    question = whatsapp_text("how heavy is the first one?", number=NUMBER)
    assert post(url, *signed_json(whatsapp_update(question))) == 200
    answer = "\n".join(settle(lambda: texts(before)))
    assert next(iter(counts)) in answer and " g" in answer


def test_a_slack_shopper_sees_each_product_once(live_shop, live_slack):
    settings, _ = live_shop
    body = json.dumps(slack_event("any warm mittens?", "shopping-1", channel=SLACK_CHANNEL)).encode()
    assert post(f"{settings.gateway_url}/channels/slack/events", body, slack_headers(body)) == 200

    def texts() -> list[str]:
        said = []
        for posted in live_slack.posted:
            if posted.get("channel") == SLACK_CHANNEL:
                blocks = posted.get("blocks") or []
                if isinstance(blocks, str):
                    blocks = json.loads(blocks)
                said += [block["text"]["text"] for block in blocks if "text" in block] or [posted["text"]]
        return said

    counts = listed(settle(texts))
    assert counts and set(counts.values()) == {1} and all("Mittens" in name for name in counts)
