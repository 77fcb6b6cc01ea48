"""Suggestion variants behind options: fitted blend weights, a lexical member, recall offsets,
label-prefixed clauses and nearest-passage smoothing. The stacked word member and the recall
offsets are on by default (adopted on the holdout set); the others are off."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from qualkit.analysis import embed
from qualkit.analysis.calibration import fit_blend_weights, fit_recall_offsets
from qualkit.analysis.lexical import LexicalMember
from qualkit.analysis.profiles import SuggestOptions, ZeroShotOptions, softmax
from qualkit.analysis.suggester import BOOSTS
from qualkit.analysis.zeroshot import MIN_REFERENCE, neighbour_smoothed
from qualkit.errors import InputError
from tests.unit.test_code_bias import _recall, _under_ranked
from tests.unit.test_suggest_uneven import RARE_NEW, suggester, uneven_examples


@pytest.fixture(autouse=True)
def fast_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(embed.ENV_MODEL, "hashing")


def test_recall_offsets_even_out_recall_on_new_passages() -> None:
    proba, truth = _under_ranked(0, push=2.5)  # code 2 usually ranked below its rivals
    assert _recall(proba, truth, 2) < 0.5
    offsets = fit_recall_offsets(proba, truth)
    assert offsets[2] > offsets[0] and offsets[2] > offsets[1]
    fresh, fresh_truth = _under_ranked(1, push=2.5)  # fitted on one sample, used on another
    lifted = softmax(np.log(fresh) + offsets)
    recalls = [_recall(lifted, fresh_truth, c) for c in range(3)]
    assert min(recalls) >= 0.5
    assert min(recalls) > min(_recall(fresh, fresh_truth, c) for c in range(3)) + 0.2


def test_recall_offsets_stay_zero_when_recall_is_even_and_for_absent_codes() -> None:
    truth = np.repeat([0, 1, 2], 20)
    proba = np.full((60, 4), 0.1)
    proba[np.arange(60), truth] = 0.7  # every passage right: nothing to even out
    offsets = fit_recall_offsets(proba, truth)
    assert offsets.tolist() == [0.0, 0.0, 0.0, 0.0]
    assert fit_recall_offsets(np.zeros((0, 3)), []).tolist() == [0.0, 0.0, 0.0]


def test_fitted_blend_weights_favour_the_member_that_knows() -> None:
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 4, 300)
    good = rng.normal(size=(300, 4))
    good[np.arange(300), truth] += 3.0
    noise = rng.normal(size=(300, 4))
    members = [np.log(softmax(good)), np.log(softmax(noise))]
    weights, boost = fit_blend_weights(members, np.zeros((300, 4)), truth.tolist())
    assert len(weights) == 2 and abs(sum(weights) - 1.0) < 1e-9
    assert weights[0] >= 0.8 and boost == 0.3


def test_fitted_rare_boost_lifts_a_code_the_members_under_rank() -> None:
    rng = np.random.default_rng(1)
    truth = np.repeat([0, 1, 2], [200, 80, 20])
    logits = rng.normal(size=(300, 3))
    logits[np.arange(300), truth] += 2.0
    logits[:, 2] -= 1.5  # the rare code is pushed down, as by a prior from the counts
    share = np.log(np.bincount(truth) / 300.0)
    members = [np.log(softmax(logits))]
    _, plain = fit_blend_weights(members, np.tile(share, (300, 1)), truth.tolist())
    _, fitted = fit_blend_weights(members, np.tile(share, (300, 1)), truth.tolist(), (0.0, 0.6))
    assert plain == 0.3 and fitted == 0.6


def test_lexical_member_spreads_over_every_code_and_rejects_unknown_kinds() -> None:
    texts = ["rutiner för överlämning", "vem ringer man", "personalomsättning", "vakanser"]
    member = LexicalMember("word", texts, np.array([1, 1, 3, 3]), 5)
    proba = member.proba(["nya rutiner", "hög personalomsättning"])
    assert proba.shape == (2, 5) and np.allclose(proba.sum(axis=1), 1.0)
    assert proba[1, 3] > proba[1, 1] and proba[0, 0] < 1e-4
    with pytest.raises(InputError):
        suggester(SuggestOptions(lexical_member="bigram")).fit(uneven_examples())


@pytest.mark.parametrize(
    "options",
    [
        SuggestOptions(lexical_member="word"),
        SuggestOptions(lexical_member="char"),
        SuggestOptions(fit_blend_weights=True),
        SuggestOptions(fit_blend_weights=True, fit_rare_boost=True, lexical_member="word"),
    ],
)
def test_rare_code_is_still_suggested_with_each_variant(options: SuggestOptions) -> None:
    s = suggester(options).fit(uneven_examples())
    ranked = s.suggest(RARE_NEW, top=3)
    assert [r[0].code for r in ranked] == ["stabila_org"] * len(RARE_NEW)
    proba = s.predict_proba(RARE_NEW)
    assert np.allclose(proba.sum(axis=1), 1.0)


def test_variant_state_is_fitted_only_when_asked() -> None:
    fixed = SuggestOptions(
        fit_blend_weights=False, fit_rare_boost=False, lexical_member="", recall_offsets=False
    )
    plain = suggester(fixed).fit(uneven_examples())
    assert plain.fitted_weights is None and plain.fitted_rare_boost is None
    assert plain.lexical_temperature == 1.0
    weights_only = suggester(replace(fixed, fit_blend_weights=True)).fit(uneven_examples())
    assert weights_only.fitted_rare_boost == fixed.rare_boost
    fitted = suggester().fit(uneven_examples())  # the default fits weights and boost
    assert fitted.fitted_weights is not None and abs(sum(fitted.fitted_weights) - 1.0) < 1e-9
    assert fitted.fitted_rare_boost in BOOSTS
    few = suggester().fit(uneven_examples()[:10])  # too few codings: the fixed schedule
    assert few.fitted_weights is None and few.fitted_rare_boost is None
    lexical = suggester(replace(fixed, lexical_member="word")).fit(uneven_examples())
    assert lexical.lexical_temperature != 1.0  # calibrated on the held-out folds
    stack = suggester(
        SuggestOptions(fit_blend_weights=True, fit_rare_boost=True, lexical_member="word")
    ).fit(uneven_examples())
    # The member joins the fitted blend (four weights) instead of being averaged after it.
    assert stack.fitted_weights is not None and len(stack.fitted_weights) == 4
    assert stack.lexical_temperature == 1.0 and stack.fitted_rare_boost is not None


def test_default_stacks_the_word_member_and_reads_recall_offsets() -> None:
    o = SuggestOptions()
    assert o.lexical_member == "word" and o.recall_offsets and o.fit_blend_weights
    fitted = suggester().fit(uneven_examples())
    assert fitted.fitted_weights is not None and len(fitted.fitted_weights) == 4
    offsets = fitted.recall_offsets
    assert offsets is not None
    plain = replace(fitted.options, recall_offsets=False)
    a = fitted.predict_proba(RARE_NEW)
    fitted.options = plain
    b = fitted.predict_proba(RARE_NEW)
    assert np.allclose(a, softmax(np.log(np.clip(b, 1e-12, 1.0)) + offsets))


def test_recall_offsets_apply_only_when_asked() -> None:
    plain = suggester(replace(SuggestOptions(), recall_offsets=False)).fit(uneven_examples())
    assert plain.recall_offsets is not None
    a = plain.predict_proba(RARE_NEW)
    plain.options = replace(plain.options, recall_offsets=True)
    b = plain.predict_proba(RARE_NEW)
    assert np.allclose(b, softmax(np.log(np.clip(a, 1e-12, 1.0)) + plain.recall_offsets))


def test_neighbour_smoothing_moves_a_passage_towards_its_neighbours() -> None:
    n = MIN_REFERENCE
    vecs = np.tile(np.array([[1.0, 0.0]], dtype=np.float32), (n, 1))
    score = np.tile([[1.0, -1.0]], (n, 1))
    score[0] = [-1.0, 1.0]  # one passage disagrees with its identical neighbours
    smoothed = neighbour_smoothed(score, vecs, 5, 0.5)
    assert smoothed[0].tolist() == [0.0, 0.0]  # halfway to its neighbours' scores
    assert (smoothed[1:].argmax(axis=1) == 0).all()  # one dissenter moves no one


def test_label_clauses_change_the_zero_shot_scores_only_when_asked() -> None:
    texts = ["Hög personalomsättning och många vakanser", "Ingen vet vem man ska ringa"]
    plain = suggester().fit([])
    labelled = suggester(
        SuggestOptions(zero_shot=replace(ZeroShotOptions(), label_clauses=True))
    ).fit([])
    a, b = plain.predict_proba(texts), labelled.predict_proba(texts)
    assert np.allclose(b.sum(axis=1), 1.0) and not np.allclose(a, b)
    assert np.allclose(a, suggester().fit([]).predict_proba(texts))
