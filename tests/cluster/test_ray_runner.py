"""Batch transcription on a real Ray cluster (in-process and two nodes), with fake models."""

from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from qualkit.errors import InputError, ModelMissingError
from qualkit.pipeline.cluster import ClusterOptions, ClusterRun, check_address, import_ray
from qualkit.pipeline.project_batch import project_pipeline
from qualkit.pipeline.run import PipelineOptions, Progress, RunResult
from qualkit.project import Project, init_project, open_project
from tests.cluster.ray_fakes import fake_models, slow_models
from tests.pipeline_fakes import FakeAsr, FakeDetector, FakeEmbedder, tone_wav

ray = pytest.importorskip("ray")
pytestmark = pytest.mark.cluster

REPO = Path(__file__).resolve().parents[2]
NAMES = ("grupp1", "grupp2", "grupp3")


def make_project(root: Path, seconds: tuple[float, ...] = (6.0, 9.0, 7.5)) -> Project:
    init_project(root).close()
    project = open_project(root)
    for name, length in zip(NAMES, seconds, strict=True):
        src = tone_wav(root / "incoming" / f"{name}.wav", length)
        project.import_audio(src, name=name)
    return project


def snapshot(project: Project) -> dict[str, Any]:
    """What a user sees of a transcription: turns with speakers, and the files."""
    out: dict[str, Any] = {}
    for rec in project.recordings():
        labels = {sp.id: sp.label for sp in project.store.speakers(rec.id)}
        out[rec.name] = [
            (labels.get(s.speaker_id or -1), s.text, s.start, s.end)
            for s in project.store.segments(rec.id)
        ]
        out[rec.name + ".txt"] = (project.transcripts_dir / f"{rec.name}.txt").read_text()
    return out


def local_run(root: Path) -> dict[str, Any]:
    project = make_project(root)
    project_pipeline(
        project, asr_backend=FakeAsr(), embedder=FakeEmbedder(), detector=FakeDetector()
    ).run(project.recordings())
    snap = snapshot(project)
    project.close()
    return snap


def cluster_run(
    project: Project, workers: int, progress: Progress | None = None, models: Any = fake_models
) -> ClusterRun:
    return ClusterRun(project, PipelineOptions(), ClusterOptions("auto", workers), progress, models)


class StopAfterFirst(Progress):
    def end_recording(self, result: RunResult) -> None:
        raise KeyboardInterrupt


def test_cluster_run_lands_the_same_transcripts_as_a_local_run(
    local_cluster: Any, tmp_path: Path
) -> None:
    expected = local_run(tmp_path / "local")
    project = make_project(tmp_path / "cluster")
    run = ClusterRun(
        project, PipelineOptions(), ClusterOptions("auto", workers=2), None, fake_models
    )
    results = run.run(local_cluster, project.recordings())
    assert [r.recording for r in results] == list(NAMES) and all(r.ok for r in results)
    assert sorted(run.dispatched) == sorted(NAMES)  # each recording sent exactly once
    assert all("transcribe" in r.ran and "diarize" in r.ran for r in results)
    assert snapshot(project) == expected
    assert all(rec.stages["align"] == "done" for rec in project.recordings())
    # The decoded audio stays on the worker; only the small artefacts come back.
    back = list((project.cache_dir / "artefacts").rglob("transcribe-*.json"))
    assert len(back) == 3


def test_a_stopped_run_continues_where_it_stopped(local_cluster: Any, tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    first = ClusterRun(
        project,
        PipelineOptions(),
        ClusterOptions("auto", workers=1),
        StopAfterFirst(),
        fake_models,
    )
    with pytest.raises(KeyboardInterrupt):
        first.run(local_cluster, project.recordings())
    done = [r.name for r in project.recordings() if r.stages.get("align") == "done"]
    assert len(done) == 1
    again = ClusterRun(
        project, PipelineOptions(), ClusterOptions("auto", workers=1), None, fake_models
    )
    results = again.run(local_cluster, project.recordings())
    assert all(r.ok for r in results)
    assert sorted(again.dispatched) == sorted(set(NAMES) - set(done))
    reused = next(r for r in results if r.recording == done[0])
    assert reused.ran == ()


def test_a_killed_worker_is_replaced_and_every_recording_lands_once(
    local_cluster: Any, tmp_path: Path
) -> None:
    expected = local_run(tmp_path / "local")
    project = make_project(tmp_path / "p")
    markers = tmp_path / "markers"
    markers.mkdir()
    killed: list[int] = []

    class KillOnce(Progress):
        def advance(self, seconds: float, stage: str) -> None:
            busy = sorted(markers.glob("busy-*"))
            if busy and not killed:
                pid = int(busy[0].name.split("-")[1])
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

    run = ClusterRun(
        project,
        PipelineOptions(),
        ClusterOptions("auto", workers=2),
        KillOnce(),
        functools.partial(slow_models, str(markers)),
    )
    results = run.run(local_cluster, project.recordings())
    assert killed, "no worker was busy long enough to be killed"
    assert all(r.ok for r in results), [r.error for r in results]
    assert snapshot(project) == expected
    counts = {name: project.store.segment_count(project.recording(name).id) for name in NAMES}
    assert counts == {name: len(expected[name]) for name in NAMES}


def test_a_broken_recording_is_named_and_the_rest_finish(
    local_cluster: Any, tmp_path: Path
) -> None:
    project = make_project(tmp_path / "p")
    broken = project.root / "incoming" / "trasig.wav"
    broken.write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot really audio")
    project.store.add_recording("trasig", audio_path=str(broken))
    run = ClusterRun(
        project, PipelineOptions(), ClusterOptions("auto", workers=1), None, fake_models
    )
    results = {r.recording: r for r in run.run(local_cluster, project.recordings())}
    assert not results["trasig"].ok and results["trasig"].error
    assert all(results[n].ok for n in NAMES)


def test_a_replaced_file_is_transcribed_again_and_the_user_is_told(
    local_cluster: Any, tmp_path: Path
) -> None:
    project = make_project(tmp_path / "p")
    first = cluster_run(project, 2).run(local_cluster, project.recordings())
    assert all(r.ok and not r.warnings for r in first)
    old = project.recording(NAMES[0])
    new = tone_wav(project.root / "incoming" / "ny.wav", 11.0, rate=44100, channels=2)
    shutil.copy(new, project.root / str(old.audio_path))
    # The file is met twice: before the worker (where the change is seen) and on landing.
    again, *rest = cluster_run(project, 2).run(local_cluster, project.recordings())
    assert again.ok and "transcribe" in again.ran and all(r.ran == () for r in rest)
    assert any("audio file has changed" in w for w in again.warnings)
    assert project.recording(NAMES[0]).sha256 != old.sha256


def test_only_an_explicit_address_is_accepted() -> None:
    for good in ("auto", "local", "ray://head.example:10001", "10.1.2.3:6379"):
        assert check_address(good) == good
    for bad in ("", "  ", "head.example", "http://head:10001", "ray://", "auto;rm"):
        with pytest.raises(InputError):
            check_address(bad)


def test_without_ray_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(ModelMissingError, match=r"qualkit\[cluster\]"):
        import_ray()


def test_cli_refuses_an_implicit_address(tmp_path: Path) -> None:
    root = tmp_path / "p"
    init_project(root).close()
    res = subprocess.run(
        [sys.executable, "-m", "qualkit", "transcribe", "-p", str(root), "--all", "--cluster", ""],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "Cluster address" in res.stderr
