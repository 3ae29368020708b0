"""A customer's message and /health while wrong passwords flood the inbox's sign-in.

Starts the whole assistant (benchmarks/assistant.py), measures /health and a customer message
(the FAQ question "how long does delivery take?") one after another for --seconds, first with
nothing else going on, then while --attackers clients send wrong passwords as fast as they are
answered (unknown accounts from one address: throttled after 20, so the later ones are refused
without a password check; and a fresh address's worth of checks as the flood starts).

    .venv/bin/python benchmarks/login_flood.py --attackers 24 --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import sys
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.assistant import running_assistant

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def attacker(url: str, number: int, stop: asyncio.Event, statuses: dict[int, int]) -> None:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        attempt = 0
        while not stop.is_set():
            async with session.get(f"{url}/inbox/login") as page:
                token = CSRF.search(await page.text()).group(1)
            form = {"email": f"guess{number}-{attempt}@example.org", "password": "wrong", "csrf_token": token}
            # The form's token is its cookie's value (the cookie is Secure, which aiohttp keeps off http).
            cookie = {"Cookie": f"sd_login={token}"}
            async with session.post(
                f"{url}/inbox/login", data=form, headers=cookie, allow_redirects=False
            ) as response:
                statuses[response.status] = statuses.get(response.status, 0) + 1
            attempt += 1


async def customer(url: str, token: str, seconds: float) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {"health": [], "message": []}
    headers = {"Authorization": f"Bearer {token}"}
    deadline = time.perf_counter() + seconds
    async with aiohttp.ClientSession() as session:
        turn = 0
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            async with session.get(f"{url}/health") as response:
                await response.read()
            timings["health"].append(time.perf_counter() - started)
            started = time.perf_counter()
            body = {"channel": "api", "customer_id": f"c{turn}", "text": "how long does delivery take?"}
            async with session.post(f"{url}/api/messages", json=body, headers=headers) as response:
                assert response.status == 200, await response.text()
                await response.read()
            timings["message"].append(time.perf_counter() - started)
            turn += 1
    return timings


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


async def measure(url: str, token: str, attackers: int, seconds: float) -> dict:
    quiet = await customer(url, token, seconds)
    stop, statuses = asyncio.Event(), {}
    flood = [asyncio.ensure_future(attacker(url, n, stop, statuses)) for n in range(attackers)]
    await asyncio.sleep(1)
    loud = await customer(url, token, seconds)
    stop.set()
    await asyncio.gather(*flood)
    return {
        "attackers": attackers,
        "sign-in answers during the flood": statuses,
        "quiet": {kind: summary(values) for kind, values in quiet.items()},
        "during the flood": {kind: summary(values) for kind, values in loud.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--attackers", type=int, default=24)
    parser.add_argument("--seconds", type=float, default=20)
    arguments = parser.parse_args()
    with running_assistant() as assistant:
        result = asyncio.run(measure(assistant.url, assistant.token, arguments.attackers, arguments.seconds))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
