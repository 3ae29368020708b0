"""Load on the whole path: simulated customers chatting through the gateway's channel API, against
the real Rasa server, action server and knowledge engine on loopback.

    .venv/bin/python benchmarks/load.py --customers 10 --seconds 60
    .venv/bin/python benchmarks/load.py --customers 10 --seconds 60 --rasa-workers 2 --redis-host 127.0.0.1
    .venv/bin/python benchmarks/load.py --customers 10 --seconds 60 --rate 40

Starts the three processes on free ports with a fresh data directory (SQLite store), warms them
up, then runs N customers at once. Each holds one realistic conversation after another (a new
customer id each time): a greeting, FAQ questions in their own words, a product search with a
follow-up, an order lookup, thanks. Without --rate each customer sends the next message the moment
the answer arrives (the most the system can do, every queue full); with --rate the customers
together send that many messages a second on a schedule, each still waiting for an answer before
sending again (the latency at that load). Prints one JSON line: messages/s, latency p50/p95/p99 (ms),
failed requests, lost messages (sent, but not in the store afterwards), and the CPU each process
used per message.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import time
from pathlib import Path

import aiohttp
import numpy as np
from assistant import running_assistant  # benchmarks/assistant.py
from sqlalchemy import func, select

from bot.store.database import create_engine, session_factory
from bot.store.models import Message

CONVERSATIONS = [
    ["hi", "How long does delivery take?", "do you ship to canada?", "thanks, bye"],
    ["hello there", "I'm looking for a tent under $300", "something cheaper", "thank you"],
    ["hey", "Where is my order AP-10234?", "can I still change the delivery address?", "great, thanks"],
    ["good morning", "what's your return policy", "how long do refunds take?", "ok bye"],
    ["hi!", "show me rain jackets in blue", "any in size M?", "which payment methods do you accept?"],
    ["hello", "do you have a warranty on backpacks", "can I pay with klarna", "thanks!"],
]


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a process and every process below it (Linux)."""
    tree = {pid}
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = (int(fields[1]), float(fields[11]) + float(fields[12]))
    changed = True
    while changed:
        children = {child for child, (parent, _) in parents.items() if parent in tree}
        changed = not children <= tree
        tree |= children
    ticks = os.sysconf("SC_CLK_TCK")
    return sum(parents[p][1] for p in tree if p in parents) / ticks


async def customer(
    number: int,
    url: str,
    token: str,
    deadline: float,
    latencies: list[float],
    failures: list[str],
    interval: float | None = None,
) -> int:
    """One customer's conversations until ``deadline``; with ``interval``, a message every that
    many seconds (never before the previous answer), starting at a phase of its own."""
    rng = random.Random(number)
    sent = 0
    next_send = time.monotonic() + (interval * rng.random() if interval else 0)
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"}) as session:
        conversation = 0
        while time.monotonic() < deadline:
            script = rng.choice(CONVERSATIONS)
            customer_id = f"load-{number}-{conversation}"
            conversation += 1
            for text in script:
                if interval:
                    await asyncio.sleep(max(0.0, next_send - time.monotonic()))
                    next_send += interval
                if time.monotonic() >= deadline:
                    break
                started = time.perf_counter()
                try:
                    async with session.post(
                        f"{url}/api/messages",
                        json={"channel": "api", "customer_id": customer_id, "text": text},
                        timeout=aiohttp.ClientTimeout(total=30),
                    ) as response:
                        body = await response.json()
                        sent += 1
                        if response.status != 200 or not body.get("replies"):
                            failures.append(f"{response.status}: {json.dumps(body)[:200]}")
                except (aiohttp.ClientError, TimeoutError) as error:
                    failures.append(repr(error))
                latencies.append((time.perf_counter() - started) * 1000)
    return sent


async def stored_messages(store_url: str) -> int:
    engine = create_engine(store_url)
    try:
        async with session_factory(engine)() as session:
            query = select(func.count()).select_from(Message).where(Message.sender == "customer")
            return int(await session.scalar(query))
    finally:
        await engine.dispose()


async def load(
    url: str, token: str, customers: int, seconds: float, store_url: str, rate: float | None = None
) -> dict:
    before = await stored_messages(store_url)
    latencies: list[float] = []
    failures: list[str] = []
    interval = customers / rate if rate else None
    started = time.monotonic()
    counts = await asyncio.gather(
        *(customer(n, url, token, started + seconds, latencies, failures, interval) for n in range(customers))
    )
    elapsed = time.monotonic() - started
    sent = sum(counts)
    return {
        "customers": customers,
        "offered_rate": rate,
        "seconds": round(elapsed, 1),
        "messages": sent,
        "messages_per_second": round(sent / elapsed, 1),
        "latency_p50_ms": round(float(np.percentile(latencies, 50)), 1),
        "latency_p95_ms": round(float(np.percentile(latencies, 95)), 1),
        "latency_p99_ms": round(float(np.percentile(latencies, 99)), 1),
        "failed": len(failures),
        "lost": sent - (await stored_messages(store_url) - before),
        "first_failures": failures[:3],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rate", type=float, help="messages a second all customers send together")
    parser.add_argument("--rasa-workers", type=int, default=1, help="several need --redis-host")
    parser.add_argument("--redis-host", help="Redis for Rasa's conversation locks, e.g. 127.0.0.1")
    arguments = parser.parse_args()
    with running_assistant(rasa_workers=arguments.rasa_workers, redis_host=arguments.redis_host) as assistant:
        url, token, store_url = assistant.url, assistant.token, assistant.settings.store_url
        # Warm up: the first messages load models and indexes in each process.
        asyncio.run(load(url, token, 2, 5, store_url))
        pids = assistant.supervisor.pids()
        before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        generator_before = time.process_time()
        figures = asyncio.run(
            load(url, token, arguments.customers, arguments.seconds, store_url, arguments.rate)
        )
        # Where the CPU went: milliseconds of CPU per message, by process.
        figures["cpu_ms_per_message"] = {
            name: round((cpu_seconds(pid) - before[name]) * 1000 / max(figures["messages"], 1), 1)
            for name, pid in pids.items()
        }
        generator = (time.process_time() - generator_before) * 1000 / max(figures["messages"], 1)
        figures["cpu_ms_per_message"]["load generator"] = round(generator, 1)
    figures["rasa_workers"] = arguments.rasa_workers
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
