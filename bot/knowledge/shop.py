"""Facts about the shop itself: its name, how to reach its people, its pages."""

from __future__ import annotations

import re
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.knowledge.problems import Problem, problems_from_validation
from bot.knowledge.yamlfile import pop_line, read_yaml

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HOURS = re.compile(r"([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d")


class Support(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    phone: str = ""
    hours: str = Field(min_length=1)
    timezone: str = "UTC"
    # When staff answer chat, per weekday: "08:00-20:00" or "closed". Days left out are closed;
    # no schedule at all means staff may answer at any hour.
    schedule: dict[str, str] = Field(default_factory=dict)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use a name such as Europe/Berlin)") from None
        return value

    @field_validator("schedule")
    @classmethod
    def _valid_schedule(cls, value: dict[str, str]) -> dict[str, str]:
        for day, hours in value.items():
            if day not in WEEKDAYS:
                raise ValueError(f"unknown weekday {day!r} (use {', '.join(WEEKDAYS)})")
            if hours != "closed" and not _HOURS.fullmatch(hours):
                raise ValueError(f"{day}: {hours!r} is not like 08:00-20:00 or closed")
        return value


class Links(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    order_tracking: str = Field(pattern=r"^https?://\S+$")
    orders: str = Field(pattern=r"^https?://\S+$")
    returns: str = Field(pattern=r"^https?://\S+$")
    account: str = Field(pattern=r"^https?://\S+$")
    contact: str = Field(pattern=r"^https?://\S+$")


class Shop(BaseModel):
    """The business the assistant speaks for."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    website: str = Field(pattern=r"^https?://\S+$")
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    support: Support
    links: Links


def _strip_lines(value: object) -> object:
    if isinstance(value, dict):
        pop_line(value)
        return {key: _strip_lines(item) for key, item in value.items()}
    return value


def read_shop(path: Path) -> tuple[Shop | None, list[Problem]]:
    document = read_yaml(path)
    if not isinstance(document, dict):
        return None, [Problem(path, None, None, "the file must be a mapping of fields")]
    line = document.get("__line__")
    try:
        return Shop(**_strip_lines(document)), []
    except ValidationError as error:
        return None, problems_from_validation(error, path, line)
