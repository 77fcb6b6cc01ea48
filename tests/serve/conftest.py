"""Fixtures that run `qualkit serve` as a real process and end it (and its apps) afterwards."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from .browser import free_port, wait_http

REPO = Path(__file__).resolve().parents[2]


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@contextmanager
def running_serve(project: Path, coders: list[str]) -> Iterator[list[str]]:
    """Start `qualkit serve` on free loopback ports; yields one URL per coder.

    On the way out it sends SIGTERM to the server alone and checks that the server ended
    every app process it started (the whole process group is gone), then kills whatever
    is left so no test leaves a process behind.
    """
    port = free_port(len(coders))
    args = [sys.executable, "-m", "qualkit", "serve", "-p", str(project), "--port", str(port)]
    for coder in coders:
        args += ["--coder", coder]
    env = {**os.environ, "PYTHONPATH": str(REPO), "QUALKIT_NO_SOUND": "1"}
    proc = subprocess.Popen(
        args, env=env, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    urls = [f"http://127.0.0.1:{port + i}/" for i in range(len(coders))]
    try:
        for url in urls:
            wait_http(url, timeout=60)
        yield urls
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err.decode()
        assert b"qualkit serve stopped." in out
        deadline = time.monotonic() + 20
        while group_alive(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not group_alive(proc.pid), "qualkit serve left app processes running"
    finally:
        if group_alive(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
        if proc.poll() is None:
            proc.wait()


@pytest.fixture
def serve_project(demo_project: object) -> Path:
    root: Path = demo_project.root  # type: ignore[attr-defined]
    return root
