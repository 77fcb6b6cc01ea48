"""The overview's T continues every unfinished recording; q while it runs asks first."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from qualkit.pipeline import events
from qualkit.project import open_project
from qualkit.tui.screens.dialogs import ConfirmDialog
from qualkit.tui.screens.overview import OverviewScreen

pytestmark = pytest.mark.tui


def unfinished(root: Path, status: str) -> int:
    """A recording with audio whose transcribe stage was done and diarize left `status`."""
    audio = root / "audio" / "ny.wav"
    audio.write_bytes(b"RIFF0000WAVE")
    with open_project(root) as p:
        rec = p.store.add_recording("ny", audio_path="audio/ny.wav", kommun="Norrby")
        for stage, state in (("audio", "done"), ("transcribe", "done"), ("diarize", status)):
            p.store.set_stage(rec.id, stage, state)
        with p.store.transaction() as db:  # no owner: its process cannot be running it
            db.execute("UPDATE stages SET owner = ''")
        return rec.id


def recording_runs(monkeypatch: pytest.MonkeyPatch) -> tuple[list[list[int]], threading.Event]:
    asked: list[list[int]] = []
    started = threading.Event()

    def run_pipeline(
        project: Any, recording_ids: list[int], *, on_progress: Any = None, cancel: Any = None
    ) -> None:
        asked.append(list(recording_ids))
        started.set()
        if cancel is not None:
            cancel.wait(10)

    monkeypatch.setattr(events, "run_pipeline", run_pipeline)
    return asked, started


@pytest.mark.parametrize("status", ["interrupted", "failed", "running"])
def test_t_continues_a_recording_left_unfinished(
    demo_root: Path,
    drive: Callable[..., Any],
    notes: list[str],
    monkeypatch: pytest.MonkeyPatch,
    status: str,
) -> None:
    # "running" without a live process: as kill -9 or quitting the app mid-run left it.
    rec_id = unfinished(demo_root, status)
    asked, started = recording_runs(monkeypatch)

    async def steps(pilot: Any) -> None:
        await pilot.press("T")
        assert await asyncio.to_thread(started.wait, 5)
        assert asked == [[rec_id]]
        assert not any("Inga nya" in n for n in notes)
        await pilot.press("escape")

    drive(steps)


def test_interrupted_shows_as_avbruten(demo_root: Path, drive: Callable[..., Any]) -> None:
    unfinished(demo_root, "interrupted")

    async def steps(pilot: Any) -> None:
        table = pilot.app.screen.query_one("DataTable")
        cells = [str(c) for row in range(table.row_count) for c in table.get_row_at(row)]
        assert "avbruten" in cells and "fel" not in cells

    drive(steps)


def test_q_while_transcribing_asks_before_quitting(
    demo_root: Path, drive: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    unfinished(demo_root, "interrupted")
    _asked, started = recording_runs(monkeypatch)

    async def steps(pilot: Any) -> None:
        app = pilot.app
        await pilot.press("T")
        assert await asyncio.to_thread(started.wait, 5)
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "transkribering pågår" in app.screen.prompt
        await pilot.press("n")  # stays, and the transcription goes on
        await pilot.pause()
        overview = app.screen
        assert isinstance(overview, OverviewScreen) and overview.transcribing
        await pilot.press("q")
        await pilot.pause()
        await pilot.press("j")  # quits; the run is told to stop
        await pilot.pause()
        assert overview.cancel_event is None or overview.cancel_event.is_set()

    drive(steps)
