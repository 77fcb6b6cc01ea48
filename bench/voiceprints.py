"""Benchmark: known voices across recordings (voiceprints), qualkit beside baselines.

    nice -n 10 python bench/voiceprints.py [--casts 6 4] [--seconds 70 180]
        [--recordings 5 3] [--write BENCHMARKS.md]

Per cast (six voices drawn from a pool of twelve synthetic voices: --pool standard, the
ten voices of qualkit.pipeline.synth plus two; --pool hard, the close voices of
bench/focus_group_audio.py plus four), several recordings of the same cast talking, each
with different sentences (recording 1 draws from one half of the sentence bank, later
recordings from the other half, so no voiceprint hears its test text), every line in one
of two takes (pitch and rate jitter), a little overlap, room reverb and pink noise at
15-20 dB SNR. Each recording is diarised with the packaged speaker model and the default
clustering, no count hint (the code `qualkit transcribe` runs), giving one centroid per
voice found (and the sub-segment embeddings each voice holds); each found voice is the
reference voice it overlaps most. Cached under bench/out/voiceprints/. One section per
length (--seconds), each with its own casts and recordings per cast.

For every way of choosing 3 of the cast's 6 voices to enrol (20 per cast), voiceprints are
taken from recording 1 and the later recordings are matched against them:
- enrolled named correctly: the person's main voice given that person's name;
- enrolled named wrongly: a voice of theirs given another enrolled person's name;
- others named wrongly: a voice of a person not enrolled given any name.
The trials share audio (20 choices of the same recordings), so they are not independent;
casts are. The methods (bench/voiceprint_scoring.py) run in the same run on the same
centroids, each with its threshold calibrated on the first half of the casts (the one that
maximises enrolled named correctly - 3 x others named wrongly, people absent); figures
are reported on the other half. Two scenarios: the whole cast in every recording, and two
of the six (drawn anew each time) absent from each later recording, as when group 2 has
other participants than group 1.
"""

from __future__ import annotations

import argparse
import hashlib
import os
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
import voiceprint_scoring as vs  # noqa: E402
from bench_md import publish  # noqa: E402

from qualkit.pipeline import synth  # noqa: E402
from qualkit.pipeline.audio import SAMPLE_RATE  # noqa: E402
from qualkit.pipeline.voice_match import DEFAULT_THRESHOLD, unit_rows  # noqa: E402

OUT = REPO / "bench" / "out" / "voiceprints"
CLIPS = OUT / "clips"
HEADING = "## Known voices across recordings (bench/voiceprints.py)"
CAST, RECORDINGS = vs.CAST, 5
MADE: list[str] = []  # recordings generated and diarised in this run (the rest were cached)

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
    segs: np.ndarray  # unit sub-segment embeddings of this voice (rows)
    over: np.ndarray  # per sub-segment: two reference voices overlap there
    spans: np.ndarray  # per sub-segment: (start, end) in the recording


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
    part = path.with_suffix(f".{os.getpid()}.npy")  # two runs at once share the cache
    np.save(part, x)
    os.replace(part, path)
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


class Capture:
    """The embedder under test, keeping its last sub-segment embeddings so the benchmark
    can try voiceprints made of exemplars as well as the diariser's centroids."""

    def __init__(self, inner) -> None:
        self.inner, self.name, self.last = inner, inner.name, None

    def embed(self, audio, window_s, progress=None):
        self.last = self.inner.embed(audio, window_s, progress)
        return self.last


def found_voices(cast_no: int, seed: int, seconds: float, embedder) -> list[list[Found]]:
    """Per recording of one cast: the voices found, with centroids and the sub-segment
    embeddings each voice holds (cached)."""
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
            cap = Capture(embedder)
            dia, cents = diarize(ArrayAudio(mix), cap, DiarizeOptions())
            emb = cap.last
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
            # Each sub-segment: the found voice whose turn holds its middle (-1: none),
            # and whether two reference voices overlap it (talk over each other).
            voice, over = [], []
            index = {s: i for i, s in enumerate(dia.speakers)}
            for a, b in emb.spans.tolist():
                mid = (a + b) / 2
                voice.append(
                    next((index[t.speaker] for t in dia.turns if t.start <= mid <= t.end), -1)
                )
                over.append(sum(1 for _, ra, rb in ref if min(b, rb) - max(a, ra) > 0.2) > 1)
            OUT.mkdir(parents=True, exist_ok=True)
            np.savez(
                cache,
                cents=cents,
                truth=np.asarray(truth),
                secs=np.asarray(secs),
                seg=unit_rows(emb.vectors).astype(np.float32),
                seg_voice=np.asarray(voice),
                seg_over=np.asarray(over),
                seg_span=emb.spans.astype(np.float32),
            )
        z = np.load(cache)
        voices = []
        for k, (t, c, s) in enumerate(zip(z["truth"], z["cents"], z["secs"], strict=False)):
            mask = z["seg_voice"] == k
            voices.append(
                Found(int(t), c, float(s), z["seg"][mask], z["seg_over"][mask], z["seg_span"][mask])
            )
        out.append(voices)
    return out


METHODS = (
    vs.Method("nearest voiceprint, no threshold (baseline)", nearest=True),
    vs.Method("one-to-one, no threshold", threshold=False),
    vs.Method("one-to-one, calibrated threshold (qualkit before)"),
    vs.Method("one-to-one + split voices named alike", split=True),
    vs.Method("cohort-normalised score, one-to-one", cohort=True),
    vs.Method("one-to-one, voiceprint from all the person's voices (qualkit now)", whole=True),
    vs.Method("qualkit now, centroids from each voice's turns", whole=True, turns=True),
)
# Recordings 3-N: voiceprints confirmed in recording 2 beside the same ones without.
UPDATED = (
    vs.Method("one-to-one, voiceprint from recording 1's largest voice (qualkit before)"),
    vs.Method("one-to-one, voiceprint from all the person's voices in recording 1", whole=True),
    vs.Method(
        "one-to-one, voiceprint from recordings 1 + 2 (enrolled again)", whole=True, update=True
    ),
    vs.Method(
        "recordings 1 + 2, centroids from each voice's turns", whole=True, update=True, turns=True
    ),
)
QUALKIT = METHODS[5]  # the sweep printed is this method's


def span(first: int, last: int) -> str:
    return f"Recording {last}" if first == last else f"Recordings {first}-{last}"


def section(casts, seconds: float, recordings: int) -> list[str]:
    half = len(casts) // 2
    calib, test = casts[:half], casts[half:]
    rows, chosen = vs.compare(calib, test, METHODS, 1, (QUALKIT, DEFAULT_THRESHOLD))
    upd_rows, _ = (
        vs.compare(calib, test, UPDATED, 2, (UPDATED[2], DEFAULT_THRESHOLD))
        if recordings >= 3
        else ([], {})
    )
    found = [len(r) for recs in test for r in recs]
    skipped = vs.score(test, METHODS[2], DEFAULT_THRESHOLD).skipped
    header = (
        "| method | enrolled named correctly | enrolled named as someone else "
        "| others named wrongly |"
    )
    out = [
        f"### {seconds:g} s recordings",
        "",
        f"{len(casts)} casts, {recordings} recordings each; thresholds calibrated on casts "
        f"1-{half}, figures on casts {half + 1}-{len(casts)} ({len(found)} recordings, "
        f"{sum(found)} voices found, {skipped} of {20 * len(test)} enrolment choices skipped "
        "because recording 1 had no voice of its own for a chosen person).",
        "",
        f"{span(2, recordings)} matched against voiceprints from recording 1:",
        "",
        header,
        "|---|---|---|---|",
        *rows,
        "",
    ]
    if upd_rows:
        out += [
            f"{span(3, recordings)}: the voiceprint also holds the person's main voice in "
            "recording 2 (the coder confirmed the name there and enrolled again), beside the "
            "same methods without:",
            "",
            header,
            "|---|---|---|---|",
            *upd_rows,
            "",
        ]
    out += [
        f"Calibration sweep of {QUALKIT.label} (casts 1-{half}, {vs.ABSENT} of {vs.CAST} "
        "absent): the chosen threshold maximises (enrolled named correctly) - 3 x (others "
        "named wrongly).",
        "",
        *vs.sweep_lines(chosen[QUALKIT][1], chosen[QUALKIT][0]),
        "",
    ]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--casts", type=int, nargs="+", default=[6], help="casts (per length); half calibrate"
    )
    ap.add_argument(
        "--seconds", type=float, nargs="+", default=[70.0], help="length of each recording"
    )
    ap.add_argument(
        "--recordings", type=int, nargs="+", default=[5], help="recordings per cast (per length)"
    )
    ap.add_argument("--pool", choices=sorted(POOLS), default="standard", help="voice pool")
    ap.add_argument("--write", type=Path, help="replace this section of BENCHMARKS.md")
    args = ap.parse_args(argv)
    global POOL, POOL_NAME, RECORDINGS
    POOL_NAME, POOL = args.pool, POOLS[args.pool]

    def per_length(values: list[int]) -> list[int]:
        return values * len(args.seconds) if len(values) == 1 else values

    counts, ncasts = per_length(args.recordings), per_length(args.casts)
    if len(counts) != len(args.seconds) or min(counts) < 2:
        raise SystemExit("--recordings: one count (at least 2), or one per --seconds")
    if len(ncasts) != len(args.seconds) or min(ncasts) < 2:
        raise SystemExit("--casts: one number (at least 2), or one per --seconds")
    from qualkit.pipeline.diarize import DiarizeOptions, load_embedder

    t0 = time.perf_counter()
    embedder = load_embedder(DiarizeOptions(), "cpu")
    parts = []
    for seconds, RECORDINGS, n in zip(args.seconds, counts, ncasts, strict=True):
        casts = []
        for c in range(n):
            casts.append(found_voices(c, 1000 + c, seconds, embedder))
            print(f"{seconds:g} s, cast {c}: {[len(r) for r in casts[-1]]} voices", flush=True)
        parts += section(casts, seconds, RECORDINGS)
    lengths = " ".join(f"{s:g}" for s in args.seconds)
    body = [
        HEADING,
        "",
        "```",
        f"nice -n 10 python bench/voiceprints.py --pool {POOL_NAME} "
        f"--casts {' '.join(map(str, ncasts))} --seconds {lengths} "
        f"--recordings {' '.join(map(str, counts))}",
        "```",
        "",
        f"Casts of {vs.CAST} voices (from the {POOL_NAME} pool of {len(POOL)} synthetic "
        "voices), reverb and 15-20 dB SNR noise, different sentences in recording 1 and the "
        f"later recordings; {vs.ENROL} voices enrolled from recording 1 in every one of the "
        "20 ways per cast. Counted per person and recording: an enrolled person is named "
        "correctly when the voice holding most of their speech carries their name (a person "
        "the diariser merged into someone else counts as not named); a person is named "
        "wrongly when any of their voices carries a wrong name. Trials reuse the same audio "
        "across enrolment choices: casts are the independent unit. Each method's threshold "
        "is calibrated on its own (cohort-normalised scores are in standard deviations, "
        f"not cosines). Wall time of this run {time.perf_counter() - t0:.0f} s on 2 shared "
        f"cores, {len(MADE)} recordings made and diarised in it (the rest cached).",
        "",
        *parts,
    ]
    text = "\n".join(body)
    return publish(text, args.write, HEADING)


if __name__ == "__main__":
    raise SystemExit(main())
