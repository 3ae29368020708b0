"""A customer's message, from any channel: stored first, then routed by who owns the conversation.

The assistant (Rasa's REST channel) answers while the bot owns it; while a person owns it the
message goes to the inbox and the assistant is never asked.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.conversation import FALLBACK_INTENT
from bot.core.assistant import AssistantTurn, AssistantUnavailable, RasaClient
from bot.core.availability import StaffHours, when_to_expect
from bot.core.channels import Channels, channel_view
from bot.core.delivery import StaffDelivery
from bot.core.escalation import is_profane, sounds_angry
from bot.core.intake import (
    Duplicate,
    Incoming,
    MessageRejected,
    OutsideReplyWindow,
    RateLimit,
    for_the_assistant,
    may_pick_a_button,
)
from bot.core.outbox import ByEmail
from bot.core.views import conversation_view, customer_state, staff_view
from bot.handoff import REASONS, Event, Lifecycle, Owner, Status, TransitionError, check_staff_may
from bot.knowledge.shop import Shop
from bot.store.conversations import Conversations
from bot.store.models import Conversation, Handoff, Message, StaffUser
from bot.summary import Turn, summarize

log = logging.getLogger(__name__)
EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[a-z]{2,}", re.IGNORECASE)
RATING = re.compile(r"\s*([1-5])\s*(?:/\s*5|stars?|out of 5)?\s*[.!]?\s*", re.IGNORECASE)


# A customer waiting in the queue who writes again is told where they stand, this often at most.
ACKNOWLEDGE_EVERY = timedelta(minutes=3)
# A message the assistant could not answer (starting, restarting) is offered to it again after
# these waits, in seconds, until it answers or a person takes the conversation; then staff have it.
ANSWER_LATER_AFTER = (2.0, 4.0, 8.0, 15.0, 30.0, 60.0, 60.0, 60.0, 60.0, 60.0)
QUEUE_NOTICE = "queue"
CANNOT_READ = (
    "I can't open pictures, voice notes or files here, but a person from our team can. "
    "Would you like me to bring someone in?"
)
OFFER_A_PERSON = [
    {"title": "Yes, a person", "payload": "/contact_human_agent"},
    {"title": "No, thanks", "payload": "/deny"},
]


def _waits_for_the_assistant(conversation: Conversation, handoff: Handoff | None) -> bool:
    """Handed to staff only because the assistant could not answer, and nobody has taken it yet."""
    return (
        conversation.status == Status.WAITING
        and handoff is not None
        and handoff.reason == "assistant_unavailable"
    )


@dataclass(frozen=True)
class ReplyWindow:
    """Whether the shop may write on the customer's platform now, until when, and the template
    it may send instead when not."""

    open: bool
    closes_at: datetime | None
    template: str | None


def rasa_sender(conversation_id: int) -> str:
    """Rasa's conversation id for one of ours (no customer data reaches Rasa's tracker ids)."""
    return f"c{conversation_id}"


class Router:
    """The conversation service every channel calls: intake, routing by owner, handing over,
    delivery, and what staff do to a conversation."""

    def __init__(
        self,
        conversations: Conversations,
        rasa: RasaClient,
        hub: StaffDelivery,
        shop: Shop,
        max_chars: int,
        per_minute: int,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        hours: StaffHours | None = None,
        idle_close: timedelta = timedelta(days=1),
        channels: Channels | None = None,
        email: ByEmail | None = None,
    ):
        """``clock`` and ``hours`` (the support schedule, store.yml's by default) are given by
        tests and by a shop that runs the core somewhere else than store.yml says."""
        self._conversations = conversations
        self._rasa = rasa
        self._hub = hub
        self._channels = channels or Channels()
        # Without it (no SMTP settings) nobody is offered an e-mail reply.
        self._email = email
        self._shop = shop
        self._hours = hours or StaffHours(shop.support)
        self._max_chars = max_chars
        self._limit = RateLimit(per_minute)
        self._clock = clock
        self._idle_close = idle_close
        # Conversations whose latest message waits for the assistant to be back.
        self._later: dict[int, asyncio.Task] = {}
        self.answer_later_after = ANSWER_LATER_AFTER

    # --- customers' messages -------------------------------------------------------------------

    async def receive(self, incoming: Incoming) -> tuple[Conversation, list[Message]]:
        """Store the message, then let its owner answer; returns the conversation as it is after
        the turn, and what goes back to the customer now. The plain path (the assistant answers)
        is two transactions: the message in, the assistant's turn stored."""
        text = incoming.text.strip()
        if not text and incoming.attachment is None:
            raise MessageRejected(400, "the message is empty")
        if len(text) > self._max_chars:
            raise MessageRejected(413, f"the message is longer than {self._max_chars} characters")
        if not self._limit.allow((incoming.channel, incoming.customer_id)):
            raise MessageRejected(429, "too many messages: wait a minute and send it again")
        intake = await self._conversations.take_in(
            incoming.channel,
            incoming.customer_id,
            text,
            {"metadata": incoming.metadata}
            | ({"attachment": incoming.attachment} if incoming.attachment is not None else {}),
            incoming.name,
            idle_before=self.idle_before(),
            client_id=incoming.client_message_id,
        )
        conversation, message = intake.conversation, intake.message
        if intake.duplicate:
            # Sent again (a double tap, a redelivery): stored and answered once; what was said
            # to it so far comes back.
            raise Duplicate(conversation, await self._conversations.replies_to(message))
        await self._hub.to_staff(
            {"type": "message", "conversation": conversation.id, "message": staff_view(message)}
        )
        channel = self._channels[conversation.channel]
        if channel.capabilities.echo:
            await channel.deliver(conversation.id, channel_view(message, channel.capabilities))
        if may_pick_a_button(text):
            offered = await self._conversations.offered_payloads(conversation.id, before=message.id)
            numbered = not channel.capabilities.buttons
            incoming = replace(incoming, text=for_the_assistant(text, offered, numbered))
        replies, after = await self._answer(conversation, message, incoming, intake.previous_intent)
        return after or await self._conversations.get(conversation.id), replies

    async def refused(self, incoming: Incoming, rejected: MessageRejected) -> None:
        """On a platform that cannot show an error (WhatsApp, Slack), tell the customer why a
        message was not taken in; a flood (too many messages) is not answered at all."""
        if rejected.status == 429:
            return
        conversation = await self._conversations.open_for(
            incoming.channel, incoming.customer_id, incoming.name, idle_before=self.idle_before()
        )
        text = (
            f"That message is longer than I can read ({self._max_chars} characters): "
            "could you send it in shorter parts?"
            if rejected.status == 413
            else "I couldn't read that message: could you send it again in words?"
        )
        await self.say(conversation, text)

    def idle_before(self) -> datetime:
        """Conversations the assistant has that were quiet since before this are closed."""
        return self._clock() - self._idle_close

    async def _answer(
        self, conversation: Conversation, message: Message, incoming: Incoming, previous_intent: str | None
    ) -> tuple[list[Message], Conversation | None]:
        """The replies, and the conversation after them when the turn already read it back."""
        if conversation.lifecycle == Lifecycle.RESOLVED:
            # The customer rates, or moves on; either way the assistant carries on.
            with contextlib.suppress(TransitionError):  # another message of theirs resumed it
                await self._conversations.transition(conversation.id, Event.RESUME)
            await self._queue_changed(conversation.id)
            if match := RATING.fullmatch(message.text):
                await self._conversations.rate(conversation.id, int(match.group(1)))
                thanks = "Thank you for rating us! Anything else I can help with?"
                return [await self.say(conversation, thanks)], None
        if conversation.owner != Owner.ASSISTANT:
            return await self._for_a_person(conversation, message, incoming), None
        if incoming.attachment is not None:
            # Kept for staff; the assistant reads words only, so a person is offered.
            return [await self.say(conversation, CANNOT_READ, payload={"buttons": OFFER_A_PERSON})], None
        # Swearing counts as anger right after the assistant failed to understand the customer.
        failed_before = is_profane(message.text) and previous_intent == FALLBACK_INTENT
        if sounds_angry(message.text, after_failed_answer=failed_before):
            lead = "I'm sorry about this. I'm bringing in a person from our team right away."
            return await self.hand_over(conversation, "angry_customer", lead=lead), None
        return await self._ask_assistant(conversation, message, incoming)

    async def _for_a_person(
        self, conversation: Conversation, message: Message, incoming: Incoming
    ) -> list[Message]:
        if conversation.awaiting_email and (found := EMAIL.search(message.text)):
            await self._conversations.set_email(conversation.id, found.group(0))
            await self._queue_changed(conversation.id)
            return [await self.say(conversation, f"Thank you! We'll write to {found.group(0)}.")]
        handoff = await self._conversations.latest_handoff(conversation.id)
        if _waits_for_the_assistant(conversation, handoff):
            # Nobody has taken it yet: if the assistant is back, it answers again.
            try:
                turn = await self._ask(conversation, message, incoming)
            except AssistantUnavailable:
                self._answer_later(conversation, incoming)  # told already; answered when it is back
                return []
            with contextlib.suppress(TransitionError):  # another message of theirs recovered it
                await self._conversations.transition(conversation.id, Event.RECOVER)
            await self._queue_changed(conversation.id)
            replies, _ = await self._store_replies(conversation, message, turn)
            return replies
        if conversation.owner == Owner.QUEUE:
            return await self._acknowledge_waiting(conversation)
        return []

    async def _ask(self, conversation: Conversation, message: Message, incoming: Incoming) -> AssistantTurn:
        """The assistant's turn (raises AssistantUnavailable), given the channel's metadata."""
        metadata = {**incoming.metadata, "channel": incoming.channel, "customer_id": incoming.customer_id}
        return await self._rasa.send(rasa_sender(conversation.id), incoming.text.strip(), metadata)

    async def _ask_assistant(
        self, conversation: Conversation, message: Message, incoming: Incoming
    ) -> tuple[list[Message], Conversation | None]:
        try:
            turn = await self._ask(conversation, message, incoming)
        except AssistantUnavailable:
            lead = (
                "Sorry, I'm having trouble answering right now: your answer is on its way, "
                "and our team can see your message too."
            )
            said = await self.hand_over(conversation, "assistant_unavailable", lead=lead)
            self._answer_later(conversation, incoming)
            return said, None
        return await self._store_replies(conversation, message, turn)

    def _answer_later(self, conversation: Conversation, incoming: Incoming) -> None:
        """Keep offering the conversation's latest message to the assistant (one task for each
        conversation, however many messages wait)."""
        running = self._later.get(conversation.id)
        if running is not None and not running.done():
            return
        task = asyncio.create_task(self._retry(conversation, incoming))
        self._later[conversation.id] = task
        task.add_done_callback(
            lambda done: self._later.pop(conversation.id, None)
            if self._later.get(conversation.id) is done
            else None
        )

    async def _retry(self, conversation: Conversation, incoming: Incoming) -> None:
        """Offer the customer's latest message to the assistant again until it answers (then it
        has the conversation back, and the answer goes to the customer's channel), or a person
        takes it, or the customer's own next message got the assistant's answer."""
        for wait in self.answer_later_after:
            await asyncio.sleep(wait)
            try:
                if not await self._waiting_for_the_assistant(conversation.id):
                    return
                message = await self._conversations.last_from_customer(conversation.id)
                turn = await self._ask(conversation, message, replace(incoming, text=message.text))
                await self._conversations.transition(conversation.id, Event.RECOVER)
            except AssistantUnavailable:
                continue
            except TransitionError:  # a person took it, or the customer's next message recovered it
                return
            except Exception:  # a database hiccup: staff have the conversation, as they would anyway
                log.exception("answering conversation %s later failed", conversation.id)
                return
            await self._queue_changed(conversation.id)
            await self._store_replies(conversation, message, turn)
            await self._answer_newer(conversation, message, incoming)
            return

    async def _waiting_for_the_assistant(self, conversation_id: int) -> bool:
        current = await self._conversations.get(conversation_id)
        return _waits_for_the_assistant(current, await self._conversations.latest_handoff(conversation_id))

    async def _answer_newer(self, conversation: Conversation, answered: Message, incoming: Incoming) -> None:
        """A message the customer sent while the assistant was asked about an earlier one, and
        which nothing answered (the assistant was still away for it), is answered now."""
        latest = await self._conversations.last_from_customer(conversation.id)
        if latest is None or latest.id == answered.id or await self._conversations.replies_to(latest):
            return
        if (await self._conversations.get(conversation.id)).owner != Owner.ASSISTANT:
            return
        try:
            turn = await self._ask(conversation, latest, replace(incoming, text=latest.text))
        except AssistantUnavailable:
            return
        await self._store_replies(conversation, latest, turn)

    async def close(self) -> None:
        """Stop offering waiting messages to the assistant (the gateway is stopping)."""
        waiting = list(self._later.values())
        for task in waiting:
            task.cancel()
        await asyncio.gather(*waiting, return_exceptions=True)

    async def _store_replies(
        self, conversation: Conversation, message: Message, turn: AssistantTurn
    ) -> tuple[list[Message], Conversation | None]:
        payloads = [{k: v for k, v in reply.items() if k != "recipient_id"} for reply in turn.replies]
        stored, after = await self._conversations.record_turn(
            conversation.id, message.id, turn.intent, payloads
        )
        for saved in stored:
            await self._deliver(conversation, saved)
        if (handoff := turn.handoff) is None:
            return stored, after
        reason = handoff.get("reason") if handoff.get("reason") in REASONS else "rule"
        summary = handoff.get("summary") if isinstance(handoff.get("summary"), dict) else None
        return stored + await self.hand_over(conversation, reason, summary), None

    # --- handing over ---------------------------------------------------------------------------

    async def _summary(self, conversation_id: int) -> dict[str, Any]:
        """What staff see when the core (not the assistant) hands over, from the stored transcript."""
        messages = await self._conversations.messages(conversation_id)
        return summarize([Turn(m.sender, m.text, m.intent) for m in messages])

    async def hand_over(
        self,
        conversation: Conversation,
        reason: str,
        summary: dict[str, Any] | None = None,
        lead: str | None = None,
    ) -> list[Message]:
        """Put the conversation in the staff queue, with ``summary`` (else one made from the stored
        transcript); when nobody can answer live, say when someone will and ask for an email."""
        conversation_id = conversation.id
        if summary is None:
            summary = await self._summary(conversation_id)
        unavailable = self._nobody_available()
        try:
            await self._conversations.transition(
                conversation_id,
                Event.REQUEST,
                reason=reason,
                summary=summary,
                awaiting_email=bool(unavailable) and self._email is not None,
            )
        except TransitionError:
            # Another message of the customer's, at the same moment, has just handed it over.
            return await self._acknowledge_waiting(conversation)
        said = [await self.say(conversation, lead)] if lead else []
        if unavailable:
            offer = " If you'd like an email instead, type your email address." if self._email else ""
            said.append(await self.say(conversation, unavailable + offer))
        await self._queue_changed(conversation_id)
        return said

    def _nobody_available(self) -> str | None:
        """What to tell a customer when nobody can answer live (outside the staff's hours, or with
        nobody in the inbox), or None when someone can."""
        moment = self._clock()
        if self._hours.is_open(moment) and self._hub.staff_online > 0:
            return None
        when = when_to_expect(
            None if self._hours.is_open(moment) else self._hours.next_opening(moment), moment
        )
        return f"Nobody from our team is available right now; we'll reply here {when}."

    async def _acknowledge_waiting(self, conversation: Conversation) -> list[Message]:
        """A customer in the queue who writes again hears where they stand: their place in the
        queue, or when the team is back; at most once every ACKNOWLEDGE_EVERY."""
        moment = self._clock()
        last = await self._conversations.last_notice(conversation.id, QUEUE_NOTICE)
        if last is not None and moment - datetime.fromisoformat(last["at"]) < ACKNOWLEDGE_EVERY:
            return []
        position = await self._conversations.queue_position(conversation.id)
        text = self._nobody_available() or (
            f"Thanks for waiting: you're number {position} in the queue, and a person from our team "
            "will be with you as soon as they can."
        )
        notice = {"notice": QUEUE_NOTICE, "at": moment.isoformat()}
        return [await self.say(conversation, text, payload=notice)]

    async def say(
        self,
        conversation: Conversation,
        text: str,
        sender: str = "system",
        agent_id: int | None = None,
        payload: dict[str, Any] | None = None,
    ) -> Message:
        """Store a message to the customer and send it to them and to staff, live."""
        message = await self._conversations.add_message(
            conversation.id, sender, text, payload=payload, agent_id=agent_id
        )
        await self._deliver(conversation, message)
        return message

    async def _deliver(self, conversation: Conversation, message: Message) -> None:
        """To the customer, through their channel (shaped for what it can show), and to staff."""
        channel = self._channels[conversation.channel]
        await channel.deliver(conversation.id, channel_view(message, channel.capabilities))
        await self._hub.to_staff(
            {"type": "message", "conversation": conversation.id, "message": staff_view(message)}
        )

    async def _queue_changed(self, conversation_id: int) -> None:
        """Tell staff, and the customer's channel, how the conversation stands now."""
        conversation = await self._conversations.get(conversation_id)
        handoff = await self._conversations.latest_handoff(conversation_id)
        await self._hub.to_staff(
            {"type": "conversation", "conversation": conversation_view(conversation, handoff)}
        )
        await self._channels[conversation.channel].changed(conversation_id, customer_state(conversation))

    async def start_over(self, conversation: Conversation) -> bool:
        """The customer asks for a new conversation: the assistant's is closed (the next message
        starts afresh); one waiting for or with a person is not, and False says so."""
        try:
            await self._conversations.transition(conversation.id, Event.CLOSE)
        except TransitionError:
            return False
        await self._queue_changed(conversation.id)
        return True

    # --- staff --------------------------------------------------------------------------------

    async def staff_event(self, conversation_id: int, event: Event, staff: StaffUser) -> Conversation:
        """Claim, release or resolve, telling the customer what happens; raises NotAllowed when
        the conversation is someone else's (bot.handoff.check_staff_may)."""
        current = await self._conversations.get(conversation_id)
        check_staff_may(event, current.status, current.assignee_id, staff.id, staff.role == "admin")
        conversation = await self._conversations.transition(conversation_id, event, staff_id=staff.id)
        if event == Event.CLAIM:
            await self.say(conversation, f"{staff.name} from our team has joined the conversation.")
        elif event == Event.RESOLVE:
            await self.say(
                conversation,
                f"{staff.name} has handed you back to the {self._shop.name} assistant. "
                "How would you rate the help you got, from 1 (poor) to 5 (great)?",
            )
        await self._queue_changed(conversation_id)
        return conversation

    async def staff_reply(self, conversation_id: int, staff: StaffUser, text: str) -> Message:
        """A staff member's message to the customer, in a conversation they have; writing to a
        closed conversation reopens it, assigned to them. Raises NotAllowed otherwise."""
        conversation = await self._conversations.get(conversation_id)
        check_staff_may(None, conversation.status, conversation.assignee_id, staff.id, staff.role == "admin")
        window = await self.reply_window(conversation)
        if window is not None and not window.open:
            raise OutsideReplyWindow(window.closes_at, window.template)
        if conversation.status == Status.CLOSED:
            await self._conversations.transition(conversation_id, Event.REOPEN, staff_id=staff.id)
            await self._queue_changed(conversation_id)
        said = await self.say(conversation, text, sender="agent", agent_id=staff.id)
        address = conversation.customer.email
        if self._email is not None and conversation.email_follow_up and address:
            await self._email.follow_up(conversation_id, address, said.id, text, staff.name)
        return said

    async def staff_template(self, conversation_id: int, staff: StaffUser) -> Message:
        """Outside the reply window, the channel's approved template, which asks the customer to
        write back (then the window is open again); raises NotAllowed as ``staff_reply`` does, and
        OutsideReplyWindow when the channel has no template."""
        conversation = await self._conversations.get(conversation_id)
        check_staff_may(None, conversation.status, conversation.assignee_id, staff.id, staff.role == "admin")
        window = await self.reply_window(conversation)
        if window is None or window.template is None:
            raise OutsideReplyWindow(window and window.closes_at, None)
        text = f"(template {window.template!r}: the shop asks the customer to write back)"
        return await self.say(
            conversation, text, sender="agent", agent_id=staff.id, payload={"template": window.template}
        )

    async def reply_window(self, conversation: Conversation) -> ReplyWindow | None:
        """Whether staff may write freely on the conversation's channel now (None: no window)."""
        capabilities = self._channels[conversation.channel].capabilities
        if capabilities.reply_window is None:
            return None
        heard = await self._conversations.last_heard(conversation.customer_id)
        closes_at = heard + capabilities.reply_window if heard is not None else None
        return ReplyWindow(
            closes_at is not None and self._clock() < closes_at, closes_at, capabilities.template
        )

    async def close_idle(self) -> int:
        """Close the conversations the assistant has that went quiet for the idle time."""
        return await self._conversations.close_idle(self.idle_before())
