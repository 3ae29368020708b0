"""The shop's knowledge as the action server sees it: built lazily, once per process."""

from __future__ import annotations

from functools import lru_cache

from bot.handoff import HandoffLog
from bot.knowledge import Knowledge, load_knowledge
from bot.knowledge.answers import FaqAnswerer
from bot.knowledge.products import ProductFinder
from bot.settings import Settings, load_settings


@lru_cache(maxsize=1)
def settings() -> Settings:
    return load_settings()


@lru_cache(maxsize=1)
def knowledge() -> Knowledge:
    return load_knowledge(settings().knowledge_dir)


@lru_cache(maxsize=1)
def faq_answerer() -> FaqAnswerer:
    return FaqAnswerer(knowledge())


@lru_cache(maxsize=1)
def product_finder() -> ProductFinder:
    return ProductFinder(knowledge())


def handoff_log() -> HandoffLog:
    return HandoffLog(settings().supportdesk_db)
