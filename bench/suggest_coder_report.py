"""Tables, the rule and the verdict on item 3 for the runs of bench/suggest_coder.py."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from suggest_data import OUT
from suggest_orders import CANDIDATES, TODAY

DEV = ("spoken", "written", "paraphrase")
BASE = "transcript order"
MARGIN = 0.005  # mean development AUC a candidate must gain over today's order


def reach(curve: np.ndarray[Any, Any], target: float) -> int:
    """Index of the first checkpoint at or above `target` (the last one if none is)."""
    above = np.flatnonzero(curve >= target - 1e-12)
    return int(above[0]) if len(above) else len(curve) - 1


def bootstrap(diffs: np.ndarray[Any, Any], rounds: int = 2000) -> tuple[float, float]:
    """95 % percentile interval of the mean of paired per-run differences."""
    rng = np.random.default_rng(0)
    means = diffs[rng.integers(0, len(diffs), (rounds, len(diffs)))].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Mean curves, AUC and codings to the targets for every order of one set's runs."""
    width = min(len(r["marks"]) for r in runs)
    marks = np.array([r["marks"][:width] for r in runs], dtype=float)
    labels = [*(f"{m:.0f}" for m in marks.mean(axis=0)[:-1]), "all"]
    full = np.array([r["full"] for r in runs])
    orders = list(runs[0]["curves"])

    def table(name: str, column: int) -> np.ndarray[Any, Any]:
        rows = [np.asarray(r["curves"][name])[:, column] for r in runs]
        return np.array([np.r_[row[: width - 1], row[-1]] for row in rows])

    f1 = {name: table(name, 0) for name in orders}
    top1 = {name: table(name, 1) for name in orders}
    base_auc = f1[BASE].mean(axis=1)
    base_need = [reach(f1[BASE][i], 0.95 * full[i]) for i in range(len(runs))]
    out: dict[str, Any] = {"labels": labels, "full": full.tolist(), "orders": {}}
    for name in orders:
        mean = f1[name].mean(axis=0)
        auc = f1[name].mean(axis=1)
        need = [reach(f1[name][i], 0.95 * full[i]) for i in range(len(runs))]
        diff = auc - base_auc
        out["orders"][name] = {
            "curve": mean.tolist(),
            "curve_min": f1[name].min(axis=0).tolist(),
            "curve_max": f1[name].max(axis=0).tolist(),
            "top1_curve": top1[name].mean(axis=0).tolist(),
            "auc": float(auc.mean()),
            "auc_range": [float(auc.min()), float(auc.max())],
            "auc_top1": float(top1[name].mean()),
            "to_90": labels[reach(mean, 0.90 * full.mean())],
            "to_95": labels[reach(mean, 0.95 * full.mean())],
            "to_90_index": reach(mean, 0.90 * full.mean()),
            "to_95_index": reach(mean, 0.95 * full.mean()),
            "runs_vs_transcript": [
                sum(n < b for n, b in zip(need, base_need, strict=True)),
                sum(n == b for n, b in zip(need, base_need, strict=True)),
                sum(n > b for n, b in zip(need, base_need, strict=True)),
            ],
            "auc_minus_transcript": float(diff.mean()),
            "auc_minus_transcript_ci": list(bootstrap(diff)),
        }
    return out


def verdict(summary: dict[str, Any], name: str) -> str:
    """Item 3's claim for order `name` on one set, by the rule in bench/suggest_coder.py."""
    order, base = summary["orders"][name], summary["orders"][BASE]
    fewer, _, more = order["runs_vs_transcript"]
    faster = all(order[f"to_{t}_index"] < base[f"to_{t}_index"] for t in (90, 95))
    shown = faster and fewer > more
    return (
        f"{'shown' if shown else 'not shown'}: to 90 % {order['to_90']} vs {base['to_90']}, "
        f"to 95 % {order['to_95']} vs {base['to_95']} codings (mean curve); fewer codings in "
        f"{fewer} runs, more in {more} (of {sum(order['runs_vs_transcript'])})"
    )


def choose(summaries: dict[str, dict[str, Any]]) -> tuple[str, str]:
    """The order the rule keeps, and the mean development AUC of every candidate."""
    dev = [d for d in DEV if d in summaries]
    names = [n for n in CANDIDATES if all(n in summaries[d]["orders"] for d in dev)]
    if not dev or TODAY not in names:
        return TODAY, "no development set (or not today's order) measured: today's order stays"
    mean = {n: float(np.mean([summaries[d]["orders"][n]["auc"] for d in dev])) for n in names}
    best = max(names, key=lambda n: mean[n])
    kept = best if mean[best] >= mean[TODAY] + MARGIN else TODAY
    listed = ", ".join(f"{n} {v:.4f}" for n, v in mean.items())
    return kept, f"mean AUC (macro-F1) on {', '.join(dev)}: {listed}"


def print_set(name: str, s: dict[str, Any], n_runs: int, step: int) -> None:
    full = np.array(s["full"])
    print(
        f"\n### {name}: {n_runs} runs, batches of {step}; full-pool macro-F1 "
        f"{full.mean():.3f} ({full.min():.3f}-{full.max():.3f})\n"
    )
    print(
        "| order | AUC macro-F1 (min-max) | AUC top-1 | codings to 90 % / 95 % (mean curve) "
        "| runs fewer / same / more codings than transcript (95 %) "
        "| AUC minus transcript (95 % bootstrap) |"
    )
    print("|---|---|---|---|---|---|")
    for order, o in s["orders"].items():
        lo, hi = o["auc_minus_transcript_ci"]
        fewer, same, more = o["runs_vs_transcript"]
        print(
            f"| {order} | {o['auc']:.3f} ({o['auc_range'][0]:.3f}-{o['auc_range'][1]:.3f}) "
            f"| {o['auc_top1']:.3f} | {o['to_90']} / {o['to_95']} | {fewer} / {same} / {more} "
            f"| {o['auc_minus_transcript']:+.3f} ({lo:+.3f} to {hi:+.3f}) |"
        )
    print(f"\nMean macro-F1 (min-max over runs) after {', '.join(s['labels'])} codings:\n")
    for order, o in s["orders"].items():
        cells = ", ".join(
            f"{m:.2f} ({a:.2f}-{b:.2f})"
            for m, a, b in zip(o["curve"], o["curve_min"], o["curve_max"], strict=True)
        )
        print(f"- {order}: {cells}")


def report(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Print every set's tables, the rule's choice and item 3's verdict; save them as JSON."""
    sets: dict[str, list[dict[str, Any]]] = {}
    for r in runs:
        sets.setdefault(r["set"], []).append(r)
    summaries = {name: summarise(rs) for name, rs in sets.items()}
    for name, s in summaries.items():
        print_set(name, s, len(sets[name]), sets[name][0]["marks"][0])
    kept, why = choose(summaries)
    print(f"\nRule: keep {kept!r} ({why}).")
    verdicts = {name: verdict(s, kept) for name, s in summaries.items() if kept in s["orders"]}
    for name, text in verdicts.items():
        print(f"- item 3 on {name} ({kept}): {text}")
    result = {"sets": summaries, "kept": kept, "why": why, "verdicts": verdicts}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "suggest_coder.json").write_text(json.dumps(result, indent=2), "utf-8")
    return result
