"""Two coders on the same segments at once: one in the coding app, one from another process.

    PYTHONPATH=. python bench/concurrency.py [--presses 200] [--seed 7]

Coder carl works in the app (driven key by key with Textual's Pilot, headless) on the
first segments of the demo transcript: code keys 1-8, valence keys f/h/p, Delete, c to
select the next coding, j/k to move, u to undo. Meanwhile coder dora codes the same
segments from another process through the Project API (what `qualkit code` calls),
sometimes adding the same coding twice. Afterwards:

- wrong-coder changes: dora's codings that are gone or not as she wrote them;
- duplicates: groups of identical codings (segment, code, coder, valence, span, memo).

Both must be 0. Baseline in the same run: the same kind of key presses applied with the
rule the app had before ("the valence key and Delete act on the latest coding of the
segment"), counting how often that coding was dora's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from qualkit.model import Valence  # noqa: E402
from qualkit.project import Project, open_project  # noqa: E402
from tests.tui.conftest import make_demo  # noqa: E402

SEGMENTS = 4  # both coders work on the first few segments: every press meets the other
CODES = ["ledning", "arbetsstruktur", "individ", "forum_beslut"]
KEYS = ["1", "2", "3", "4", "f", "h", "p", "delete", "c", "j", "k", "u"]

DORA = """
import json, random, sys, time
from pathlib import Path
from qualkit.model import Valence
from qualkit.project import open_project
root, seed, stop = Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
codes = ["ledning", "arbetsstruktur", "individ", "forum_beslut"]
rng = random.Random(seed)
with open_project(root) as p:
    segs = [s.id for s in p.segments()][:SEGMENTS]
    last = None
    while not stop.exists():
        if last is not None and rng.random() < 0.3:
            seg, code, val = last  # the same coding again: must stay one coding
        else:
            seg, code, val = rng.choice(segs), rng.choice(codes), rng.choice(list(Valence))
        c = p.add_coding(seg, code, coder="dora", valence=val)
        last = (seg, code, val)
        print(json.dumps([c.id, c.segment_id, c.code, c.valence.value]), flush=True)
        time.sleep(rng.uniform(0.005, 0.04))
""".replace("SEGMENTS", str(SEGMENTS))


def duplicates(project: Project) -> int:
    groups = Counter(
        (c.segment_id, c.codebook, c.code, c.coder, c.valence, c.span_start, c.span_end, c.memo)
        for c in project.codings()
    )
    return sum(n - 1 for n in groups.values() if n > 1)


async def drive_app(root: Path, presses: int, rng: random.Random) -> int:
    """carl presses keys in the app; returns how many presses were sent."""
    from qualkit.tui.app import build_app

    app = build_app(root, coder="carl")
    app.notify = lambda *a, **k: None  # type: ignore[method-assign]
    sent = 0
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        for _ in range(presses):
            key = rng.choice(KEYS)
            if key == "j" and screen.seglist.cursor >= SEGMENTS - 1:
                key = "k"
            await pilot.press(key)
            sent += 1
            if rng.random() < 0.2:
                await pilot.pause(0.02)
    return sent


def old_rule(root: Path, presses: int, rng: random.Random) -> int:
    """The same presses through the API with the app's old rule: valence keys and Delete
    act on the latest coding of the segment. Returns how many presses were made."""
    with open_project(root) as p:
        segs = [s.id for s in p.segments()][:SEGMENTS]
        at = 0
        for _ in range(presses):
            key = rng.choice(KEYS)
            seg = segs[at]
            if key in "1234":
                p.add_coding(seg, CODES[int(key) - 1], coder="carl")
            elif key in ("f", "h", "p", "delete"):
                latest = p.codings(segment_id=seg)
                if latest and key == "delete":
                    p.store.remove_coding(latest[-1].id)
                elif latest:
                    valence = {"f": Valence.PROMOTING, "h": Valence.HINDERING}.get(
                        key, Valence.PROPOSAL
                    )
                    p.store.update_coding(latest[-1].id, valence=valence)
            elif key == "j":
                at = min(at + 1, SEGMENTS - 1)
            elif key == "k":
                at = max(at - 1, 0)
            time.sleep(0.02)  # about a key press's pace
    return presses


def session(presses: int, seed: int, in_app: bool) -> dict[str, Any]:
    """carl (in the app, or with the old rule) and dora at once on a fresh demo project."""
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        root = make_demo(Path(tmp) / "demo")
        stop = Path(tmp) / "stop"
        dora = subprocess.Popen(
            [sys.executable, "-c", DORA, str(root), str(seed), str(stop)],
            stdout=subprocess.PIPE,
            text=True,
            env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
        )
        t0 = time.perf_counter()
        sent = (
            asyncio.run(drive_app(root, presses, rng)) if in_app else old_rule(root, presses, rng)
        )
        seconds = time.perf_counter() - t0
        stop.touch()
        out, _ = dora.communicate(timeout=60)
        written: dict[int, tuple[int, str, str]] = {}
        for line in out.splitlines():
            cid, seg, code, val = json.loads(line)
            written[cid] = (seg, code, val)
        with open_project(root) as p:
            now = {c.id: (c.segment_id, c.code, c.valence.value) for c in p.codings(coder="dora")}
            return {
                "presses": sent,
                "seconds": seconds,
                "dora_writes": len(out.splitlines()),
                "dora_codings": len(written),
                "carl_codings": len(p.codings(coder="carl")),
                "wrong_coder_changes": sum(1 for c, row in written.items() if now.get(c) != row),
                "duplicates": duplicates(p),
            }


def run(presses: int, seed: int) -> dict[str, Any]:
    return {"app": session(presses, seed, True), "old_rule": session(presses, seed, False)}


def report(result: dict[str, Any]) -> None:
    for name, title in (("app", "coding app"), ("old_rule", "baseline, old rule via the API")):
        r = result[name]
        print(
            f"two coders at once, {title}: {r['presses']} presses by carl in"
            f" {r['seconds']:.0f} s while another process wrote {r['dora_writes']} times"
            f" ({r['dora_codings']} distinct codings by dora):"
            f" {r['wrong_coder_changes']} of dora's codings changed or lost,"
            f" {r['duplicates']} duplicates"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    report(run(args.presses, args.seed))


if __name__ == "__main__":
    main()
