"""Harder synthetic focus groups for the diarisation benchmark.

    python bench/focus_group_audio.py --minutes 10 --voices 6 [--seed 5]

The generator in `qualkit.pipeline.synth` is kind: well separated voices, equal talk
time, hardly any overlap, a dry studio. Real focus groups are not. This one makes:

- voices closer to each other (pitch shifts within -400..+300 cents, not -700..+900),
  each line spoken in one of three slightly different takes (pitch and rate jitter) so
  repeated sentences are not identical clips;
- unequal talk time: the moderator about 25 %, one quiet participant under 3 %, the
  others unequal shares of the rest;
- overlapped speech (turns that start before the previous one ends, and short
  backchannels "mm", "ja", "precis" said over someone else), at least 5 % of speech;
- long pauses (4-12 s) now and then;
- room reverb (sox `reverb`) and pink background noise at 15-20 dB SNR (sox `synth`);
- with `--replies`, one-word replies ("Tack.", "Ja.", "Precis.") as turns of their own,
  under half a second to a second, after about half of the turns.

Writes NAME.wav, NAME.rttm, NAME.ref.txt and NAME.meta.json under bench/out/ (once:
an existing file is reused) and returns the paths. The reference turns are where each
clip was placed, so backchannels are reference turns of their own. meta.json's "turns"
lists every reference turn with what it said (backchannels too, which ref.txt leaves out),
for word-level scores.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from qualkit.pipeline import synth  # noqa: E402
from qualkit.pipeline.audio import SAMPLE_RATE  # noqa: E402

OUT = REPO / "bench" / "out"
CLIPS = OUT / "clips"

# Closer than synth.VOICES: pitch shifts within -400..+300 cents, tempo 0.95-1.05.
# Voice 0 is the moderator in every group, as in a real study.
HARD_VOICES: tuple[synth.Voice, ...] = (
    synth.Voice("sv+m3", 40, 145, -150, 0.97, 0.0),
    synth.Voice("sv+f2", 65, 155, 200, 1.00, -1.0),
    synth.Voice("sv+m1", 35, 140, -300, 0.95, 1.0),
    synth.Voice("sv+f4", 75, 160, 300, 1.05, -1.0),
    synth.Voice("sv+m7", 50, 150, 0, 1.00, 0.0),
    synth.Voice("sv+f1", 60, 150, 100, 0.95, -1.0),
    synth.Voice("sv+m5", 30, 145, -400, 1.03, 1.0),
    synth.Voice("sv+f5", 70, 150, 250, 0.97, 0.0),
)

QUESTIONS: tuple[str, ...] = (
    "Hur fungerar samverkan mellan er i dag?",
    "Kan du ge ett exempel på när det fungerade bra?",
    "Vad händer när ett ärende ska lämnas över?",
    "Vad skulle ni vilja ändra på om ni fick bestämma?",
    "Hur ser ledningen på det här arbetet?",
    "Är det någon som vill fylla på?",
    "Vad tänker ni andra om det?",
    "Hur märker individen av att ni samverkar?",
)
EXTRA: tuple[str, ...] = (
    "Vi hade en gemensam utbildningsdag i våras och den var uppskattad.",
    "Det tar ofta flera veckor innan vi får svar från regionen.",
    "Jag tycker att vi har blivit bättre på att lyssna på varandra.",
    "Sekretessen gör att vi inte alltid kan dela information.",
    "När handläggaren slutar försvinner kontakten med den.",
    "Vi har börjat med gemensamma trepartsmöten och det ger mycket.",
    "Det är svårt att veta vem som äger frågan.",
    "Budgeten för nästa år är inte klar och det skapar oro.",
)
BACKCHANNELS: tuple[str, ...] = ("mm", "ja", "precis", "ja precis", "absolut", "mm mm")
# Replies that take the floor for one word: the turns a word-level score is hardest on.
REPLIES: tuple[str, ...] = ("Tack.", "Ja.", "Precis.", "Absolut.", "Nej.")


@dataclass(frozen=True, slots=True)
class Case:
    minutes: float
    voices: int
    seed: int = 5
    # Every line rendered anew (its own pitch and rate jitter) instead of one of three
    # cached takes. With three takes the moderator's few questions are the same few dozen
    # clips replayed all through a recording, which real speech never is.
    unique_takes: bool = False
    # One-word replies as turns of their own (`REPLIES`).
    replies: bool = False

    @property
    def name(self) -> str:
        unique = "-u" if self.unique_takes else ""
        replies = "-r" if self.replies else ""
        return f"hard-{self.minutes:g}m-{self.voices}v-s{self.seed}{unique}{replies}"


def talk_shares(voices: int, rng: random.Random) -> list[float]:
    """Moderator 25 %, the last participant about 2.5 % (under 3 %), the others
    unequal shares of the rest."""
    others = voices - 2
    weights = [rng.uniform(0.5, 1.8) for _ in range(others)]
    rest = 0.718
    return [0.25] + [rest * w / sum(weights) for w in weights] + [0.032]


def take(text: str, voice_id: int, variant: int, tmp: Path) -> np.ndarray:
    """One rendered clip. The three shared takes (variant 0-2) are cached on disk so
    every case and run shares them; other variants are rendered each time."""
    digest = hashlib.sha1(text.encode()).hexdigest()[:12]
    path = CLIPS / f"v{voice_id}-k{variant}-{digest}.npy"
    if path.is_file():
        return np.load(path)
    rng = random.Random(f"{voice_id}/{variant}/{text}")
    v = HARD_VOICES[voice_id]
    if variant:
        v = replace(v, pitch=v.pitch + rng.randint(-4, 4), wpm=v.wpm + rng.randint(-10, 10))
    x = synth.render(text, v, tmp).astype(np.float32)
    x *= np.float32(10 ** (rng.uniform(-2.0, 2.0) / 20))  # distance to the microphone varies
    if variant < 3:
        CLIPS.mkdir(parents=True, exist_ok=True)
        np.save(path, x)
    return x


def pick_take(rng: random.Random, case: Case, clips_so_far: int) -> int:
    """One of the three shared takes, or with `unique_takes` a variant no other clip of
    the recording has (3 and up). The draw is made either way, so both forms of a case
    say the same lines in the same order; since unique takes differ in length, where the
    backchannels, overlaps and pauses fall can differ from there on."""
    shared = rng.randrange(3)
    return 3 + clips_so_far if case.unique_takes else shared


def script(case: Case) -> list[tuple[int, str, str]]:
    """(speaker, kind, text) lines with talk time near each speaker's share."""
    rng = random.Random(case.seed * 1000 + case.voices)
    # Replies draw from their own generator, so a case without them keeps its script.
    reply_rng = random.Random(case.seed * 1000 + case.voices + 500)
    shares = talk_shares(case.voices, rng)
    bank = list(synth.BANK) + list(EXTRA)
    target = case.minutes * 60 * 0.8  # the rest is pauses
    spoken = [0.0] * case.voices
    out: list[tuple[int, str, str]] = []
    prev = -1
    total = 0.0
    while total < target:
        # The speaker furthest below their share speaks next (with some chance).
        deficit = [shares[i] * (total + 10) - spoken[i] for i in range(case.voices)]
        order = sorted(range(case.voices), key=lambda i: -deficit[i] + rng.uniform(0, 6))
        who = next(i for i in order if i != prev)
        if who == 0:
            lines = [("question", rng.choice(QUESTIONS))]
        elif who == case.voices - 1:
            lines = [("line", rng.choice(bank))]
        else:
            lines = [("line", rng.choice(bank)) for _ in range(rng.choice((1, 1, 2, 2, 3)))]
        for kind, text in lines:
            est = 0.075 * len(text) + 0.4
            spoken[who] += est
            total += est
            out.append((who, kind, text))
        prev = who
        if case.replies and reply_rng.random() < 0.5:
            # Mostly the moderator thanks or confirms; sometimes another participant.
            others = [i for i in range(case.voices - 1) if i != who]
            replier = 0 if who and reply_rng.random() < 0.6 else reply_rng.choice(others)
            out.append((replier, "reply", reply_rng.choice(REPLIES)))
            prev = replier
    return out


def build(case: Case) -> dict[str, Path]:
    """Generate (or reuse) the case's audio and reference files."""
    stem = OUT / case.name
    # Not `with_suffix`: "hard-1.5m-4v-s21-r" would lose ".5m-4v-s21-r", and every 1.5-minute
    # case would share one file (seeds 21 and 24 did, until 2026-12-03).
    paths = {
        ext: stem.parent / f"{stem.name}.{ext}" for ext in ("wav", "rttm", "ref.txt", "meta.json")
    }
    if all(p.is_file() for p in paths.values()):
        return paths
    OUT.mkdir(parents=True, exist_ok=True)
    rng = random.Random(case.seed)
    lines = script(case)
    names = ["Moderator"] + [f"Deltagare {i}" for i in range(1, case.voices)]
    placed: list[tuple[int, np.ndarray, synth.Utterance]] = []
    said: dict[tuple[str, float], str] = {}  # backchannels' words, which ref.txt leaves out
    with tempfile.TemporaryDirectory(prefix="qualkit-hard-") as d:
        tmp = Path(d)
        t = 1.0
        prev_end = 1.0
        prev_who = -1
        for who, kind, text in lines:
            x = take(text, who, pick_take(rng, case, len(placed)), tmp)
            r = rng.random()
            if kind == "reply":
                start = prev_end + rng.uniform(0.2, 1.0)  # a reply waits for its turn
            elif prev_who not in (-1, who) and r < 0.3:
                start = max(t + 0.3, prev_end - rng.uniform(0.3, 1.2))  # talks over the end
            elif r < 0.36:
                start = prev_end + rng.uniform(4.0, 12.0)  # a long pause
            else:
                start = prev_end + rng.uniform(0.2, 1.0)
            utt = synth.Utterance(
                names[who], text, round(start, 3), round(start + len(x) / SAMPLE_RATE, 3)
            )
            placed.append((round(start * SAMPLE_RATE), x, utt))
            # A backchannel from someone else in the middle of a longer turn.
            if utt.end - utt.start > 2.5 and rng.random() < 0.45:
                # The quiet participant keeps quiet here too.
                other = rng.choice([i for i in range(case.voices - 1) if i != who])
                said_bc = rng.choice(BACKCHANNELS)
                bc = take(said_bc, other, pick_take(rng, case, len(placed)), tmp)
                b0 = rng.uniform(utt.start + 0.8, utt.end - 0.8)
                bu = synth.Utterance(
                    names[other], "", round(b0, 3), round(b0 + len(bc) / SAMPLE_RATE, 3)
                )
                placed.append((round(b0 * SAMPLE_RATE), bc, bu))
                said[(bu.speaker, bu.start)] = said_bc
            t = start
            prev_end = max(prev_end, utt.end)
            prev_who = who
    total = max(n0 + x.size for n0, x, _ in placed) + SAMPLE_RATE
    dry = np.zeros(total, dtype=np.float32)
    active = np.zeros(total, dtype=np.int8)
    for n0, x, _ in placed:
        dry[n0 : n0 + x.size] += x
        active[n0 : n0 + x.size] += 1
    wet = room(dry, rng)
    speech_power = float(np.mean(np.square(wet[active > 0]))) if active.any() else 1e-6
    snr_db = rng.uniform(15.0, 20.0)
    noise = pink_noise(total / SAMPLE_RATE, case.seed)[:total]
    noise *= np.float32(np.sqrt(speech_power / 10 ** (snr_db / 10) / max(np.mean(noise**2), 1e-12)))
    mix = wet[:total] + noise
    mix *= np.float32(0.9 / max(float(np.max(np.abs(mix))), 1e-6))
    synth.write_wav(paths["wav"], mix)
    utts = sorted((u for _, _, u in placed), key=lambda u: u.start)
    paths["rttm"].write_text(synth.rttm(utts, case.name), encoding="utf-8")
    paths["ref.txt"].write_text(" ".join(u.text for u in utts if u.text), encoding="utf-8")
    talk: dict[str, float] = {}
    for u in utts:
        talk[u.speaker] = talk.get(u.speaker, 0.0) + u.end - u.start
    speech_s = float((active > 0).sum()) / SAMPLE_RATE
    meta = {
        "case": case.name,
        "duration_s": total / SAMPLE_RATE,
        "speech_s": speech_s,
        "overlap_share": float((active > 1).sum()) / max(float((active > 0).sum()), 1.0),
        "talk_share": {k: v / sum(talk.values()) for k, v in sorted(talk.items())},
        "quiet": names[-1],
        "snr_db": snr_db,
        "backchannels": sum(1 for u in utts if not u.text),
        "turns": [
            [u.speaker, u.start, u.end, u.text or said.get((u.speaker, u.start), "")] for u in utts
        ],
    }
    paths["meta.json"].write_text(json.dumps(meta, indent=1, ensure_ascii=False), encoding="utf-8")
    return paths


def _sox(args: Sequence[str]) -> None:
    subprocess.run(["sox", *args], check=True, capture_output=True)


def room(dry: np.ndarray, rng: random.Random) -> np.ndarray:
    """The whole mix through one room (sox reverb: reverberance 40-60 %, room scale 60-90 %)."""
    with tempfile.TemporaryDirectory(prefix="qualkit-room-") as d:
        a, b = Path(d) / "dry.wav", Path(d) / "wet.wav"
        synth.write_wav(a, dry * np.float32(0.5))
        _sox(
            [
                str(a),
                str(b),
                "reverb",
                f"{rng.uniform(40, 60):.0f}",
                "50",
                f"{rng.uniform(60, 90):.0f}",
            ]
        )
        wet = synth._read_wav(b)
    out = np.zeros(dry.size, dtype=np.float32)
    out[: min(dry.size, wet.size)] = wet[: dry.size]
    return out


def pink_noise(seconds: float, seed: int) -> np.ndarray:
    with tempfile.TemporaryDirectory(prefix="qualkit-noise-") as d:
        p = Path(d) / "noise.wav"
        _sox(
            [
                "-R",
                "-n",
                "-r",
                str(SAMPLE_RATE),
                "-c",
                "1",
                "-b",
                "16",
                str(p),
                "synth",
                f"{seconds + 1:.2f}",
                "pinknoise",
                "vol",
                "0.3",
            ]
        )
        return synth._read_wav(p).astype(np.float32)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, nargs="+", default=[10.0])
    ap.add_argument("--voices", type=int, nargs="+", default=[4, 6, 8])
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--unique-takes", action="store_true", help="render every line anew")
    ap.add_argument("--replies", action="store_true", help="add one-word replies as turns")
    args = ap.parse_args(argv)
    for m in args.minutes:
        for v in args.voices:
            paths = build(Case(m, v, args.seed, args.unique_takes, args.replies))
            print(paths["meta.json"].read_text(encoding="utf-8"), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
