"""The channel API fuzzed from its OpenAPI description (schemathesis) and the inbox's forms with
generated input (hypothesis), against a real gateway on a loopback port: no input gives a 500.
Bounded and derandomized, so a run is repeatable."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest
import requests
import schemathesis
from aiohttp import web
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.availability import StaffHours
from bot.gateway.api import OPENAPI
from bot.gateway.app import create_app
from bot.gateway.keys import STAFF
from bot.processes import free_port
from bot.settings import load_settings
from tests.gateway_helpers import CSRF, PASSWORD, TOKEN
from tests.rasa_standin import RasaStandIn

SCHEMA = schemathesis.openapi.from_path(OPENAPI)
FUZZ = settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)


class LiveGateway:
    """The gateway (and a stand-in Rasa) served from a thread of their own, so that a synchronous
    HTTP client can talk to them from the test."""

    def __init__(self, data_dir) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.rasa_port, self.port = free_port(), free_port()
        self.settings = load_settings(
            data_dir=data_dir,
            gateway_port=self.port,
            rasa_port=self.rasa_port,
            channel_token=TOKEN,
            secure_cookies=False,
            rasa_timeout_seconds=2,
            messages_per_minute=10_000,
        )
        self.runners = asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(60)
        self.url = f"http://127.0.0.1:{self.port}"

    async def _start(self) -> list[web.AppRunner]:
        runners = []
        for app, port in (
            (RasaStandIn().app(), self.rasa_port),
            (create_app(self.settings, hours=StaffHours.around_the_clock()), self.port),
        ):
            runner = web.AppRunner(app)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", port).start()
            runners.append(runner)
        staff = runners[1].app[STAFF]
        await staff.create("owner@alderandpine.example", "Olive", "admin", PASSWORD)
        return runners

    def stop(self) -> None:
        async def cleanup() -> None:
            for runner in reversed(self.runners):
                await runner.cleanup()

        asyncio.run_coroutine_threadsafe(cleanup(), self.loop).result(60)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[LiveGateway]:
    gateway = LiveGateway(tmp_path_factory.mktemp("fuzz"))
    yield gateway
    gateway.stop()


@pytest.fixture(scope="module")
def admin(live) -> requests.Session:
    """A signed-in admin's browser session."""
    session = requests.Session()
    page = session.get(f"{live.url}/inbox/login").text
    signed_in = session.post(
        f"{live.url}/inbox/login",
        data={
            "email": "owner@alderandpine.example",
            "password": PASSWORD,
            "csrf_token": CSRF.search(page).group(1),
        },
        cookies={"sd_login": CSRF.search(page).group(1)},
    )
    assert signed_in.status_code == 200, signed_in.text
    session.csrf = CSRF.search(session.get(f"{live.url}/inbox/staff").text).group(1)
    return session


@SCHEMA.parametrize()
@FUZZ
def test_no_input_to_the_channel_api_gives_a_server_error(case, live):
    response = case.call(base_url=live.url, headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code < 500, (case.as_curl_command(), response.status_code, response.text[:300])


text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=300)
FORMS = {
    "/inbox/search": ["text", "channel", "status", "intent", "rating", "escalated", "since", "until"],
    "/inbox/export.csv": ["status", "since", "until", "rating"],
}


@FUZZ
@given(path=st.sampled_from(sorted(FORMS)), values=st.data())
def test_no_search_or_export_query_gives_a_server_error(live, admin, path, values):
    query = {name: values.draw(text, label=name) for name in FORMS[path] if values.draw(st.booleans())}
    response = admin.get(f"{live.url}{path}", params=query)
    assert response.status_code < 500, (path, query, response.status_code)


@FUZZ
@given(
    action=st.sampled_from(["reply", "notes", "claim", "release", "resolve"]),
    conversation=st.one_of(st.integers(-5, 10**12).map(str), text),
    words=text,
)
def test_no_inbox_form_gives_a_server_error(live, admin, action, conversation, words):
    response = admin.post(
        f"{live.url}/inbox/conversations/{requests.utils.quote(conversation, safe='')}/{action}",
        data={"csrf_token": admin.csrf, "text": words},
        allow_redirects=False,
    )
    assert response.status_code < 500, (action, conversation, words, response.status_code)


@FUZZ
@given(email=text, name=text, role=text, password=text)
def test_no_staff_form_gives_a_server_error(live, admin, email, name, role, password):
    response = admin.post(
        f"{live.url}/inbox/staff",
        data={"csrf_token": admin.csrf, "email": email, "name": name, "role": role, "password": password},
        allow_redirects=False,
    )
    assert response.status_code < 500, (email, name, role, response.status_code)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(text, children, max_size=4),
    max_leaves=12,
)
widget_fields = st.fixed_dictionaries(
    {},
    optional={
        "token": json_values,
        "fresh": json_values,
        "identity": json_values
        | st.fixed_dictionaries({}, optional={"id": json_values, "hash": json_values}),
        "text": json_values,
        "client_message_id": json_values,
        "after": json_values,
        "page": json_values,
    },
)


@FUZZ
@given(endpoint=st.sampled_from(["session", "messages"]), body=widget_fields, with_token=st.booleans())
def test_nothing_sent_to_the_web_chat_widget_gives_a_server_error(live, endpoint, body, with_token):
    headers = {}
    if with_token:
        token = requests.post(f"{live.url}/widget/v1/session", json={}).json()["token"]
        headers["Authorization"] = f"Bearer {token}"
    response = requests.post(f"{live.url}/widget/v1/{endpoint}", json=body, headers=headers)
    assert response.status_code < 500, (endpoint, body, response.status_code, response.text[:300])
    polled = requests.get(
        f"{live.url}/widget/v1/messages", params={"after": str(body.get("after"))}, headers=headers
    )
    assert polled.status_code < 500, (body.get("after"), polled.status_code)
