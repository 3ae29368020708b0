"""Staff hours from store.yml: open or closed now, and when the customer will hear back."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.core.availability import StaffHours, when_to_expect
from bot.knowledge.shop import Support


@pytest.fixture
def hours(knowledge) -> StaffHours:
    return StaffHours(knowledge.shop.support)  # Mon-Fri 8-20, Sat 9-17, Sun closed, Pacific time


def pacific(text: str) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("America/Los_Angeles"))


def test_open_inside_the_schedule_in_the_shops_time_zone(hours):
    assert hours.is_open(pacific("2026-11-23T08:00"))  # Monday
    assert hours.is_open(datetime(2026, 11, 23, 17, 0, tzinfo=UTC))  # 9:00 in Los Angeles
    assert not hours.is_open(pacific("2026-11-23T20:00"))
    assert not hours.is_open(pacific("2026-11-22T12:00"))  # Sunday


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2026-11-23T06:30", "today at 8:00 AM"),  # Monday before opening
        ("2026-11-27T21:00", "tomorrow at 9:00 AM"),  # Friday evening -> Saturday
        ("2026-11-28T18:00", "on Monday at 8:00 AM"),  # Saturday evening, Sunday closed
    ],
)
def test_when_the_customer_will_hear_back(hours, moment, expected):
    now = pacific(moment)
    assert when_to_expect(hours.next_opening(now), now) == expected


def test_no_schedule_means_always_open():
    always = StaffHours(Support(email="a@b.example", hours="any time"))
    assert always.is_open(datetime(2026, 11, 22, 3, 0, tzinfo=UTC))
    assert always.next_opening(datetime(2026, 11, 22, 3, 0, tzinfo=UTC)) is None


@pytest.mark.parametrize(
    ("schedule", "timezone", "message"),
    [
        ({"monday": "08:00-20:00"}, "UTC", "unknown weekday 'monday'"),
        ({"mon": "8am-8pm"}, "UTC", "is not like 08:00-20:00 or closed"),
        ({}, "Mars/Olympus", "unknown time zone 'Mars/Olympus'"),
    ],
)
def test_a_bad_schedule_is_named(schedule, timezone, message):
    with pytest.raises(ValueError, match=message):
        Support(email="a@b.example", hours="x", schedule=schedule, timezone=timezone)
