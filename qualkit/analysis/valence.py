"""Valence for a passage: främjande (promoting), hindrande (hindering) or förslag (proposal).

Zero-shot, proposal wording ("borde", "skulle behöva" ...) marks förslag; otherwise the
passage is compared with the codebook's own främjande and hindrande clauses, and words that
state a lack or a problem ("saknas", "brist", "svårt", "inte") or a success ("fungerar bra",
"underlättar") tip the balance: report prose states problems without the spoken cues the
clauses carry. Once the coder
has given valences to six or more passages, a logistic regression on the embeddings learns
from them and is blended with that prior.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from qualkit.analysis.embed import EmbeddingCache, FloatArray
from qualkit.analysis.profiles import CodeProfile, Example, softmax
from qualkit.model import Valence

# Same optimum as lbfgs (the loss is convex) but 5-40x faster on these small, wide problems.
SOLVER = "newton-cg"

SUGGESTED_VALENCES = (Valence.PROMOTING, Valence.HINDERING, Valence.PROPOSAL)

# Wording that marks a proposal for change in Swedish speech. Matched on whole words.
_PROPOSAL_CUES = re.compile(
    r"\b(borde|bör|skulle (?:behöva|vilja|kunna|önska)|vore (?:bra|bättre|önskvärt)"
    r"|önskar|önskvärt|föreslår|förslag(?:et)?|behöver vi|vi måste|man måste|låt oss"
    r"|ta fram|inför(?:a)?|jag vill att)\b",
    re.IGNORECASE,
)
# Each occurrence multiplies the odds of its side by exp(_CUE_WEIGHT). Written once from
# Swedish usage, not fitted to any labels; measured in BENCHMARKS.md.
_HINDERING_CUES = re.compile(
    r"\b(saknas|saknade?s?|brist\w*|svår\w*|hinder|hindr\w*|problem\w*|inte|ej|ingen|inget"
    r"|inga|aldrig|otydlig\w*|oklar\w*|konflikt\w*|motstånd|begräns\w*|utan|sällan"
    r"|misslyck\w*|risk\w*|fastn\w*|försvår\w*)\b",
    re.IGNORECASE,
)
_PROMOTING_CUES = re.compile(
    r"\b(fungera\w* bra|bra|positiv\w*|lyckad?\w*|framgång\w*|förbättr\w*|underlätta\w*"
    r"|stärk\w*|möjliggör\w*|gott|goda|väl)\b",
    re.IGNORECASE,
)
_CUE_WEIGHT = 0.7
# Neutral stand-ins when a codebook has no främjande/hindrande clauses to learn from.
_GENERIC_VALENCE = {
    Valence.PROMOTING: (
        "Det fungerar bra och hjälper samarbetet.",
        "Vi har något som fungerar och gör det lättare.",
    ),
    Valence.HINDERING: (
        "Det fungerar inte och är ett hinder för samarbetet.",
        "Det saknas och gör det svårare, det är ett problem.",
    ),
}


class ValenceModel:
    """Främjande / hindrande / förslag for a passage."""

    def __init__(self, profiles: Sequence[CodeProfile], cache: EmbeddingCache) -> None:
        self.cache = cache
        protos: dict[Valence, list[str]] = {Valence.PROMOTING: [], Valence.HINDERING: []}
        for profile in profiles:
            for clause, valence in zip(profile.clauses, profile.clause_valence, strict=True):
                if valence in protos:
                    protos[valence].append(clause)
        for valence, generic in _GENERIC_VALENCE.items():
            if len(protos[valence]) < 2:
                protos[valence].extend(generic)
        self._proto = {v: self.cache.embed(t) for v, t in protos.items()}
        self._model: Any = None
        self._classes: list[Valence] = []

    def fit(self, examples: Sequence[Example]) -> None:
        from sklearn.linear_model import LogisticRegression

        labelled = [e for e in examples if e.valence in SUGGESTED_VALENCES]
        classes = sorted({e.valence for e in labelled if e.valence is not None})
        self._model = None
        if len(labelled) >= 6 and len(classes) >= 2:
            x = self.cache.embed([e.text for e in labelled])
            y = [SUGGESTED_VALENCES.index(e.valence) for e in labelled if e.valence]
            # Balanced: förslag is usually the smallest of the three in real coding.
            self._model = LogisticRegression(
                C=10.0, max_iter=500, solver=SOLVER, class_weight="balanced"
            ).fit(x, y)
            self._classes = [SUGGESTED_VALENCES[int(c)] for c in self._model.classes_]

    def predict(self, texts: Sequence[str], vecs: FloatArray) -> list[tuple[Valence | None, float]]:
        if not len(texts):
            return []
        # Zero-shot: proposal wording, else the closer of the främjande/hindrande clauses.
        sims = np.stack(
            [
                np.sort(vecs @ self._proto[v].T, axis=1)[:, -3:].mean(axis=1)
                for v in (Valence.PROMOTING, Valence.HINDERING)
            ],
            axis=1,
        )
        cues = np.array(
            [[len(_PROMOTING_CUES.findall(t)), len(_HINDERING_CUES.findall(t))] for t in texts]
        )
        two = softmax(40.0 * (sims - sims.mean(axis=1, keepdims=True)) + _CUE_WEIGHT * cues)
        prior = np.zeros((len(texts), 3))
        for i, text in enumerate(texts):
            if _PROPOSAL_CUES.search(text):
                prior[i] = (0.1, 0.1, 0.8)
            else:
                prior[i, :2] = 0.9 * two[i]
                prior[i, 2] = 0.1
        proba = prior
        if self._model is not None:
            learned = np.full((len(texts), 3), 1e-6)
            learned[:, [SUGGESTED_VALENCES.index(c) for c in self._classes]] = (
                self._model.predict_proba(vecs)
            )
            proba = softmax(0.4 * np.log(prior + 1e-6) + 0.6 * np.log(learned))
        out: list[tuple[Valence | None, float]] = []
        for row in proba:
            j = int(np.argmax(row))
            out.append((SUGGESTED_VALENCES[j], float(row[j])))
        return out
