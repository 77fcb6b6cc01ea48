"""kill -9 while coding: every coding the screen showed is in the database afterwards."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qualkit.project import open_project

pytestmark = pytest.mark.tui

REPO = Path(__file__).resolve().parents[2]

CHILD = r"""
import asyncio, sys, time
from qualkit.analysis import suggest
suggest.suggest_for_segment = lambda *args, **kwargs: []  # no model in this test
from qualkit.tui.app import build_app

async def main(root):
    app = build_app(root, coder="krasch")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        for i in range(12):
            await pilot.press("12345678"[i % 8], "fh"[i % 2], "down")
            await pilot.pause()
            shown = sorted(c.id for cs in screen.view.codings.values() for c in cs
                           if c.coder == "krasch")
            print("SHOWN", *shown, flush=True)
        print("READY", flush=True)
        time.sleep(120)  # killed here, mid-session, with the app still running

asyncio.run(main(sys.argv[1]))
"""


def test_kill_dash_nine_loses_nothing_shown(demo_root: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO), "QUALKIT_NO_SOUND": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(demo_root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    shown: set[int] = set()
    deadline = time.monotonic() + 120
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("SHOWN"):
                shown = {int(x) for x in line.split()[1:]}
            if line.startswith("READY") or time.monotonic() > deadline:
                break
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    assert len(shown) == 12
    with open_project(demo_root) as p:
        saved = {c.id: c for c in p.codings(coder="krasch")}
        assert p.store.integrity_check() == "ok"
    assert shown <= set(saved)
    assert {c.valence.value for c in saved.values()} == {"främjande", "hindrande"}
