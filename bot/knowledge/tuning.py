"""Adapting the encoder to the shop's own phrasings (contrastive fine-tuning at index build time).

Each FAQ entry's phrasings are pulled together and pushed away from every other entry's, with
in-batch negatives (MultipleNegativesRankingLoss); a batch never holds two pairs of one entry.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import torch
from sentence_transformers import SentenceTransformer, losses
from tqdm import tqdm


@dataclass(frozen=True)
class TuningPlan:
    epochs: int = 8
    batch_size: int = 32
    learning_rate: float = 5e-5
    seed: int = 0


def _pairs(groups: Mapping[str, Sequence[str]], rng: random.Random) -> list[tuple[str, str, str]]:
    """(entry, anchor, positive) pairs: each entry's phrasings shuffled and paired off."""
    pairs = []
    for key, phrasings in groups.items():
        shuffled = list(phrasings)
        rng.shuffle(shuffled)
        pairs += [(key, shuffled[i], shuffled[i + 1]) for i in range(0, len(shuffled) - 1, 2)]
    rng.shuffle(pairs)
    return pairs


def _batches(pairs: list[tuple[str, str, str]], size: int) -> list[list[tuple[str, str, str]]]:
    """Greedy batches in which no entry appears twice (it would be its own negative)."""
    batches: list[list[tuple[str, str, str]]] = []
    pending = list(pairs)
    while pending:
        batch, keys, rest = [], set(), []
        for pair in pending:
            if pair[0] in keys or len(batch) == size:
                rest.append(pair)
            else:
                batch.append(pair)
                keys.add(pair[0])
        batches.append(batch)
        pending = rest
    return [batch for batch in batches if len(batch) > 1]


def tunable(groups: Mapping[str, Sequence[str]]) -> bool:
    """Tuning needs at least two entries with two or more phrasings each."""
    return sum(1 for phrasings in groups.values() if len(phrasings) >= 2) >= 2


def adapt(
    model: SentenceTransformer, groups: Mapping[str, Sequence[str]], plan: TuningPlan, progress: bool = False
) -> SentenceTransformer:
    """Fine-tune ``model`` in place on the phrasings of each group, and return it."""
    torch.manual_seed(plan.seed)
    rng = random.Random(plan.seed)
    loss = losses.MultipleNegativesRankingLoss(model)
    optimiser = torch.optim.AdamW(model.parameters(), lr=plan.learning_rate)
    model.train()
    with tqdm(total=plan.epochs, desc="adapting the encoder", unit="epoch", disable=not progress) as bar:
        for _ in range(plan.epochs):
            for batch in _batches(_pairs(groups, rng), plan.batch_size):
                anchors = model.preprocess([anchor for _, anchor, _ in batch])
                positives = model.preprocess([positive for _, _, positive in batch])
                value = loss([anchors, positives], None)
                optimiser.zero_grad()
                value.backward()
                optimiser.step()
            bar.update()
    model.eval()
    return model
