"""The shop's knowledge as the action server sees it: built lazily, once per process."""

from __future__ import annotations

import logging
from functools import lru_cache

from bot.knowledge import Knowledge
from bot.knowledge.answers import FaqAnswerer
from bot.knowledge.builds import Builds
from bot.knowledge.catalog_index import CatalogIndex
from bot.knowledge.faq_index import FaqIndex
from bot.knowledge.indexes import CATALOG, FAQ, LiveIndex, build_indexes, shop_knowledge
from bot.knowledge.products import ProductFinder
from bot.settings import Settings, load_settings

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def settings() -> Settings:
    return load_settings()


def knowledge() -> Knowledge:
    """The shop's content as of the indexes in use: reloaded whenever a rebuilt index is picked up,
    so an answer never names an FAQ entry or product the content does not have yet."""
    faq, catalog = indexes()
    return _knowledge_for(faq.get(), catalog.get())


@lru_cache(maxsize=1)
def _knowledge_for(faq: FaqIndex, catalog: CatalogIndex) -> Knowledge:
    return shop_knowledge(settings())


@lru_cache(maxsize=1)
def indexes() -> tuple[LiveIndex[FaqIndex], LiveIndex[CatalogIndex]]:
    # Normally built by `./supportdesk run` before the action server starts; built here otherwise.
    build_indexes(settings(), shop_knowledge(settings()))
    return (
        LiveIndex(Builds(settings().index_dir, FAQ), FaqIndex.load),
        LiveIndex(Builds(settings().index_dir, CATALOG), CatalogIndex.load),
    )


def faq_answerer() -> FaqAnswerer:
    return FaqAnswerer(indexes()[0].get(), knowledge().entries_by_intent)


def product_finder() -> ProductFinder:
    return _finder_for(indexes()[1].get())


@lru_cache(maxsize=1)
def _finder_for(index: CatalogIndex) -> ProductFinder:
    # Built once per loaded catalog index: the finder's spaCy parser is not free to make.
    return ProductFinder(knowledge(), index)


def load() -> None:
    """Load the indexes, their encoders and the product finder now rather than at the first action."""
    faq, catalog = (index.get() for index in indexes())
    product_finder()
    log.info("shop loaded: %d FAQ phrasings, %d products", faq.manifest.count, catalog.manifest.count)
