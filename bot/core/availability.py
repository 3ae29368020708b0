"""Whether a person can take over a chat now, and if not, when the customer will hear back."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.knowledge.shop import WEEKDAYS, Support


def _hours(spec: str) -> tuple[time, time] | None:
    if spec == "closed":
        return None
    start, end = spec.split("-")
    # "24:00" closes at midnight.
    return time.fromisoformat(start), time.max if end == "24:00" else time.fromisoformat(end)


class StaffHours:
    """The support schedule from store.yml, in the shop's own time zone."""

    def __init__(self, support: Support):
        self._zone = ZoneInfo(support.timezone)
        self._always = not support.schedule
        self._days = {day: _hours(support.schedule.get(day, "closed")) for day in WEEKDAYS}

    @classmethod
    def around_the_clock(cls) -> StaffHours:
        """Staff who may answer at any hour (a store.yml without a schedule)."""
        return cls(Support(email="staff@example.org", hours="any time"))

    def is_open(self, moment: datetime) -> bool:
        if self._always:
            return True
        local = moment.astimezone(self._zone)
        hours = self._days[WEEKDAYS[local.weekday()]]
        return hours is not None and hours[0] <= local.time() < hours[1]

    def next_opening(self, moment: datetime) -> datetime | None:
        """The next time staff start answering, in the shop's zone (None: always open or never)."""
        if self._always:
            return None
        local = moment.astimezone(self._zone)
        for ahead in range(8):
            day = local.date() + timedelta(days=ahead)
            hours = self._days[WEEKDAYS[day.weekday()]]
            if hours is None:
                continue
            opening = datetime.combine(day, hours[0], tzinfo=self._zone)
            if opening > local:
                return opening
        return None


def when_to_expect(opening: datetime | None, moment: datetime) -> str:
    """'today at 8:00 AM', 'tomorrow at 9:00 AM' or 'on Monday at 8:00 AM' (shop's time zone)."""
    if opening is None:
        return "as soon as someone is back"
    local = moment.astimezone(opening.tzinfo)
    clock = opening.strftime("%I:%M %p").lstrip("0")
    days = (opening.date() - local.date()).days
    if days == 0:
        return f"today at {clock}"
    if days == 1:
        return f"tomorrow at {clock}"
    return f"on {opening.strftime('%A')} at {clock}"
