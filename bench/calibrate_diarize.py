"""Calibrate diarisation options on cases apart from the benchmark's.

    nice -n 10 python bench/calibrate_diarize.py --cases 3:4 10:6 --seed 99
    nice -n 10 python bench/calibrate_diarize.py --cases 3:4 10:6 --grid resegment

Same generator as bench/diarize_bench.py, another seed (so other scripts, takes and
noise); embeddings cached under bench/out/. Prints, per set of options (an AHC
grid by default, or --configs; the overlap stage is on unless a config says
`"overlap": false`, scored at the config's `overlap_step_s`), the DER (collar 0) and
voices found with and without a hint on each case and on the short clip of
tests/pipeline/test_real_models.py (3 clean voices, which must stay 3), the mean DER and
confusion and the summed count error.
`--grid resegment` runs the resegmentation grid (hint mode x turn re-clustering x
switching penalty and rounds) instead of the AHC grid.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from diarize_bench import OUT, child_embed, overlap_frames, with_overlap_stage  # noqa: E402
from focus_group_audio import Case, build  # noqa: E402

from qualkit.pipeline import synth  # noqa: E402
from qualkit.pipeline.diarize import DiarizeOptions, Embeddings, turns_from_embeddings  # noqa: E402
from qualkit.pipeline.metrics import der_detail, parse_rttm, speaker_found  # noqa: E402

TEST_LINES = [
    ("Moderator", "Välkomna allihop. Hur fungerar samverkan mellan er i dag?"),
    ("Handläggare (FK)", "Vi träffas varannan vecka i ett gemensamt forum med kommunen."),
    ("Arbetsförmedlare (AF)", "Det största problemet är att vi inte vet vem vi ska ringa."),
    ("Moderator", "Tack. Vad skulle ni vilja föreslå?"),
    ("Handläggare (FK)", "Vi behöver skriftliga rutiner för hur ärenden lämnas över."),
]


def embedded(wav: Path) -> Embeddings:
    npz = OUT / f"{wav.stem}.emb.npz"
    if not npz.is_file():
        print(wav.stem, child_embed(wav, npz), flush=True)
    d = np.load(npz)
    return Embeddings(d["spans"], d["vectors"], tuple((float(a), float(b)) for a, b in d["speech"]))


def test_clip() -> tuple[Path, Path]:
    wav, rttm = OUT / "testclip-3v.wav", OUT / "testclip-3v.rttm"
    if not wav.is_file():
        voices = synth.assign_voices([s for s, _ in TEST_LINES])
        mix, utts = synth.converse(TEST_LINES, voices, overlap_every=0)
        synth.write_wav(wav, mix)
        rttm.write_text(synth.rttm(utts, "testclip"), encoding="utf-8")
    return wav, rttm


def resegment_grid() -> list[dict[str, object]]:
    """Hint mode x turn re-clustering x (switching penalty, rounds); penalty 0 is off and
    1e-6 is plain spherical k-means from the clustering (the control)."""
    smoothing = [(0.0, 1), (1e-6, 3)] + [(p, r) for p in (0.05, 0.1, 0.2) for r in (1, 3)]
    smoothing += [(0.3, 3), (0.5, 3)]
    return [
        {"hint_mode": h, "recluster_runs": runs, "switch_penalty": p, "resegment_rounds": r}
        for h in ("oracle", "merge")
        for runs in (False, True)
        for p, r in smoothing
    ]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", nargs="+", default=["3:4", "10:6"])
    ap.add_argument("--seed", type=int, default=99)
    ap.add_argument("--thresholds", type=float, nargs="+", default=[0.65, 0.7, 0.75])
    ap.add_argument("--merge-cos", type=float, nargs="+", default=[0.85, 0.88, 0.9, 0.92])
    ap.add_argument("--min-voice", type=int, nargs="+", default=[6, 10, 15])
    ap.add_argument(
        "--configs", nargs="*", default=[], help='JSON options, e.g. {"clustering": "legacy"}'
    )
    ap.add_argument("--grid", choices=["ahc", "resegment"], default="ahc")
    args = ap.parse_args()
    sets = []
    for spec in args.cases:
        m, v = spec.split(":")
        paths = build(Case(float(m), int(v), args.seed))
        meta = json.loads(paths["meta.json"].read_text(encoding="utf-8"))
        sets.append(
            (
                paths["wav"],
                embedded(paths["wav"]),
                parse_rttm(paths["rttm"].read_text()),
                int(v),
                meta,
            )
        )
    wav, rttm = test_clip()
    sets.append(
        (
            wav,
            embedded(wav),
            parse_rttm(rttm.read_text()),
            3,
            {"duration_s": 25.0, "quiet": ""},
        )
    )
    configs = (
        [json.loads(c) for c in args.configs]
        or (resegment_grid() if args.grid == "resegment" else [])
        or [
            {"ahc_threshold": t, "merge_cos": m, "min_voice_subsegments": v} | {"clustering": "ahc"}
            for t in args.thresholds
            for m in args.merge_cos
            for v in args.min_voice
        ]
    )
    # The overlap stage is on by default: every config that leaves it on needs the
    # segmentation model's scores, at that config's window hop.
    steps = {o.overlap_step_s for o in (DiarizeOptions(**c) for c in configs) if o.overlap}
    frames = {(wav, step): overlap_frames(wav, step)[0] for wav, *_ in sets for step in steps}
    for cfg in configs:
        row = []
        total = confusion = 0.0
        count_error = 0
        for wav, emb, ref, v, meta in sets:
            name = wav.stem
            for hint in (None, v):
                opts = DiarizeOptions(num_speakers=hint, **cfg)
                turns, _ = turns_from_embeddings(emb, meta["duration_s"], opts)
                if opts.overlap:
                    scores = frames[(wav, opts.overlap_step_s)]
                    turns = with_overlap_stage(turns, scores, opts)
                detail = der_detail(ref, turns)
                d = detail["der"]
                total += d
                confusion += detail["confusion"]
                found = len({t.speaker for t in turns})
                count_error += abs(found - v)
                q = (
                    speaker_found(ref, turns, meta["quiet"].replace(" ", "_"))
                    if meta["quiet"]
                    else True
                )
                lost = "" if q else " quiet-lost"
                row.append(f"{name}{'/h' if hint else ''}: {found}/{v} {100 * d:.1f}%{lost}")
        mean, conf = 100 * total / len(row), 100 * confusion / len(row)
        print(
            f"{json.dumps(cfg)} mean DER {mean:.1f}% confusion {conf:.1f}% "
            f"count error {count_error} | " + " | ".join(row),
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
