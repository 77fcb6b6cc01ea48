"""The overlap stage as the default: a rule fixed before the run, on audio never used for it.

    nice -n 10 python bench/diarize_overlap.py                 # seeds 7 and 8, 10 minutes

`DiarizeOptions(overlap=True)` (`qualkit transcribe --overlap`) runs the packaged
segmentation model over the recording and gives each overlapped region a second voice.
It was measured before only without the count and before whitening (10 minutes, 4 and 6
voices, seed 5: DER 17.1 -> 13.3 % and 21.4 -> 17.8 %; 80 minutes with the count and
whitening: 16.8 -> 13.4 %) and left off for its cost: about as much CPU as the speaker
embedding, at a window hop of 2.5 s. A hop of 5 s halves that cost (two opinions per
frame instead of four); it was never measured.

Recordings: seeds 7 and 8 of bench/focus_group_audio.py, 10 minutes with 4, 6 and 8
voices (six recordings; their embeddings are cached; no overlap setting was ever chosen
on them). Each is diarised with today's defaults, with the count given and without, and
scored at collar 0 with the overlap stage off, at hop 5 s and at hop 2.5 s.

The rule, written and committed before the overlap model ran on any of these recordings:

  The overlap stage becomes the default at hop 5 s if, against the stage off, on the
  six recordings,
  (a) the mean DER falls by at least 1.0 point, with the count given and without it;
  (b) no recording's DER, with or without the count, rises by more than 0.5 points;
  (c) the quiet participant keeps a voice of their own in at least as many recordings
      (with and without the count);
  (d) the stage costs at most 15 % of qualkit's whole pipeline in CPU time: its CPU
      seconds per minute of audio, measured here, at most 13.9 (0.15 x 850 CPU s for
      9.2 minutes, bench/speed.py with both sides seeded, BENCHMARKS.md).
  If hop 5 s fails, hop 2.5 s is judged by the same four checks. If both fail, the stage
  stays an option.

Prints one row per recording and condition, the detector's precision and recall at both
hops, the stage's CPU per audio minute, and the rule's outcome. Overlap scores are cached
beside the audio (`<case>.ovl.npz` for 2.5 s, `<case>.ovl-h5.npz` for 5 s).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from calibrate_diarize import embedded  # noqa: E402
from diarize_bench import OUT, detector_quality, overlap_frames  # noqa: E402
from focus_group_audio import Case, build  # noqa: E402

from qualkit.pipeline.diarize import (  # noqa: E402
    DiarizeOptions,
    overlap_from_scores,
    turns_from_embeddings,
)
from qualkit.pipeline.metrics import der_detail, parse_rttm, speaker_found  # noqa: E402

HOPS = (5.0, 2.5)  # in the rule's order: the cheaper first
MIN_GAIN = 1.0
MAX_WORSE = 0.5
CPU_PER_MINUTE_CAP = 0.15 * 850 / 9.2


def measure(minutes: float, voices: int, seed: int) -> dict[str, Any]:
    paths = build(Case(minutes, voices, seed))
    meta = json.loads(paths["meta.json"].read_text(encoding="utf-8"))
    emb = embedded(paths["wav"])
    ref = parse_rttm(paths["rttm"].read_text())
    quiet = str(meta["quiet"]).replace(" ", "_")
    duration = float(meta["duration_s"])
    frames = {}
    row: dict[str, Any] = {"case": paths["wav"].stem, "voices": voices, "minutes": duration / 60}
    for hop in HOPS:
        scores, cost = overlap_frames(paths["wav"], hop)
        frames[hop] = scores
        row[f"cpu_per_min_{hop:g}"] = cost["overlap_cpu"] / (duration / 60)
        row[f"rss_mb_{hop:g}"] = cost["overlap_rss_mb"]
        row[f"detector_{hop:g}"] = detector_quality(ref, scores, DiarizeOptions())
    for hint in ("count", "none"):
        opts = DiarizeOptions(num_speakers=voices if hint == "count" else None)
        turns, _ = turns_from_embeddings(emb, duration, opts)
        stages: list[tuple[str, Any]] = [("off", turns)]
        for hop in HOPS:
            hop_opts = replace(opts, overlap=True, overlap_step_s=hop)
            stages.append(
                (f"{hop:g}", turns + overlap_from_scores(turns, frames[hop], hop_opts)[1])
            )
        for stage, hyp in stages:
            d = der_detail(ref, hyp)
            row[f"{hint}/{stage}"] = {
                "der": 100 * d["der"],
                "missed": 100 * d["missed"],
                "fa": 100 * d["false_alarm"],
                "confusion": 100 * d["confusion"],
                "quiet": speaker_found(ref, hyp, quiet),
                "voices": len({t.speaker for t in turns}),
            }
    return row


def judge(rows: list[dict[str, Any]], hop: float) -> list[str]:
    """The rule's four checks for one hop; the failures (empty: it passes)."""
    failed = []
    on = f"{hop:g}"
    for hint in ("count", "none"):
        before = [r[f"{hint}/off"] for r in rows]
        after = [r[f"{hint}/{on}"] for r in rows]
        gain = statistics.mean(b["der"] for b in before) - statistics.mean(a["der"] for a in after)
        if gain < MIN_GAIN:
            failed.append(f"(a) {hint}: mean DER falls by {gain:.2f} points")
        worst = max(a["der"] - b["der"] for a, b in zip(after, before, strict=True))
        if worst > MAX_WORSE:
            failed.append(f"(b) {hint}: a recording is {worst:.2f} points worse")
        if sum(a["quiet"] for a in after) < sum(b["quiet"] for b in before):
            failed.append(f"(c) {hint}: the quiet participant is found less often")
    cpu = statistics.mean(r[f"cpu_per_min_{hop:g}"] for r in rows)
    if cpu > CPU_PER_MINUTE_CAP:
        failed.append(f"(d) {cpu:.1f} CPU s per audio minute > {CPU_PER_MINUTE_CAP:.1f}")
    return failed


def report(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| recording | hint | off: DER / missed / FA / conf / quiet | hop 5 s | hop 2.5 s |",
        "|---|---|---|---|---|",
    ]

    def cell(m: dict[str, Any]) -> str:
        q = "yes" if m["quiet"] else "no"
        return f"{m['der']:.1f} % / {m['missed']:.1f} / {m['fa']:.1f} / {m['confusion']:.1f} / {q}"

    for r in rows:
        for hint in ("count", "none"):
            lines.append(
                f"| {r['case']} | {hint} | {cell(r[f'{hint}/off'])} | {cell(r[f'{hint}/5'])} "
                f"| {cell(r[f'{hint}/2.5'])} |"
            )
    for hint in ("count", "none"):
        means = [
            statistics.mean(r[f"{hint}/{s}"]["der"] for r in rows) for s in ("off", "5", "2.5")
        ]
        lines.append(f"| mean | {hint} | {means[0]:.1f} % | {means[1]:.1f} % | {means[2]:.1f} % |")
    lines += [
        "",
        "| recording | hop 5 s: precision / recall / CPU s per min / RSS MB | hop 2.5 s |",
        "|---|---|---|",
    ]
    for r in rows:
        cells = []
        for hop in ("5", "2.5"):
            d = r[f"detector_{hop}"]
            cells.append(
                f"{100 * d['precision']:.1f} % / {100 * d['recall']:.1f} % / "
                f"{r[f'cpu_per_min_{hop}']:.1f} / {r[f'rss_mb_{hop}']:.0f}"
            )
        lines.append(f"| {r['case']} | {cells[0]} | {cells[1]} |")
    lines.append("")
    for hop in HOPS:
        failed = judge(rows, hop)
        lines.append(f"Hop {hop:g} s: " + ("passes" if not failed else "; ".join(failed)))
        if not failed:
            lines.append(
                f"**By the rule: the overlap stage becomes the default at hop {hop:g} s.**"
            )
            break
    else:
        lines.append("**By the rule: the overlap stage stays an option.**")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[7, 8])
    ap.add_argument("--voices", type=int, nargs="+", default=[4, 6, 8])
    ap.add_argument("--minutes", type=float, default=10.0)
    args = ap.parse_args()
    rows = []
    for seed in args.seeds:
        for voices in args.voices:
            rows.append(measure(args.minutes, voices, seed))
            print(json.dumps(rows[-1]), flush=True)
    (OUT / "diarize_overlap.json").write_text(json.dumps(rows, indent=1))
    print(report(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
