"""The gateway end to end in one process: channels' API, routing by owner, handoff, the inbox,
failure modes. Rasa is a stand-in answering with recorded replies; see test_end_to_end.py for
the real one."""

from __future__ import annotations

import asyncio
import html
import json
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import event

from bot.core.availability import StaffHours
from bot.core.channels import Capabilities
from bot.gateway.keys import CHANNELS, CONVERSATIONS, CREDENTIALS, ENGINE, ROUTER, SETTINGS, STAFF
from bot.gateway.views import api_example
from bot.settings import PROJECT_DIR
from tests.gateway_helpers import (
    PASSWORD,
    TOKEN,
    customer_says,
    eventually,
    sign_in,
    start_gateway,
    texts,
    widget_socket,
)


async def staff_online(staff_browser):
    """Open the inbox's live socket, as a staff member with the inbox open does."""
    return await staff_browser.ws_connect("/inbox/ws")


# --- the channel API ------------------------------------------------------------------------------


async def test_the_assistant_answers_and_both_sides_are_stored(gateway):
    answer = await customer_says(gateway, "hi")
    assert texts(answer)[0].startswith("Hi! I'm the Alder & Pine assistant")
    assert (answer["conversation"]["owner"], answer["conversation"]["lifecycle"]) == ("assistant", "open")
    conversations = gateway.app[CONVERSATIONS]
    messages = await conversations.messages(answer["conversation"]["id"])
    assert [(m.sender, m.direction) for m in messages] == [("customer", "in"), ("bot", "out")]
    assert messages[0].intent == "greet"


async def test_a_message_the_assistant_answers_takes_two_database_transactions(gateway):
    await customer_says(gateway, "hi", customer="counted")  # the customer and conversation exist
    begun = []
    engine = gateway.app[ENGINE].sync_engine
    listener = lambda connection: begun.append(connection)  # noqa: E731
    event.listen(engine, "begin", listener)
    try:
        answer = await customer_says(gateway, "How long does delivery take?", customer="counted")
    finally:
        event.remove(engine, "begin", listener)
    assert "Standard takes 3-5 business days" in texts(answer)[0]
    assert len(begun) == 2  # the message in; the assistant's turn stored


async def test_product_cards_reach_the_channel_as_structured_content(gateway):
    answer = await customer_says(gateway, "I'm looking for a tent under $300")
    cards = answer["replies"][1]["custom"]
    assert cards["type"] == "product_cards" and cards["products"][0]["name"] == "Ridgeback 2 Tent"


@pytest.mark.parametrize(
    "path", ["/chat", "/inbox/login", "/widget/v1/supportdesk.js", "/catalog/images/p1001.png", "/"]
)
async def test_every_response_tells_the_browser_to_run_only_our_scripts_and_not_be_framed(gateway, path):
    response = await gateway.get(path)
    assert response.status == 200
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


async def test_the_shops_product_pictures_are_served_and_nothing_else_of_its_files(gateway):
    picture = await gateway.get("/catalog/images/p1001.png")
    assert picture.status == 200 and picture.content_type == "image/png"
    assert (await picture.read()).startswith(b"\x89PNG\r\n\x1a\n")
    for outside in ("/catalog/images/../catalog.csv", "/catalog/images/%2e%2e/store.yml"):
        assert (await gateway.get(outside)).status in (403, 404)


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ("{not json", 400, "the body is not valid JSON"),
        ("[1, 2]", 400, "the body must be a JSON object"),
        ('{"channel": "api", "text": "hi"}', 400, "the message has missing or invalid fields"),
        ('{"channel": "api", "customer_id": "c", "text": "' + "x" * 2001 + '"}', 413, "longer than 2000"),
    ],
)
async def test_bad_requests_get_a_clear_error(gateway, body, status, error):
    response = await gateway.post(
        "/api/messages",
        data=body,
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )
    assert response.status == status
    answer = await response.json()
    assert error in answer["error"]
    if "fields" in answer:
        assert {"field": "customer_id", "problem": "Field required"} in answer["fields"]


async def test_the_channel_token_is_required(gateway):
    response = await gateway.post("/api/messages", json={"channel": "api", "customer_id": "c", "text": "hi"})
    assert response.status == 401
    response = await gateway.get("/api/conversations/1/messages", headers={"Authorization": "Bearer wrong"})
    assert response.status == 401


async def test_a_customer_sending_too_fast_is_slowed_down_and_others_are_not(gateway):
    for _ in range(20):
        await customer_says(gateway, "hi", customer="chatty")
    response = await gateway.post(
        "/api/messages",
        json={"channel": "api", "customer_id": "chatty", "text": "hi"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status == 429
    assert "too many messages" in (await response.json())["error"]
    await customer_says(gateway, "hi", customer="calm")


async def test_the_api_example_on_the_start_page_is_the_readmes_and_works(gateway, tmp_path):
    readme = (PROJECT_DIR / "README.md").read_text()
    assert api_example("http://127.0.0.1:8000", "var/channel-token") in readme
    settings = gateway.app[SETTINGS]
    page = await (await gateway.get("/")).text()
    assert api_example(settings.gateway_url, str(settings.channel_token_file)) in html.unescape(page)
    # Pasted into a shell against this gateway, it talks to the assistant.
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN)
    script = api_example(str(gateway.make_url("")).rstrip("/"), str(token_file)) + 'chat "hi"'
    shell = await asyncio.create_subprocess_exec("bash", "-c", script, stdout=asyncio.subprocess.PIPE)
    output, _ = await shell.communicate()
    assert json.loads(output)["replies"][0]["text"].startswith("Hi! I'm the Alder & Pine assistant")


async def test_the_openapi_document_describes_the_channel_api(gateway):
    document = await (await gateway.get("/api/openapi.json")).json()
    assert {"/api/messages", "/api/conversations/{conversation}/messages"} <= set(document["paths"])


# --- handoff ------------------------------------------------------------------------------------


async def test_the_assistants_handoff_queues_the_conversation_with_its_summary(gateway, staff_browser, rasa):
    live = await staff_online(staff_browser)
    answer = await customer_says(gateway, "I want to talk to a human")
    assert answer["conversation"]["status"] == "waiting"
    assert all("handoff" not in json.dumps(reply) for reply in answer["replies"])  # staff-only payload
    ((conversation, handoff),) = await gateway.app[CONVERSATIONS].queue()
    assert handoff.reason == "customer_request"
    assert handoff.summary["entities"] == {"order_id": "AP-10234"}

    asked = len(rasa.received)
    followup = await customer_says(gateway, "hello? anyone?")
    # The assistant is not asked; the customer hears their place in the queue.
    assert len(rasa.received) == asked and "number 1 in the queue" in texts(followup)[0]
    event = None
    while event is None or event["type"] != "message" or event["message"]["text"] != "hello? anyone?":
        event = await live.receive_json(timeout=2)
    assert event["conversation"] == conversation.id
    await live.close()


async def test_an_angry_customer_goes_straight_to_a_person(gateway, staff_browser, rasa):
    await staff_online(staff_browser)
    answer = await customer_says(gateway, "This is ridiculous!! Where is my refund")
    assert answer["conversation"]["status"] == "waiting"
    assert "bringing in a person" in texts(answer)[0]
    assert rasa.received == []
    ((_, handoff),) = await gateway.app[CONVERSATIONS].queue()
    assert handoff.reason == "angry_customer"


async def test_swearing_alone_is_answered_but_after_a_failed_answer_goes_to_a_person(
    gateway, staff_browser, rasa
):
    await staff_online(staff_browser)
    first = await customer_says(gateway, "where's my damn refund?")
    assert first["conversation"]["status"] == "bot" and len(rasa.received) == 1
    # The stand-in did not understand that ("nlu_fallback"); swearing now counts as anger.
    second = await customer_says(gateway, "oh for fuck's sake, my refund")
    assert second["conversation"]["status"] == "waiting"
    assert len(rasa.received) == 1
    ((_, handoff),) = await gateway.app[CONVERSATIONS].queue()
    assert handoff.reason == "angry_customer"


async def test_with_nobody_available_the_customer_hears_when_and_can_leave_an_email(gateway):
    # No staff has the inbox open.
    answer = await customer_says(gateway, "I want to talk to a human")
    assert "Nobody from our team is available right now" in texts(answer)[-1]
    thanks = await customer_says(gateway, "sure, it's jo@example.org")
    assert texts(thanks) == ["Thank you! We'll write to jo@example.org."]
    conversation = await gateway.app[CONVERSATIONS].get(answer["conversation"]["id"])
    assert conversation.customer.email == "jo@example.org" and conversation.status == "waiting"


async def test_outside_business_hours_the_customer_hears_the_next_opening(aiohttp_client, settings):
    sunday_noon_in_los_angeles = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)
    # store.yml's own schedule: closed on Sundays.
    gateway = await start_gateway(aiohttp_client, settings, clock=lambda: sunday_noon_in_los_angeles)
    browser = TestClient(gateway.server, cookie_jar=aiohttp.CookieJar(unsafe=True))
    try:
        await sign_in(browser, "owner@alderandpine.example", PASSWORD)
        await staff_online(browser)  # someone has the inbox open, but it is outside their hours
        answer = await customer_says(gateway, "I want to talk to a human")
    finally:
        await browser.close()
    assert "we'll reply here tomorrow at 8:00 AM" in texts(answer)[-1]


async def test_a_customer_waiting_for_a_person_who_writes_again_hears_where_they_stand(
    aiohttp_client, settings, rasa
):
    moment = [datetime.now(UTC)]
    gateway = await start_gateway(
        aiohttp_client, settings, clock=lambda: moment[0], hours=StaffHours.around_the_clock()
    )
    browser = TestClient(gateway.server, cookie_jar=aiohttp.CookieJar(unsafe=True))
    await sign_in(browser, "owner@alderandpine.example", PASSWORD)
    live = await staff_online(browser)
    await customer_says(gateway, "I want to talk to a human", customer="first")
    await customer_says(gateway, "I want to talk to a human", customer="second")
    asked = len(rasa.received)

    again = await customer_says(gateway, "hello?? is anyone there", customer="second")
    assert texts(again) == [
        "Thanks for waiting: you're number 2 in the queue, and a person from our team will be with "
        "you as soon as they can."
    ]
    assert texts(await customer_says(gateway, "hello???", customer="second")) == []  # not every time
    moment[0] += timedelta(minutes=4)
    assert "number 2 in the queue" in texts(await customer_says(gateway, "still here", customer="second"))[0]
    assert "number 1 in the queue" in texts(await customer_says(gateway, "me too", customer="first"))[0]
    assert len(rasa.received) == asked  # the assistant is not asked while a person is awaited

    await live.close()  # nobody in the inbox now: the customer hears when someone will be
    moment[0] += timedelta(minutes=4)
    answer = await customer_says(gateway, "anyone?", customer="first")
    assert texts(answer)[0].startswith("Nobody from our team is available right now; we'll reply here")
    await browser.session.close()


async def test_a_customer_back_after_a_quiet_day_starts_a_new_conversation_and_staff_can_reopen_the_old(
    aiohttp_client, settings, rasa
):
    moment = [datetime.now(UTC)]  # the store stamps messages with the real time
    gateway = await start_gateway(
        aiohttp_client, settings, clock=lambda: moment[0], hours=StaffHours.around_the_clock()
    )
    first = await customer_says(gateway, "hi", customer="returning")
    assert (await customer_says(gateway, "hi", customer="returning"))["conversation"]["id"] == first[
        "conversation"
    ]["id"]
    moment[0] += timedelta(minutes=settings.idle_close_minutes + 1)
    back = await customer_says(gateway, "hi", customer="returning")
    assert back["conversation"]["id"] != first["conversation"]["id"]
    assert back["conversation"]["status"] == "bot"
    old = first["conversation"]["id"]
    assert (await gateway.app[CONVERSATIONS].get(old)).status == "closed"

    csrf = await sign_in(gateway, "ana@alderandpine.example", PASSWORD)
    await gateway.post(
        f"/inbox/conversations/{old}/reply", data={"csrf_token": csrf, "text": "Did that help?"}
    )
    reopened = await gateway.app[CONVERSATIONS].get(old)
    assert reopened.status == "assigned" and reopened.assignee_id is not None


async def test_staff_claim_reply_and_resolve_then_the_customer_rates_and_the_bot_is_back(
    gateway, staff_browser, rasa
):
    live = await staff_online(staff_browser)
    first = await customer_says(gateway, "I want to talk to a human")
    conversation_id = first["conversation"]["id"]
    csrf = await sign_in(gateway, "ana@alderandpine.example", PASSWORD)

    page = await (await gateway.get("/inbox")).text()
    assert "customer asked for a person" in page
    assert "The customer asked where an order is; asked for a person." in page

    claimed = await gateway.post(f"/inbox/conversations/{conversation_id}/claim", data={"csrf_token": csrf})
    assert claimed.status == 200 and "Reply to the customer" in await claimed.text()
    await gateway.post(
        f"/inbox/conversations/{conversation_id}/reply",
        data={"csrf_token": csrf, "text": "Hi, I'm Ana. Your order ships tomorrow."},
    )
    await gateway.post(
        f"/inbox/conversations/{conversation_id}/notes", data={"csrf_token": csrf, "text": "VIP customer"}
    )
    sent = await (
        await gateway.get(
            f"/api/conversations/{conversation_id}/messages",
            params={"after": first["replies"][-1]["id"]},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
    ).json()
    assert [(m["sender"], m["text"]) for m in sent["messages"]] == [
        ("system", "Ana from our team has joined the conversation."),
        ("agent", "Hi, I'm Ana. Your order ships tomorrow."),
    ]
    assert "VIP customer" not in json.dumps(sent)  # notes are for staff only

    await gateway.post(f"/inbox/conversations/{conversation_id}/resolve", data={"csrf_token": csrf})
    rated = await customer_says(gateway, "5")
    assert texts(rated) == ["Thank you for rating us! Anything else I can help with?"]
    transcript = await gateway.app[CONVERSATIONS].transcript(conversation_id)
    assert [r.score for r in transcript.ratings] == [5]
    assert transcript.conversation.status == "bot"

    again = await customer_says(gateway, "How long does delivery take?")
    assert texts(again)[0].startswith("Standard takes 3-5 business days")
    await live.close()


class TextOnlyChannel:
    """A channel that shows text only (as SMS would) and can reach the customer at any time: the
    messages the core delivered to it are kept."""

    capabilities = Capabilities(buttons=False, cards=False)

    def __init__(self) -> None:
        self.delivered: list[tuple[int, dict]] = []

    async def deliver(self, conversation_id: int, message: dict) -> None:
        self.delivered.append((conversation_id, message))

    async def changed(self, conversation_id: int, state: dict) -> None:
        return None


async def test_a_channel_plugs_in_by_name_and_gets_everything_shaped_for_what_it_shows(
    gateway, staff_browser
):
    sms = TextOnlyChannel()
    gateway.app[CHANNELS].add("sms", sms)
    token = await gateway.app[CREDENTIALS].create("sms-bridge", "sms")
    answer = await customer_says(gateway, "I'm looking for a tent under $300", channel="sms", token=token)
    (intro, cards) = answer["replies"]
    assert "custom" not in cards and cards["text"].startswith("1. ") and "USD" in cards["text"]
    conversation_id = answer["conversation"]["id"]
    assert [m["text"] for _, m in sms.delivered] == [intro["text"], cards["text"]]

    # A person's reply, later, reaches the customer through the channel: nothing to poll.
    await staff_online(staff_browser)
    await customer_says(gateway, "I want to talk to a human", channel="sms", token=token)
    csrf = await sign_in(gateway, "ana@alderandpine.example", PASSWORD)
    await gateway.post(f"/inbox/conversations/{conversation_id}/claim", data={"csrf_token": csrf})
    await gateway.post(
        f"/inbox/conversations/{conversation_id}/reply", data={"csrf_token": csrf, "text": "Hi, Ana here."}
    )
    assert [(c, m["sender"], m["text"]) for c, m in sms.delivered[-2:]] == [
        (conversation_id, "system", "Ana from our team has joined the conversation."),
        (conversation_id, "agent", "Hi, Ana here."),
    ]
    # ... and another channel's customers get nothing of it.
    await customer_says(gateway, "hi", customer="someone-else")
    assert all(conversation == conversation_id for conversation, _ in sms.delivered)


async def test_typed_intent_shortcuts_reach_the_assistant_as_words_and_offered_buttons_as_payloads(
    gateway, rasa
):
    await customer_says(gateway, '/contact_human_agent{"order": "<b>AP-1</b>"}')
    assert rasa.received[-1]["message"] == 'contact_human_agent{"order": "<b>AP-1</b>"}'
    await customer_says(gateway, "what is the meaning of it all")  # answered with two buttons
    await customer_says(gateway, "/affirm")
    assert rasa.received[-1]["message"] == "/affirm"
    await customer_says(gateway, "/affirm")  # the reply before offered no buttons
    assert rasa.received[-1]["message"] == "affirm"


async def test_on_a_channel_without_buttons_a_number_picks_the_option(gateway, rasa):
    gateway.app[CHANNELS].add("sms", TextOnlyChannel())
    token = await gateway.app[CREDENTIALS].create("sms-bridge", "sms")
    answer = await customer_says(gateway, "what is the meaning of it all", channel="sms", token=token)
    assert answer["replies"][0]["text"].endswith("\n1. Yes, a person please\n2. No, thanks")
    await customer_says(gateway, "2", channel="sms", token=token)
    assert rasa.received[-1]["message"] == "/deny"
    await customer_says(gateway, "what is the meaning of it all")
    await customer_says(gateway, "2")  # where buttons are drawn, a number is just a number
    assert rasa.received[-1]["message"] == "2"


async def test_only_the_staff_member_who_has_a_conversation_or_an_admin_hands_it_back(gateway, staff_browser):
    await staff_online(staff_browser)
    conversation_id = (await customer_says(gateway, "I want to talk to a human"))["conversation"]["id"]
    csrf = await sign_in(gateway, "ana@alderandpine.example", PASSWORD)
    await gateway.post(f"/inbox/conversations/{conversation_id}/claim", data={"csrf_token": csrf})
    await gateway.app[STAFF].create("bo@alderandpine.example", "Bo", "agent", PASSWORD)
    other = TestClient(gateway.server, cookie_jar=aiohttp.CookieJar(unsafe=True))
    other_csrf = await sign_in(other, "bo@alderandpine.example", PASSWORD)
    for action, status, says in (
        ("resolve", 403, "another staff member has this conversation"),
        ("release", 403, "another staff member has this conversation"),
    ):
        refused = await other.post(
            f"/inbox/conversations/{conversation_id}/{action}", data={"csrf_token": other_csrf}
        )
        assert (refused.status, await refused.text()) == (status, says)
    refused = await other.post(
        f"/inbox/conversations/{conversation_id}/reply", data={"csrf_token": other_csrf, "text": "me too"}
    )
    assert (refused.status, await refused.text()) == (409, "claim the conversation before replying")
    admin_csrf = await sign_in(staff_browser, "owner@alderandpine.example", PASSWORD)
    handed_back = await staff_browser.post(
        f"/inbox/conversations/{conversation_id}/resolve", data={"csrf_token": admin_csrf}
    )
    assert handed_back.status == 200
    assert (await gateway.app[CONVERSATIONS].get(conversation_id)).status == "resolved"
    await other.session.close()  # (closing the client would stop the shared server)


async def test_customer_text_is_escaped_in_the_inbox(gateway, staff_browser):
    await staff_online(staff_browser)
    answer = await customer_says(gateway, "I want to talk to a human")
    await customer_says(gateway, "<script>alert('x')</script><img src=x onerror=alert(1)>")
    await sign_in(gateway, "ana@alderandpine.example", PASSWORD)
    page = await (await gateway.get(f"/inbox/conversations/{answer['conversation']['id']}")).text()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page


# --- staff sign-in, CSRF and roles ----------------------------------------------------------------


async def test_the_inbox_needs_a_signed_in_staff_member(gateway):
    response = await gateway.get("/inbox", allow_redirects=False)
    assert response.status == 302 and response.headers["Location"].startswith("/inbox/login")
    assert (await gateway.post("/inbox/conversations/1/claim")).status == 401


async def test_a_wrong_password_is_refused(gateway):
    page = await (await gateway.get("/inbox/login")).text()
    from tests.gateway_helpers import CSRF

    response = await gateway.post(
        "/inbox/login",
        data={
            "email": "ana@alderandpine.example",
            "password": "wrong password",
            "csrf_token": CSRF.search(page)[1],
        },
    )
    assert response.status == 401 and "Wrong email or password." in await response.text()
    assert "sd_session" not in {cookie.key for cookie in gateway.session.cookie_jar}


async def test_sign_in_without_the_forms_token_is_refused(gateway):
    response = await gateway.post(
        "/inbox/login", data={"email": "ana@alderandpine.example", "password": PASSWORD}
    )
    assert response.status == 403


async def test_a_change_without_the_csrf_token_is_refused(gateway, staff_browser):
    await staff_online(staff_browser)
    answer = await customer_says(gateway, "I want to talk to a human")
    await sign_in(gateway, "ana@alderandpine.example", PASSWORD)
    conversation_id = answer["conversation"]["id"]
    for token in ({}, {"csrf_token": "forged"}):
        response = await gateway.post(f"/inbox/conversations/{conversation_id}/claim", data=token)
        assert response.status == 403 and "CSRF token" in await response.text()
    assert (await gateway.app[CONVERSATIONS].get(conversation_id)).status == "waiting"


async def test_agents_cannot_manage_staff_or_export_and_admins_can(gateway):
    csrf = await sign_in(gateway, "ana@alderandpine.example", PASSWORD)
    assert (await gateway.get("/inbox/staff")).status == 403
    assert (await gateway.get("/inbox/export.json")).status == 403
    await gateway.post("/inbox/logout", data={"csrf_token": csrf})
    assert (await gateway.get("/inbox", allow_redirects=False)).status == 302

    csrf = await sign_in(gateway, "owner@alderandpine.example", PASSWORD)
    response = await gateway.post(
        "/inbox/staff",
        data={"csrf_token": csrf, "name": "Ben", "email": "ben@alderandpine.example", "role": "agent",
              "password": "another long one"},
    )  # fmt: skip
    assert response.status == 200 and "ben@alderandpine.example" in await response.text()
    await customer_says(gateway, "hi")
    exported = await (await gateway.get("/inbox/export.json")).json()
    assert exported[0]["messages"][0]["text"] == "hi"
    csv_text = await (await gateway.get("/inbox/export.csv", params={"channel": "api"})).text()
    assert csv_text.splitlines()[0].startswith("conversation,channel,customer")


async def test_transcript_search_filters(gateway):
    await customer_says(gateway, "hi", customer="alpha-customer")
    await customer_says(gateway, "How long does delivery take?", customer="bravo-customer")
    await sign_in(gateway, "ana@alderandpine.example", PASSWORD)
    page = await (await gateway.get("/inbox/search", params={"text": "business DAYS"})).text()
    assert "bravo-customer" in page and "alpha-customer" not in page
    assert (await gateway.get("/inbox/search", params={"rating": "9"})).status == 400


# --- failure modes --------------------------------------------------------------------------------


async def test_a_message_sent_while_the_assistant_starts_waits_for_it_instead_of_going_to_staff(
    gateway, rasa
):
    rasa.down = True  # answering 503 (no model loaded yet), as while it starts or restarts

    async def ready_soon() -> None:
        await asyncio.sleep(0.4)  # within the gateway's timeout for an answer (1 s here)
        rasa.down = False

    coming_up = asyncio.ensure_future(ready_soon())
    answer = await customer_says(gateway, "How long does delivery take?")
    await coming_up
    assert texts(answer)[0].startswith("Standard takes 3-5 business days")
    assert answer["conversation"]["status"] == "bot"
    assert await gateway.app[CONVERSATIONS].queue() == []


async def test_rasa_down_queues_the_customer_for_staff_and_the_bot_resumes_when_it_is_back(
    gateway, staff_browser, rasa
):
    await staff_online(staff_browser)
    await customer_says(gateway, "hi")
    rasa.down = True
    answer = await customer_says(gateway, "How long does delivery take?")
    assert "having trouble answering right now" in texts(answer)[0]
    assert answer["conversation"]["status"] == "waiting"
    conversation_id = answer["conversation"]["id"]
    ((_, handoff),) = await gateway.app[CONVERSATIONS].queue()
    assert handoff.reason == "assistant_unavailable"
    stored = [m.text for m in await gateway.app[CONVERSATIONS].messages(conversation_id)]
    assert "How long does delivery take?" in stored  # nothing lost

    rasa.down = False
    back = await customer_says(gateway, "How long does delivery take?")
    assert texts(back)[0].startswith("Standard takes 3-5 business days")
    assert back["conversation"]["status"] == "bot"


async def _answered_by_the_bot(conversations, conversation_id: int) -> bool:
    return (await conversations.messages(conversation_id))[-1].sender == "bot"


async def test_a_message_the_assistant_could_not_answer_is_answered_when_it_is_back(
    gateway, staff_browser, rasa
):
    """The customer does not have to write again: the answer was on its way, and it comes."""
    await staff_online(staff_browser)
    gateway.app[ROUTER].answer_later_after = (0.2,) * 50
    rasa.down = True
    answer = await customer_says(gateway, "How long does delivery take?")
    assert "your answer is on its way" in texts(answer)[0]
    assert answer["conversation"]["status"] == "waiting"
    conversation_id = answer["conversation"]["id"]
    await asyncio.sleep(0.5)  # still down: offered again, still waiting
    assert (await gateway.app[CONVERSATIONS].get(conversation_id)).status == "waiting"
    rasa.down = False
    conversations = gateway.app[CONVERSATIONS]
    await eventually(lambda: _answered_by_the_bot(conversations, conversation_id))
    later = await gateway.get(
        f"/api/conversations/{conversation_id}/messages", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    said = [m["text"] for m in (await later.json())["messages"]]
    assert said[-1].startswith("Standard takes 3-5 business days")
    stored = [m.text for m in await gateway.app[CONVERSATIONS].messages(conversation_id)]
    assert stored.count("How long does delivery take?") == 1  # the customer wrote once
    assert await gateway.app[CONVERSATIONS].queue() == []


async def test_when_the_customer_wrote_again_meanwhile_their_latest_message_is_answered(
    gateway, staff_browser, rasa
):
    await staff_online(staff_browser)
    gateway.app[ROUTER].answer_later_after = (0.2,) * 50
    rasa.down = True
    first = await customer_says(gateway, "hi")
    again = await customer_says(gateway, "How long does delivery take?")
    assert again["replies"] == []  # told once that the answer is on its way, not again
    conversation_id = first["conversation"]["id"]
    rasa.down = False
    conversations = gateway.app[CONVERSATIONS]
    await eventually(lambda: _answered_by_the_bot(conversations, conversation_id))
    said = await conversations.messages(conversation_id)
    assert said[-1].text.startswith("Standard takes 3-5 business days")
    assert (await gateway.app[CONVERSATIONS].get(conversation_id)).status == "bot"


async def test_a_person_who_took_the_conversation_keeps_it_when_the_assistant_is_back(
    gateway, staff_browser, rasa
):
    await staff_online(staff_browser)
    gateway.app[ROUTER].answer_later_after = (0.3,) * 5
    rasa.down = True
    answer = await customer_says(gateway, "How long does delivery take?")
    conversation_id = answer["conversation"]["id"]
    staff = await gateway.app[STAFF].authenticate("ana@alderandpine.example", PASSWORD)
    from bot.handoff import Event

    await gateway.app[ROUTER].staff_event(conversation_id, Event.CLAIM, staff)
    rasa.down = False
    await asyncio.sleep(1.0)
    assert (await gateway.app[CONVERSATIONS].get(conversation_id)).status == "assigned"
    said = [m.sender for m in await gateway.app[CONVERSATIONS].messages(conversation_id)]
    assert "bot" not in said


async def test_a_slow_assistant_times_out_into_the_queue(gateway, staff_browser, rasa):
    await staff_online(staff_browser)
    rasa.slow = True
    answer = await customer_says(gateway, "hi")
    assert answer["conversation"]["status"] == "waiting"


# --- the web chat ---------------------------------------------------------------------------------


async def test_the_web_chat_talks_over_its_socket_and_hears_staff_live(gateway, staff_browser):
    await staff_online(staff_browser)
    chat, _ = await widget_socket(gateway)
    history = await chat.receive_json(timeout=2)
    assert history["type"] == "history" and history["messages"] == []
    assert history["state"]["owner"] == "assistant"
    await chat.send_json({"text": "I want to talk to a human", "client_message_id": "m1"})
    echo = await chat.receive_json(timeout=2)  # the customer's own message, stored
    assert echo["message"]["sender"] == "customer" and echo["message"]["client_message_id"] == "m1"
    frames = [await chat.receive_json(timeout=2)]
    while frames[-1]["type"] != "ack":
        frames.append(await chat.receive_json(timeout=2))
    assert frames[0]["message"]["text"].startswith("I've asked a person")
    assert {"type": "state", "state": {**history["state"], "owner": "queue"}} in frames
    assert {"type": "ack", "client_message_id": "m1"} in frames
    ((conversation, _),) = await gateway.app[CONVERSATIONS].queue()
    assert conversation.channel == "web"
    staff = await gateway.app[STAFF].authenticate("ana@alderandpine.example", PASSWORD)
    router = gateway.app[ROUTER]
    from bot.handoff import Event

    await router.staff_event(conversation.id, Event.CLAIM, staff)
    await router.staff_reply(conversation.id, staff, "Hello from Ana")
    seen = []
    while "Hello from Ana" not in [frame.get("message", {}).get("text") for frame in seen]:
        seen.append(await chat.receive_json(timeout=2))
    states = [frame["state"] for frame in seen if frame["type"] == "state"]
    assert states[-1]["owner"] == "person" and states[-1]["agent"] == "Ana"
    await chat.send_json({"nope": 1})
    assert (await chat.receive_json(timeout=2))["type"] == "error"
    await chat.close()


async def test_the_chat_socket_needs_a_conversation_token(gateway):
    chat = await gateway.ws_connect("/widget/v1/ws")
    await chat.send_json({"type": "hello", "token": "made.up"})
    refused = await chat.receive_json(timeout=2)
    assert refused["type"] == "refused" and "token" in refused["error"]
    await chat.close()
