"""Benchmark the coding app on a study the size of the real one.

21 focus groups of 80 minutes (about 250,000 words, 25,000 segments) are written
straight into a project DB through the store API; the same measurements run on a
one-transcript project as the baseline, and ratios are printed.

    PYTHONPATH=. python bench/tui.py [--recordings 21] [--presses 40]

Keystroke latency is measured headless (App.run_test): from the key press to the
repainted screen (Pilot waits for the refresh), so terminal output is not counted. For a
search keystroke it is also measured to the first repaint after the search has run (the
hits on screen), which is what the coder waits for. The load average and the process's
CPU time are printed, since the machine is shared.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from qualkit.analysis import suggest
from qualkit.model import Actor, GroupType, Valence
from qualkit.project import init_project
from qualkit.tui.screens.search import SearchScreen

# Measure the app, not the suggestion model: the panel gets an empty list at once.
suggest.suggest_for_segment = lambda *_args, **_kwargs: []  # type: ignore[assignment]

WORDS = (  # noqa: SIM905 (a sentence reads better than a list of words)
    "vi har samverkan med arbetsförmedlingen och försäkringskassan men det är svårt att "
    "få tid för gemensamma möten eftersom ledningen inte prioriterar det och handläggarna "
    "byts ofta ut så kunskapen försvinner när någon slutar vi behöver rutiner kontaktvägar "
    "och en tydlig ansvarsfördelning för att individen ska stå i centrum personen får "
    "berätta sin historia om och om igen för varje myndighet regelverken styr mer än "
    "behoven samordningsförbundet kan hjälpa oss med gemensamma mål och uppföljning"
).split()
KOMMUNER = ("Norrby", "Söderby", "Österå", "Västerås", "Bergsjö", "Dalby")
SEGMENTS_PER_RECORDING = 1190  # 80 minutes, a turn every ~4 s
WORDS_PER_SEGMENT = 10.5


def build_study(root: Path, recordings: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    project = init_project(root)
    store = project.store
    codes = [c.key for c in project.codebook("danermark").codes]
    actors = [Actor.KOMMUN, Actor.VARD, Actor.FK, Actor.AF, Actor.ANNAN]
    for r in range(recordings):
        kommun = KOMMUNER[r % len(KOMMUNER)]
        with store.transaction():
            rec = store.add_recording(
                f"fg{r + 1:02d}_{kommun.lower()}",
                kommun=kommun,
                group_type=GroupType.MEDARBETARE if r % 2 else GroupType.CHEFER,
                duration_s=80 * 60.0,
            )
            turns = []
            t = 0.0
            for _i in range(SEGMENTS_PER_RECORDING):
                n = max(3, round(rng.gauss(WORDS_PER_SEGMENT, 4)))
                text = " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."
                dur = n * 0.4
                turns.append((f"SPEAKER_{rng.randrange(6):02d}", text, t, t + dur, (), False))
                t += dur + 0.2
            store.replace_segments(rec.id, turns)
            for i, sp in enumerate(store.speakers(rec.id)):
                person = store.add_participant(
                    role="handläggare", actor=actors[i % len(actors)], kommun=kommun
                )
                store.assign_speaker(sp.id, person.id)
            for seg in store.segments_light(rec.id):
                if rng.random() < 0.2:
                    store.add_coding(
                        seg.id,
                        "danermark",
                        rng.choice(codes),
                        valence=rng.choice(list(Valence)),
                        coder="bench",
                    )
    project.close()


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


PAINTS: list[float] = []
SEARCHED: list[float] = []  # when each search finished (hits ready to draw)

_run_search = SearchScreen.run_search


def timed_search(self: SearchScreen, text: str) -> None:
    _run_search(self, text)
    SEARCHED.append(time.perf_counter())


SearchScreen.run_search = timed_search  # type: ignore[method-assign]


def watch_paints(app: Any) -> None:
    """Record when the app hands a composed screen update to the terminal driver."""
    original = app._display

    def display(screen: Any, renderable: Any) -> None:
        if renderable is not None:
            PAINTS.append(time.perf_counter())
        original(screen, renderable)

    app._display = display


async def press_times(pilot: Any, keys: list[str]) -> list[float]:
    """Key sent -> first repaint after it, in ms (Pilot's own idle waits excluded)."""
    out = []
    for key in keys:
        await pilot.pause()
        PAINTS.clear()
        t0 = time.perf_counter()
        await pilot.press(key)
        await pilot.pause()
        after = [p for p in PAINTS if p >= t0]
        if after:
            out.append((after[0] - t0) * 1000)
    return out


async def press_to_hits(pilot: Any, keys: list[str]) -> list[float]:
    """Key sent -> first repaint after the search it caused has run, in ms."""
    out = []
    for key in keys:
        await pilot.pause()
        PAINTS.clear()
        SEARCHED.clear()
        t0 = time.perf_counter()
        await pilot.press(key)
        await pilot.pause()
        done = SEARCHED[-1] if SEARCHED else None
        after = [p for p in PAINTS if done is not None and p >= done]
        if after:
            out.append((after[0] - t0) * 1000)
    return out


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(0.95 * len(values)) - 1)]


async def measure(root: Path, presses: int) -> dict[str, float]:
    from qualkit.tui.app import build_app

    result: dict[str, float] = {}
    t0 = time.perf_counter()
    app = build_app(root, coder="bench")
    watch_paints(app)
    PAINTS.clear()
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.pause()
        result["open project, first paint (s)"] = PAINTS[0] - t0
        await pilot.pause(0.6)
        await app.workers.wait_for_complete()  # the search index, built in the background
        result["search index built (s)"] = time.perf_counter() - t0
        PAINTS.clear()
        t0 = time.perf_counter()
        await pilot.press("enter")
        await pilot.pause()
        result["open transcript (s)"] = [p for p in PAINTS if p >= t0][-1] - t0
        down = await press_times(pilot, ["down"] * presses)
        page = await press_times(pilot, ["pagedown"] * (presses // 4))
        coding = await press_times(
            pilot, [k for i in range(presses // 2) for k in (str(i % 8 + 1), "h")]
        )
        result["scroll down p50 (ms)"] = statistics.median(down)
        result["scroll down p95 (ms)"] = sorted(down)[int(0.95 * len(down)) - 1]
        result["page down p50 (ms)"] = statistics.median(page)
        result["code+valence p50 (ms)"] = statistics.median(coding)
        result["code+valence p95 (ms)"] = sorted(coding)[int(0.95 * len(coding)) - 1]
        opening = await press_times(pilot, ["slash"])
        result["open search screen, first (ms)"] = opening[0] if opening else float("nan")
        await pilot.press("escape")
        await pilot.press(*[str(i % 8 + 1) for i in range(5)])  # code a little more first
        opening = await press_times(pilot, ["slash"])
        result["open search screen, again (ms)"] = opening[0] if opening else float("nan")
        typing = await press_times(pilot, list("samverkan rutiner"))
        result["search keystroke p50 (ms)"] = statistics.median(typing)
        result["search keystroke p95 (ms)"] = p95(typing)
        result["search hits"] = float(len(app.screen.positions))
        # Typed again from an empty field, each key timed to its hits on screen.
        await pilot.press(*["backspace"] * len("samverkan rutiner"))
        to_hits = await press_to_hits(pilot, list("samverkan rutiner"))
        result["search key->hits p50 (ms)"] = statistics.median(to_hits)
        result["search key->hits p95 (ms)"] = p95(to_hits)
        result["search key->hits max (ms)"] = max(to_hits)
        await pilot.press("escape", "escape")
    result["peak RSS (MB)"] = rss_mb()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recordings", type=int, default=21)
    parser.add_argument("--presses", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base, full = Path(tmp) / "one", Path(tmp) / "study"
        t0 = time.perf_counter()
        build_study(base, 1)
        build_study(full, args.recordings)
        print(f"generated studies in {time.perf_counter() - t0:.1f} s")
        from qualkit.project import open_project

        with open_project(full) as p:
            segs = p.store.segment_count()
            words = sum(len(s.text.split()) for s in p.store.segments_light())
            coded = len(p.codings())
        print(
            f"study: {args.recordings} recordings, {segs} segments, {words} words, {coded} codings"
        )
        # Baseline first (smaller RSS), then the full study in the same process.
        load0, cpu0 = os.getloadavg(), time.process_time()
        b = asyncio.run(measure(base, args.presses))
        f = asyncio.run(measure(full, args.presses))
        load1, cpu1 = os.getloadavg(), time.process_time()
    print(
        f"load average (1/5/15 min) before {load0[0]:.1f}/{load0[1]:.1f}/{load0[2]:.1f},"
        f" after {load1[0]:.1f}/{load1[1]:.1f}/{load1[2]:.1f};"
        f" CPU time of the measurements {cpu1 - cpu0:.1f} s"
    )
    print(f"{'measure':<32}{'1 transcript':>14}{'full study':>14}{'ratio':>8}")
    for key in f:
        ratio = f[key] / b[key] if b[key] else float("nan")
        print(f"{key:<32}{b[key]:>14.3f}{f[key]:>14.3f}{ratio:>8.2f}")


if __name__ == "__main__":
    main()
