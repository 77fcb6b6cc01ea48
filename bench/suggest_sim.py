"""The simulated coder and the cluster report of bench/suggest.py."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
from suggest_data import AGREED, CORPUS_LABELS, EvalSet
from suggest_methods import folds, qualkit_fit, scores

from qualkit.analysis.cluster import (
    ClusterOptions,
    auto_min_size,
    proposal_stability,
    propose_from_vectors,
    stability,
)
from qualkit.analysis.embed import EmbeddingCache
from qualkit.analysis.suggest import CodeSuggester, SuggestOptions
from qualkit.analysis.suggester import uncertain_order
from qualkit.model import Codebook

# Sets read from the reports themselves, whose references are stored in document order.
REPORT_SETS = frozenset((*CORPUS_LABELS, *AGREED))


def transcript_order(es: EvalSet, seed: int = 0) -> list[int]:
    """The order a coder meets the passages in.

    Passages of the real reports (corpus, holdout, fresh) are read in document order. The
    other sets are stored grouped by code (spoken) or written code by code, so a seeded
    shuffle stands in for the flow of a conversation."""
    order = list(range(len(es.texts)))
    if es.name not in REPORT_SETS:
        order = [int(i) for i in np.random.default_rng(seed).permutation(len(order))]
    return order


def simulated_coder(
    es: EvalSet,
    book: Codebook,
    cache: EmbeddingCache,
    keys: list[str],
    options: SuggestOptions | None = None,
) -> dict[str, Any]:
    """Codings needed to reach 95% of the full-pool macro-F1, in transcript vs uncertain order.

    One stratified fifth of the set is the test set; the coder codes the rest in batches,
    and the model retrains after each batch. Both orders start from the same first batch."""
    _, test = folds(es.codes)[0]
    held = set(test.tolist())
    pool = [i for i in transcript_order(es) if i not in held]
    step = 20 if len(pool) > 150 else 10
    vecs = cache.embed(es.texts)
    test_texts = [es.texts[i] for i in test]
    test_codes = [es.codes[i] for i in test]
    # By default the suggester as the app has it: calibrated, with blend weights fitted on
    # its own held-out folds once 24 passages are coded (this changes the order of codes, so
    # the simulation can no longer skip calibration to save time).
    options = options or SuggestOptions()
    curves: dict[str, list[tuple[int, float]]] = {}
    for strategy in ("transcript order", "uncertain next"):
        coded, rest = pool[:step], pool[step:]
        curve: list[tuple[int, float]] = []
        while True:
            s = qualkit_fit(
                book,
                cache,
                [es.texts[i] for i in coded],
                [es.codes[i] for i in coded],
                options=options,
            )
            proba = s.predict_proba(test_texts, vecs[test])
            curve.append((len(coded), scores(proba, test_codes, keys)["macro_f1"]))
            if not rest:
                break
            if strategy == "transcript order":
                chosen = rest[:step]
            else:
                doubt = s.uncertainty([es.texts[i] for i in rest])
                chosen = [rest[j] for j in uncertain_order(doubt, vecs[rest], step)[:step]]
            picked = set(chosen)
            coded = coded + chosen
            rest = [i for i in rest if i not in picked]
        curves[strategy] = curve
    final = curves["transcript order"][-1][1]
    target = 0.95 * final
    needed = {
        name: next((n for n, f1 in curve if f1 >= target), None) for name, curve in curves.items()
    }
    print(
        f"\nSimulated coder ({len(pool)} passages to code in batches of {step}, "
        f"{len(test)} held out): macro-F1 after all {len(pool)} codings {final:.3f}; "
        f"codings to reach {target:.3f} (95%):"
    )
    for name, n in needed.items():
        every = max(1, len(curves[name]) // 6)
        points = ", ".join(f"{c}: {f:.2f}" for c, f in curves[name][::every])
        print(f"- {name}: {n if n is not None else 'not reached'} (curve {points})")
    return {"target": target, "needed": needed, "curves": curves}


def cluster_report(
    es: EvalSet, book: Codebook, cache: EmbeddingCache, show: bool
) -> dict[str, Any]:
    """Stability of the groups, and (if `show`) each proposal for a reader to judge."""
    vecs = cache.embed(es.texts)
    # The previous method (PCA + HDBSCAN) in the same run, as the figure to beat.
    old_seeds, old_sub = stability(vecs, method="hdbscan")
    old = propose_from_vectors(
        list(range(len(es.texts))), es.texts, vecs, options=ClusterOptions(method="hdbscan")
    )
    print(
        f"\nPrevious method (PCA-15 + HDBSCAN eom): {len(old)} proposals, "
        f"{len(es.texts) - sum(p.size for p in old)} passages outside; ARI across 5 seeds "
        f"{old_seeds:.3f}, across 5 seeded 90% subsamples {old_sub:.3f}"
    )
    seeds_ari, sub_ari = stability(vecs)
    suggester = CodeSuggester(book, cache)
    ids = list(range(len(es.texts)))
    proposals = propose_from_vectors(
        ids, es.texts, vecs, suggester.keys, suggester.code_vectors(), seed=0
    )
    grouped = sum(p.size for p in proposals)
    kept = proposal_stability(vecs)
    print(
        f"Co-association (now): {len(proposals)} proposals "
        f"(minimum size {auto_min_size(len(ids))}), "
        f"{len(ids) - grouped} passages left outside; ARI across 5 seeds {seeds_ari:.3f}, "
        f"across 5 seeded 90% subsamples {sub_ari:.3f}; per proposal, Jaccard on 10 seeded "
        f"80% subsamples: {', '.join(f'#{k} {v:.2f}' for k, v in kept.items()) or '-'}"
    )
    listed = []
    for p in proposals:
        hand = Counter(es.codes[i] for i in p.segment_ids).most_common(1)[0]
        central = es.texts[p.representative_ids[0]]
        listed.append(
            {
                "id": p.id,
                "size": p.size,
                "keywords": list(p.keywords),
                "nearest_code": p.nearest_code,
                "nearest_score": p.nearest_score,
                "jaccard": kept.get(p.id),
                "hand_coded_majority": [hand[0], hand[1]],
                "central_passage": central[:160],
            }
        )
    if show:
        print(
            "\n| # | size | Jaccard | words | nearest code (cos) | hand-coded majority "
            "| most central passage |"
        )
        print("|---|---|---|---|---|---|---|")
        for p in listed:
            print(
                f"| {p['id']} | {p['size']} | {p['jaccard']:.2f} | {', '.join(p['keywords'])} "
                f"| {p['nearest_code']} "
                f"({p['nearest_score']:.2f}) | {p['hand_coded_majority'][0]} "
                f"{p['hand_coded_majority'][1]}/{p['size']} | {p['central_passage'][:90]}... |"
            )
    return {
        "ari_seeds": seeds_ari,
        "ari_subsamples": sub_ari,
        "hdbscan": {"ari_seeds": old_seeds, "ari_subsamples": old_sub, "proposals": len(old)},
        "proposals": listed,
    }
