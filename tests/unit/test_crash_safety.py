"""A process killed with SIGKILL in the middle of a batch of codings loses nothing committed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from qualkit.project import Project, init_project

REPO = Path(__file__).resolve().parents[2]

WRITER = """
import sys
from qualkit.project import open_project
p = open_project(sys.argv[1])
segs = p.store.segments()
i = 0
while True:
    c = p.add_coding(segs[i % len(segs)].id, "ledning", valence="hindrande", memo="x" * 200)
    print(c.id, flush=True)
    i += 1
"""


def test_sigkill_during_coding_keeps_committed_codings(tmp_path: Path) -> None:
    root = tmp_path / "p"
    project = init_project(root)
    rec = project.store.add_recording("r")
    project.store.replace_segments(
        rec.id, [("A", f"Mening {i}.", None, None, (), False) for i in range(50)]
    )
    project.close()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(root)], stdout=subprocess.PIPE, text=True, env=env
    )
    assert proc.stdout is not None
    reported: list[int] = []
    deadline = time.monotonic() + 60
    while len(reported) < 300 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        reported.append(int(line))
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert len(reported) >= 50
    again = Project(root)
    try:
        assert again.store.integrity_check() == "ok"
        stored = {c.id for c in again.codings()}
        assert set(reported) <= stored
    finally:
        again.close()


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
