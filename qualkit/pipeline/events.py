"""The pipeline for interfaces that are not a terminal: progress as events, cancellable.

The TUI runs `run_pipeline` in a worker thread and gets `PipelineEvent`s back; setting
the `cancel` event stops the batch at the next progress step. Stages already finished
keep their artefacts, so a cancelled batch resumes where it stopped.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from qualkit.errors import QualkitError
from qualkit.pipeline.progress import PipelineCancelled
from qualkit.pipeline.project_batch import project_pipeline
from qualkit.pipeline.run import PipelineOptions, Progress, RunResult
from qualkit.project import Project

__all__ = ["CallbackProgress", "PipelineCancelled", "PipelineEvent", "run_pipeline"]


@dataclass(frozen=True, slots=True)
class PipelineEvent:
    text: str
    fraction: float | None = None

    def __str__(self) -> str:
        return self.text


class CallbackProgress(Progress):
    """Turns the runner's progress calls into events, and checks for cancellation."""

    def __init__(
        self, on_event: Callable[[PipelineEvent], None], cancel: threading.Event | None
    ) -> None:
        self.on_event = on_event
        self.cancel = cancel
        self.total = 0.0
        self.done = 0.0
        self.name = ""

    def _check(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise PipelineCancelled

    def _fraction(self) -> float | None:
        return min(1.0, self.done / self.total) if self.total > 0 else None

    def start_batch(self, total_s: float, count: int) -> None:
        self.total = total_s
        what = "1 recording" if count == 1 else f"{count} recordings"
        self.on_event(PipelineEvent(f"{what}, {total_s / 60:.1f} min of audio", 0.0))

    def start_recording(self, name: str, total_s: float) -> None:
        self._check()
        self.name = name
        self.on_event(PipelineEvent(f"{name}: starting", self._fraction()))

    def advance(self, seconds: float, stage: str) -> None:
        self._check()
        self.done += seconds
        self.on_event(PipelineEvent(f"{self.name}: {stage}", self._fraction()))

    def end_recording(self, result: RunResult) -> None:
        state = "done" if result.ok else "failed"
        self.on_event(PipelineEvent(f"{result.recording}: {state}", self._fraction()))


def run_pipeline(
    project: Project,
    recording_ids: Sequence[int],
    *,
    on_progress: Callable[[PipelineEvent], None] | None = None,
    cancel: threading.Event | None = None,
    options: PipelineOptions | None = None,
) -> list[RunResult]:
    """Transcribe and diarise recordings; returns early (no error) when cancelled.

    Raises QualkitError naming the recordings that failed."""
    progress = CallbackProgress(on_progress or (lambda _e: None), cancel)
    pipeline = project_pipeline(project, options, progress=progress)
    recordings = [project.store.recording(i) for i in recording_ids]
    try:
        results = pipeline.run(recordings)
    except PipelineCancelled:
        return []
    failed = [r for r in results if not r.ok]
    if failed:
        raise QualkitError("; ".join(f"{r.recording}: {r.error}" for r in failed))
    return results
