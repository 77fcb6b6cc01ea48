"""Scoring for bench/voiceprints.py: the ways of naming voices it compares, and the tally.

Each method names the found voices of a later recording from voiceprints enrolled in
recording 1 (and, with `update`, confirmed in recording 2); all run on the same cached
centroids in the same run, each with its threshold calibrated on the calibration casts.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from qualkit.pipeline.voice_match import (
    match_voices,
    nearest_voices,
    similarities,
    unit_rows,
)

CAST, ENROL = 6, 3
ABSENT = 2  # people of the cast left out of each later recording in the second scenario
RAW_GRID = (0.5, 0.55, 0.6, 0.65, *(k / 100 for k in range(70, 98)))
NORM_GRID = tuple(k / 2 for k in range(0, 13))
# Split voices: a voice left unnamed whose best voiceprint named another voice of the
# recording is taken as the same person when the two voices are at least this alike (the
# diariser merges voices above 0.8, so the parts of a person it split lie below that).
SPLIT_COS = 0.7


@dataclass(frozen=True, slots=True)
class Method:
    """One way of naming voices. `split`: several voices of a recording may carry one
    name (qualkit.pipeline.voice_match.split_voices); `cohort`: the score is normalised
    against known other voices (cohort_scores); `whole`: the voiceprint is the mean of
    every voice the person has in recording 1 (the coder named them all), not only the
    largest; `update`: the voiceprint also holds the person's main voice in recording 2
    (the coder confirmed it: `qualkit voices enroll` again adds to it); `turns`: each
    voice's centroid is the mean of the sub-segments inside its turns (as
    qualkit.pipeline.diarize.speaker_centroids now computes it) instead of the cached
    artefact's centroid from before, which mapped each clustering label to the voice of
    the turn holding its first sub-segment, so a label whose first sub-segment was folded
    into another voice's turn left its own voice with a zero centroid and gave the other
    voice two people)."""

    label: str
    nearest: bool = False
    threshold: bool = True
    split: bool = False
    cohort: bool = False
    whole: bool = False
    update: bool = False
    turns: bool = False

    @property
    def grid(self) -> tuple[float, ...]:
        return NORM_GRID if self.cohort else RAW_GRID


@dataclass
class Tally:
    enrolled: int = 0
    right: int = 0
    wrong_enrolled: int = 0
    others: int = 0
    wrong_others: int = 0
    skipped: int = 0

    def rates(self) -> tuple[float, float]:
        return self.right / max(self.enrolled, 1), self.wrong_others / max(self.others, 1)

    def row(self, name: str) -> str:
        return (
            f"| {name} | {self.right}/{self.enrolled} = {pct(self.right, self.enrolled)} "
            f"| {self.wrong_enrolled}/{self.enrolled} = {pct(self.wrong_enrolled, self.enrolled)} "
            f"| {self.wrong_others}/{self.others} = {pct(self.wrong_others, self.others)} |"
        )


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:.1f} %" if b else "-"


def centroid(f: Any, m: Method) -> np.ndarray:
    if m.turns and len(f.segs):
        return np.asarray(f.segs.mean(axis=0))
    return np.asarray(f.centroid)


def weighted(found: Sequence[Any], m: Method) -> np.ndarray:
    """The mean of some voices' centroids weighted by their speech (as enrolling each
    of them adds to one voiceprint)."""
    w = np.asarray([max(f.seconds, 1e-6) for f in found])
    return np.asarray((np.stack([centroid(f, m) for f in found]) * w[:, None]).sum(0) / w.sum())


def voiceprints(recs: Sequence[Sequence[Any]], people: tuple[int, ...], m: Method):
    """(voiceprints, cohort) for enrolling `people` from recording 1, or None when the
    diariser gave a chosen person no voice of their own there. The cohort is every other
    voice of recording 1: known not to be the enrolled voices (it may hold a part of an
    enrolled person the diariser split off, as in real use)."""
    prints, used = [], set()
    for v in people:
        mine = [f for f in recs[0] if f.truth == v]
        if not mine:
            return None
        main = max(mine, key=lambda f: f.seconds)
        chosen = mine if m.whole else [main]
        used |= {id(f) for f in chosen}
        if m.update:
            later = [f for f in recs[1] if f.truth == v]
            if later:
                chosen = [*chosen, max(later, key=lambda f: f.seconds)]
        prints.append(weighted(chosen, m))
    cohort = [centroid(f, m) for f in recs[0] if id(f) not in used]
    dim = prints[0].shape[0]
    return np.stack(prints), np.stack(cohort) if cohort else np.zeros((0, dim), np.float32)


def cohort_scores(cents, prints, cohort, floor: float = 0.05) -> np.ndarray:
    """Each voice-voiceprint cosine normalised against voices known to be other people
    (symmetric s-norm): for voice i the impostors are the recording's other voices and
    the cohort (the other voices of recording 1); the score is the mean of how many
    standard deviations the cosine lies above the voice's own similarities with the
    impostors and above the voiceprint's. Standard deviations floored at `floor`."""
    raw = similarities(cents, prints)
    c, p = unit_rows(cents), unit_rows(prints)
    others = unit_rows(cohort) if len(cohort) else np.zeros((0, c.shape[1]), np.float32)
    out = np.zeros_like(raw)
    for i in range(raw.shape[0]):
        imp = np.concatenate([np.delete(c, i, axis=0), others])
        if not len(imp):
            continue
        sv, sp = imp @ c[i], imp @ p.T
        dv, dp = max(float(sv.std()), floor), np.maximum(sp.std(axis=0), floor)
        out[i] = 0.5 * ((raw[i] - sv.mean()) / dv + (raw[i] - sp.mean(axis=0)) / dp)
    return out


def one_to_one(scores: np.ndarray, threshold: float) -> dict[int, int]:
    """The optimal one-to-one assignment on any score, pairs at or above `threshold`."""
    from scipy.optimize import linear_sum_assignment

    allowed = scores >= threshold
    rows, cols = linear_sum_assignment(np.where(allowed, scores, -1e6), maximize=True)
    return {int(i): int(j) for i, j in zip(rows, cols, strict=True) if allowed[i, j]}


def split_voices(cents, prints, named: dict[int, int], threshold: float) -> dict[int, int]:
    """`named` plus every voice left over whose most similar voiceprint passes the
    threshold and named another voice of the recording at least SPLIT_COS alike: one
    person the diariser split into several voices carries the name in each."""
    sim, c = similarities(cents, prints), unit_rows(cents)
    holder = {j: i for i, j in named.items()}
    out = dict(named)
    for i in range(sim.shape[0]):
        j = int(np.argmax(sim[i]))
        alike = j in holder and float(c[i] @ c[holder[j]]) >= SPLIT_COS
        if i not in named and sim[i, j] >= threshold and alike:
            out[i] = j
    return out


def name_voices(cents, prints, cohort, m: Method, threshold: float | None) -> dict[int, int]:
    """{found voice: voiceprint} by method `m`."""
    if m.nearest:
        return {x.speaker: x.voiceprint for x in nearest_voices(cents, prints)}
    if m.cohort:
        assert threshold is not None
        return one_to_one(cohort_scores(cents, prints, cohort), threshold)
    thr = threshold if m.threshold else None
    named = {x.speaker: x.voiceprint for x in match_voices(cents, prints, thr)}
    if m.split and thr is not None:
        named = split_voices(cents, prints, named, thr)
    return named


def score(
    casts: Sequence[Sequence[Sequence[Any]]],
    m: Method,
    threshold: float | None,
    absent: int = 0,
    first: int = 1,
) -> Tally:
    """Counted per person and recording (everyone speaks in every recording): an enrolled
    person is named correctly when their main voice (the found voice holding most of
    their speech) carries their name, a miss when the diariser gave them no voice of their
    own; named wrongly when any of their voices carries another name. A person not
    enrolled is named wrongly when any of their voices carries a name. With `absent`, that
    many people (drawn anew per recording and enrolment choice) are taken out of each later
    recording with all their voices, as when a participant of group 1 is not in group 2.
    Recordings from index `first` on are matched (2 when voiceprints are updated from
    recording 2; its baselines then run on the same recordings)."""
    tally = Tally()
    for c, recs in enumerate(casts):
        for people in itertools.combinations(range(CAST), ENROL):
            got = voiceprints(recs, people, m)
            if got is None:
                tally.skipped += 1
                continue
            prints, cohort = got
            for r, heard in enumerate(recs[first:], start=first):
                gone = set(random.Random(f"{c}/{people}/{r - 1}").sample(range(CAST), absent))
                found = [f for f in heard if f.truth not in gone]
                if not found:
                    continue
                cents = np.stack([centroid(f, m) for f in found])
                named = {
                    i: people[j]
                    for i, j in name_voices(cents, prints, cohort, m, threshold).items()
                }
                for person in sorted(set(range(CAST)) - gone):
                    mine = [i for i, f in enumerate(found) if f.truth == person]
                    given = {named[i] for i in mine if i in named}
                    if person in people:
                        tally.enrolled += 1
                        main = max(mine, key=lambda i: found[i].seconds, default=None)
                        tally.right += main is not None and named.get(main) == person
                        tally.wrong_enrolled += bool(given - {person})
                    else:
                        tally.others += 1
                        tally.wrong_others += bool(given)
    return tally


def calibrate(
    casts: Sequence[Sequence[Sequence[Any]]], m: Method, first: int = 1
) -> tuple[float | None, list[tuple[float, float, float]]]:
    """The threshold with the most enrolled people named correctly less three times the
    share of others named wrongly (a wrong name costs more than a missing one: it must be
    noticed and undone), people absent; and the sweep."""
    if m.nearest or not m.threshold:
        return None, []
    best: tuple[float, float] | None = None
    sweep = []
    for t in m.grid:
        right, wrong = score(casts, m, t, ABSENT, first).rates()
        sweep.append((t, right, wrong))
        if best is None or right - 3 * wrong > best[1] + 1e-12:
            best = (t, right - 3 * wrong)
    return (best[0] if best else None), sweep


def sweep_lines(sweep: list[tuple[float, float, float]], chosen: float | None) -> list[str]:
    lines = ["| threshold | enrolled named correctly | others named wrongly |", "|---|---|---|"]
    for t, right, wrong in sweep:
        if round(t * 100) % 5 == 0 or t == chosen:
            mark = " (chosen)" if t == chosen else ""
            lines.append(f"| {t:.2f}{mark} | {100 * right:.1f} % | {100 * wrong:.1f} % |")
    return lines


def compare(
    calib, test, methods: Sequence[Method], first: int, default: tuple[Method, float] | None = None
) -> tuple[list[str], dict]:
    """Rows for both scenarios, each method at its own calibrated threshold; `default`:
    one method also at qualkit's default threshold, where calibration chose another."""
    chosen = {m: calibrate(calib, m, first) for m in methods}
    runs = [(m, chosen[m][0]) for m in methods]
    if default is not None and chosen[default[0]][0] != default[1]:
        runs.append(default)
    rows = []
    for absent, scene in ((0, "whole cast"), (ABSENT, f"{ABSENT} of {CAST} absent")):
        for m, t in runs:
            label = m.label + (f", threshold {t:.2f}" if t is not None else "")
            rows.append(score(test, m, t, absent, first).row(f"{scene}: {label}"))
    return rows, chosen
