"""Agreement between the two coders of the holdout passages (or of the fresh ones).

    python bench/suggest_coders.py [--sets holdout holdout-c2 | --sets fresh fresh-c2]

The holdout set (bench/data/suggest_corpus_holdout_labels.jsonl) was coded once, quickly,
by the coder who also coded ``corpus``. A second coder read the same 177 passages blind to
those labels, with the codebook (qualkit/codebooks/danermark.yaml), ../shared/DOMAIN.md and
the same written conventions, and gave a main code, an optional second code, a valence and
whether they hesitated (bench/data/suggest_corpus_holdout_labels_coder2.jsonl). This prints
how far the two agree: the ceiling a suggester can be held to on these passages, and which
codes the humans themselves do not tell apart. The fresh set (bench/suggest_fresh.py) got
a second coder the same way (bench/data/suggest_corpus_fresh_labels_coder2.jsonl). Labels
only: the corpus is not read.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

sys.path.insert(0, str(REPO / "bench"))

from suggest_data import CORPUS_LABELS, _rows  # noqa: E402

from qualkit.analysis.coefficients import cohen_kappa, krippendorff_alpha  # noqa: E402


def coefficients(a: list[str], b: list[str]) -> tuple[float, float, float]:
    """Per cent agreement, Cohen's κ and Krippendorff's α of two nominal codings."""
    cats = {c: i for i, c in enumerate(sorted(set(a) | set(b)))}
    x, y = [cats[v] for v in a], [cats[v] for v in b]
    agree = 100.0 * sum(p == q for p, q in zip(a, b, strict=True)) / len(a)
    return agree, cohen_kappa(x, y), krippendorff_alpha([x, y])


def report(first: list[dict[str, str]], second: list[dict[str, str]]) -> str:
    if [r["id"] for r in first] != [r["id"] for r in second]:
        raise SystemExit("the two label files do not list the same passages in the same order")
    c1, c2 = [str(r["code"]) for r in first], [str(r["code"]) for r in second]
    v1, v2 = [str(r["valence"]) for r in first], [str(r["valence"]) for r in second]
    n = len(first)
    out = [f"{n} passages, two coders"]
    out += ["", "| what | per cent agreement | Cohen's κ | Krippendorff's α |", "|---|---|---|---|"]
    for name, a, b in (("main code", c1, c2), ("valence", v1, v2)):
        pa, k, al = coefficients(a, b)
        out.append(f"| {name} | {pa:.1f} % | {k:.3f} | {al:.3f} |")
    either = sum(
        p == r["code"] or p == r.get("second_code") for p, r in zip(c1, second, strict=True)
    )
    out.append(
        f"| first coder's code among the second's main or second code | "
        f"{100.0 * either / n:.1f} % | | |"
    )
    sure = [bool(r.get("sure", True)) for r in second]
    for label, flag in (("the second coder was sure", True), ("the second coder hesitated", False)):
        idx = [i for i in range(n) if sure[i] == flag]
        if idx:
            agree = sum(c1[i] == c2[i] for i in idx)
            out.append(
                f"| main code where {label} ({len(idx)}) | {100.0 * agree / len(idx):.1f} % | | |"
            )
    out += [
        "",
        "| code | first coder | second coder | both | specific agreement |",
        "|---|---|---|---|---|",
    ]
    for code in sorted(set(c1) | set(c2)):
        k1, k2 = c1.count(code), c2.count(code)
        both = sum(p == q == code for p, q in zip(c1, c2, strict=True))
        out.append(f"| {code} | {k1} | {k2} | {both} | {2 * both / (k1 + k2):.2f} |")
    pairs = Counter((p, q) for p, q in zip(c1, c2, strict=True) if p != q)
    out += [
        "",
        "Most frequent disagreements (first coder → second coder): "
        + "; ".join(f"{p} → {q} {k}" for (p, q), k in pairs.most_common(8)),
    ]
    vpairs = Counter((p, q) for p, q in zip(v1, v2, strict=True) if p != q)
    out += [
        "Valence disagreements: "
        + "; ".join(f"{p} → {q} {k}" for (p, q), k in vpairs.most_common())
    ]
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", nargs=2, default=["holdout", "holdout-c2"], choices=CORPUS_LABELS)
    first, second = ap.parse_args().sets
    print(report(_rows(CORPUS_LABELS[first]), _rows(CORPUS_LABELS[second])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
