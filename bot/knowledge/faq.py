"""The shop's FAQ: entries with a question, its other phrasings and the answer."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.knowledge.problems import Problem, build_unique
from bot.knowledge.yamlfile import pop_line, read_yaml


class FaqEntry(BaseModel):
    """One question the shop has answered, in its words."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    question: str = Field(min_length=1)
    alternatives: tuple[str, ...] = ()
    answer: str = Field(min_length=1)
    category: str = Field(min_length=1)
    link: str | None = Field(default=None, pattern=r"^https?://\S+$")
    intent: str | None = Field(default=None, pattern=r"^[a-z_]+$")
    line: int | None = Field(default=None, exclude=True)

    @field_validator("alternatives")
    @classmethod
    def _no_blank_alternatives(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if any(not phrasing.strip() for phrasing in value):
            raise ValueError("an alternative phrasing is empty")
        return value

    @property
    def phrasings(self) -> tuple[str, ...]:
        """The question and every alternative phrasing of it."""
        return (self.question, *self.alternatives)


def read_faq(path: Path) -> tuple[list[FaqEntry], list[Problem]]:
    """Read and check the FAQ file; returns the valid entries and every problem found."""
    document = read_yaml(path)
    if not isinstance(document, dict) or not isinstance(document.get("entries"), list):
        return [], [Problem(path, None, "entries", "the file must have a list under 'entries:'")]
    problems: list[Problem] = []
    records = []
    for position, raw in enumerate(document["entries"], start=1):
        if isinstance(raw, dict):
            line = pop_line(raw)
            records.append((line, {**raw, "line": line}))
        else:
            problems.append(
                Problem(path, None, None, f"entry {position} is not a mapping of fields", record=True)
            )
    return build_unique(FaqEntry, records, path, problems), problems
