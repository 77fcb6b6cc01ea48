"""Per-code offsets fitted on held-out predictions lift a code the scores under-rank."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from qualkit.analysis import embed
from qualkit.analysis.calibration import fit_code_bias
from qualkit.analysis.profiles import SuggestOptions, softmax
from tests.unit.test_suggest_uneven import RARE_NEW, suggester, uneven_examples


def _under_ranked(seed: int = 0, push: float = 1.5) -> tuple[np.ndarray, np.ndarray]:
    """Three codes, 150 / 100 / 30 passages; code 2's true score is pushed down by `push`."""
    rng = np.random.default_rng(seed)
    truth = np.repeat([0, 1, 2], [150, 100, 30])
    logits = rng.normal(size=(len(truth), 3))
    logits[np.arange(len(truth)), truth] += 2.0
    logits[:, 2] -= push
    return softmax(logits), truth


def _recall(proba: np.ndarray, truth: np.ndarray, code: int) -> float:
    return float((proba.argmax(axis=1)[truth == code] == code).mean())


def test_offsets_lift_the_under_ranked_code_on_new_passages() -> None:
    proba, truth = _under_ranked(0)
    bias = fit_code_bias(proba, truth)
    assert bias[2] > bias[0] and bias[2] > bias[1]
    fresh, fresh_truth = _under_ranked(1)  # fitted on one sample, used on another
    lifted = softmax(np.log(fresh) + bias)
    assert _recall(lifted, fresh_truth, 2) >= _recall(fresh, fresh_truth, 2) + 0.2
    balanced = np.mean([_recall(lifted, fresh_truth, c) for c in range(3)])
    assert balanced > np.mean([_recall(fresh, fresh_truth, c) for c in range(3)])


def test_fair_scores_get_offsets_near_zero_and_absent_codes_none() -> None:
    rng = np.random.default_rng(2)
    truth = np.repeat([0, 1, 2], 100)
    logits = rng.normal(size=(300, 4))
    logits[np.arange(300), truth] += 2.0
    logits[:, 3] -= 2.0  # a code never coded
    bias = fit_code_bias(softmax(logits), truth)
    assert np.abs(bias[:3]).max() < 0.3
    assert bias[3] == 0.0
    assert fit_code_bias(np.zeros((0, 3)), []).tolist() == [0.0, 0.0, 0.0]


def test_suggester_applies_offsets_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(embed.ENV_MODEL, "hashing")
    # The recall offsets (on by default) take the place of `code_bias` when both are on.
    base = SuggestOptions(recall_offsets=False)
    plain = suggester(base).fit(uneven_examples())
    assert plain.code_bias is not None and plain.code_bias.shape == (len(plain.keys),)
    lifted = suggester(replace(base, code_bias=True)).fit(uneven_examples())
    assert np.allclose(plain.code_bias, lifted.code_bias)
    a, b = plain.predict_proba(RARE_NEW), lifted.predict_proba(RARE_NEW)
    # In log space: on this easy synthetic set the top scores are close to 1.
    assert np.allclose(b.sum(axis=1), 1.0) and not np.allclose(np.log(a), np.log(b))
    expected = softmax(np.log(np.clip(a, 1e-12, 1.0)) + plain.code_bias)
    assert np.allclose(b, expected)
