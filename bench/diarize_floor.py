"""How good diarisation could be with today's embeddings: the clustering given the answer.

    nice -n 10 python bench/diarize_floor.py [--cases hard-3m-4v-s99 ... hard-80m-6v-s5]

For each recording with cached speaker embeddings (bench/out/<case>.emb.npz, made by
bench/diarize_bench.py or bench/calibrate_diarize.py) and its reference (.rttm), the true
voice centroids are taken from the sub-segments that lie inside one person's turn (at least
80 % of the sub-segment, nobody else talking), and then:

- how far apart the people are: the highest cosine similarity between two people's
  centroids, against the mean similarity of a sub-segment to its own person's centroid;
- whether the embeddings tell people apart at all: the share of those single-voice
  sub-segments whose nearest true centroid is their own person's;
- DER with every sub-segment given the person who covers most of it ("oracle labels"),
  with every sub-segment given its nearest true centroid ("oracle centroids"), then with
  qualkit's time smoothing on top, beside qualkit's default with and without a count hint;
  with the overlap stage too where the case's overlap scores are cached (.ovl.npz).

The oracle rows show what a clustering that found the people would reach with today's
segmentation, embeddings and overlap stage, and how much of the default's error is the
clustering's. Missed speech and false alarm are the same in every row: no clustering
changes them, so their sum is a hard floor for DER on that recording.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from diarize_bench import OUT, load_frames  # noqa: E402

from qualkit.pipeline.diarize import (  # noqa: E402
    DiarizeOptions,
    Embeddings,
    overlap_from_scores,
    resegment_labels,
    turns_from_embeddings,
)
from qualkit.pipeline.metrics import der_detail, parse_rttm, speaker_found  # noqa: E402
from qualkit.pipeline.overlap import coverage  # noqa: E402
from qualkit.pipeline.speaker_clustering import normalise  # noqa: E402
from qualkit.pipeline.turns import Turn, clip_to_speech, labels_to_turns  # noqa: E402

CASES = [
    "hard-3m-4v-s99",
    "hard-10m-4v-s99",
    "hard-10m-6v-s99",
    "hard-10m-8v-s99",
    "hard-40m-6v-s99",
    "testclip-3v",
    "hard-80m-6v-s5",
]


def single_voice_labels(covers: list[dict[str, float]], spans: np.ndarray) -> list[str | None]:
    """Each sub-segment's person where one person alone covers at least 80 % of it."""
    return [
        next(iter(c)) if len(c) == 1 and max(c.values()) >= 0.8 * (b - a) else None
        for c, (a, b) in zip(covers, spans, strict=True)
    ]


def majority_labels(covers: list[dict[str, float]], people: list[str]) -> np.ndarray:
    """Each sub-segment's person: the one who covers most of it (0 where nobody speaks)."""
    return np.array(
        [people.index(max(c, key=c.__getitem__)) if c else 0 for c in covers], dtype=np.int64
    )


def case_rows(name: str) -> list[str]:
    data = np.load(OUT / f"{name}.emb.npz")
    ref = parse_rttm((OUT / f"{name}.rttm").read_text())
    meta_path = OUT / f"{name}.meta.json"
    meta = json.loads(meta_path.read_text()) if meta_path.is_file() else {}
    quiet = str(meta.get("quiet", "")).replace(" ", "_")
    spans, x = data["spans"], normalise(data["vectors"])
    emb = Embeddings(spans, data["vectors"], tuple((float(a), float(b)) for a, b in data["speech"]))
    duration = float(meta.get("duration_s", spans[-1][1]))
    # The spans as stored (float32): the 80 % test at the edge depends on it, as measured.
    covers = [coverage(ref, a, b) for a, b in spans]
    truth = single_voice_labels(covers, spans)
    # Everyone in the reference, also a person no single-voice sub-segment belongs to.
    people = sorted({t.speaker for t in ref})
    clean = np.array([t is not None for t in truth])
    own = np.array([people.index(t) if t else -1 for t in truth])
    present = [i for i in range(len(people)) if np.any(own == i)]
    cents = np.zeros((len(people), x.shape[1]))
    cents[present] = normalise(np.array([x[own == i].mean(axis=0) for i in present]))
    between = cents @ cents.T
    np.fill_diagonal(between, -1.0)
    to_own = float(np.mean(np.sum(x[clean] * cents[own[clean]], axis=1)))
    nearest = np.argmax(x @ cents.T, axis=1).astype(np.int64)
    accuracy = float(np.mean(nearest[clean] == own[clean]))
    opts = DiarizeOptions()
    ovl = OUT / f"{name}.ovl.npz"
    frames = load_frames(ovl) if ovl.is_file() else None

    def turns_of(labels: np.ndarray) -> list[Turn]:
        turns = labels_to_turns(spans, labels, opts.fill_gap_s, opts.min_turn_s)
        return clip_to_speech(turns, emb.speech) if emb.speech else turns

    candidates = {
        "oracle labels": turns_of(majority_labels(covers, people)),
        "oracle centroids": turns_of(nearest),
        # Smoothing only: no re-estimated centroids and no merging of voices.
        "oracle centroids + smoothing": turns_of(
            resegment_labels(emb, nearest, replace(opts, refine_rounds=0, remerge=False))
        ),
        "default, no hint": turns_from_embeddings(emb, duration, opts)[0],
        "default, hint": turns_from_embeddings(
            emb, duration, replace(opts, num_speakers=len(people))
        )[0],
    }
    head = (
        f"| {name} | {len(people)} | {int(clean.sum())} of {len(x)} | "
        f"{between.max():.3f} | {to_own:.3f} | {accuracy:.3f} |"
    )
    rows = []
    for label, turns in candidates.items():
        stages = [("off", turns)]
        if frames is not None:
            stages.append(("on", turns + overlap_from_scores(turns, frames, opts)[1]))
        for stage, hyp in stages:
            d = {k: 100 * v for k, v in der_detail(ref, hyp).items()}
            found = len({t.speaker for t in hyp})
            q = "-" if not quiet else ("yes" if speaker_found(ref, hyp, quiet) else "no")
            rows.append(
                f"{head} {label} | {stage} | {found} | {d['der']:.1f} % | "
                f"{d['missed']:.1f} / {d['false_alarm']:.1f} / {d['confusion']:.1f} | {q} |"
            )
            head = "| | | | | | |"
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", nargs="+", default=CASES)
    args = ap.parse_args()
    print(
        "| case | people | single-voice sub-segments | closest two people (cos) "
        "| sub-segment to own centroid (mean cos) | nearest true centroid right "
        "| voices from | overlap stage | voices found | DER c0 | missed / FA / confusion "
        "| quiet found |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    measured = 0
    for name in args.cases:
        if not (OUT / f"{name}.emb.npz").is_file() or not (OUT / f"{name}.rttm").is_file():
            print(f"NOTE: {name} skipped: no cached embeddings or reference under {OUT}")
            continue
        for row in case_rows(name):
            print(row, flush=True)
        measured += 1
    return 0 if measured else 1


if __name__ == "__main__":
    raise SystemExit(main())
