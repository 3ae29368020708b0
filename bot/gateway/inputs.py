"""Reading what clients send, so that nothing they send gives a 500: JSON no deeper than any real
message needs and without NaN or Infinity (not JSON, and they would spoil the exports), row ids the
database can hold, dates the calendar can hold in every time zone."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

MAX_JSON_DEPTH = 32
# The largest id an INTEGER column holds on every database the store runs on (PostgreSQL: 32 bits).
MAX_ROW_ID = 2**31 - 1


class BadInput(ValueError):
    """What was sent cannot be read; the message says why, for the client."""


def _no_constant(constant: str) -> Any:
    raise BadInput(f"{constant} is not a JSON value")


def parse_json(text: str | bytes) -> Any:
    """The JSON value of ``text``; BadInput when it is not JSON, holds NaN or Infinity, or is nested
    more than MAX_JSON_DEPTH deep."""
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise BadInput(f"the JSON is nested more than {MAX_JSON_DEPTH} deep") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as problem:
        raise BadInput(f"the body is not valid JSON: {problem}") from None
    if _depth(value) > MAX_JSON_DEPTH:
        raise BadInput(f"the JSON is nested more than {MAX_JSON_DEPTH} deep")
    return value


def _depth(value: Any) -> int:
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if depth > MAX_JSON_DEPTH:
                break
            pending.extend(
                (child, depth + 1) for child in (item.values() if isinstance(item, dict) else item)
            )
    return deepest


def row_id(text: str) -> int | None:
    """The row id ``text`` names, or None when no row can have it (not a whole number, or out of
    the database's range)."""
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ROW_ID else None


def moment(name: str, text: str) -> datetime:
    """A date or time as given (a date or time without a zone is the server's local time), in UTC;
    BadInput naming ``name`` when it is not one or is outside the calendar once in UTC."""
    try:
        parsed = datetime.fromisoformat(text)
        return (parsed if parsed.tzinfo else parsed.astimezone()).astimezone(UTC)
    except (ValueError, OverflowError):
        raise BadInput(f"{name}: {text!r} is not a date like 2026-11-22") from None


def json_object(body: bytes) -> dict[str, Any]:
    """A webhook's body as the JSON object it must be; HTTP 400 naming the problem otherwise."""
    try:
        value = parse_json(body)
    except BadInput as problem:
        raise web.HTTPBadRequest(text=str(problem)) from None
    if not isinstance(value, dict):
        raise web.HTTPBadRequest(text="the body must be a JSON object")
    return value
