"""The gateway's store on SQLite and on the real PostgreSQL server: migrations, messages, handoffs."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect, text

from bot.handoff import Event, Status, TransitionError
from bot.settings import load_settings
from bot.store.conversations import Conversations, NotFound, SearchFilters
from bot.store.database import create_engine, downgrade, migrate, session_factory
from bot.store.models import StaffUser, now
from bot.store.outbox import ChannelEvents, Delivery, Outbox
from tests.stores import KINDS, fresh_database


@pytest.fixture(params=KINDS)
async def engine(request, tmp_path):
    async with fresh_database(request.param, tmp_path) as url:
        engine = create_engine(load_settings(database_url=url).store_url)
        await migrate(engine)
        yield engine
        await engine.dispose()


@pytest.fixture
async def conversations(engine) -> Conversations:
    return Conversations(session_factory(engine))


async def staff(engine, email: str) -> int:
    async with session_factory(engine).begin() as session:
        user = StaffUser(email=email, name=email.split("@")[0], role="agent", password_hash="x")
        session.add(user)
        await session.flush()
        return user.id


async def test_migrations_create_every_table_and_roll_back(engine):
    async with engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    assert {"customers", "conversations", "messages", "handoffs", "notes", "staff_users", "ratings"} <= tables
    await downgrade(engine, "base")
    async with engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    assert tables <= {"alembic_version"}
    await migrate(engine)  # and forward again


async def test_the_schema_the_migrations_build_is_the_models_schema(engine):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from bot.store.models import Base

    def differences(sync) -> list:
        return compare_metadata(MigrationContext.configure(sync), Base.metadata)

    async with engine.connect() as connection:
        assert await connection.run_sync(differences) == []


async def test_existing_conversations_keep_their_state_when_owner_and_lifecycle_are_split(engine):
    await downgrade(engine, "0001")  # the schema with one status column
    statuses = ["bot", "waiting", "assigned", "resolved", "closed"]
    async with engine.begin() as connection:
        await connection.execute(
            text("INSERT INTO customers (id, channel, external_id, created_at) VALUES (1, 'api', 'c', :at)"),
            {"at": datetime.now(UTC)},
        )
        for number, status in enumerate(statuses, start=1):
            await connection.execute(
                text(
                    "INSERT INTO conversations (id, customer_id, channel, status, escalated, awaiting_email,"
                    " created_at, last_message_at) VALUES (:id, 1, 'api', :status, false, false, :at, :at)"
                ),
                {"id": number, "status": status, "at": datetime.now(UTC)},
            )
    await migrate(engine)
    conversations = Conversations(session_factory(engine))
    after = [(await conversations.get(number)) for number in range(1, len(statuses) + 1)]
    assert [c.status for c in after] == statuses
    assert [(c.owner, c.lifecycle) for c in after] == [
        ("assistant", "open"),
        ("queue", "open"),
        ("person", "open"),
        ("assistant", "resolved"),
        ("assistant", "closed"),
    ]
    await downgrade(engine, "0001")  # and back: the one column again, from the pair
    async with engine.connect() as connection:
        rows = await connection.execute(text("SELECT status FROM conversations ORDER BY id"))
        assert [row.status for row in rows] == statuses
    await migrate(engine)


async def test_a_customer_keeps_one_conversation_per_channel(conversations):
    first = await conversations.open_for("web", "visitor-1")
    again = await conversations.open_for("web", "visitor-1")
    other = await conversations.open_for("whatsapp", "visitor-1")
    assert first.id == again.id != other.id
    assert first.status == Status.BOT


async def test_a_quiet_conversation_the_assistant_has_closes_and_the_next_message_starts_another(
    conversations,
):
    first = await conversations.open_for("web", "visitor-quiet")
    await conversations.add_message(first.id, "customer", "hello")
    later = datetime.now(UTC) + timedelta(days=2)
    # Not yet quiet for the idle time: the same conversation.
    assert (
        await conversations.open_for("web", "visitor-quiet", idle_before=later - timedelta(days=3))
    ).id == first.id
    second = await conversations.open_for("web", "visitor-quiet", idle_before=later)
    assert second.id != first.id and second.status == Status.BOT
    assert (await conversations.get(first.id)).status == Status.CLOSED


async def test_a_conversation_with_a_person_never_closes_by_going_quiet(conversations):
    waiting = await conversations.open_for("web", "visitor-waiting")
    await conversations.transition(waiting.id, Event.REQUEST, reason="customer_request")
    quiet = await conversations.open_for("web", "visitor-bot")
    later = datetime.now(UTC) + timedelta(days=2)
    assert await conversations.close_idle(later) == 1
    assert (await conversations.get(quiet.id)).status == Status.CLOSED
    assert (await conversations.get(waiting.id)).status == Status.WAITING
    assert (await conversations.open_for("web", "visitor-waiting", idle_before=later)).id == waiting.id


async def test_a_staff_reply_reopens_a_closed_conversation_assigned_to_them(engine, conversations):
    ana = await staff(engine, "ana-reopen@alderandpine.example")
    conversation = await conversations.open_for("web", "visitor-closed")
    await conversations.close_idle(datetime.now(UTC) + timedelta(days=2))
    reopened = await conversations.transition(conversation.id, Event.REOPEN, staff_id=ana)
    assert (reopened.status, reopened.assignee_id) == (Status.ASSIGNED, ana)
    with pytest.raises(TransitionError):
        await conversations.transition(conversation.id, Event.CLOSE)


async def test_messages_keep_direction_sender_payload_and_order(conversations):
    conversation = await conversations.open_for("web", "visitor-2")
    await conversations.add_message(conversation.id, "customer", "<b>hi</b>", {"metadata": {"page": "/"}})
    await conversations.add_message(conversation.id, "bot", "Hello!", {"buttons": [{"title": "Track"}]})
    stored = await conversations.messages(conversation.id)
    assert [(m.direction, m.sender, m.text) for m in stored] == [
        ("in", "customer", "<b>hi</b>"),
        ("out", "bot", "Hello!"),
    ]
    assert stored[0].payload == {"metadata": {"page": "/"}}
    assert stored[1].created_at.tzinfo is not None
    assert [m.text for m in await conversations.messages(conversation.id, after=stored[0].id)] == ["Hello!"]


async def test_the_whole_handoff_cycle(engine, conversations):
    agent = await staff(engine, "ana@shop.example")
    conversation = await conversations.open_for("web", "visitor-3")
    summary = {"intents": ["complaint"], "entities": {}, "last_messages": []}
    waiting = await conversations.transition(
        conversation.id, Event.REQUEST, reason="complaint", summary=summary
    )
    assert (waiting.status, waiting.escalated) == (Status.WAITING, True)
    ((queued, handoff),) = await conversations.queue()
    assert (queued.id, handoff.reason, handoff.summary) == (conversation.id, "complaint", summary)

    assigned = await conversations.transition(conversation.id, Event.CLAIM, staff_id=agent)
    assert (assigned.status, assigned.assignee_id) == (Status.ASSIGNED, agent)
    assert await conversations.queue() == []
    assert [c.id for c in await conversations.assigned_to(agent)] == [conversation.id]

    resolved = await conversations.transition(conversation.id, Event.RESOLVE, staff_id=agent)
    assert (resolved.status, resolved.assignee_id) == (Status.RESOLVED, None)
    await conversations.rate(conversation.id, 5)
    assert (await conversations.transition(conversation.id, Event.RESUME)).status == Status.BOT
    transcript = await conversations.transcript(conversation.id)
    assert [r.score for r in transcript.ratings] == [5]
    (done,) = transcript.handoffs
    assert done.claimed_by == agent and done.claimed_at <= done.resolved_at


async def test_a_forbidden_transition_changes_nothing(conversations):
    conversation = await conversations.open_for("web", "visitor-4")
    with pytest.raises(TransitionError):
        await conversations.transition(conversation.id, Event.CLAIM, staff_id=None)
    assert (await conversations.get(conversation.id)).status == Status.BOT


async def test_two_staff_claiming_at_once_only_one_wins(engine, conversations):
    ana, ben = await staff(engine, "ana@shop.example"), await staff(engine, "ben@shop.example")
    conversation = await conversations.open_for("web", "visitor-5")
    await conversations.transition(conversation.id, Event.REQUEST, reason="customer_request")
    results = await asyncio.gather(
        conversations.transition(conversation.id, Event.CLAIM, staff_id=ana),
        conversations.transition(conversation.id, Event.CLAIM, staff_id=ben),
        return_exceptions=True,
    )
    winners = [r for r in results if not isinstance(r, Exception)]
    assert len(winners) == 1 and isinstance(next(r for r in results if r not in winners), TransitionError)
    assert (await conversations.get(conversation.id)).assignee_id == winners[0].assignee_id


async def test_the_assistants_turn_is_stored_whole_in_the_order_it_was_said(conversations):
    conversation = await conversations.open_for("web", "shopper-1")
    question = await conversations.add_message(conversation.id, "customer", "a tent under $300")
    cards = {"type": "product_cards", "products": [{"name": "Ridgeback 2 Tent", "price": 249.0}]}
    said, _ = await conversations.record_turn(
        conversation.id, question.id, "product_search", [{"text": "Here are some tents:"}, {"custom": cards}]
    )
    stored = await conversations.messages(conversation.id)
    assert [(m.sender, m.direction, m.text, m.intent) for m in stored] == [
        ("customer", "in", "a tent under $300", "product_search"),
        ("bot", "out", "Here are some tents:", None),
        ("bot", "out", "", None),
    ]
    assert [m.id for m in said] == [m.id for m in stored[1:]] and stored[2].payload == {"custom": cards}
    assert (await conversations.get(conversation.id)).last_message_at == stored[2].created_at


async def test_the_queue_is_oldest_first(conversations):
    ids = []
    for number in range(3):
        conversation = await conversations.open_for("web", f"queued-{number}")
        await conversations.transition(conversation.id, Event.REQUEST, reason="customer_request")
        ids.append(conversation.id)
    assert [c.id for c, _ in await conversations.queue()] == ids


async def test_search_by_channel_status_intent_rating_and_text(conversations):
    web = await conversations.open_for("web", "searcher-1")
    message = await conversations.add_message(web.id, "customer", "Where is my 100% wool sock order?")
    await conversations.record_turn(web.id, message.id, "track_order", [{"text": "Let me look that up."}])
    slack = await conversations.open_for("slack", "searcher-2")
    await conversations.add_message(slack.id, "customer", "hello")
    await conversations.transition(slack.id, Event.REQUEST, reason="customer_request")
    await conversations.transition(slack.id, Event.RESOLVE)
    await conversations.rate(slack.id, 2)

    async def found(**filters) -> set[int]:
        return {c.id for c in await conversations.search(SearchFilters(**filters))}

    assert await found(channel="web") == {web.id}
    assert await found(status="resolved") == {slack.id}
    assert await found(escalated=True) == {slack.id}
    assert await found(intent="track_order") == {web.id}
    assert await found(rating=2) == {slack.id}
    assert await found(text="100% WOOL") == {web.id}
    assert await found(text="50%") == set()  # % is matched literally, not as a wildcard


async def test_notes_and_ratings_are_checked(engine, conversations):
    agent = await staff(engine, "ana@shop.example")
    with pytest.raises(NotFound):
        await conversations.add_note(999, agent, "lost")
    conversation = await conversations.open_for("web", "visitor-6")
    with pytest.raises(ValueError, match="from 1 to 5"):
        await conversations.rate(conversation.id, 6)
    await conversations.add_note(conversation.id, agent, "Customer prefers email")
    (note,) = (await conversations.transcript(conversation.id)).notes
    assert (note.text, note.author.email) == ("Customer prefers email", "ana@shop.example")


async def test_a_platform_event_is_kept_once_and_known_unhandled_until_handled(engine):
    events = ChannelEvents(session_factory(engine))
    kept = await asyncio.gather(*(events.keep("whatsapp", "wamid.A", {"n": n}) for n in range(5)))
    assert sorted(kept) == [False, False, False, False, True]  # five deliveries at once, kept once
    assert [event.event_id for event in await events.unhandled("whatsapp")] == ["wamid.A"]
    await events.handled("whatsapp", "wamid.A")
    assert await events.unhandled("whatsapp") == []


async def test_the_outbox_sends_a_conversations_messages_in_order_and_leases_them(engine, conversations):
    outbox = Outbox(session_factory(engine))
    first = await conversations.open_for("whatsapp", "447700900123")
    other = await conversations.open_for("whatsapp", "447700900999")
    one = await conversations.add_message(first.id, "bot", "one")
    two = await conversations.add_message(first.id, "bot", "two")
    three = await conversations.add_message(other.id, "bot", "three")
    await outbox.add(one.id, first.id, "whatsapp", "447700900123", [{"text": "one a"}, {"text": "one b"}])
    await outbox.add(two.id, first.id, "whatsapp", "447700900123", [{"text": "two"}])
    await outbox.add(three.id, other.id, "whatsapp", "447700900999", [{"text": "three"}])
    taken = await outbox.take_due(["whatsapp"])
    assert [row.body["text"] for row in taken] == ["one a", "one b", "two", "three"]
    assert await outbox.take_due(["whatsapp"]) == []  # leased to the first taker

    # "one a" waits for a retry: nothing after it in its conversation goes first.
    await outbox.retry(taken[0].id, "503", now() + timedelta(minutes=5))
    await outbox.release([row.id for row in taken[1:3]])
    await outbox.sent(taken[3].id, "wamid.3")
    assert await outbox.take_due(["whatsapp"]) == []
    assert (await outbox.deliveries([one.id, three.id])) == {
        one.id: Delivery("pending", "503"),
        three.id: Delivery("sent"),
    }


async def test_delivery_reports_move_forward_only_and_a_failure_stays(engine, conversations):
    outbox = Outbox(session_factory(engine))
    conversation = await conversations.open_for("whatsapp", "447700900123")
    message = await conversations.add_message(conversation.id, "bot", "hi")
    (row,) = await outbox.add(message.id, conversation.id, "whatsapp", "447700900123", [{"text": "hi"}])
    await outbox.sent(row.id, "wamid.1")
    reports = ("delivered", "read", "delivered", "sent")
    await asyncio.gather(*(outbox.reported("whatsapp", "wamid.1", status) for status in reports))
    assert (await outbox.deliveries([message.id]))[message.id] == Delivery("read")
    assert await outbox.reported("whatsapp", "wamid.1", "failed", "undeliverable") is not None
    assert await outbox.reported("whatsapp", "wamid.1", "read") is None
    assert (await outbox.deliveries([message.id]))[message.id] == Delivery("failed", "undeliverable")
