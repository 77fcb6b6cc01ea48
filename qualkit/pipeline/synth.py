"""Synthetic Swedish focus groups for the demo, the tests and the benchmark.

espeak-ng speaks each line with its own voice variant, sox shifts pitch and tempo so
a speaker-embedding model can tell the voices apart (plain espeak voices sound alike
to it), and the lines are laid out with pauses and a few overlaps. The reference
transcript and RTTM come from where each line was actually placed.
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qualkit.errors import InputError
from qualkit.pipeline.audio import SAMPLE_RATE, Samples


@dataclass(frozen=True, slots=True)
class Voice:
    espeak: str  # espeak-ng voice with variant, e.g. "sv+m3"
    pitch: int = 50  # espeak base pitch 0-99
    wpm: int = 150
    shift_cents: int = 0  # sox pitch shift
    tempo: float = 1.0  # sox tempo factor
    gain_db: float = 0.0


# Distinct enough for CAM++: different variants, pitch and tempo (measured by DER).
VOICES: tuple[Voice, ...] = (
    Voice("sv+m3", 40, 145, -250, 0.95, 0.0),
    Voice("sv+f2", 70, 160, 300, 1.05, -1.0),
    Voice("sv+m1", 30, 135, -500, 0.90, 1.0),
    Voice("sv+f4", 85, 170, 500, 1.10, -2.0),
    Voice("sv+m7", 55, 150, 100, 1.00, 0.0),
    Voice("sv+f1", 60, 155, 700, 0.95, -1.0),
    Voice("sv+m5", 25, 140, -700, 1.05, 1.0),
    Voice("sv+f5", 75, 165, 200, 0.90, -1.0),
    Voice("sv+m2", 45, 130, -100, 1.10, 0.0),
    Voice("sv+f3", 65, 150, 900, 1.00, -2.0),
)


@dataclass(frozen=True, slots=True)
class Utterance:
    speaker: str
    text: str
    start: float
    end: float


def tools_missing() -> list[str]:
    return [t for t in ("espeak-ng", "sox") if shutil.which(t) is None]


def _require_tools() -> None:
    missing = tools_missing()
    if missing:
        raise InputError(
            f"{' and '.join(missing)} not found: install with apt-get install -y espeak-ng sox"
        )


def _read_wav(path: Path) -> Samples:
    with wave.open(str(path), "rb") as w:
        raw = w.readframes(w.getnframes())
    return np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0


def render(text: str, voice: Voice, tmp: Path) -> Samples:
    """One line in one voice, 16 kHz mono, with leading and trailing silence trimmed."""
    _require_tools()
    raw, out = tmp / "raw.wav", tmp / "out.wav"
    subprocess.run(
        [
            "espeak-ng",
            "-v",
            voice.espeak,
            "-p",
            str(voice.pitch),
            "-s",
            str(voice.wpm),
            "-w",
            str(raw),
            text,
        ],
        check=True,
        capture_output=True,
    )
    # -R: sox dithers when it writes 16 bits, from a new random seed each run unless told
    # otherwise; the same line must give the same audio, or a test's clip changes from run
    # to run (one rendering in twelve of the real-model clip counted 4 voices, not 3).
    subprocess.run(
        [
            "sox",
            "-R",
            str(raw),
            "-r",
            str(SAMPLE_RATE),
            "-c",
            "1",
            "-b",
            "16",
            str(out),
            "pitch",
            str(voice.shift_cents),
            "tempo",
            "-s",
            str(voice.tempo),
            "gain",
            "-n",
            str(-3.0 + voice.gain_db),
        ],
        check=True,
        capture_output=True,
    )
    x = _read_wav(out)
    loud = np.flatnonzero(np.abs(x) > 0.01)
    return x[loud[0] : loud[-1] + 1] if loud.size else x[:0]


def converse(
    lines: Sequence[tuple[str, str]],
    voices: dict[str, Voice],
    *,
    seed: int = 7,
    pause: tuple[float, float] = (0.35, 1.2),
    overlap_every: int = 9,
    overlap_s: tuple[float, float] = (0.5, 1.0),
    lead_in_s: float = 1.0,
) -> tuple[Samples, list[Utterance]]:
    """Lay the lines out as a conversation. Every `overlap_every`-th line (if > 0) starts
    before the previous one ends; the rest follow after a random pause."""
    rng = random.Random(seed)
    cache: dict[tuple[str, str], Samples] = {}
    placed: list[tuple[int, Samples, Utterance]] = []
    t = lead_in_s
    prev_end = lead_in_s
    with tempfile.TemporaryDirectory(prefix="qualkit-synth-") as d:
        for i, (speaker, text) in enumerate(lines):
            key = (speaker, text)
            if key not in cache:
                cache[key] = render(text, voices[speaker], Path(d))
            x = cache[key]
            if i and overlap_every and i % overlap_every == 0 and placed[-1][2].speaker != speaker:
                start = max(placed[-1][2].start + 0.5, prev_end - rng.uniform(*overlap_s))
            else:
                start = prev_end + (rng.uniform(*pause) if i else 0.0)
            t = start
            n0 = round(t * SAMPLE_RATE)
            utt = Utterance(speaker, text, round(t, 3), round(t + x.size / SAMPLE_RATE, 3))
            placed.append((n0, x, utt))
            prev_end = max(prev_end, utt.end)
    total = max(n0 + x.size for n0, x, _ in placed) + SAMPLE_RATE if placed else SAMPLE_RATE
    mix = np.zeros(total, dtype=np.float32)
    for n0, x, _ in placed:
        mix[n0 : n0 + x.size] += x
    peak = float(np.max(np.abs(mix))) or 1.0
    if peak > 0.99:
        mix *= 0.99 / peak
    return mix, [u for _, _, u in placed]


def parse_reference(text: str) -> list[tuple[str, str]]:
    """`Speaker: text` per line (the demo's reference transcript format)."""
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        speaker, sep, said = line.partition(":")
        if not sep or not said.strip():
            raise InputError(f"Line {n} is not 'Speaker: text': {line[:40]!r}")
        out.append((speaker.strip(), said.strip()))
    return out


def assign_voices(speakers: Sequence[str]) -> dict[str, Voice]:
    order = list(dict.fromkeys(speakers))
    return {s: VOICES[i % len(VOICES)] for i, s in enumerate(order)}


def rttm(utterances: Sequence[Utterance], uri: str) -> str:
    ids = {s: re.sub(r"\W+", "_", s).strip("_") or "spk" for s in {u.speaker for u in utterances}}
    return "".join(
        f"SPEAKER {uri} 1 {u.start:.3f} {u.end - u.start:.3f} <NA> <NA> {ids[u.speaker]}"
        " <NA> <NA>\n"
        for u in utterances
    )


def write_wav(path: Path, samples: Samples) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())


def encode_ogg(wav: Path, dest: Path, bitrate: str = "24k") -> None:
    """Opus in Ogg via ffmpeg when present (small), else Vorbis via sox."""
    if shutil.which("ffmpeg"):
        subprocess.run(
            [
                "ffmpeg",
                "-y",
                "-loglevel",
                "error",
                "-i",
                str(wav),
                "-ac",
                "1",
                "-ar",
                "16000",
                "-c:a",
                "libopus",
                "-b:a",
                bitrate,
                "-application",
                "voip",
                str(dest),
            ],
            check=True,
        )
    else:
        subprocess.run(["sox", str(wav), "-C", "2", str(dest)], check=True)


# A bank of focus-group sentences for long benchmark recordings (own words).
BANK: tuple[str, ...] = (
    "Vi träffas varannan vecka i ett gemensamt forum med kommunen.",
    "Det största problemet är att vi inte vet vem vi ska ringa.",
    "Min chef ger mig tid att gå på samverkansmötena.",
    "Hos oss har det varit många omorganisationer det senaste året.",
    "Personen får berätta sin historia om och om igen för varje myndighet.",
    "Vi behöver skriftliga rutiner för hur ärenden lämnas över.",
    "När vi gör en gemensam plan blir det bättre för individen.",
    "Jag vet inte riktigt vad Försäkringskassan kan göra i det läget.",
    "Arbetsförmedlingen har bytt handläggare tre gånger på ett år.",
    "Vårdcentralen skickar ofta remisser som ingen tar emot.",
    "Vi har olika mål och mäter olika saker i våra organisationer.",
    "Samordningsförbundet borde hjälpa oss att följa upp resultaten.",
    "Det hänger för mycket på några få eldsjälar.",
    "Nya medarbetare behöver en introduktion i hur samverkan fungerar.",
    "Jag håller med om att mötena är bra men tiden räcker inte.",
    "Vi borde ha en kontaktperson hos varje aktör.",
    "Ledningen pratar om samverkan men avsätter ingen tid.",
    "Individen ska stå i centrum och inte våra regelverk.",
    "Vi hospiterade hos varandra förra året och det gav förtroende.",
    "Ekonomin styr mer än behoven hos den enskilda personen.",
)


def bench_script(duration_s: float, speakers: int = 4, seed: int = 11) -> list[tuple[str, str]]:
    """Lines for about `duration_s` of conversation among `speakers` voices."""
    rng = random.Random(seed)
    names = [f"Talare {i + 1}" for i in range(speakers)]
    out: list[tuple[str, str]] = []
    est = 0.0
    prev = ""
    while est < duration_s:
        who = rng.choice([n for n in names if n != prev])
        for _ in range(rng.choice((1, 1, 2, 3))):
            sentence = rng.choice(BANK)
            out.append((who, sentence))
            est += 0.075 * len(sentence) + 0.8  # espeak speaks ~13 characters a second
        prev = who
    return out
