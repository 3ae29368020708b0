"""Problems found in the business's content, each pointing at the file, line and field to fix."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

from pydantic import ValidationError

T = TypeVar("T", bound="_Identified")


@dataclass(frozen=True)
class Problem:
    file: Path
    line: int | None
    field: str | None
    message: str
    # True when the problem is confined to one product or FAQ entry, which can be left out.
    record: bool = False

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else str(self.file)
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class KnowledgeError(Exception):
    """The content in knowledge/ has problems; ``problems`` lists every one of them."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__(
            f"{len(self.problems)} problem(s) in the knowledge files:\n"
            + "\n".join(f"  {p}" for p in self.problems)
        )


def problems_from_validation(error: ValidationError, file: Path, line: int | None) -> list[Problem]:
    """One Problem per field pydantic rejected (of one record), worded for a shop owner editing the file."""
    problems = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"]) or None
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "missing":
            message = "is missing"
        elif item["type"] == "extra_forbidden":
            message = "is not a known field (check its spelling)"
        problems.append(Problem(file, line, field, message, record=True))
    return problems


class _Identified(Protocol):
    id: str


def build_unique(
    model: Callable[..., T], records: Iterable[tuple[int | None, dict]], file: Path, problems: list[Problem]
) -> list[T]:
    """One ``model`` per record; a record that fails validation, or repeats an earlier id, is
    reported in ``problems`` (the first of a repeated id is kept)."""
    built: list[T] = []
    first_line: dict[str, int | None] = {}
    for line, fields in records:
        try:
            item = model(**fields)
        except ValidationError as error:
            problems.extend(problems_from_validation(error, file, line))
            continue
        if item.id in first_line:
            problems.append(
                Problem(
                    file,
                    line,
                    "id",
                    f"duplicate id {item.id!r} (first at line {first_line[item.id]})",
                    record=True,
                )
            )
            continue
        first_line[item.id] = line
        built.append(item)
    return built
