"""Benchmark: known voices across recordings (voiceprints), calibrated threshold beside baselines.

    nice -n 10 python bench/voiceprints.py [--casts 8] [--write BENCHMARKS.md]

Per cast (six voices drawn from a pool of twelve synthetic voices: --pool standard, the
ten voices of qualkit.pipeline.synth plus two; --pool hard, the close voices of
bench/focus_group_audio.py plus four), five recordings of about 70 s of the same
cast talking, each with different sentences (recording 1 draws from one half of the
sentence bank, recordings 2-5 from the other half, so no voiceprint hears its test
text), every line in one of two takes (pitch and rate jitter), a little overlap, room
reverb and pink noise at 15-20 dB SNR. Each recording is diarised with the packaged
speaker model and the default clustering, no count hint (the code `qualkit transcribe`
runs), giving one centroid per voice found; each found voice is the reference voice it
overlaps most. Centroids are cached under bench/out/voiceprints/.

For every way of choosing 3 of the cast's 6 voices to enrol (20 per cast), the three
voiceprints are taken from recording 1 and recordings 2-5 are matched against them:
- enrolled named correctly: found voices of an enrolled person given that person's name;
- enrolled named wrongly: given another enrolled person's name;
- others named wrongly: found voices of a person not enrolled given any name.
The trials share audio (20 choices of the same 5 recordings), so they are not
independent; casts are. Methods, in the same run on the same centroids:
- nearest: every voice named after its nearest voiceprint (no threshold, not 1:1);
- 1:1 no threshold: the optimal one-to-one assignment, every pair allowed;
- qualkit: one-to-one at `DEFAULT_THRESHOLD` (qualkit.pipeline.voice_match).
Two scenarios: the whole cast in every recording, and two of the six (drawn anew each
time) absent from each later recording, as when group 2 has other participants than
group 1; only there does a voiceprint whose person is absent look for someone else.
The threshold is calibrated on the first half of the casts (the one that maximises
enrolled named correctly - 3 x others named wrongly, people absent) and all figures
are reported on the other half; the sweep on the calibration casts is printed too.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import random
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import focus_group_audio as fga  # noqa: E402
from bench_md import write_section  # noqa: E402

from qualkit.pipeline import synth  # noqa: E402
from qualkit.pipeline.audio import SAMPLE_RATE  # noqa: E402
from qualkit.pipeline.voice_match import (  # noqa: E402
    DEFAULT_THRESHOLD,
    match_voices,
    nearest_voices,
)

OUT = REPO / "bench" / "out" / "voiceprints"
CLIPS = OUT / "clips"
HEADING = "## Known voices across recordings (bench/voiceprints.py)"
CAST, ENROL, RECORDINGS = 6, 3, 5
MADE: list[str] = []  # recordings generated and diarised in this run (the rest were cached)
ABSENT = 2  # people of the cast left out of each later recording in the second scenario

# "standard": the ten voices of qualkit.pipeline.synth plus two more, as distinct from
# each other as the standard ones; "hard": the eight close voices of
# bench/focus_group_audio.py (pitch shifts within -400..+300 cents) plus four more as close.
POOLS: dict[str, tuple[synth.Voice, ...]] = {
    "standard": (
        *synth.VOICES,
        synth.Voice("sv+m4", 35, 150, -900, 1.0, 0.0),
        synth.Voice("sv+f6", 80, 150, 1100, 0.95, -1.0),
    ),
    "hard": (
        *fga.HARD_VOICES,
        synth.Voice("sv+m2", 45, 140, -250, 1.0, 0.0),
        synth.Voice("sv+f3", 65, 150, 150, 1.02, -1.0),
        synth.Voice("sv+m4", 40, 150, 100, 0.98, 0.0),
        synth.Voice("sv+f6", 70, 145, 350, 1.0, 0.0),
    ),
}
POOL_NAME = "standard"
POOL = POOLS[POOL_NAME]
SENTENCES: tuple[str, ...] = (
    synth.BANK
    + fga.EXTRA
    + fga.QUESTIONS
    + (
        "Vi ringer varandra när det brinner men annars hörs vi sällan.",
        "Det finns en rädsla att lämna ifrån sig ärenden.",
        "Handläggarna på Försäkringskassan har väldigt många ärenden var.",
        "Vi skulle behöva sitta i samma lokaler några dagar i veckan.",
        "Det är individen som får bära konsekvenserna när vi inte samarbetar.",
        "Jag har jobbat här i tolv år och sett flera projekt komma och gå.",
        "Våra chefer träffas en gång per termin och det räcker inte.",
        "Ibland vet vi inte ens att vi jobbar med samma person.",
        "Samtycket måste vara på plats innan vi kan prata med varandra.",
        "Det är lättare att samverka på en liten ort där alla känner alla.",
        "Vi har en gemensam blankett men ingen använder den.",
        "Min erfarenhet är att det blir bättre när personen själv är med på mötet.",
    )
)


@dataclass(frozen=True, slots=True)
class Found:
    """One voice the diariser found in one recording."""

    truth: int  # index into the cast
    centroid: np.ndarray
    seconds: float  # its overlap with the reference voice


def clip(text: str, voice: int, variant: int, tmp: Path) -> np.ndarray:
    digest = hashlib.sha1(f"{POOL[voice]}/{variant}/{text}".encode()).hexdigest()[:16]
    path = CLIPS / f"{digest}.npy"
    if path.is_file():
        return np.load(path)
    rng = random.Random(digest)
    v = POOL[voice]
    if variant:
        v = replace(v, pitch=v.pitch + rng.randint(-4, 4), wpm=v.wpm + rng.randint(-10, 10))
    x = synth.render(text, v, tmp).astype(np.float32)
    x *= np.float32(10 ** (rng.uniform(-2.0, 2.0) / 20))
    CLIPS.mkdir(parents=True, exist_ok=True)
    np.save(path, x)
    return x


def recording(cast: list[int], rec: int, seed: int, seconds: float, tmp: Path):
    """Audio and reference turns (cast index, start, end) of one recording."""
    rng = random.Random(seed * 100 + rec)
    half = len(SENTENCES) // 2
    bank = list(SENTENCES[:half] if rec == 0 else SENTENCES[half:])
    placed: list[tuple[int, np.ndarray, int, float, float]] = []
    t, prev, spoken = 1.0, -1, [0.0] * len(cast)
    while t < seconds:
        # The voice furthest below an equal share speaks next, with some chance.
        who = min(
            (i for i in range(len(cast)) if i != prev), key=lambda i: spoken[i] + rng.uniform(0, 6)
        )
        for _ in range(rng.choice((1, 1, 2))):
            x = clip(rng.choice(bank), cast[who], rng.randrange(2), tmp)
            start = t + rng.uniform(0.2, 0.9)
            if placed and placed[-1][2] != who and rng.random() < 0.15:
                start = max(placed[-1][3] + 0.3, t - rng.uniform(0.3, 0.8))  # talks over
            end = start + x.size / SAMPLE_RATE
            placed.append((round(start * SAMPLE_RATE), x, who, start, end))
            spoken[who] += end - start
            t = max(t, end)
        prev = who
    total = max(n0 + x.size for n0, x, *_ in placed) + SAMPLE_RATE
    dry = np.zeros(total, dtype=np.float32)
    for n0, x, *_ in placed:
        dry[n0 : n0 + x.size] += x
    wet = fga.room(dry, rng)
    power = float(np.mean(np.square(wet[np.abs(dry) > 0.01])))
    noise = fga.pink_noise(total / SAMPLE_RATE, seed * 100 + rec)[:total]
    snr = rng.uniform(15.0, 20.0)
    noise *= np.float32(np.sqrt(power / 10 ** (snr / 10) / max(float(np.mean(noise**2)), 1e-12)))
    mix = wet[:total] + noise
    mix *= np.float32(0.9 / max(float(np.max(np.abs(mix))), 1e-6))
    return mix, [(who, a, b) for _, _, who, a, b in placed]


def found_voices(cast_no: int, seed: int, seconds: float, embedder) -> list[list[Found]]:
    """Per recording of one cast: the voices found, with centroids (cached)."""
    from qualkit.pipeline.audio import ArrayAudio
    from qualkit.pipeline.diarize import DiarizeOptions, diarize

    rng = random.Random(seed)
    cast = rng.sample(range(len(POOL)), CAST)
    out = []
    for rec in range(RECORDINGS):
        cache = OUT / f"{POOL_NAME}-cast{cast_no}-s{seed}-r{rec}-{seconds:g}.npz"
        if not cache.is_file():
            MADE.append(cache.name)
            with tempfile.TemporaryDirectory(prefix="qualkit-vp-") as d:
                mix, ref = recording(cast, rec, seed, seconds, Path(d))
            dia, cents = diarize(ArrayAudio(mix), embedder, DiarizeOptions())
            truth, secs = [], []
            for spk in dia.speakers:
                shared = np.zeros(CAST)
                for turn in dia.turns:
                    if turn.speaker != spk:
                        continue
                    for who, a, b in ref:
                        shared[who] += max(0.0, min(turn.end, b) - max(turn.start, a))
                truth.append(int(np.argmax(shared)))
                secs.append(float(shared.max()))
            OUT.mkdir(parents=True, exist_ok=True)
            np.savez(cache, cents=cents, truth=np.asarray(truth), secs=np.asarray(secs))
        z = np.load(cache)
        out.append(
            [
                Found(int(t), c, float(s))
                for t, c, s in zip(z["truth"], z["cents"], z["secs"], strict=False)
            ]
        )
    return out


def enrol(first: list[Found], voices: tuple[int, ...]) -> tuple[list[int], np.ndarray] | None:
    """Voiceprints of `voices` from recording 1: each person's largest found voice."""
    prints = []
    for v in voices:
        mine = [f for f in first if f.truth == v]
        if not mine:
            return None  # the diariser did not find this person on their own
        prints.append(max(mine, key=lambda f: f.seconds).centroid)
    return list(voices), np.stack(prints)


@dataclass
class Tally:
    enrolled: int = 0
    right: int = 0
    wrong_enrolled: int = 0
    others: int = 0
    wrong_others: int = 0
    skipped: int = 0

    def row(self, name: str) -> str:
        return (
            f"| {name} | {self.right}/{self.enrolled} = {pct(self.right, self.enrolled)} "
            f"| {self.wrong_enrolled}/{self.enrolled} = {pct(self.wrong_enrolled, self.enrolled)} "
            f"| {self.wrong_others}/{self.others} = {pct(self.wrong_others, self.others)} |"
        )


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:.1f} %" if b else "-"


def score(
    casts: list[list[list[Found]]], method: str, threshold: float | None, absent: int = 0
) -> Tally:
    """Counted per person and recording (everyone speaks in every recording): an enrolled
    person is named correctly when their main voice (the found voice holding most of
    their speech) carries their name, a miss when the diariser gave them no voice of their
    own; named wrongly when any of their voices carries another name. A person not
    enrolled is named wrongly when any of their voices carries a name. With `absent`, that
    many people (drawn anew per recording and enrolment choice) are taken out of each later
    recording with all their voices, as when a participant of group 1 is not in group 2."""
    tally = Tally()
    for c, recs in enumerate(casts):
        for voices in itertools.combinations(range(CAST), ENROL):
            got = enrol(recs[0], voices)
            if got is None:
                tally.skipped += 1
                continue
            names, prints = got
            for r, heard in enumerate(recs[1:]):
                gone = set(random.Random(f"{c}/{voices}/{r}").sample(range(CAST), absent))
                found = [f for f in heard if f.truth not in gone]
                if not found:
                    continue
                cents = np.stack([f.centroid for f in found])
                if method == "nearest":
                    matches = nearest_voices(cents, prints)
                else:
                    matches = match_voices(cents, prints, threshold)
                named = {m.speaker: names[m.voiceprint] for m in matches}
                for person in sorted(set(range(CAST)) - gone):
                    mine = [i for i, f in enumerate(found) if f.truth == person]
                    given = {named[i] for i in mine if i in named}
                    if person in names:
                        tally.enrolled += 1
                        main = max(mine, key=lambda i: found[i].seconds, default=None)
                        tally.right += main is not None and named.get(main) == person
                        tally.wrong_enrolled += bool(given - {person})
                    else:
                        tally.others += 1
                        tally.wrong_others += bool(given)
    return tally


def calibrate(casts: list[list[list[Found]]]) -> tuple[float, list[str]]:
    """The threshold with the most enrolled people named correctly less three times the
    share of others named wrongly (a wrong name costs more than a missing one: it must be
    noticed and undone), in the scenario with people absent."""
    lines = ["| threshold | enrolled named correctly | others named wrongly |", "|---|---|---|"]
    best: tuple[float, float] | None = None
    sweep = []
    for k in range(50, 97):
        t = k / 100
        tally = score(casts, "qualkit", t, ABSENT)
        right, wrong = tally.right / tally.enrolled, tally.wrong_others / tally.others
        sweep.append((t, right, wrong))
        if best is None or right - 3 * wrong > best[1] + 1e-12:
            best = (t, right - 3 * wrong)
    chosen = best[0] if best else DEFAULT_THRESHOLD
    for t, right, wrong in sweep:
        if round(t * 100) % 5 == 0 or t == chosen:
            mark = " (chosen)" if t == chosen else ""
            lines.append(f"| {t:.2f}{mark} | {100 * right:.1f} % | {100 * wrong:.1f} % |")
    return chosen, lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--casts", type=int, default=8, help="casts; half calibrate, half report")
    ap.add_argument("--seconds", type=float, default=70.0, help="length of each recording")
    ap.add_argument("--pool", choices=sorted(POOLS), default="standard", help="voice pool")
    ap.add_argument("--write", type=Path, help="replace this section of BENCHMARKS.md")
    args = ap.parse_args(argv)
    global POOL, POOL_NAME
    POOL_NAME, POOL = args.pool, POOLS[args.pool]
    from qualkit.pipeline.diarize import DiarizeOptions, load_embedder

    t0 = time.perf_counter()
    embedder = load_embedder(DiarizeOptions(), "cpu")
    casts = []
    for c in range(args.casts):
        casts.append(found_voices(c, 1000 + c, args.seconds, embedder))
        print(f"cast {c}: {[len(r) for r in casts[-1]]} voices found", flush=True)
    half = args.casts // 2
    calib, test = casts[:half], casts[half:]
    chosen, sweep = calibrate(calib)
    methods = [
        ("nearest", None, "nearest voiceprint, no threshold (baseline)"),
        ("1:1", None, "one-to-one, no threshold"),
        ("qualkit", chosen, f"one-to-one, calibrated threshold {chosen:.2f}"),
    ]
    if abs(chosen - DEFAULT_THRESHOLD) > 1e-9:
        methods.append(("qualkit", DEFAULT_THRESHOLD, f"qualkit's default {DEFAULT_THRESHOLD:.2f}"))
    rows = []
    for absent, scene in ((0, "whole cast"), (ABSENT, f"{ABSENT} of {CAST} absent")):
        for method, threshold, name in methods:
            rows.append(score(test, method, threshold, absent).row(f"{scene}: {name}"))
    found = [len(r) for recs in test for r in recs]
    skipped = score(test, "qualkit", chosen).skipped
    body = [
        HEADING,
        "",
        "```",
        f"nice -n 10 python bench/voiceprints.py --pool {POOL_NAME} --casts {args.casts} "
        f"--seconds {args.seconds:g}",
        "```",
        "",
        f"{args.casts} casts of {CAST} voices (from the {POOL_NAME} pool of {len(POOL)} synthetic "
        f"voices), {RECORDINGS} recordings of about {args.seconds:g} s each, reverb and "
        "15-20 dB SNR noise, different sentences in recording 1 and recordings 2-5; "
        f"{ENROL} voices enrolled from recording 1 in every one of the "
        f"{len(list(itertools.combinations(range(CAST), ENROL)))} ways per cast; "
        f"threshold calibrated on casts 1-{half}, figures on casts {half + 1}-{args.casts} "
        f"({len(found)} recordings, {sum(found)} voices found, {skipped} enrolment choices "
        "skipped because recording 1 had no voice of its own for a chosen person). "
        "Counted per person and recording: an enrolled person is named correctly when the "
        "voice holding most of their speech carries their name (a person the diariser merged "
        "into someone else counts as not named); a person is named wrongly when any of their "
        "voices carries a wrong name. Trials reuse the same audio across enrolment choices: "
        "casts are the independent unit. "
        f"Wall time of this run {time.perf_counter() - t0:.0f} s on 2 shared cores, "
        f"{len(MADE)} of {args.casts * RECORDINGS} recordings made and diarised in it "
        "(the rest cached from an earlier run; each takes about 1-2 minutes on a busy machine).",
        "",
        "| method | enrolled named correctly | enrolled named as someone else "
        "| others named wrongly |",
        "|---|---|---|---|",
        *rows,
        "",
        f"Calibration sweep (casts 1-{half}, {ABSENT} of {CAST} absent): the chosen threshold "
        "maximises (enrolled named correctly) - 3 x (others named wrongly).",
        "",
        *sweep,
        "",
    ]
    text = "\n".join(body)
    print(text)
    if args.write:
        write_section(args.write, text, HEADING)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
