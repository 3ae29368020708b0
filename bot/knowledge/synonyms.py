"""The shop's own words for what it sells (synonyms.yml, optional): what its customers call a
category or a kind of product when the catalog says it another way ("rucksack" for backpacks,
"gilet" for a vest), as search tools let a shop list its synonyms. Checked against the catalog:
each name must be one of its categories or a word its product names use."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.knowledge.catalog import Product
from bot.knowledge.problems import Problem

FILE = "synonyms.yml"
_WORD = re.compile(r"[a-z0-9]+")


def read_synonyms(
    path: Path, catalog: tuple[Product, ...] | list[Product]
) -> tuple[dict[str, str], list[Problem]]:
    """Customer word -> the category or kind it means, and the file's problems (none when the file
    is missing: a shop need not have one)."""
    if not path.exists():
        return {}, []
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        line = getattr(getattr(error, "problem_mark", None), "line", None)
        return {}, [
            Problem(path, line + 1 if line is not None else None, None, f"is not valid YAML: {error}")
        ]
    if not isinstance(loaded, dict):
        return {}, [Problem(path, None, None, "must map a category or kind to a list of words customers use")]
    categories = {product.category for product in catalog}
    name_words = {word for product in catalog for word in _WORD.findall(product.name.lower())}
    meaning: dict[str, str] = {}
    problems: list[Problem] = []
    for meant, said in loaded.items():
        meant = str(meant).strip().lower()
        if meant not in categories and not (meant in name_words or meant + "s" in name_words):
            problems.append(
                Problem(
                    path, None, meant, "is neither a category of the catalog nor a word of its product names"
                )
            )
            continue
        if not isinstance(said, list) or not all(isinstance(word, str) and word.strip() for word in said):
            problems.append(Problem(path, None, meant, "must be a list of words or phrases customers use"))
            continue
        for word in said:
            word = " ".join(word.lower().split())
            if meaning.get(word, meant) != meant:
                problems.append(
                    Problem(path, None, meant, f"{word!r} is already a word for {meaning[word]!r}")
                )
            meaning[word] = meant
    return meaning, problems
