"""A process killed with SIGKILL at a random point loses nothing it had committed.

Two workloads: a coder adding codings, and a transcription run writing recordings'
segments and stage status (the store API the transcription runner uses). After each
kill the project must open (integrity check), every write reported as done must be
there, and no recording may hold half a transcript.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from qualkit.project import Project, init_project

REPO = Path(__file__).resolve().parents[2]

CODING_WRITER = """
import sys
from qualkit.project import open_project
p = open_project(sys.argv[1])
segs = p.store.segments()
i = 0
while True:
    c = p.add_coding(segs[i % len(segs)].id, "ledning", valence="hindrande", memo="x" * 200)
    sys.stdout.write(f"{c.id}\\n")
    sys.stdout.flush()
    i += 1
"""

# Each "transcription" writes SEGMENTS segments tagged with a generation number, then
# marks the stage done; some recordings are transcribed again (a re-run replaces them).
SEGMENTS = 40
TRANSCRIBE_WRITER = f"""
import sys
from qualkit.project import open_project
p = open_project(sys.argv[1])
gen = 0
while True:
    gen += 1
    name = f"rec{{gen % 7}}"
    rec = p.store.recording_by_name(name) or p.store.add_recording(name)
    p.store.set_stage(rec.id, "transcribe", "running")
    turns = [(f"SPEAKER_{{i % 3}}", f"g{{gen}} s{{i}} " + "ord " * 30, i * 2.0, i * 2.0 + 1.5,
              (), False) for i in range({SEGMENTS})]
    p.store.replace_segments(rec.id, turns)
    p.store.set_stage(rec.id, "transcribe", "done")
    sys.stdout.write(f"{{rec.id}} {{gen}}\\n")
    sys.stdout.flush()
"""


@dataclass(frozen=True)
class KillRun:
    reported: list[str]
    root: Path


def run_and_kill(root: Path, code: str, rng: random.Random, max_lines: int) -> KillRun:
    """Start a writer, kill it with SIGKILL after a random number of lines plus a random delay."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(root)], stdout=subprocess.PIPE, text=True, env=env
    )
    assert proc.stdout is not None
    wanted = rng.randint(1, max_lines)
    reported: list[str] = []
    deadline = time.monotonic() + 60
    while len(reported) < wanted and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line.endswith("\n"):
            break
        reported.append(line.strip())
    time.sleep(rng.uniform(0, 0.05))  # lands anywhere inside the next transaction
    os.kill(proc.pid, signal.SIGKILL)
    # Lines already in the pipe were printed after their commit: they count too. A last
    # line without its newline was cut by the kill (unbuffered, print writes its
    # arguments one by one, so a report can reach the pipe in pieces): "12" may be the
    # start of "123", so it is not counted.
    reported.extend(line.strip() for line in proc.stdout.read().split("\n")[:-1] if line.strip())
    proc.wait()
    return KillRun(reported, root)


def check_codings(run: KillRun) -> None:
    again = Project(run.root)
    try:
        assert again.store.integrity_check() == "ok"
        stored = {c.id for c in again.codings()}
        assert {int(x) for x in run.reported} <= stored
    finally:
        again.close()


def check_transcripts(run: KillRun) -> None:
    again = Project(run.root)
    try:
        assert again.store.integrity_check() == "ok"
        last_done: dict[int, int] = {}
        for line in run.reported:
            rec_id, gen = (int(x) for x in line.split())
            last_done[rec_id] = gen
        for rec in again.recordings():
            segs = again.store.segments(rec.id)
            gens = {s.text.split()[0] for s in segs}
            # All or nothing: a transcript is never half replaced.
            assert len(segs) in (0, SEGMENTS)
            assert len(gens) <= 1
            if rec.id in last_done:
                assert segs, "a reported transcript is missing"
                assert int(next(iter(gens))[1:]) >= last_done[rec.id]
                # A writer killed mid-run leaves its stage interrupted (its process is gone).
                assert rec.stages.get("transcribe") in ("done", "interrupted")
    finally:
        again.close()


def seeded_project(root: Path) -> None:
    project = init_project(root)
    rec = project.store.add_recording("r")
    project.store.replace_segments(
        rec.id, [("A", f"Mening {i}.", None, None, (), False) for i in range(50)]
    )
    project.close()


def test_sigkill_during_a_batch_of_cli_code_calls(tmp_path: Path) -> None:
    """A shell loop of `qualkit code` calls, killed with SIGKILL mid-batch."""
    root = tmp_path / "p"
    project = init_project(root)
    rec = project.store.add_recording("r")
    project.store.replace_segments(
        rec.id, [("A", f"Mening {i}.", None, None, (), False) for i in range(40)]
    )
    project.close()
    log = tmp_path / "done.log"
    script = (
        f"for i in $(seq 1 40); do {sys.executable} -m qualkit code -p {root} r:$i ledning"
        f" -v hindrande >/dev/null && echo $i >> {log}; done"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(["bash", "-c", script], env=env, start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if log.exists() and len(log.read_text().split()) >= 4:
            break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the loop and the qualkit process it is running
    proc.wait()
    done = [int(x) for x in log.read_text().split()]
    assert len(done) >= 4
    again = Project(root)
    try:
        assert again.store.integrity_check() == "ok"
        segs = again.store.segments(rec.id)
        coded = {segs.index(again.store.segment(c.segment_id)) + 1 for c in again.codings()}
        assert set(done) <= coded
    finally:
        again.close()


def test_sigkill_during_coding_keeps_committed_codings(tmp_path: Path) -> None:
    root = tmp_path / "p"
    seeded_project(root)
    run = run_and_kill(root, CODING_WRITER, random.Random(0), max_lines=300)
    assert len(run.reported) >= 1
    check_codings(run)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sigkill_at_random_points_during_coding(tmp_path: Path, seed: int) -> None:
    root = tmp_path / "p"
    seeded_project(root)
    rng = random.Random(seed)
    # Several kills on the same project: each run resumes on what the last one left.
    for _ in range(2):
        check_codings(run_and_kill(root, CODING_WRITER, rng, max_lines=150))


@pytest.mark.parametrize("seed", [1, 2])
def test_sigkill_during_transcription(tmp_path: Path, seed: int) -> None:
    root = tmp_path / "p"
    init_project(root).close()
    rng = random.Random(seed)
    for _ in range(2):
        check_transcripts(run_and_kill(root, TRANSCRIBE_WRITER, rng, max_lines=25))
