"""The runner and coded recordings, and the overlap stage in the runner (fake models)."""

from __future__ import annotations

import json
import shutil

import pytest

from qualkit.cli import main
from qualkit.pipeline.diarize import DiarizeOptions
from qualkit.pipeline.run import PipelineOptions
from qualkit.project import Project
from tests.pipeline_fakes import FakeAsr, FakeDetector, FakeEmbedder
from tests.unit.test_pipeline_run import add, pipeline


def coded(project: Project) -> tuple[list[tuple[str, float | None]], int]:
    """Transcribe one recording with the defaults and code its first segment."""
    add(project, "g")
    pipeline(project, FakeAsr(), FakeEmbedder()).run(project.recordings())
    segs = project.segments("g")
    project.add_coding(segs[0].id, "ledning", valence="hindrande")
    return [(s.text, s.start) for s in segs], len(project.codings())


def test_a_coded_recording_named_with_new_settings_is_an_error_before_any_work(
    project: Project,
) -> None:
    before, codings = coded(project)
    asr, emb = FakeAsr(), FakeEmbedder()
    opts = PipelineOptions(diarize=DiarizeOptions(num_speakers=1))
    [res] = pipeline(project, asr, emb, opts).run(project.recordings())
    assert not res.ok and "1 coded segment," in res.error and "kept" in res.error
    assert emb.calls == 0, "nothing is diarised for a transcript kept"
    assert [(s.text, s.start) for s in project.segments("g")] == before
    assert len(project.codings()) == codings


def test_with_all_a_coded_recording_is_kept_with_a_warning(project: Project) -> None:
    before, codings = coded(project)
    add(project, "ny", 13.0)
    asr, emb = FakeAsr(), FakeEmbedder()
    opts = PipelineOptions(diarize=DiarizeOptions(num_speakers=1), keep_coded=True)
    kept, new = pipeline(project, asr, emb, opts).run(project.recordings())
    assert kept.ok and kept.ran == () and kept.segments == len(before)
    assert "kept as it is" in kept.warnings[0]
    assert new.ok and new.ran == ("audio", "transcribe", "diarize", "align")
    assert asr.calls == 1 and emb.calls == 1, "only the new recording is computed"
    assert [(s.text, s.start) for s in project.segments("g")] == before
    assert len(project.codings()) == codings


def test_a_coded_recording_with_unchanged_settings_is_reused(project: Project) -> None:
    before, _ = coded(project)
    asr, emb = FakeAsr(), FakeEmbedder()
    [res] = pipeline(project, asr, emb).run(project.recordings())
    assert res.ok and res.ran == () and not res.warnings
    assert [(s.text, s.start) for s in project.segments("g")] == before


def test_cli_all_keeps_coded_recordings_and_exits_zero(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from qualkit.pipeline import run as run_mod

    coded(project)
    emb = FakeEmbedder()
    monkeypatch.setattr(run_mod, "load_backend", lambda *a, **k: FakeAsr())
    monkeypatch.setattr(run_mod, "load_embedder", lambda *a, **k: emb)
    monkeypatch.setattr(run_mod, "LoadedOnFirstScore", lambda *a, **k: FakeDetector())
    # The words came from FakeAsr: the same model, so only the diarisation key changes.
    monkeypatch.setattr(run_mod.Pipeline, "_model_identity", lambda self: FakeAsr.model_id)
    root = str(project.root)
    assert main(["transcribe", "-p", root, "--all"]) == 0  # the control: all reused
    assert "kept" not in capsys.readouterr().out
    assert main(["transcribe", "-p", root, "--all", "--speakers", "1"]) == 0
    assert "kept as it is" in capsys.readouterr().out
    assert main(["transcribe", "-p", root, "g", "--speakers", "1"]) == 1
    assert "1 coded segment," in capsys.readouterr().out
    assert emb.calls == 0, "nothing was diarised again"


def test_a_coded_recording_whose_cache_is_gone_is_kept_not_recomputed(project: Project) -> None:
    before, codings = coded(project)
    shutil.rmtree(project.cache_dir / "artefacts")
    asr, emb = FakeAsr(), FakeEmbedder()
    [res] = pipeline(project, asr, emb).run(project.recordings())
    assert res.ok and res.ran in ((), ("audio",)) and not res.warnings
    assert asr.calls == 0 and emb.calls == 0
    assert [(s.text, s.start) for s in project.segments("g")] == before
    assert len(project.codings()) == codings


def test_a_hand_edited_recording_is_kept_unless_its_edits_may_go(project: Project) -> None:
    add(project, "g")
    pipeline(project, FakeAsr(), FakeEmbedder()).run(project.recordings())
    first = project.segments("g")[0]
    project.store.update_segment_text(first.id, "Rättad text.")
    other = PipelineOptions(diarize=DiarizeOptions(num_speakers=1))
    emb = FakeEmbedder()
    [res] = pipeline(project, FakeAsr(), emb, other).run(project.recordings())
    assert not res.ok and "edited by hand" in res.error and "--replace-edited" in res.error
    keep = PipelineOptions(diarize=DiarizeOptions(num_speakers=1), keep_coded=True)
    [res] = pipeline(project, FakeAsr(), emb, keep).run(project.recordings())
    assert res.ok and "edited by hand" in res.warnings[0] and emb.calls == 0
    assert project.segments("g")[0].text == "Rättad text."
    replace = PipelineOptions(diarize=DiarizeOptions(num_speakers=1), replace_edited=True)
    [res] = pipeline(project, FakeAsr(), emb, replace).run(project.recordings())
    assert res.ok and res.ran == ("diarize", "align") and emb.calls == 1
    assert project.segments("g")[0].text != "Rättad text."


def test_no_overlap_finds_what_was_diarised_before_the_stage_became_the_default() -> None:
    # Keys that the code before the change gave (11c2ccb), for a made-up sha.
    sha = "ab" * 32
    assert DiarizeOptions(overlap=False).artefact_key(sha) == "0972cb9297ec9afc"
    assert DiarizeOptions(overlap=False, num_speakers=4).artefact_key(sha) == "9373e5aa454fb249"
    # the stage at its old hop, without the speech trim that came after it
    old_hop = DiarizeOptions(overlap_step_s=2.5, speech_trim=False)
    assert old_hop.artefact_key(sha) == "e3adf696ef8c9122"
    assert DiarizeOptions().artefact_key(sha) != "e3adf696ef8c9122"  # the 5 s hop is new


def test_overlap_regions_from_the_detector_reach_the_transcript(project: Project) -> None:
    add(project, "g")
    # FakeEmbedder changes voice every 3 s: a region across the change at 6 s.
    detector = FakeDetector(regions=((5.6, 6.6),))
    p = pipeline(project, FakeAsr(), FakeEmbedder())
    p._detector = detector
    [res] = p.run(project.recordings())
    assert res.ok and detector.calls == 1
    data = json.loads(next((project.cache_dir / "artefacts").rglob("diarize-*.json")).read_text())
    assert data["overlap_turns"], "the overlap region gets a second voice"
    assert any(s.overlap for s in project.segments("g"))


def test_no_overlap_does_not_run_the_detector(project: Project) -> None:
    add(project, "g")
    detector = FakeDetector(regions=((5.6, 6.6),))
    opts = PipelineOptions(diarize=DiarizeOptions(overlap=False))
    p = pipeline(project, FakeAsr(), FakeEmbedder(), opts)
    p._detector = detector
    [res] = p.run(project.recordings())
    assert res.ok and detector.calls == 0
