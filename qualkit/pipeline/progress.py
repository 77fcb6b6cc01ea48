"""What the runner reports while it works: the result of one recording, and progress
with ETA (a rich bar for the terminal; tests and the TUI give their own `Progress`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class PipelineCancelled(Exception):
    """Raised inside the runner when the user cancels; not a failure."""


@dataclass(frozen=True, slots=True)
class RunResult:
    recording: str
    ok: bool
    duration_s: float = 0.0
    segments: int = 0
    speakers: int = 0
    ran: tuple[str, ...] = ()  # stages computed in this run (the rest came from artefacts)
    seconds: dict[str, float] = field(default_factory=dict)
    outputs: tuple[Path, ...] = ()
    error: str = ""
    # Done, but the user should know: a damaged file, a silent one, cancelled channels.
    warnings: tuple[str, ...] = ()
    # Voices named by an enrolled voiceprint: (voice label, participant, similarity).
    known_voices: tuple[tuple[str, str, float], ...] = ()


class Progress:
    """What the runner reports; the CLI gives a rich bar, tests and the TUI their own."""

    def start_batch(self, total_s: float, count: int) -> None: ...
    def start_recording(self, name: str, total_s: float) -> None: ...
    def advance(self, seconds: float, stage: str) -> None: ...
    def end_recording(self, result: RunResult) -> None: ...
    def end_batch(self) -> None: ...


class RichProgress(Progress):
    """A bar with ETA for the recording in hand and one for the whole batch."""

    def __init__(self) -> None:
        from rich.progress import (
            BarColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as RP

        self._p = RP(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            transient=False,
        )
        self._batch: Any = None
        self._rec: Any = None

    def start_batch(self, total_s: float, count: int) -> None:
        self._p.start()
        # In the command line's language (English), like the table that follows.
        what = "recording" if count == 1 else "recordings"
        self._batch = self._p.add_task(f"{count} {what}", total=max(total_s, 1e-6))

    def start_recording(self, name: str, total_s: float) -> None:
        self._rec = self._p.add_task(f"  {name}", total=max(total_s, 1e-6))

    def advance(self, seconds: float, stage: str) -> None:
        self._p.update(self._rec, advance=seconds)
        self._p.update(self._batch, advance=seconds)

    def end_recording(self, result: RunResult) -> None:
        task = next(t for t in self._p.tasks if t.id == self._rec)
        rest = max(0.0, (task.total or 0) - task.completed)
        # A failed recording's bar stays where it stopped: a full bar would say it was done.
        self._p.update(
            self._rec,
            completed=task.total if result.ok else task.completed,
            description=f"  {result.recording} {'done' if result.ok else 'failed'}",
        )
        self._p.update(self._batch, advance=rest)

    def end_batch(self) -> None:
        self._p.stop()


def probe_duration(path: Path) -> float:
    """Container duration without decoding (0 when unknown); used only for ETAs."""
    try:
        import av

        with av.open(str(path)) as c:
            return float(c.duration or 0) / 1_000_000
    except Exception:
        return 0.0
