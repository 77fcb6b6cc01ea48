"""Agreement on characters for a study-sized project: qualkit vs the reference packages.

Builds a synthetic project (default: 21 focus groups x 300 segments, two coders, eight
codes), then times `qualkit.analysis.agreement.agreement(unit="char")` against the
baseline: scikit-learn's cohen_kappa_score and the krippendorff package run per code on
the full per-character arrays. Checks that both give the same values.

    PYTHONPATH=. python bench/agreement_bench.py [--recordings 21] [--segments 300]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import numpy as np


def build(root: Path, recordings: int, segments: int, seed: int) -> None:
    from qualkit.project import init_project

    rng = random.Random(seed)
    project = init_project(root)
    codes = [c.key for c in project.codebook("danermark").codes]
    words = ["samverkan", "ledning", "rutiner", "kontakt", "mötet", "planen", "individen"]
    for r in range(recordings):
        turns = []
        for _ in range(segments):
            n = rng.randint(8, 60)
            turns.append((f"Talare {rng.randint(1, 6)}", " ".join(rng.choices(words, k=n))))
        rec = project.store.add_recording(f"fg{r:02d}")
        project.store.replace_segments(rec.id, ((s, t, None, None, (), False) for s, t in turns))
        segs = project.store.segments(rec.id)
        with project.action():
            for seg in rng.sample(segs, k=segments // 3):
                code = rng.choice(codes)
                for coder in ("anna", "bo"):
                    roll = rng.random()
                    if roll < 0.15:
                        continue  # this coder missed it
                    chosen = code if roll < 0.85 else rng.choice(codes)
                    span = None
                    if rng.random() < 0.4:
                        a = rng.randrange(0, len(seg.text) - 1)
                        span = (a, rng.randrange(a + 1, len(seg.text) + 1))
                    project.store.add_coding(seg.id, "danermark", chosen, coder=coder, span=span)
    project.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recordings", type=int, default=21)
    parser.add_argument("--segments", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    import krippendorff
    from sklearn.metrics import cohen_kappa_score

    from qualkit.analysis.agreement import agreement, unit_matrices
    from qualkit.project import open_project

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "p"
        t0 = time.perf_counter()
        build(root, args.recordings, args.segments, args.seed)
        print(f"built project in {time.perf_counter() - t0:.1f} s")
        with open_project(root) as project:
            t0 = time.perf_counter()
            report = agreement(project, ["anna", "bo"], unit="char")
            ours = time.perf_counter() - t0

            t0 = time.perf_counter()
            mats = unit_matrices(project, ["anna", "bo"], "danermark", "char")
            build_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            worst = 0.0
            for key, m in mats.by_code.items():
                data = m.astype(float)
                data[m < 0] = np.nan
                kappa = cohen_kappa_score(data[0], data[1])
                alpha = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
                s = report.codes[key]
                worst = max(worst, abs((s.kappa or 0) - kappa), abs((s.alpha or 0) - alpha))
            reference = time.perf_counter() - t0 + build_s
        print(f"units (characters): {mats.n_units:,}; codes: {len(mats.by_code)}")
        print(f"qualkit agreement(unit='char'): {ours:.2f} s (all four coefficients)")
        print(f"baseline (same unit arrays + sklearn κ + krippendorff α): {reference:.2f} s")
        print(f"ratio baseline/qualkit: {reference / ours:.1f}x; max |difference|: {worst:.1e}")
        print(f"overall κ {report.overall.kappa:.4f}, α {report.overall.alpha:.4f}")


if __name__ == "__main__":
    main()
