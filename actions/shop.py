"""The shop's knowledge as the action server sees it: built lazily, once per process."""

from __future__ import annotations

from functools import lru_cache

from bot.handoff import HandoffLog
from bot.knowledge import Knowledge, load_knowledge
from bot.knowledge.answers import FaqAnswerer
from bot.knowledge.builds import BuildStore
from bot.knowledge.engine import FAQ, LiveFaqIndex, build_faq_index
from bot.knowledge.products import ProductFinder
from bot.settings import Settings, load_settings


@lru_cache(maxsize=1)
def settings() -> Settings:
    return load_settings()


@lru_cache(maxsize=1)
def knowledge() -> Knowledge:
    return load_knowledge(settings().knowledge_dir)


@lru_cache(maxsize=1)
def faq_index() -> LiveFaqIndex:
    # Normally built by `./supportdesk run` before the action server starts; build here otherwise.
    build_faq_index(settings(), knowledge())
    return LiveFaqIndex(BuildStore(settings().index_dir, FAQ))


def faq_answerer() -> FaqAnswerer:
    return FaqAnswerer(faq_index().get(), knowledge().entries_by_intent)


@lru_cache(maxsize=1)
def product_finder() -> ProductFinder:
    return ProductFinder(knowledge())


def handoff_log() -> HandoffLog:
    return HandoffLog(settings().supportdesk_db)
