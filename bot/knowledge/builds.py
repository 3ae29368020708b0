"""Index builds on disk: each build in its own directory, published by swapping a `current` link.

A reader never sees a half-written index: a build is written completely under a temporary name,
renamed, and only then does `current` (replaced atomically with os.replace) point at it.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import faiss

MANIFEST = "manifest.json"
CURRENT = "current"


@dataclass(frozen=True)
class Manifest:
    kind: str
    model: str
    tuned: bool
    dimension: int
    count: int
    content_hash: str
    built_at: str
    build_seconds: float
    threshold: float
    weights: str = "float32"  # the encoder's weights the vectors were computed with ("int8")

    @classmethod
    def for_build(
        cls, kind: str, model: str, vectors, content_hash: str, started: float, **fields: object
    ) -> Manifest:
        """The manifest of a build that started at ``started`` (time.perf_counter()) and made ``vectors``."""
        return cls(
            kind=kind,
            model=model,
            dimension=int(vectors.shape[1]),
            count=int(vectors.shape[0]),
            content_hash=content_hash,
            built_at=datetime.now(UTC).isoformat(),
            build_seconds=round(time.perf_counter() - started, 2),
            **fields,
        )

    def write(self, directory: Path) -> None:
        (directory / MANIFEST).write_text(json.dumps(asdict(self), indent=2) + "\n")

    @classmethod
    def read(cls, directory: Path) -> Manifest:
        return cls(**json.loads((directory / MANIFEST).read_text()))


class Builds:
    """The builds of one kind of index (``root/kind``), and which one is current."""

    def __init__(self, root: Path, kind: str):
        self.directory = root / kind

    def current(self) -> Path | None:
        link = self.directory / CURRENT
        for _ in range(3):  # a build published meanwhile removes the one the link named a moment ago
            if not link.is_symlink():
                return None
            target = link.resolve()
            if target.is_dir():
                return target
        return None

    def current_manifest(self) -> Manifest | None:
        current = self.current()
        return Manifest.read(current) if current and (current / MANIFEST).exists() else None

    def workspace(self) -> Path:
        """A fresh directory to build into; invisible to readers until published."""
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f".building-{uuid.uuid4().hex}"
        path.mkdir()
        return path

    def publish(self, workspace: Path) -> Path:
        """Make a finished build current, atomically, and remove the builds before it."""
        final = self.directory / f"build-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:6]}"
        workspace.rename(final)
        link = self.directory / f".{CURRENT}-{uuid.uuid4().hex}"
        link.symlink_to(final.name)
        os.replace(link, self.directory / CURRENT)
        for old in self.directory.iterdir():
            if old.is_dir() and not old.is_symlink() and old != final and old.name.startswith("build-"):
                shutil.rmtree(old, ignore_errors=True)
        return final


def save_vectors(directory: Path, name: str, index: faiss.Index, rows: dict, manifest: Manifest) -> None:
    """Write one index's vectors (``name``.faiss), what each row is (``name``.json) and its manifest."""
    faiss.write_index(index, str(directory / f"{name}.faiss"))
    (directory / f"{name}.json").write_text(json.dumps(rows))
    manifest.write(directory)


def load_vectors(directory: Path, name: str) -> tuple[Manifest, dict, faiss.Index]:
    """Read what save_vectors wrote, refusing an index that disagrees with its manifest."""
    manifest = Manifest.read(directory)
    rows = json.loads((directory / f"{name}.json").read_text())
    index = faiss.read_index(str(directory / f"{name}.faiss"))
    if index.ntotal != manifest.count or index.d != manifest.dimension:
        raise ValueError(
            f"{directory}: the index holds {index.ntotal}x{index.d} vectors, the manifest "
            f"says {manifest.count}x{manifest.dimension}; rebuild it"
        )
    return manifest, rows, index
