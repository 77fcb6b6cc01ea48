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
