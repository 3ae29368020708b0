"""WhatsApp customers against the whole assistant (Rasa server, action server, gateway), with the
gateway sending to a fake Graph API on loopback: signed webhook updates from several customers at
once, some delivered twice as Meta does when it thinks an acknowledgment was late.

Reports how fast the webhook acknowledges (target: well inside Meta's 3 seconds, whatever the
assistant is doing), how long until the answer reaches the Graph API, and that every message was
stored once and answered once.

    .venv/bin/python benchmarks/whatsapp.py --customers 10 --messages 6
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import statistics
import sys
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.assistant import running_assistant
from tests.platforms import (
    APP_SECRET,
    PHONE_ID,
    VERIFY_TOKEN,
    FakeGraphApi,
    serving,
    signed_json,
    whatsapp_text,
    whatsapp_update,
)

QUESTIONS = [
    "hi",
    "how long does delivery take?",
    "do you sell tents for two?",
    "what is your returns policy?",
    "can I pay with paypal?",
    "I need a warm sleeping bag under $150",
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


async def customer(session, url: str, graph: FakeGraphApi, number: str, messages: int, figures: dict) -> None:
    for index in range(messages):
        text = QUESTIONS[(index + int(number[-2:])) % len(QUESTIONS)]
        update = whatsapp_update(whatsapp_text(text, wamid=f"wamid.bench-{number}-{index}", number=number))
        body, headers = signed_json(update)
        already = sum(1 for sent in graph.sent if sent["to"] == number)
        started = time.perf_counter()
        async with session.post(f"{url}/channels/whatsapp/webhook", data=body, headers=headers) as response:
            figures["acks"].append(time.perf_counter() - started)
            figures["statuses"].append(response.status)
        if index % 3 == 1:  # Meta delivers it again
            async with session.post(f"{url}/channels/whatsapp/webhook", data=body, headers=headers) as again:
                figures["statuses"].append(again.status)
                figures["redelivered"] += 1
        while sum(1 for sent in graph.sent if sent["to"] == number) == already:
            if time.perf_counter() - started > 30:
                figures["unanswered"] += 1
                break
            await asyncio.sleep(0.02)
        else:
            figures["answers"].append(time.perf_counter() - started)


async def main(customers: int, messages: int) -> dict:
    async with serving(FakeGraphApi()) as graph:
        with running_assistant(
            whatsapp_phone_id=PHONE_ID,
            whatsapp_token="whatsapp-token",
            whatsapp_app_secret=APP_SECRET,
            whatsapp_verify_token=VERIFY_TOKEN,
            whatsapp_api_url=graph.url,
        ) as running:
            figures = {"acks": [], "answers": [], "statuses": [], "redelivered": 0, "unanswered": 0}
            async with aiohttp.ClientSession() as session:
                await asyncio.gather(
                    *(
                        customer(session, running.url, graph, f"4477009{n:05d}", messages, figures)
                        for n in range(customers)
                    )
                )
            await asyncio.sleep(2)  # anything answered twice would have arrived by now
            store = sqlite3.connect(running.settings.supportdesk_db)
            stored = store.execute("SELECT count(*) FROM messages WHERE sender = 'customer'").fetchone()[0]
            answered_turns = store.execute(
                "SELECT count(DISTINCT message_id) FROM outbox o JOIN messages m ON m.id = o.message_id "
                "WHERE m.sender = 'bot'"
            ).fetchone()[0]
            store.close()
    sent = customers * messages
    return {
        "customers": customers,
        "messages_sent": sent,
        "redelivered": figures["redelivered"],
        "non_200": sum(1 for status in figures["statuses"] if status != 200),
        "stored_once": stored,
        "answered": len(figures["answers"]),
        "unanswered_after_30s": figures["unanswered"],
        "bot_messages_sent_to_graph": len(graph.sent),
        "bot_messages_in_store_sent": answered_turns,
        "ack_p50_ms": round(1000 * statistics.median(figures["acks"]), 1),
        "ack_p95_ms": round(1000 * percentile(figures["acks"], 0.95), 1),
        "ack_max_ms": round(1000 * max(figures["acks"]), 1),
        "answer_p50_s": round(statistics.median(figures["answers"]), 2),
        "answer_p95_s": round(percentile(figures["answers"], 0.95), 2),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=10)
    parser.add_argument("--messages", type=int, default=6)
    arguments = parser.parse_args()
    print(json.dumps(asyncio.run(main(arguments.customers, arguments.messages)), indent=2))
