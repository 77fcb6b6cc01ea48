"""What the suggestion models know of a codebook, and the records they exchange.

Each leaf code becomes a `CodeProfile`: its label and its description cut into short
clauses, with the valence marker ("Främjande:", "Hindrande:") each clause falls under. The
zero-shot model compares passages with these clauses; the few-shot models keep them as weak
training examples, so a code nobody has used yet is still suggested.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from qualkit.model import Codebook, Valence


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A code proposed for a passage, best first in any list."""

    code: str
    score: float
    valence: Valence | None = None
    valence_score: float = 0.0
    label: str = ""
    learned: bool = False  # True once the coder's own codings shaped the score
    uncertain: bool = False  # the best score is below SuggestOptions.uncertain_below


@dataclass(frozen=True, slots=True)
class Example:
    """A coded passage to learn from."""

    text: str
    code: str
    valence: Valence | None = None
    weight: float = 1.0


@dataclass(frozen=True, slots=True)
class ZeroShotOptions:
    """How the codebook alone scores a passage (qualkit.analysis.zeroshot)."""

    clause_top: int = 3  # a code's score: the mean of its closest clauses ...
    full_weight: float = 0.5  # ... averaged with the whole description
    hub_neighbours: int = 10  # a clause's usual closeness: mean over its nearest passages
    hub_weight: float = 1.0
    lexical_weight: float = 0.5  # share of the character n-gram signal in the z-scored sum
    # Variants measured and not adopted (bench/suggest_variants.py): each clause embedded
    # with its code's label in front, and each passage's scores smoothed towards those of
    # its nearest passages in the batch.
    label_clauses: bool = False
    neighbour_weight: float = 0.0
    neighbours: int = 10


@dataclass(frozen=True, slots=True)
class SuggestOptions:
    """Blend weights and model settings; the defaults are the measured ones (bench/suggest.py)."""

    # Before anything is coded: how the codebook text alone scores a passage.
    zero_shot: ZeroShotOptions = field(default_factory=ZeroShotOptions)
    # Once passages are coded: the zero-shot prior, then the two learned models. The prior
    # counts most with a couple of examples per code and fades towards the "many" weights
    # at `many_per_code` examples per code (measured: bench/suggest.py).
    zero_shot_weight: float = 0.3
    embedding_weight: float = 0.4
    tfidf_weight: float = 0.3
    zero_shot_weight_many: float = 0.15
    embedding_weight_many: float = 0.45
    tfidf_weight_many: float = 0.4
    many_per_code: float = 10.0
    sharpness: float = 2.0  # applied to z-scores before the softmax
    clause_weight: float = 0.5  # a description clause counts half a coded example
    regularisation: float = 10.0  # logistic regression C
    rejected_factor: float = 0.25  # a rejected suggestion keeps this share of its score
    # Uneven codings: each coded example is weighted so that every code counts alike in
    # training, and the learned scores are divided by the codes' shares of the codings to
    # this power, so a code used three times is not drowned by one used eighty times.
    balanced: bool = True
    rare_boost: float = 0.3
    # Scores are calibrated on held-out folds of the coder's own examples (a shown 0.7
    # should be right about 70% of the time); below `uncertain_below` the suggestion is
    # marked uncertain ("osäker") instead of pushed as a code.
    calibration_folds: int = 3
    # Per-code log offsets fitted on the same held-out folds (class-balanced log loss), to
    # lift codes the blend under-ranks on passages it did not train on. Off: measured, they
    # helped the spoken set and cost the corpus set macro-F1 (bench/suggest.py).
    code_bias: bool = False
    # Chosen by a rule fixed before the runs, on the spoken, written and paraphrase sets
    # (bench/suggest_variants.py): once calibration runs (`calibration_min_examples`), the
    # blend weights above and `rare_boost` (among 0-0.6) are fitted on the held-out folds of
    # the coder's own codings, minimising the class-balanced log loss; the schedule and
    # `rare_boost` remain for fewer codings. Adopted later by the rule fixed before the
    # confirmation on passages nobody had seen (bench/suggest_confirm.py, the holdout set):
    # a word TF-IDF model on the codings alone (balanced) stacked as a fourth member, and
    # per-code decision offsets that even out recall on the held-out folds; measured and
    # not adopted: the "char" member, and either member averaged with the calibrated blend.
    fit_blend_weights: bool = True
    fit_rare_boost: bool = True  # with fit_blend_weights: rare_boost fitted with them
    lexical_member: str = "word"
    recall_offsets: bool = True
    calibration_min_examples: int = 24
    uncertain_below: float = 0.4


@dataclass(frozen=True, slots=True)
class CodeProfile:
    """What the zero-shot model knows of a code: its label and description clauses."""

    key: str
    label: str
    full_text: str
    clauses: tuple[str, ...]
    clause_valence: tuple[Valence | None, ...]


_CLAUSE_SPLIT = re.compile(r"(?<=[.!?:;])\s+|,\s+")
_MARKERS = {
    "främjande": Valence.PROMOTING,
    "hindrande": Valence.HINDERING,
    "förslag": Valence.PROPOSAL,
}


def code_profile(key: str, label: str, description: str) -> CodeProfile:
    """Cut a description into clauses, noting which ones follow 'Främjande:' or 'Hindrande:'."""
    clauses: list[str] = [label]
    valences: list[Valence | None] = [None]
    current: Valence | None = None
    for part in _CLAUSE_SPLIT.split(description):
        piece = part.strip().strip(".;")
        marker = piece.rstrip(":").strip().casefold()
        if marker in _MARKERS:
            current = _MARKERS[marker]
            continue
        for prefix, valence in _MARKERS.items():
            if piece.casefold().startswith(prefix + ":"):
                current = valence
                piece = piece[len(prefix) + 1 :].strip()
        if len(piece.split()) < 2:
            continue
        clauses.append(piece)
        valences.append(current)
    full = f"{label}. {description}".strip() if description else label
    return CodeProfile(key, label, full, tuple(clauses), tuple(valences))


def suggestable_codes(book: Codebook) -> list[CodeProfile]:
    """Leaf codes (a parent with children is a heading, not a code one applies)."""
    parents = {c.parent for c in book.codes if c.parent}
    return [
        code_profile(c.key, c.label_sv, c.description) for c in book.codes if c.key not in parents
    ]


def softmax(z: np.ndarray[Any, Any], axis: int = 1) -> np.ndarray[Any, Any]:
    z = z - z.max(axis=axis, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=axis, keepdims=True))


def zscore(s: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    if s.shape[1] < 2:
        return np.zeros_like(s)
    sd = s.std(axis=1, keepdims=True)
    sd[sd < 1e-9] = 1.0
    return np.asarray((s - s.mean(axis=1, keepdims=True)) / sd)
