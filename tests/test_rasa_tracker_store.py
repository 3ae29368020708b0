"""Rasa's conversation state in SQLite (bot/rasa_server/tracker_store.py), run where Rasa runs it: in the
Python 3.10 runtime, each step in a process of its own, so what is read back came from the file."""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest

from bot.settings import PROJECT_DIR, load_settings

pytestmark = pytest.mark.rasa

PRELUDE = """
import asyncio, json, sys
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

domain = Domain.from_dict({"intents": ["greet"], "slots": {"order_id": {"type": "text", "mappings": []}}})
# Created the way Rasa creates it from endpoints.yml.
store = TrackerStore.create(
    EndpointConfig(type="bot.rasa_server.tracker_store.SQLiteTrackerStore", db=sys.argv[1]), domain
)
"""


def in_rasa_runtime(script: str, db: Path) -> dict:
    """Run ``script`` (after PRELUDE) with Rasa's interpreter; it prints one JSON line."""
    python = load_settings().rasa_bin.parent / "python"
    result = subprocess.run(
        [str(python), "-c", PRELUDE + textwrap.dedent(script), str(db)],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_conversation_is_kept_in_the_file_and_read_back_by_a_new_process(tmp_path):
    db = tmp_path / "rasa-tracker.db"
    saved = in_rasa_runtime(
        """
        async def main():
            for sender, order in (("anna", "AP-10234"), ("ben", "AP-10999")):
                tracker = DialogueStateTracker(sender, domain.slots)
                tracker.update(ActionExecuted("action_listen"))
                tracker.update(UserUttered("where is my order", {"name": "greet", "confidence": 1.0}))
                tracker.update(SlotSet("order_id", order))
                await store.save(tracker)
            # A later message of anna's: the same row is replaced, not a second one added.
            tracker = await store.retrieve("anna")
            tracker.update(UserUttered("thanks", {"name": "greet", "confidence": 1.0}))
            await store.save(tracker)
            print(json.dumps({"type": type(store).__name__, "keys": sorted(await store.keys())}))
        asyncio.run(main())
        """,
        db,
    )
    assert saved == {"type": "SQLiteTrackerStore", "keys": ["anna", "ben"]}

    read = in_rasa_runtime(
        """
        async def main():
            anna, ben = await store.retrieve("anna"), await store.retrieve("ben")
            said = [event.text for event in anna.events if isinstance(event, UserUttered)]
            print(json.dumps({
                "anna": [anna.get_slot("order_id"), said],
                "ben": ben.get_slot("order_id"),
                "nobody": await store.retrieve("nobody") is None,
            }))
        asyncio.run(main())
        """,
        db,
    )
    assert read == {
        "anna": ["AP-10234", ["where is my order", "thanks"]],
        "ben": "AP-10999",
        "nobody": True,
    }
