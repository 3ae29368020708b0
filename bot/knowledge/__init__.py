"""The business's own content (knowledge/): the shop's facts (store.yml), FAQ and catalog, checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from bot.knowledge.catalog import Product, read_catalog
from bot.knowledge.faq import FaqEntry, read_faq
from bot.knowledge.problems import KnowledgeError, Problem
from bot.knowledge.shop import Shop, read_shop
from bot.knowledge.synonyms import FILE as SYNONYMS_FILE
from bot.knowledge.synonyms import read_synonyms

__all__ = ["FaqEntry", "Knowledge", "KnowledgeError", "Problem", "Product", "Shop", "load_knowledge"]

CATALOG_FILES = ("catalog.csv", "catalog.json")


@dataclass(frozen=True)
class Knowledge:
    """Everything the assistant knows about one shop."""

    shop: Shop
    faq: tuple[FaqEntry, ...]
    catalog: tuple[Product, ...]
    directory: Path = field(compare=False)
    # The shop's own words for its categories and kinds ("rucksack": backpacks), from synonyms.yml.
    synonyms: dict[str, str] = field(default_factory=dict, compare=False)
    # Records left out because of a problem, when loaded with skip_invalid (else always empty).
    skipped: tuple[Problem, ...] = field(default=(), compare=False)

    @cached_property
    def entries_by_intent(self) -> dict[str, set[str]]:
        """Intent -> ids of the FAQ entries that answer it."""
        grouped: dict[str, set[str]] = {}
        for entry in self.faq:
            if entry.intent:
                grouped.setdefault(entry.intent, set()).add(entry.id)
        return grouped

    @cached_property
    def _faq_by_id(self) -> dict[str, FaqEntry]:
        return {entry.id: entry for entry in self.faq}

    def faq_entry(self, entry_id: str) -> FaqEntry:
        return self._faq_by_id[entry_id]

    def faq_for_intent(self, intent: str) -> FaqEntry | None:
        """The first entry that answers ``intent``, if the FAQ names one."""
        return next((entry for entry in self.faq if entry.intent == intent), None)

    @cached_property
    def categories(self) -> tuple[str, ...]:
        return tuple(sorted({product.category for product in self.catalog}))


def load_knowledge(directory: Path, skip_invalid: bool = False) -> Knowledge:
    """Load store.yml, faq.yml and the catalog; raise one KnowledgeError listing every problem.

    With ``skip_invalid``, a product or FAQ entry with a problem is left out and reported in
    ``Knowledge.skipped`` instead; problems with a whole file still fail the load.
    """
    shop, problems = read_shop(directory / "store.yml")
    faq, faq_problems = read_faq(directory / "faq.yml")
    problems += faq_problems
    catalog_paths = [directory / name for name in CATALOG_FILES if (directory / name).exists()]
    if not catalog_paths:
        problems.append(
            Problem(directory / CATALOG_FILES[0], None, None, f"no catalog: add {' or '.join(CATALOG_FILES)}")
        )
    catalog: list[Product] = []
    for path in catalog_paths:
        products, catalog_problems = read_catalog(path)
        if shop:
            wrong = [product for product in products if product.currency != shop.currency]
            products = [product for product in products if product.currency == shop.currency]
            catalog_problems += [
                Problem(
                    path,
                    None,
                    "currency",
                    f"product {product.id} is priced in {product.currency}, the shop in {shop.currency}",
                    record=True,
                )
                for product in wrong
            ]
        catalog += products
        problems += catalog_problems
    synonyms, synonym_problems = read_synonyms(directory / SYNONYMS_FILE, catalog)
    problems += synonym_problems
    fatal = [problem for problem in problems if not (skip_invalid and problem.record)]
    if fatal or shop is None:
        raise KnowledgeError(fatal)
    return Knowledge(
        shop=shop,
        faq=tuple(faq),
        catalog=tuple(catalog),
        directory=directory,
        synonyms=synonyms,
        skipped=tuple(problems),
    )
