"""Crash safety and hostile input, counted.

    PYTHONPATH=. python bench/reliability.py [--kills 30] [--fuzz-examples 1000]

1. SIGKILL at random points: a coder adding codings and a transcription run replacing
   segments (the test writers in tests/unit/test_crash_safety.py), each on its own
   project; after every kill the project must open, pass its integrity check and hold
   every write the process had reported.
2. Baseline in the same run: the same kills against a writer that saves its state as a
   JSON file written in place (open, truncate, write), next to one that uses
   qualkit.atomic; counts files left unreadable.
3. Two coders at once (bench/concurrency.py): one in the coding app, one writing from
   another process, on the same segments; wrong-coder changes and duplicates counted
   (both must be 0), next to the app's old "latest coding of the segment" rule.
4. Fuzzing: the hypothesis tests of the importers and the codebook loader (and REFI-QDA
   when present) with the given number of examples per test, random seeds.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench import concurrency  # noqa: E402
from tests.unit.test_crash_safety import (  # noqa: E402
    CODING_WRITER,
    TRANSCRIBE_WRITER,
    check_codings,
    check_transcripts,
    run_and_kill,
    seeded_project,
)

FILE_WRITER = """
import json, sys
from pathlib import Path
from qualkit import atomic
path, atomic_mode = Path(sys.argv[1]), sys.argv[2] == "atomic"
state = []
while True:
    state.append({"coding": len(state), "memo": "x" * 300})
    data = json.dumps(state)
    if atomic_mode:
        atomic.write_text(path, data)
    else:
        with path.open("w") as fh:  # what a naive tool does
            fh.write(data)
            fh.flush()
    print(len(state), flush=True)
"""


def file_kills(runs: int, mode: str, rng: random.Random) -> int:
    """Kill a JSON-file writer `runs` times; return how many left an unreadable file."""
    broken = 0
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "state.json"
            env = {**os.environ, "PYTHONPATH": str(REPO)}
            proc = subprocess.Popen(
                [sys.executable, "-c", FILE_WRITER, str(path), mode],
                stdout=subprocess.PIPE,
                text=True,
                env=env,
            )
            assert proc.stdout is not None
            for _ in range(rng.randint(50, 400)):
                if not proc.stdout.readline():
                    break
            time.sleep(rng.uniform(0, 0.01))
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            try:
                json.loads(path.read_text())
            except (ValueError, OSError):
                broken += 1
    return broken


def db_kills(runs: int, workload: str, rng: random.Random) -> tuple[int, int, int]:
    """(runs, failures, writes reported) for one workload."""
    failures = reported = 0
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "p"
            if workload == "coding":
                seeded_project(root)
                run = run_and_kill(root, CODING_WRITER, rng, max_lines=300)
                check = check_codings
            else:
                from qualkit.project import init_project

                init_project(root).close()
                run = run_and_kill(root, TRANSCRIBE_WRITER, rng, max_lines=40)
                check = check_transcripts
            reported += len(run.reported)
            try:
                check(run)
            except AssertionError as exc:
                failures += 1
                print(f"  FAILED {workload}: {exc}")
    return runs, failures, reported


def fuzz(examples: int) -> None:
    files = ["tests/unit/test_fuzz_inputs.py", "tests/unit/test_fuzz_refi.py"]
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "QUALKIT_FUZZ_EXAMPLES": str(examples),
        "QUALKIT_FUZZ_RANDOM": "1",
    }
    t0 = time.perf_counter()
    res = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *files],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    summary = [ln for ln in res.stdout.splitlines() if "passed" in ln or "failed" in ln]
    print(
        f"fuzz: {examples} examples per hypothesis test, {time.perf_counter() - t0:.0f} s: "
        f"{summary[-1] if summary else res.stdout[-500:]}"
    )
    if res.returncode != 0:
        print(res.stdout[-3000:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=30, help="SIGKILL runs per workload")
    parser.add_argument("--fuzz-examples", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--presses", type=int, default=100, help="app key presses with two coders (0: skip)"
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    for workload in ("coding", "transcription"):
        runs, failures, reported = db_kills(args.kills, workload, rng)
        print(
            f"SIGKILL during {workload}: {runs} runs, {reported} committed writes reported, "
            f"{failures} runs lost data or failed to open"
        )
    naive = file_kills(args.kills, "naive", rng)
    atomic_broken = file_kills(args.kills, "atomic", rng)
    print(
        f"baseline JSON file written in place: {naive}/{args.kills} kills left it unreadable; "
        f"qualkit.atomic: {atomic_broken}/{args.kills}"
    )
    if args.presses:
        concurrency.report(concurrency.run(args.presses, args.seed))
    if args.fuzz_examples:
        fuzz(args.fuzz_examples)


if __name__ == "__main__":
    main()
