"""Password guessing at the inbox's sign-in: slowed per account and per address with growing
waits, released by itself, cleared by an admin; the gateway keeps answering customers meanwhile;
and every staff action is in an audit log that admins read."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import aiohttp
from aiohttp.test_utils import TestClient

from bot.gateway.keys import AUDIT, HUB, STAFF
from bot.gateway.throttle import FREE_FAILURES, FREE_FROM_ADDRESS, MAX_WAIT, SignInThrottle, sign_in_keys
from bot.store.staff import _hasher
from tests.gateway_helpers import CSRF, PASSWORD, customer_says, eventually, sign_in, texts


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_failures_beyond_the_free_ones_wait_twice_as_long_each_time_and_are_forgotten():
    clock = Clock()
    throttle = SignInThrottle(clock)
    keys = sign_in_keys("Ana@Shop.example", "10.0.0.9")
    for _ in range(FREE_FAILURES):
        assert throttle.wait(keys) == 0
        throttle.failed(keys)
    waits = []
    for _ in range(4):
        waits.append(throttle.wait(keys))
        clock.now += waits[-1]
        throttle.failed(keys)
    assert waits == [1.0, 2.0, 4.0, 8.0]
    clock.now += MAX_WAIT  # the lock releases itself
    assert throttle.wait(keys) == 0


def test_the_account_waits_from_any_address_and_an_address_for_any_account():
    throttle = SignInThrottle(Clock())
    for _ in range(FREE_FAILURES + 1):
        throttle.failed(sign_in_keys("ana@shop.example", "10.0.0.9"))
    assert throttle.wait(sign_in_keys("ana@shop.example", "192.168.1.5")) > 0
    # An address (an office, several people) has more failures free than one account ...
    assert throttle.wait(sign_in_keys("olive@shop.example", "10.0.0.9")) == 0
    for n in range(FREE_FROM_ADDRESS):
        throttle.failed(sign_in_keys(f"guess{n}@shop.example", "10.0.0.9"))
    # ... but guessing many accounts from it is slowed down too.
    assert throttle.wait(sign_in_keys("olive@shop.example", "10.0.0.9")) > 0
    assert throttle.wait(sign_in_keys("olive@shop.example", "192.168.1.5")) == 0
    assert throttle.locked_accounts() == {"ana@shop.example": 2}
    throttle.unlock("ANA@shop.example")
    assert throttle.locked_accounts() == {}


async def try_password(client, email: str, password: str):
    page = await (await client.get("/inbox/login")).text()
    return await client.post(
        "/inbox/login",
        data={"email": email, "password": password, "csrf_token": CSRF.search(page).group(1)},
        allow_redirects=False,
    )


async def test_wrong_passwords_are_slowed_down_and_even_the_right_one_waits(gateway):
    statuses = [
        (await try_password(gateway, "ana@alderandpine.example", f"guess {n}")).status
        for n in range(FREE_FAILURES + 1)
    ]
    assert statuses == [401] * FREE_FAILURES + [429]
    refused = await try_password(gateway, "ana@alderandpine.example", PASSWORD)
    assert refused.status == 429 and "Too many failed sign-ins" in await refused.text()
    # An admin unlocks the account; then the right password signs in.
    csrf = await sign_in_as_admin(gateway)
    unlocked = await gateway.post(
        "/inbox/staff/unlock", data={"csrf_token": csrf, "email": "ana@alderandpine.example"}
    )
    assert unlocked.status == 200
    await gateway.post("/inbox/logout", data={"csrf_token": csrf})
    assert (await try_password(gateway, "ana@alderandpine.example", PASSWORD)).status == 302


async def sign_in_as_admin(gateway) -> str:
    return await sign_in(gateway, "owner@alderandpine.example", PASSWORD)


async def test_the_gateway_keeps_answering_while_wrong_passwords_flood_in(gateway):
    """Checking a password takes about a tenth of a second of CPU; it happens beside the event
    loop, so the loop never stalls for one (it stalled for each, and 24 at once took /health from
    a millisecond to over a second for everyone, customers included)."""
    started = time.perf_counter()
    _hasher.verify(_hasher.hash("a password to time"), "a password to time")
    one_check = (time.perf_counter() - started) / 2
    gaps, flooding = [], True

    async def ticker() -> None:
        while flooding:
            before = time.perf_counter()
            await asyncio.sleep(0.005)
            gaps.append(time.perf_counter() - before)

    ticking = asyncio.ensure_future(ticker())
    flood = [try_password(gateway, f"nobody{n}@example.org", "wrong password") for n in range(12)]
    answered = await asyncio.gather(customer_says(gateway, "hi", customer="during-the-flood"), *flood)
    flooding = False
    await ticking
    assert answered[0]["replies"] and all(attempt.status == 401 for attempt in answered[1:])
    assert max(gaps) < one_check / 2, (max(gaps), one_check)


async def test_admins_read_what_staff_did(gateway):
    await try_password(gateway, "ana@alderandpine.example", "not it at all")
    answer = await customer_says(gateway, "I want to talk to a human")
    conversation = answer["conversation"]["id"]
    csrf = await sign_in(gateway, "ana@alderandpine.example", PASSWORD)
    await gateway.post(f"/inbox/conversations/{conversation}/claim", data={"csrf_token": csrf})
    await gateway.post(f"/inbox/conversations/{conversation}/reply", data={"csrf_token": csrf, "text": "Hi"})
    await gateway.post(f"/inbox/conversations/{conversation}/resolve", data={"csrf_token": csrf})
    assert (await gateway.get("/inbox/audit")).status == 403  # agents do not read it
    await gateway.post("/inbox/logout", data={"csrf_token": csrf})
    await sign_in_as_admin(gateway)
    await gateway.get("/inbox/export.csv")
    events = await gateway.app[AUDIT].recent()
    assert [(e.action, e.actor) for e in reversed(events)] == [
        ("sign-in failed", "ana@alderandpine.example"),
        ("sign-in", "ana@alderandpine.example"),
        ("claim", "ana@alderandpine.example"),
        ("reply", "ana@alderandpine.example"),
        ("resolve", "ana@alderandpine.example"),
        ("sign-out", "ana@alderandpine.example"),
        ("sign-in", "owner@alderandpine.example"),
        ("export", "owner@alderandpine.example"),
    ]
    page = await (await gateway.get("/inbox/audit")).text()
    assert "sign-in failed" in page and "ana@alderandpine.example" in page


async def test_signing_out_closes_the_inbox_live_connection_and_it_no_longer_counts_as_online(
    gateway, staff_browser
):
    live = await staff_browser.ws_connect("/inbox/ws")
    for _ in range(50):
        if gateway.app[HUB].staff_online:
            break
        await asyncio.sleep(0.02)
    assert gateway.app[HUB].staff_online == 1
    page = await (await staff_browser.get("/inbox")).text()
    await staff_browser.post("/inbox/logout", data={"csrf_token": CSRF.search(page).group(1)})
    closed = await live.receive(timeout=2)
    assert closed.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING)
    assert gateway.app[HUB].staff_online == 0
    # A customer's message after that reaches nobody on that socket, and the customer is told
    # that nobody is there rather than to wait for someone.
    answer = await customer_says(gateway, "I want to talk to a human")
    assert "Nobody from our team is available right now" in texts(answer)[-1]


async def test_an_expired_sign_in_loses_its_live_connection(gateway, staff_browser):
    live = await staff_browser.ws_connect("/inbox/ws")
    for _ in range(50):
        if gateway.app[HUB].staff_online:
            break
        await asyncio.sleep(0.02)
    await gateway.app[HUB].close_expired(datetime.now(UTC) + timedelta(hours=13))  # past the 12 h
    closed = await live.receive(timeout=2)
    assert closed.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING)
    assert gateway.app[HUB].staff_online == 0


async def test_a_role_or_access_change_ends_that_persons_sign_in_and_live_connection(gateway, staff_browser):
    agent = TestClient(gateway.server, cookie_jar=aiohttp.CookieJar(unsafe=True))
    try:
        await sign_in(agent, "ana@alderandpine.example", PASSWORD)
        live = await agent.ws_connect("/inbox/ws")
        await eventually(lambda: gateway.app[HUB].staff_online > 0)
        admin_page = await (await staff_browser.get("/inbox/staff")).text()
        csrf = CSRF.search(admin_page).group(1)
        change = {"csrf_token": csrf, "email": "ana@alderandpine.example", "role": "agent", "active": "no"}
        assert (await staff_browser.post("/inbox/staff/change", data=change)).status == 200
        closed = await live.receive(timeout=2)
        assert closed.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING)
        # Signed out, and no way back in while without access.
        assert str((await agent.get("/inbox")).url).endswith("/inbox/login?next=/inbox")
        assert await gateway.app[STAFF].authenticate("ana@alderandpine.example", PASSWORD) is None
        # The last admin cannot take away their own admin role.
        last = {"csrf_token": csrf, "email": "owner@alderandpine.example", "role": "agent", "active": "yes"}
        refused = await staff_browser.post("/inbox/staff/change", data=last)
        assert refused.status == 400 and "the last admin" in await refused.text()
        audit = await (await staff_browser.get("/inbox/audit")).text()
        assert "staff changed" in audit
    finally:
        await agent.close()
