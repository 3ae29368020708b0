"""Channels as the conversation core sees them (bot.core.channels): what a channel cannot draw is
said in the text instead; a channel the core does not know by name is polled."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.channels import Capabilities, Channels, Polled, channel_view
from bot.store.models import Message

TEXT_ONLY = Capabilities(buttons=False, cards=False)


def reply(text: str, **payload) -> Message:
    return Message(
        id=7, sender="bot", text=text, payload={"text": text, **payload}, created_at=datetime.now(UTC)
    )


CARDS = {
    "type": "product_cards",
    "products": [
        {
            "id": "P1",
            "name": "Ridgeline 2",
            "price": "249.00",
            "currency": "USD",
            "in_stock": True,
            "url": "https://shop.example/ridgeline-2",
        },
        {"id": "P2", "name": "Summit Bivy", "price": "99.00", "currency": "USD", "in_stock": False},
    ],
}
BUTTONS = [{"title": "Track my order", "payload": "/track"}, {"title": "Something else", "payload": "/other"}]


def test_a_channel_that_draws_everything_gets_the_message_as_it_was_said():
    view = channel_view(reply("Here you go:", custom=CARDS, buttons=BUTTONS), Capabilities())
    assert view["text"] == "Here you go:" and view["custom"] == CARDS and view["buttons"] == BUTTONS


def test_buttons_a_channel_cannot_draw_become_numbered_options():
    view = channel_view(reply("Which one?", buttons=BUTTONS), TEXT_ONLY)
    assert view["text"] == "Which one?\n1. Track my order\n2. Something else"
    assert "buttons" not in view


def test_product_cards_a_channel_cannot_draw_become_lines_with_price_stock_and_link():
    view = channel_view(reply("Two tents:", custom=CARDS), TEXT_ONLY)
    assert view["text"].splitlines() == [
        "Two tents:",
        "1. Ridgeline 2 (249.00 USD): https://shop.example/ridgeline-2",
        "2. Summit Bivy (99.00 USD; sold out)",
    ]
    assert "custom" not in view


def test_a_text_longer_than_the_channel_carries_is_cut_and_says_so():
    view = channel_view(reply("word " * 100), Capabilities(max_chars=50))
    assert len(view["text"]) <= 50 and view["text"].endswith("…")


def test_never_anything_staff_only_whatever_the_channel():
    message = reply("Hi", metadata={"ip": "10.0.0.1"}, custom=CARDS)
    message.intent = "greet"
    for capabilities in (Capabilities(), TEXT_ONLY):
        assert {"payload", "intent", "metadata"}.isdisjoint(channel_view(message, capabilities))


async def test_a_channel_not_known_by_name_is_polled_with_every_capability():
    channels = Channels()
    assert isinstance(channels["my-shop-app"], Polled)
    assert channels["my-shop-app"].capabilities == Capabilities()
    assert await channels["my-shop-app"].deliver(1, {"text": "x"}) is None
