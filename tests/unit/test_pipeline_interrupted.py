"""A stage stopped by the user (Ctrl-C, Esc in the app) or by its process ending (kill -9,
quitting the app) is interrupted: not failed, not running for ever."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest

from qualkit.cli import main
from qualkit.model import Stage, StageStatus
from qualkit.pipeline.events import CallbackProgress, PipelineCancelled
from qualkit.project import Project
from qualkit.store.locks import process_gone, this_process
from tests.pipeline_fakes import FakeAsr, FakeEmbedder
from tests.unit.test_pipeline_run import add, pipeline


def test_a_cancel_in_the_app_marks_the_stage_interrupted(project: Project) -> None:
    add(project, "a")
    cancel = threading.Event()

    def stop(call: int) -> None:
        cancel.set()

    progress = CallbackProgress(lambda _e: None, cancel)
    pipe = pipeline(project, FakeAsr(stop), FakeEmbedder())
    pipe.progress = progress
    with pytest.raises(PipelineCancelled):
        pipe.run(project.recordings())
    rec = project.recording("a")
    assert (rec.pipeline_state, rec.pipeline_stage) == ("interrupted", "transcribe")


def test_running_is_shown_only_while_its_process_lives(project: Project) -> None:
    add(project, "a")
    rec = project.recording("a")
    project.store.set_stage(rec.id, Stage.DIARIZE.value, StageStatus.RUNNING.value, "k")
    assert project.recording("a").pipeline_state == "running"  # this process: alive
    gone = [sys.executable, "-c", "import os; print(os.getpid())"]
    dead = subprocess.run(gone, text=True, capture_output=True, check=True).stdout.strip()
    host = this_process().split(":")[0]
    for owner in (f"{host}:{dead}:1", ""):  # killed, or written before owners were
        with project.store.transaction() as db:
            db.execute(
                "UPDATE stages SET owner = ? WHERE recording_id = ? AND stage = 'diarize'",
                (owner, rec.id),
            )
        assert project.recording("a").pipeline_state == "interrupted"
        assert project.recording("a").pipeline_stage == "diarize"


def test_a_process_on_another_machine_or_reused_pid_is_judged_carefully() -> None:
    host, pid, start = this_process().split(":")
    assert not process_gone(this_process())
    assert not process_gone(f"another-host-{host}:{pid}:{start}")  # cannot tell: alive
    if start:
        assert process_gone(f"{host}:{pid}:{int(start) + 1}")  # the pid was given again


def test_status_says_interrupted_and_where_it_resumes(
    project: Project, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    add(project, "a")
    rec = project.recording("a")
    for stage, state in (("audio", "done"), ("transcribe", "done"), ("diarize", "interrupted")):
        project.store.set_stage(rec.id, stage, state)
    monkeypatch.setenv("COLUMNS", "80")
    main(["status", "-p", str(project.root)])
    out = capsys.readouterr().out
    assert "interrupted, next:" in out and "diarize" in out and "failed" not in out
