"""The sentence encoder for the Rasa server: exported here (where PyTorch is), run there.

The Rasa runtime has ONNX Runtime and `tokenizers` but no PyTorch, so before each training the
embedding model's transformer is written to `<models>/sentence-encoder/` as an ONNX graph with int8
weights (the product index's weights), next to its tokenizer and a manifest that
`bot.rasa_server.sentence_features` reads and fingerprints. Export is skipped when the manifest
already describes the same model and export.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from bot.knowledge.encoder import EncoderError, _pooling, _sha256, load_model, model_directory, onnx_graph

FOLDER = "sentence-encoder"  # the same name as bot.rasa_server.sentence_features.ENCODER_FOLDER
MANIFEST = "encoder.json"
# Raise when the export's format or method changes: an older export is then redone.
EXPORT_VERSION = 1


@lru_cache(maxsize=4)
def _source(model_name: str) -> dict[str, str]:
    """What identifies the model: its name and the hash of its weights file."""
    directory = model_directory(model_name)
    weights = next(
        (
            directory / name
            for name in ("model.safetensors", "pytorch_model.bin")
            if (directory / name).exists()
        ),
        None,
    )
    if weights is None:
        raise EncoderError(
            f"embedding model {model_name!r}: no model.safetensors or pytorch_model.bin in {directory}"
        )
    return {"model": model_name, "weights_sha256": _sha256(weights)}


def export_sentence_encoder(models_dir: Path, model_name: str) -> Path:
    """The folder holding the exported encoder for `model_name`, exporting it first if needed."""
    target = models_dir / FOLDER
    source = dict(_source(model_name))
    manifest_path = target / MANIFEST
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if (
            manifest.get("export_version") == EXPORT_VERSION
            and {k: manifest.get(k) for k in source} == source
        ):
            return target
    model = load_model(model_name)
    pooling = _pooling(model)
    if pooling is None:
        raise EncoderError(
            f"embedding model {model_name!r} is not a transformer with mean or CLS pooling, so it cannot "
            f"be exported for the Rasa server; use {'all-MiniLM-L6-v2'!r} or a model of that shape"
        )
    try:
        graph = onnx_graph(model, int8=True)
    except Exception as error:  # torch.onnx raises many types for shapes it cannot export
        raise EncoderError(
            f"embedding model {model_name!r} could not be exported to ONNX: {error}"
        ) from error
    tokenizer = model.tokenizer.backend_tokenizer
    sample = model.preprocess(["an example"])
    target.mkdir(parents=True, exist_ok=True)
    (target / "model.onnx").write_bytes(graph)
    (target / "tokenizer.json").write_text(tokenizer.to_str())
    manifest = {
        **source,
        "export_version": EXPORT_VERSION,
        "weights": "int8",
        "pooling": pooling,
        "max_tokens": int(model.get_max_seq_length() or 256),
        "pad_id": int(model.tokenizer.pad_token_id or 0),
        "inputs": [name for name in ("input_ids", "attention_mask", "token_type_ids") if name in sample],
        "graph_sha256": _sha256(target / "model.onnx"),
    }
    # The manifest last: a half-written export has none and is redone.
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    return target
