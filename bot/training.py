"""Training the Rasa model, only when the training data, domain or config changed."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from bot.knowledge.encoder import EncoderError
from bot.knowledge.encoder_export import MANIFEST, export_sentence_encoder
from bot.settings import PROJECT_DIR, Settings

# What the model is trained from; a change to any of these means a new model.
TRAINING_INPUTS = ("config.yml", "domain.yml", "data")
MODEL_PREFIX = "supportdesk-"


class TrainingError(Exception):
    """Rasa could not train; the message says why and where its output is."""


def fingerprint(project_dir: Path = PROJECT_DIR, encoder_manifest: Path | None = None) -> str:
    """A hash of every training input's path and content, and of the sentence encoder's manifest
    (the model the NLU pipeline's sentence features come from)."""
    digest = hashlib.sha256()
    for name in TRAINING_INPUTS:
        root = project_dir / name
        files = sorted(root.rglob("*")) if root.is_dir() else [root]
        for path in files:
            if path.is_file():
                digest.update(path.relative_to(project_dir).as_posix().encode() + b"\0")
                digest.update(path.read_bytes() + b"\0")
    if encoder_manifest is not None:
        digest.update(b"sentence encoder\0" + encoder_manifest.read_bytes())
    return digest.hexdigest()[:16]


def model_path(settings: Settings, project_dir: Path = PROJECT_DIR) -> Path:
    """Where the model for the current training data and sentence encoder is (or will be)."""
    encoder = export_sentence_encoder(settings.models_dir, settings.embedding_model)
    return settings.models_dir / f"{MODEL_PREFIX}{fingerprint(project_dir, encoder / MANIFEST)}.tar.gz"


def ensure_model(settings: Settings, project_dir: Path = PROJECT_DIR) -> Path:
    """The model for the current training data, training it first if there is none (after exporting
    the sentence encoder the pipeline runs, if the embedding model changed)."""
    try:
        target = model_path(settings, project_dir)
    except EncoderError as error:
        raise TrainingError(f"the sentence encoder for the Rasa pipeline: {error}") from error
    if target.exists():
        return target
    settings.models_dir.mkdir(parents=True, exist_ok=True)
    print(f"supportdesk: training the Rasa model (data changed), writing {target.name}", file=sys.stderr)
    log = settings.data_dir / "rasa-train.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    command = [
        str(settings.rasa_bin),
        "train",
        "--config",
        "config.yml",
        "--domain",
        "domain.yml",
        "--data",
        "data",
        "--out",
        str(settings.models_dir),
        "--fixed-model-name",
        target.name.removesuffix(".tar.gz"),
    ]
    with log.open("w") as output:
        result = subprocess.run(
            command,
            cwd=project_dir,
            stdout=output,
            stderr=subprocess.STDOUT,
            env=_environment(settings),
            check=False,
        )
    if result.returncode != 0 or not target.exists():
        raise TrainingError(f"rasa train failed (exit {result.returncode}); its output is in {log}")
    for old in settings.models_dir.glob(f"{MODEL_PREFIX}*.tar.gz"):
        if old != target:
            old.unlink()
    return target


def _environment(settings: Settings) -> dict[str, str]:
    import os

    return {**os.environ, **settings.child_environment()}
