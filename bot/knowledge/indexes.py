"""The indexes the assistant answers from: built when their content changed, reloaded when
republished, so a running action server picks up new content without a restart."""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from bot.knowledge import Knowledge, load_knowledge
from bot.knowledge.builds import Builds
from bot.knowledge.catalog_index import CatalogIndex, catalog_hash
from bot.knowledge.faq_index import FaqIndex, content_hash
from bot.knowledge.tuning import TuningPlan
from bot.settings import Settings

FAQ = "faq"
CATALOG = "catalog"
log = logging.getLogger(__name__)


class _Saveable(Protocol):
    def save(self, directory: Path) -> None: ...


Index = TypeVar("Index")


def _publish_if_changed(store: Builds, wanted: str, build: Callable[[], _Saveable]) -> Path | None:
    current = store.current_manifest()
    if current and current.content_hash == wanted:
        return None
    index = build()
    workspace = store.workspace()
    index.save(workspace)
    return store.publish(workspace)


def shop_knowledge(settings: Settings) -> Knowledge:
    """The shop's content as the settings say to load it (strict, or skipping bad records)."""
    return load_knowledge(settings.knowledge_dir, skip_invalid=settings.skip_invalid_rows)


def report_skipped(knowledge: Knowledge) -> None:
    """Tell the shop, on stderr, about every record left out of its content."""
    for problem in knowledge.skipped:
        print(f"supportdesk: left out: {problem}", file=sys.stderr)


def faq_groups(knowledge: Knowledge) -> dict[str, list[str]]:
    return {entry.id: list(entry.phrasings) for entry in knowledge.faq}


def build_faq_index(settings: Settings, knowledge: Knowledge, progress: bool = False) -> Path | None:
    """Build and publish the FAQ index if the FAQ, the model or the tuning changed; returns the new
    build's directory, or None when the current one is up to date."""
    plan = TuningPlan() if settings.tune_encoder else None
    groups = faq_groups(knowledge)
    return _publish_if_changed(
        Builds(settings.index_dir, FAQ),
        content_hash(groups, settings.embedding_model, plan),
        lambda: FaqIndex.build(groups, settings.embedding_model, plan, progress=progress),
    )


def build_catalog_index(settings: Settings, knowledge: Knowledge, progress: bool = False) -> Path | None:
    """Build and publish the product index if the catalog or the model changed."""
    return _publish_if_changed(
        Builds(settings.index_dir, CATALOG),
        catalog_hash(knowledge.catalog, settings.embedding_model),
        lambda: CatalogIndex.build(knowledge.catalog, settings.embedding_model, progress=progress),
    )


def build_indexes(settings: Settings, knowledge: Knowledge, progress: bool = False) -> list[str]:
    """Bring both indexes up to date; returns the kinds that were rebuilt."""
    rebuilt = []
    if build_faq_index(settings, knowledge, progress):
        rebuilt.append(FAQ)
    if build_catalog_index(settings, knowledge, progress):
        rebuilt.append(CATALOG)
    return rebuilt


class LiveIndex(Generic[Index]):
    """The current build of one index; looks (at most once per ``check_every`` seconds) for a newer
    published build and swaps to it only once it is fully loaded, so a query never sees a
    half-loaded index."""

    def __init__(self, store: Builds, load: Callable[[Path], Index], check_every: float = 1.0):
        self._store = store
        self._load = load
        self._check_every = check_every
        self._lock = threading.Lock()
        self._loaded: tuple[Path, Index] | None = None
        self._checked = 0.0

    def get(self) -> Index:
        now = time.monotonic()
        if self._loaded is None or now - self._checked >= self._check_every:
            with self._lock:
                self._checked = now
                current = self._store.current()
                if current is None and self._loaded is not None:
                    return self._loaded[1]  # builds are being replaced: answer from the one loaded
                if current is None:
                    raise FileNotFoundError(
                        f"no index under {self._store.directory}: run `python -m bot.knowledge build`"
                    )
                if self._loaded is None or self._loaded[0] != current:
                    self._loaded = self._load_newest(current)
        return self._loaded[1]

    def _load_newest(self, current: Path) -> tuple[Path, Index]:
        """Load ``current``; a build is removed once a newer one is published, so if it vanished
        while loading, load the newer one; if the newest cannot be read, keep the one loaded."""
        for _ in range(3):
            try:
                return current, self._load(current)
            except (FileNotFoundError, NotADirectoryError):
                newer = self._store.current()
                if newer is None or newer == current:
                    break
                current = newer
        if self._loaded is not None:
            log.warning(
                "the index build %s could not be read; still answering from %s", current, self._loaded[0]
            )
            return self._loaded
        raise FileNotFoundError(f"the index build {current} could not be read")
