"""Zero-shot scores: how well a passage matches each code before anything is coded.

Two signals, each z-scored across the codes and averaged:

- Sentence embeddings: the mean of a passage's closest description clauses, plus the whole
  description. Some clauses are close to almost every passage ("hubs": general wording such
  as "samverkan står i verksamhetsplanen") and pull every passage towards their code; each
  clause's similarity is lowered by its mean similarity to its nearest passages in the
  reference material (cross-domain similarity local scaling, CSLS), so a code wins only
  where it is closer than usual.
- Character n-grams: TF-IDF cosine between the passage and each code's label and
  description, with word weights learned from the codebook and the reference material, so
  words every passage uses count little.

The reference material is the batch of passages being scored when it is large enough,
otherwise the codebook's own clauses: scores for a large batch are thus relative to that
batch, as any weighting learned from unlabelled text is. The variant and its weights were
chosen on the spoken, written and paraphrase sets and then measured on the real corpus
passages (BENCHMARKS.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from qualkit.analysis.embed import FloatArray
from qualkit.analysis.profiles import ZeroShotOptions, zscore

Matrix = np.ndarray[Any, Any]

# Fewer passages than this are too few to say which clauses are hubs among them.
MIN_REFERENCE = 20


def hub_scores(clause_vecs: FloatArray, reference: FloatArray, neighbours: int) -> Matrix:
    """Each clause's mean cosine to its `neighbours` closest reference rows."""
    sims = reference @ clause_vecs.T
    k = max(1, min(neighbours, len(reference)))
    return np.asarray(np.sort(sims, axis=0)[-k:].mean(axis=0))


def embedding_scores(
    vecs: FloatArray,
    clause_vecs: FloatArray,
    clause_owner: Matrix,
    full_vecs: FloatArray,
    hubs: Matrix | None,
    options: ZeroShotOptions,
) -> Matrix:
    """(passages, codes): closest clauses (hub-corrected) averaged with the description."""
    k = len(full_vecs)
    sims = vecs @ clause_vecs.T
    if hubs is not None:
        sims = sims - options.hub_weight * hubs
    top = np.empty((len(vecs), k))
    for j in range(k):
        own = np.sort(sims[:, clause_owner == j], axis=1)
        top[:, j] = own[:, -options.clause_top :].mean(axis=1)
    w = options.full_weight
    return np.asarray((1 - w) * top + w * (vecs @ full_vecs.T))


def lexical_scores(
    texts: Sequence[str], code_texts: Sequence[str], reference: Sequence[str]
) -> Matrix:
    """(passages, codes): TF-IDF character 3-5-gram cosine to each code's text."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    vectorizer.fit(list(code_texts) + list(reference))
    sims = vectorizer.transform(list(texts)) @ vectorizer.transform(list(code_texts)).T
    return np.asarray(sims.toarray())


def zero_shot_scores(
    texts: Sequence[str],
    vecs: FloatArray,
    clause_texts: Sequence[str],
    clause_vecs: FloatArray,
    clause_owner: Matrix,
    full_texts: Sequence[str],
    full_vecs: FloatArray,
    options: ZeroShotOptions | None = None,
) -> Matrix:
    """z-scored blend of the two signals; softmax it for probabilities."""
    o = options or ZeroShotOptions()
    if len(texts) >= MIN_REFERENCE:
        ref_vecs, ref_texts = vecs, list(texts)
    else:
        ref_vecs, ref_texts = clause_vecs, list(clause_texts)
    hubs = hub_scores(clause_vecs, ref_vecs, o.hub_neighbours) if o.hub_weight else None
    meaning = embedding_scores(vecs, clause_vecs, clause_owner, full_vecs, hubs, o)
    if o.lexical_weight <= 0:
        return zscore(meaning)
    words = lexical_scores(texts, full_texts, ref_texts)
    a = o.lexical_weight
    score = np.asarray((1 - a) * zscore(meaning) + a * zscore(words))
    if o.neighbour_weight > 0 and len(texts) >= MIN_REFERENCE:
        score = neighbour_smoothed(score, vecs, o.neighbours, o.neighbour_weight)
    return score


def neighbour_smoothed(score: Matrix, vecs: FloatArray, neighbours: int, weight: float) -> Matrix:
    """Each passage's scores moved towards the mean scores of its nearest passages."""
    sims = vecs @ vecs.T
    np.fill_diagonal(sims, -np.inf)
    k = max(1, min(neighbours, len(vecs) - 1))
    nearest = np.argsort(-sims, axis=1, kind="stable")[:, :k]
    return np.asarray((1 - weight) * score + weight * score[nearest].mean(axis=1))
