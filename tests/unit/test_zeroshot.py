"""Zero-shot scoring: clauses close to every passage stop pulling all passages to their code."""

from __future__ import annotations

import numpy as np

from qualkit.analysis.profiles import ZeroShotOptions
from qualkit.analysis.zeroshot import (
    MIN_REFERENCE,
    embedding_scores,
    hub_scores,
    lexical_scores,
    zero_shot_scores,
)


def _unit(rows: list[list[float]]) -> np.ndarray:
    m = np.asarray(rows, dtype=np.float32)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def test_a_hub_clause_no_longer_wins_every_passage() -> None:
    # Code 0's clause lies near every passage (a hub); code 1's clause is close only to
    # passages that lean its way. Without the correction code 0 wins them all.
    clauses = _unit([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    hubby = _unit([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    owner = np.array([0, 1])
    passages = _unit([[1.0, 0.5, 0.2]] * 15 + [[1.0, 0.9, 0.2]] * 15)
    opts = ZeroShotOptions(clause_top=1, full_weight=0.0)
    raw = embedding_scores(passages, clauses, owner, hubby, None, opts)
    assert (raw.argmax(axis=1) == 0).all()
    hubs = hub_scores(clauses, passages, 10)
    assert hubs[0] > hubs[1]
    fixed = embedding_scores(passages, clauses, owner, hubby, hubs, opts)
    # Passages leaning towards code 1 more than usual now go to code 1, the others stay.
    assert (fixed[15:].argmax(axis=1) == 1).all()
    assert (fixed[:15].argmax(axis=1) == 0).all()


def test_lexical_scores_prefer_shared_wording() -> None:
    codes = ["telefonköer och funktionsbrevlådor", "hög personalomsättning och vakanser"]
    texts = ["vi fastnar i telefonköer hela tiden", "personalomsättningen är hög, vakanser"]
    scores = lexical_scores(texts, codes, texts)
    assert scores[0].argmax() == 0 and scores[1].argmax() == 1


def test_small_batches_score_alike_whatever_else_is_in_them() -> None:
    # Below MIN_REFERENCE passages the codebook is the reference: a passage's scores do
    # not depend on which other passages happen to be asked about with it.
    rng = np.random.default_rng(0)
    clauses = _unit(rng.normal(size=(6, 8)).tolist())
    owner = np.array([0, 0, 1, 1, 2, 2])
    full = _unit(rng.normal(size=(3, 8)).tolist())
    texts = [f"passage {i}" for i in range(MIN_REFERENCE - 1)]
    vecs = _unit(rng.normal(size=(len(texts), 8)).tolist())
    args = (["a b", "c d", "e f", "g h", "i j", "k l"], clauses, owner, ["x", "y", "z"], full)
    alone = zero_shot_scores(texts[:1], vecs[:1], *args)
    # z-scores within a passage, so compare the ranking of the codes for passage 0.
    together = zero_shot_scores(texts, vecs, *args)
    assert np.array_equal(np.argsort(alone[0]), np.argsort(together[0]))
