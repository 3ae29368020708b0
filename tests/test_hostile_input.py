"""What an attacker or a clumsy client sends gets a clear 4xx, never a 500, and spoils nothing:
deep JSON, ids no database holds, dates before the calendar's end, NaN; spreadsheet formulas in
any exported cell; and the headers that keep staff pages out of caches and the server's version
to itself. (Each of these was found by trying it against a running gateway.)"""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from bot.channels import slack, whatsapp
from tests.gateway_helpers import PASSWORD, TOKEN, customer_says, sign_in, start_gateway, widget_socket

CHANNEL = {"Authorization": f"Bearer {TOKEN}"}
JSON = {**CHANNEL, "Content-Type": "application/json"}
HUGE = "99999999999999999999999"


def deep(levels: int) -> str:
    return (
        '{"channel": "api", "customer_id": "c", "text": "hi", "metadata": '
        + '{"a": ' * levels
        + "1"
        + "}" * levels
        + "}"
    )


async def test_json_nested_a_thousand_deep_is_refused_plainly(gateway):
    response = await gateway.post("/api/messages", data=deep(1000), headers=JSON)
    assert response.status == 400
    assert "nested" in (await response.json())["error"]
    # A reasonable depth is still fine.
    fine = await gateway.post("/api/messages", data=deep(5), headers=JSON)
    assert fine.status == 200


async def test_the_chat_socket_survives_deep_json(gateway):
    chat, _ = await widget_socket(gateway, origin=str(gateway.make_url("")).rstrip("/"))
    assert (await chat.receive_json(timeout=2))["type"] == "history"
    await chat.send_str('{"text": ' + "[" * 1000 + "]" * 1000 + "}")
    assert (await chat.receive_json(timeout=2))["type"] == "error"
    await chat.send_json({"text": "hi"})
    assert (await chat.receive_json(timeout=2))["type"] == "message"
    await chat.close()


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
async def test_nan_and_infinity_are_not_json_and_are_refused(gateway, constant):
    body = '{"channel": "api", "customer_id": "c", "text": "hi", "metadata": {"x": ' + constant + "}}"
    response = await gateway.post("/api/messages", data=body, headers=JSON)
    assert response.status == 400 and constant in (await response.json())["error"]


async def test_ids_no_database_holds_are_not_found(gateway):
    for path in (f"/api/conversations/{HUGE}/messages", "/api/conversations/-1/messages"):
        assert (await gateway.get(path, headers=CHANNEL)).status == 404, path
    response = await gateway.get("/api/conversations/1/messages", params={"after": HUGE}, headers=CHANNEL)
    assert response.status in (400, 404)
    await sign_in(gateway, "owner@alderandpine.example", PASSWORD)
    assert (await gateway.get(f"/inbox/conversations/{HUGE}")).status == 404
    assert (await gateway.get("/inbox/conversations/2147483648")).status == 404


@pytest.mark.parametrize("until", ["0001-01-01", "9999-12-31T23:59:59", "0001-01-01T00:00:00+14:00"])
async def test_dates_at_the_ends_of_the_calendar_are_searched_or_refused_plainly(gateway, until):
    await sign_in(gateway, "owner@alderandpine.example", PASSWORD)
    for path in ("/inbox/search", "/inbox/export.json"):
        response = await gateway.get(path, params={"until": until, "since": until})
        assert response.status in (200, 400), (path, response.status)


async def test_every_exported_cell_is_safe_in_a_spreadsheet(gateway):
    await customer_says(gateway, "hi", customer='=HYPERLINK("http://evil.example","x")')
    await customer_says(gateway, "+1 more thing", customer="@SUM(A1)")
    await sign_in(gateway, "owner@alderandpine.example", PASSWORD)
    exported = await (await gateway.get("/inbox/export.csv")).text()
    cells = [cell for row in csv.reader(io.StringIO(exported)) for cell in row]
    assert '\'=HYPERLINK("http://evil.example","x")' in cells and "'@SUM(A1)" in cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]


async def test_staff_pages_and_exports_are_never_cached_and_no_server_version_is_told(gateway):
    await customer_says(gateway, "hi")
    await sign_in(gateway, "owner@alderandpine.example", PASSWORD)
    for path in ("/inbox", "/inbox/search", "/inbox/export.json", "/inbox/export.csv", "/inbox/queue.json"):
        response = await gateway.get(path)
        assert response.status == 200, path
        assert "no-store" in response.headers.get("Cache-Control", ""), path
    for path in ("/", "/health", "/chat", "/inbox/login", "/api/openapi.json"):
        response = await gateway.get(path)
        assert "aiohttp" not in response.headers.get("Server", "").lower(), path
        assert "python" not in response.headers.get("Server", "").lower(), path


async def test_exported_json_is_json_whatever_the_customers_sent(gateway):
    await customer_says(gateway, "hi")
    await sign_in(gateway, "owner@alderandpine.example", PASSWORD)
    text = await (await gateway.get("/inbox/export.json")).text()
    json.loads(text, parse_constant=lambda constant: pytest.fail(f"{constant} in the export"))


async def test_a_request_naming_a_host_the_gateway_does_not_answer_to_is_refused(gateway):
    """DNS rebinding: a page on another site points its own name at this address."""
    elsewhere = {"Host": "rebind.attacker.example:8000"}
    for path in ("/", "/health", "/chat", "/inbox/login", "/api/openapi.json"):
        response = await gateway.get(path, headers=elsewhere)
        assert response.status == 421, path
        assert "SUPPORTDESK_ALLOWED_HOSTS" in await response.text()
    upgrade = {**elsewhere, "Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
               "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}  # fmt: skip
    for path in ("/widget/v1/ws", "/inbox/ws"):
        assert (await gateway.get(path, headers=upgrade)).status == 421, path
    assert (await gateway.get("/health", headers={"Host": "localhost:8000"})).status == 200


async def test_the_host_names_a_shop_configures_are_answered(aiohttp_client, settings):
    configured = settings.model_copy(update={"allowed_hosts": "support.shop.example, Help.Shop.Example"})
    gateway = await start_gateway(aiohttp_client, configured)
    for host in ("support.shop.example", "help.shop.example:443", "127.0.0.1:8000"):
        assert (await gateway.get("/health", headers={"Host": host})).status == 200, host
    assert (await gateway.get("/health", headers={"Host": "shop.example"})).status == 421


# Any JSON a platform's webhook might carry (signed, so from the platform or from a leaked secret),
# shaped like the documented payloads at the top and anything at all below.
ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)
WHATSAPP_KEYS = st.sampled_from(
    [
        "entry",
        "changes",
        "field",
        "value",
        "messages",
        "statuses",
        "contacts",
        "id",
        "from",
        "status",
        "recipient_id",
    ]
)
SHAPED = st.recursive(
    ANY_JSON,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(WHATSAPP_KEYS, inner, max_size=4),
    max_leaves=16,
)


@given(SHAPED)
@hypothesis_settings(max_examples=300, deadline=None)
def test_a_whatsapp_update_of_any_shape_is_read_without_an_error(update):
    if isinstance(update, dict):
        for event_id, single in whatsapp.events(update):
            assert isinstance(event_id, str) and single["entry"][0]["changes"][0]["value"]


@given(
    st.dictionaries(
        st.sampled_from(["type", "event_id", "event", "actions"]),
        SHAPED | st.just("event_callback") | st.just("block_actions"),
        max_size=4,
    )
)
@hypothesis_settings(max_examples=300, deadline=None)
def test_a_slack_payload_of_any_shape_is_read_without_an_error(payload):
    for event_id, event in slack.events(payload):
        assert isinstance(event_id, str) and isinstance(event, dict)
