"""Why words after a speaker change get the wrong voice, on bench/word_speakers.py's clips.

    OMP_NUM_THREADS=1 PYTHONPATH=. .venv/bin/python bench/word_speakers_causes.py CLIP...
    (CLIP: kind:1:3:1.5 kind:2:4:2 hard:21:4:1.5 hard:22:3:2 are the development clips;
    --variant tile diagnoses a variant instead of the default)

For every aligned word among the first two of a turn after a change (as WDER at changes
counts them): the kind of turn (after a pause, a reply under 1 s, one that starts over
the previous speaker's end, or a word the edit-distance alignment paired with one said
elsewhere), Whisper's word times against the reference turn, the diarisation turn under
the word and whose it is. Prints one line per word and the counts. Uses the clips,
words, embeddings and overlap scores word_speakers.py cached (computes what is missing).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

sys.path.insert(0, str(Path(__file__).resolve().parent))

from word_speakers import VARIANTS, Clip, Computed, RefTurn, make

from qualkit.pipeline.align import AlignOptions, align
from qualkit.pipeline.diarize import Diarization, Turn
from qualkit.pipeline.metrics import align_words, change_positions, normalise
from qualkit.pipeline.transcribe import Transcript


def diagnose(ref: list[RefTurn], tr: Transcript, dia: Diarization) -> list[dict[str, Any]]:
    """The first word of every reference turn after a change of speaker: its times
    against the reference turn, the voice it got, and the diarisation turn under it."""
    aligned = align(tr, dia, AlignOptions())
    rw = [(w, k) for k, (_, _, _, text) in enumerate(ref) for w in normalise(text).split()]
    hw = [
        (p, s.speaker, w.start, w.end)
        for s in aligned.segments
        for w in s.words
        for p in normalise(w.text).split()
    ]
    pairs = align_words([w for w, _ in rw], [w for w, *_ in hw])
    ref_spk = [ref[k][0] for _, k in rw]
    change = change_positions(ref_spk, 2)
    raw = {f"Talare {int(v[-2:])}": v for v in dia.speakers}
    agree: dict[tuple[str, str], int] = {}
    for i, j in pairs:
        key = (raw.get(str(hw[j][1]), "?"), ref_spk[i])
        agree[key] = agree.get(key, 0) + 1
    voices, people = sorted({v for v, _ in agree}), sorted(set(ref_spk))
    m = np.array([[agree.get((v, p), 0) for p in people] for v in voices])
    rows, cols = linear_sum_assignment(m, maximize=True)
    voice_of = {people[c]: voices[r] for r, c in zip(rows, cols, strict=True)}
    out = []
    for i, j in pairs:
        if i not in change:
            continue
        k = rw[i][1]
        spk, rs, re_, text = ref[k]
        # What kind of turn: one that starts over the previous speaker's end, a reply or
        # backchannel under a second, or a plain turn after a pause.
        over = any(t[1] < rs < t[2] for t in ref[:k] if t[0] != spk)
        kind = "overlapped start" if over else "under 1 s" if re_ - rs < 1.0 else "after a pause"
        prev = ref_spk[i - 1]
        _, got, ws, we = hw[j]
        if not rs - 2.0 < ws < re_ + 1.0:  # paired with the same word said elsewhere
            kind = "misaligned"
        under = max(
            dia.turns,
            key=lambda t: min(we, t.end) - max(ws, t.start),
            default=Turn(0, 0, "?"),
        )
        if min(we, under.end) - max(ws, under.start) <= 0:
            under = Turn(0, 0, "none")
        out.append(
            {
                "ok": raw.get(str(got)) == voice_of.get(spk),
                "kind": kind,
                "heard": rw[i][0] == hw[j][0],
                "ref_s": re_ - rs,
                "word_start": ws - rs,  # < 0: Whisper's start lies before the turn's
                "word_end": we - rs,
                "under": "own"
                if under.speaker == voice_of.get(spk)
                else "previous"
                if under.speaker == voice_of.get(prev)
                else under.speaker,
                "under_start": under.start - rs,
                "own_cover": sum(
                    max(0.0, min(t.end, re_) - max(t.start, rs))
                    for t in dia.turns
                    if t.speaker == voice_of.get(spk)
                )
                / (re_ - rs),
                "text": text[:20],
                "at": rs,
            }
        )
    return out


def summarise(seen: list[dict[str, Any]]) -> None:
    """Where the wrong words after a change come from, in counts."""
    print(f"aligned words at changes: {len(seen)}; wrong voice: {sum(not d['ok'] for d in seen)}")
    for kind in ("after a pause", "under 1 s", "overlapped start", "misaligned"):
        of = [d for d in seen if d["kind"] == kind]
        print(f"  {kind}: {sum(not d['ok'] for d in of)} wrong of {len(of)}")
    bad = [d for d in seen if not d["ok"] and d["heard"] and d["kind"] != "misaligned"]
    print(f"  wrong, heard right and in place: {len(bad)}")
    starts = sorted(d["word_start"] for d in bad)
    if starts:
        print(
            f"    Whisper's start minus the turn's: median {starts[len(starts) // 2]:+.2f} s,"
            f" range {starts[0]:+.2f}..{starts[-1]:+.2f}; >0.2 s early:"
            f" {sum(x < -0.2 for x in starts)}"
        )
    kinds: dict[str, int] = {}
    for d in bad:
        edge = abs(d["under_start"]) <= 0.15
        key = {
            "own": "under its own voice's turn (align gave it away)",
            "previous": "the previous voice's turn"
            + (", which starts at the reply (labelled wrong)" if edge else ", running on"),
            "none": "no turn under the word",
        }.get(d["under"], "a third voice's turn" + (" starting at the reply" if edge else ""))
        kinds[key] = kinds.get(key, 0) + 1
    for k, n in sorted(kinds.items(), key=lambda kv: -kv[1]):
        print(f"    {n:3d} {k}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("clips", nargs="+", metavar="CLIP", help="kind:SEED:VOICES:MINUTES")
    ap.add_argument("--variant", default="default", choices=list(VARIANTS))
    args = ap.parse_args(argv)
    models: dict[str, Any] = {}
    seen: list[dict[str, Any]] = []
    for spec in args.clips:
        k, seed, voices, minutes = spec.split(":")
        clip = Clip(k, int(seed), int(voices), float(minutes))
        wav, ref = make(clip)
        c = Computed(clip, wav, models)
        found = diagnose(ref, c.transcript(), c.diarization(VARIANTS[args.variant]))
        seen.extend(found)
        for d in found:
            print(
                f"  {'ok ' if d['ok'] else 'BAD'} {d['at']:7.2f} {d['text']!r:22}"
                f" {d['ref_s']:4.2f}s word {d['word_start']:+5.2f}..{d['word_end']:+5.2f}"
                f" under {d['under']:10} from {d['under_start']:+6.2f}"
                f" own-cover {d['own_cover']:4.2f}"
            )
    summarise(seen)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
