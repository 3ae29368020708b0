"""Requests to hand a conversation to a person, kept until staff pick them up."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# Why a conversation is handed over; shown to the person who takes it.
REASONS = {
    "contact_human_agent": "customer asked for a person",
    "complaint": "complaint",
    "nlu_fallback": "assistant did not understand twice",
}


@dataclass(frozen=True)
class HandoffRequest:
    conversation_id: str
    reason: str
    summary: dict[str, Any]
    requested_at: datetime = field(default_factory=lambda: datetime.now(UTC))


class HandoffLog:
    """Handoff requests in a SQLite file; safe for several processes writing at once."""

    def __init__(self, path: Path):
        self._path = path

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A connection inside a transaction, closed afterwards."""
        self._path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self._path, timeout=10)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(
            "CREATE TABLE IF NOT EXISTS handoff_requests ("
            " id INTEGER PRIMARY KEY AUTOINCREMENT,"
            " conversation_id TEXT NOT NULL, reason TEXT NOT NULL,"
            " summary TEXT NOT NULL, requested_at TEXT NOT NULL)"
        )
        try:
            with connection:
                yield connection
        finally:
            connection.close()

    def record(self, request: HandoffRequest) -> int:
        """Store the request; returns its number."""
        with self._connect() as connection:
            cursor = connection.execute(
                "INSERT INTO handoff_requests (conversation_id, reason, summary, requested_at)"
                " VALUES (?, ?, ?, ?)",
                (
                    request.conversation_id,
                    request.reason,
                    json.dumps(request.summary),
                    request.requested_at.isoformat(),
                ),
            )
            return int(cursor.lastrowid)

    def all(self) -> list[HandoffRequest]:
        if not self._path.exists():
            return []
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT conversation_id, reason, summary, requested_at FROM handoff_requests ORDER BY id"
            ).fetchall()
        return [HandoffRequest(c, r, json.loads(s), datetime.fromisoformat(t)) for c, r, s, t in rows]
