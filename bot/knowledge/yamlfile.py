"""Reading the business's YAML files while keeping line numbers for error messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.knowledge.problems import KnowledgeError, Problem

LINE_KEY = "__line__"


class _LineLoader(yaml.SafeLoader):
    """A safe loader that records, in every mapping, the line it starts on."""


def _mapping_with_line(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping[LINE_KEY] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)


def read_yaml(path: Path) -> Any:
    """Parse ``path``; a missing file or bad YAML raises KnowledgeError naming file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KnowledgeError([Problem(path, None, None, "file not found")]) from None
    except UnicodeDecodeError as error:
        raise KnowledgeError([Problem(path, None, None, f"not UTF-8 text ({error.reason})")]) from None
    try:
        return yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else None
        reason = getattr(error, "problem", None) or str(error)
        raise KnowledgeError([Problem(path, line, None, f"invalid YAML: {reason}")]) from None


def pop_line(mapping: dict[str, Any]) -> int | None:
    return mapping.pop(LINE_KEY, None)
