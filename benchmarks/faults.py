"""Customers at a steady rate while the Rasa server, and later the action server, are killed
(SIGKILL) and started again by the supervisor, as `./supportdesk run` does.

Reports, of the messages sent: accepted (stored and answered 200), answered by the assistant,
told that a person will answer (queued for staff), refused, and lost (accepted but missing from
the store afterwards). Target (issue 13): none lost, every customer answered or told and queued.

    .venv/bin/python benchmarks/faults.py --rate 4 --seconds 90
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sqlite3
import sys
import threading
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.assistant import running_assistant

QUESTIONS = [
    "hi",
    "how long does delivery take?",
    "do you sell tents for two?",
    "what is your returns policy?",
]


async def send(session, url, token, customer: str, text: str, outcomes: dict) -> None:
    body = {"channel": "api", "customer_id": customer, "text": text}
    try:
        async with session.post(
            f"{url}/api/messages", json=body, headers={"Authorization": f"Bearer {token}"}
        ) as response:
            answer = await response.json() if response.status == 200 else None
    except (aiohttp.ClientError, TimeoutError) as problem:
        outcomes["refused"].append(f"{customer}: {problem!r}")
        return
    if answer is None:
        outcomes["refused"].append(f"{customer}: {response.status}")
        return
    outcomes["accepted"].append(text)
    senders = {reply["sender"] for reply in answer["replies"]}
    if "bot" in senders:
        outcomes["answered"].append(text)
    elif answer["conversation"]["owner"] != "assistant":
        outcomes["queued"].append(text)  # told a person will answer, or where they stand
    else:
        outcomes["silent"].append(text)


async def customers(url: str, token: str, rate: float, seconds: float, kills: list, pids) -> dict:
    outcomes: dict[str, list[str]] = {k: [] for k in ("accepted", "answered", "queued", "silent", "refused")}
    started = time.monotonic()
    pending = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        n = 0
        while (now := time.monotonic() - started) < seconds:
            while kills and now >= kills[0][0]:
                _, service = kills.pop(0)
                os.kill(pids()[service], signal.SIGKILL)
                print(f"{now:5.1f} s: killed the {service}", file=sys.stderr)
            customer = f"customer-{n % 12}"
            text = f"{QUESTIONS[n % len(QUESTIONS)]} (message {n})"
            pending.append(asyncio.ensure_future(send(session, url, token, customer, text, outcomes)))
            n += 1
            await asyncio.sleep(max(0.0, n / rate - (time.monotonic() - started)))
        await asyncio.gather(*pending)
    outcomes["sent"] = [str(n)]
    return outcomes


def stored_texts(database: Path) -> set[str]:
    with sqlite3.connect(database) as connection:
        return {row[0] for row in connection.execute("SELECT text FROM messages WHERE sender = 'customer'")}


def answered_later(database: Path, texts: list[str]) -> int:
    """How many of ``texts`` (customers' messages that got no answer in their response) the
    assistant answered afterwards on its own, once it was back (a bot message followed them)."""
    with sqlite3.connect(database) as connection:
        return sum(
            1
            for text in texts
            if connection.execute(
                "SELECT 1 FROM messages AS later JOIN messages AS asked"
                " ON later.conversation_id = asked.conversation_id AND later.id > asked.id"
                " WHERE asked.text = ? AND asked.sender = 'customer' AND later.sender = 'bot' LIMIT 1",
                (text,),
            ).fetchone()
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=4.0, help="messages a second, all customers together")
    parser.add_argument("--seconds", type=float, default=90)
    arguments = parser.parse_args()
    with running_assistant() as assistant:
        threading.Thread(target=assistant.supervisor.wait, daemon=True).start()  # restarts the dead
        kills = [(arguments.seconds * 0.15, "Rasa server"), (arguments.seconds * 0.55, "action server")]
        outcomes = asyncio.run(
            customers(
                assistant.url,
                assistant.token,
                arguments.rate,
                arguments.seconds,
                kills,
                assistant.supervisor.pids,
            )
        )
        time.sleep(10)  # time for what waits for the assistant to be answered
        lost = set(outcomes["accepted"]) - stored_texts(assistant.settings.supportdesk_db)
        later = answered_later(assistant.settings.supportdesk_db, outcomes["silent"])
    report = {
        "sent": int(outcomes["sent"][0]),
        **{kind: len(outcomes[kind]) for kind in ("accepted", "answered", "queued", "silent", "refused")},
        "silent, answered later": later,
        "lost": len(lost),
        "refused, first": outcomes["refused"][:5],
        "silent, first": outcomes["silent"][:5],
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
