"""The FAQ index the assistant answers from: built when the FAQ changed, reloaded when republished."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from bot.knowledge import Knowledge
from bot.knowledge.builds import BuildStore
from bot.knowledge.faq_index import FaqIndex, content_hash
from bot.knowledge.tuning import TuningPlan
from bot.settings import Settings

FAQ = "faq"


def faq_groups(knowledge: Knowledge) -> dict[str, list[str]]:
    return {entry.id: list(entry.phrasings) for entry in knowledge.faq}


def build_faq_index(settings: Settings, knowledge: Knowledge, progress: bool = False) -> Path | None:
    """Build and publish the FAQ index if the FAQ, the model or the tuning changed; returns the new
    build's directory, or None when the current one is up to date."""
    store = BuildStore(settings.index_dir, FAQ)
    plan = TuningPlan() if settings.tune_encoder else None
    groups = faq_groups(knowledge)
    current = store.current_manifest()
    if current and current.content_hash == content_hash(groups, settings.embedding_model, plan):
        return None
    index = FaqIndex.build(groups, settings.embedding_model, plan, progress=progress)
    workspace = store.workspace()
    index.save(workspace)
    return store.publish(workspace)


class LiveFaqIndex:
    """The current FAQ index; looks (at most once per ``check_every`` seconds) for a newer published
    build and swaps to it only once it is fully loaded, so a query never sees a half-loaded index."""

    def __init__(self, store: BuildStore, check_every: float = 1.0):
        self._store = store
        self._check_every = check_every
        self._lock = threading.Lock()
        self._loaded: tuple[Path, FaqIndex] | None = None
        self._checked = 0.0

    def get(self) -> FaqIndex:
        now = time.monotonic()
        if self._loaded is None or now - self._checked >= self._check_every:
            with self._lock:
                self._checked = now
                current = self._store.current()
                if current is None:
                    raise FileNotFoundError(
                        f"no FAQ index under {self._store.directory}: run `python -m bot.knowledge build`"
                    )
                if self._loaded is None or self._loaded[0] != current:
                    self._loaded = (current, FaqIndex.load(current))
        return self._loaded[1]
