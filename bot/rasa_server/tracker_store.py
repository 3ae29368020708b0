"""Rasa's conversation state, kept in a local SQLite file: one row per conversation.

This module runs inside the Rasa server (Python 3.10, `.venv-rasa`), so it imports only the
standard library and Rasa. endpoints.yml names it as the tracker store:

    tracker_store:
      type: bot.rasa_server.tracker_store.SQLiteTrackerStore
      db: path/to/rasa-tracker.db

Rasa's own SQL tracker store writes one row per event and, for every message, counts the stored
events and reads them all back through the SQLAlchemy ORM: a third of the Rasa server's CPU under
load (benchmarks/README.md). This store keeps each conversation's dialogue serialised the way
Rasa's in-memory and Redis stores do, so a message costs one indexed read and one upsert. The file
survives restarts of the Rasa server, and several Rasa workers can share it (SQLite WAL; Rasa's
lock store keeps one conversation's messages in order).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain

SCHEMA = """
CREATE TABLE IF NOT EXISTS conversation_trackers (
    sender_id TEXT PRIMARY KEY,
    dialogue TEXT NOT NULL,
    updated_at REAL NOT NULL
)
"""


class SerialisedTrackers(MutableMapping):
    """Conversation id -> serialised dialogue (JSON text), in a SQLite table."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit: each write is its own transaction. WAL with synchronous=NORMAL is durable
        # against a crash of the process (not of the machine's power), and readers never wait.
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(SCHEMA)

    def __getitem__(self, sender_id: str) -> str:
        row = self._db.execute(
            "SELECT dialogue FROM conversation_trackers WHERE sender_id = ?", (sender_id,)
        ).fetchone()
        if row is None:
            raise KeyError(sender_id)
        return row[0]

    def __setitem__(self, sender_id: str, dialogue: str) -> None:
        self._db.execute(
            "INSERT INTO conversation_trackers (sender_id, dialogue, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (sender_id) DO UPDATE SET dialogue = excluded.dialogue, "
            "updated_at = excluded.updated_at",
            (sender_id, dialogue, time.time()),
        )

    def __delitem__(self, sender_id: str) -> None:
        if (
            self._db.execute("DELETE FROM conversation_trackers WHERE sender_id = ?", (sender_id,)).rowcount
            == 0
        ):
            raise KeyError(sender_id)

    def __contains__(self, sender_id: object) -> bool:
        found = self._db.execute("SELECT 1 FROM conversation_trackers WHERE sender_id = ?", (sender_id,))
        return found.fetchone() is not None

    def __iter__(self) -> Iterator[str]:
        rows = self._db.execute("SELECT sender_id FROM conversation_trackers ORDER BY sender_id").fetchall()
        return iter([sender_id for (sender_id,) in rows])

    def __len__(self) -> int:
        return self._db.execute("SELECT count(*) FROM conversation_trackers").fetchone()[0]


class SQLiteTrackerStore(InMemoryTrackerStore):
    """Rasa's in-memory tracker store with its dictionary kept in a SQLite file instead: the same
    serialisation, sessions and event streaming, and it outlives the process."""

    def __init__(
        self,
        domain: Domain,
        db: str = "rasa-tracker.db",
        event_broker: EventBroker | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("host", None)  # Rasa passes the endpoint's url as host; a file has none
        super().__init__(domain, event_broker, **kwargs)
        self.store = SerialisedTrackers(Path(db))  # type: ignore[assignment]
