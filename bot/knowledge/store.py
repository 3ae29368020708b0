"""Facts about the shop itself: its name, how to reach its people, its pages."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.knowledge.problems import Problem, problems_from_validation
from bot.knowledge.yamlfile import pop_line, read_yaml


class Support(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    phone: str = ""
    hours: str = Field(min_length=1)
    timezone: str = "UTC"


class Links(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    order_tracking: str = Field(pattern=r"^https?://\S+$")
    orders: str = Field(pattern=r"^https?://\S+$")
    returns: str = Field(pattern=r"^https?://\S+$")
    account: str = Field(pattern=r"^https?://\S+$")
    contact: str = Field(pattern=r"^https?://\S+$")


class Store(BaseModel):
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


def read_store(path: Path) -> tuple[Store | None, list[Problem]]:
    document = read_yaml(path)
    if not isinstance(document, dict):
        return None, [Problem(path, None, None, "the file must be a mapping of fields")]
    line = document.get("__line__")
    try:
        return Store(**_strip_lines(document)), []
    except ValidationError as error:
        return None, problems_from_validation(error, path, line)
