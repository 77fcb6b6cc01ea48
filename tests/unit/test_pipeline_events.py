from __future__ import annotations

import threading

import pytest

from qualkit.pipeline.events import CallbackProgress, PipelineCancelled, PipelineEvent
from qualkit.pipeline.run import RunResult


def test_progress_becomes_events_with_fractions() -> None:
    events: list[PipelineEvent] = []
    progress = CallbackProgress(events.append, None)
    progress.start_batch(100.0, 1)
    progress.start_recording("fg1", 100.0)
    progress.advance(25.0, "transcribe")
    progress.advance(75.0, "diarize")
    progress.end_recording(RunResult("fg1", True))
    assert [e.fraction for e in events] == [0.0, 0.0, 0.25, 1.0, 1.0]
    assert str(events[2]) == "fg1: transcribe"
    assert str(events[-1]) == "fg1: done"


def test_cancel_stops_at_the_next_step() -> None:
    cancel = threading.Event()
    progress = CallbackProgress(lambda _e: None, cancel)
    progress.start_batch(10.0, 2)
    progress.start_recording("fg1", 10.0)
    progress.advance(1.0, "transcribe")
    cancel.set()
    with pytest.raises(PipelineCancelled):
        progress.advance(1.0, "transcribe")
    with pytest.raises(PipelineCancelled):
        progress.start_recording("fg2", 10.0)
