"""The FAQ index on disk: built only when something changed, published atomically, reloaded live."""

from __future__ import annotations

import json
import shutil
import threading
import time
from pathlib import Path

import pytest

from bot.knowledge import load_knowledge
from bot.knowledge.__main__ import main as knowledge_cli
from bot.knowledge.builds import Builds
from bot.knowledge.faq_index import FaqIndex
from bot.knowledge.indexes import FAQ, LiveIndex, build_faq_index
from bot.settings import PROJECT_DIR, load_settings

NEW_ENTRY = """
  - id: dog-friendly
    category: store
    question: Can I bring my dog to the store?
    alternatives:
      - Are dogs allowed in your shop?
    answer: Yes, well-behaved dogs on a lead are welcome in our Portland store.
"""


@pytest.fixture
def shop(tmp_path: Path):
    """A copy of the demo content and its own index directory; no encoder tuning, to stay quick."""
    knowledge_dir = tmp_path / "knowledge"
    shutil.copytree(PROJECT_DIR / "knowledge", knowledge_dir)
    settings = load_settings(knowledge_dir=knowledge_dir, index_dir=tmp_path / "index", tune_encoder=False)
    return settings


def test_a_build_is_published_with_a_manifest_and_skipped_when_nothing_changed(shop):
    knowledge = load_knowledge(shop.knowledge_dir)
    first = build_faq_index(shop, knowledge)
    manifest = json.loads((first / "manifest.json").read_text())
    assert manifest["kind"] == "faq" and manifest["model"] == "all-MiniLM-L6-v2"
    assert manifest["dimension"] == 384 and manifest["tuned"] is False
    assert manifest["count"] == sum(len(entry.phrasings) for entry in knowledge.faq)
    assert manifest["content_hash"] and manifest["built_at"] and 0 < manifest["threshold"] < 1
    assert Builds(shop.index_dir, FAQ).current() == first
    assert build_faq_index(shop, knowledge) is None  # unchanged: nothing rebuilt


def test_the_assistant_picks_up_a_rebuilt_index_without_a_restart(shop):
    build_faq_index(shop, load_knowledge(shop.knowledge_dir))
    live = LiveIndex(Builds(shop.index_dir, FAQ), FaqIndex.load, check_every=0)
    before = live.get()
    assert "dog-friendly" not in {m.key for m in before.rank("can my dog come in", limit=3)}

    faq = shop.knowledge_dir / "faq.yml"
    faq.write_text(faq.read_text() + NEW_ENTRY)
    rebuilt = build_faq_index(shop, load_knowledge(shop.knowledge_dir))

    after = live.get()
    assert after is not before and Builds(shop.index_dir, FAQ).current() == rebuilt
    assert after.rank("can my dog come in", limit=1)[0].key == "dog-friendly"
    assert len(list((shop.index_dir / FAQ).glob("build-*"))) == 1  # the old build is gone


def test_readers_keep_answering_while_new_builds_are_published_and_old_ones_removed(shop):
    """A reader checks for a new build on every query while builds are published (each one
    removing the build before it, which a reader may be about to load): every query is answered."""
    store = Builds(shop.index_dir, FAQ)
    build_faq_index(shop, load_knowledge(shop.knowledge_dir))

    def slow_load(path: Path) -> FaqIndex:
        time.sleep(0.01)  # a large index takes a while to read: time for a newer build to land
        return FaqIndex.load(path)

    live = LiveIndex(store, slow_load, check_every=0)
    live.get()  # loaded at start, as the action server does
    stop, problems, seen = threading.Event(), [], set()

    def reader() -> None:
        while not stop.is_set():
            try:
                index = live.get()
                seen.add(id(index))
                assert index.rank("how long does delivery take", limit=1)
            except Exception as problem:
                problems.append(repr(problem))

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for thread in threads:
        thread.start()
    for _ in range(12):
        workspace = store.workspace()  # a builder writes a new build beside the current one ...
        for path in store.current().iterdir():
            shutil.copy(path, workspace / path.name)
        store.publish(workspace)  # ... and publishes it, removing the one before
    time.sleep(0.3)  # the readers settle on the last build
    stop.set()
    for thread in threads:
        thread.join()
    assert problems == []
    assert len(seen) > 1
    assert [path.name for path in (shop.index_dir / FAQ).glob("build-*")] == [store.current().name]


def labelled(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.write_text("".join(json.dumps({"text": text, "label": label}) + "\n" for text, label in rows))
    return path


def test_eval_prints_the_figures_as_one_json_line(tmp_path, capsys):
    examples = labelled(
        tmp_path / "examples.jsonl",
        [
            ("how long does shipping take", "delivery"),
            ("when will my parcel arrive", "delivery"),
            ("how many days for delivery", "delivery"),
            ("can I return my shoes", "returns"),
            ("what is your return policy", "returns"),
            ("how do I send an item back", "returns"),
        ],
    )
    queries = labelled(
        tmp_path / "queries.jsonl",
        [
            ("how fast is delivery", "delivery"),
            ("I want to return a jacket", "returns"),
            ("who won the football match", "oos"),
        ],
    )
    assert (
        knowledge_cli(
            ["eval", "--examples", str(examples), "--queries", str(queries), "--json", "--no-tuning"]
        )
        == 0
    )
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert figures["in_scope_top1"] == 1.0
    assert set(figures) >= {
        "in_scope_answered_correct",
        "oos_recall",
        "threshold",
        "build_seconds",
        "query_p50_ms",
        "query_p95_ms",
    }


def test_eval_names_every_bad_line_of_its_input(tmp_path, capsys):
    examples = tmp_path / "examples.jsonl"
    examples.write_text('{"text": "hi", "label": "greet"}\nnot json\n{"text": "", "label": "greet"}\n')
    assert knowledge_cli(["eval", "--examples", str(examples), "--queries", str(examples)]) == 1
    error = capsys.readouterr().err
    assert f"{examples}:2: invalid JSON" in error
    assert f"{examples}:3: text: must be a non-empty string" in error
