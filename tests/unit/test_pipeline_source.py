"""A replaced audio file is transcribed again (or refused, when people worked on it), and
a stage stopped by the user or by its process ending is interrupted, not failed or running."""

from __future__ import annotations

import os
import shutil

import pytest

from qualkit.pipeline.source import current_sha
from qualkit.project import Project
from tests.pipeline_fakes import FakeAsr, FakeEmbedder, tone_wav
from tests.unit.test_pipeline_run import add, pipeline


def transcribed(project: Project, name: str = "cut", seconds: float = 6.0) -> str:
    add(project, name, seconds)
    [res] = pipeline(project, FakeAsr(), FakeEmbedder()).run([project.recording(name)])
    assert res.ok
    return str(project.recording(name).audio_path)


def replace_audio(project: Project, audio_path: str, seconds: float) -> None:
    """Copy another recording over the project's file, as the user told to would."""
    new = tone_wav(project.root / "incoming" / "whole.wav", seconds, rate=44100, channels=2)
    shutil.copy(new, project.root / audio_path)


def test_a_replaced_file_is_hashed_again_and_transcribed(project: Project) -> None:
    path = transcribed(project)
    old = project.recording("cut")
    replace_audio(project, path, 15.0)
    asr = FakeAsr()
    [res] = pipeline(project, asr, FakeEmbedder()).run([old])
    assert res.ok and res.ran == ("audio", "transcribe", "diarize", "align") and asr.calls
    assert any("audio file has changed" in w for w in res.warnings)
    rec = project.recording("cut")
    assert rec.sha256 != old.sha256 and rec.duration_s == pytest.approx(15.0, abs=0.05)
    assert max(s.end or 0 for s in project.segments("cut")) > 7.0  # the new file's words
    [again] = pipeline(project, FakeAsr(), FakeEmbedder()).run([rec])
    assert again.ran == () and not again.warnings


def test_a_file_that_is_not_audio_any_more_is_not_reused(project: Project) -> None:
    path = transcribed(project)
    (project.root / path).write_bytes(os.urandom(40_000))
    [res] = pipeline(project, FakeAsr(), FakeEmbedder()).run([project.recording("cut")])
    assert not res.ok and res.error


def test_a_file_touched_but_not_changed_is_reused_without_a_word(project: Project) -> None:
    path = transcribed(project)
    os.utime(project.root / path, (1_000_000, 1_000_000))
    [res] = pipeline(project, FakeAsr(), FakeEmbedder()).run([project.recording("cut")])
    assert res.ok and res.ran == () and not res.warnings


def test_a_coded_recording_keeps_its_transcript_when_its_file_is_replaced(
    project: Project,
) -> None:
    path = transcribed(project)
    project.add_coding("cut:1", "ledning", coder="anna")
    before = [(s.id, s.text) for s in project.segments("cut")]
    sha = project.recording("cut").sha256
    replace_audio(project, path, 15.0)
    for _ in range(2):  # the second run finds the changed file by its remembered hash
        [res] = pipeline(project, FakeAsr(), FakeEmbedder()).run([project.recording("cut")])
        assert not res.ok and "has changed since it was transcribed" in res.error
        assert "1 codings" in res.error and "original file back" in res.error
    assert [(s.id, s.text) for s in project.segments("cut")] == before
    assert len(project.codings()) == 1 and project.recording("cut").sha256 == sha


def test_hand_edits_alone_may_be_given_up_for_the_new_file(project: Project) -> None:
    from qualkit.pipeline.run import PipelineOptions

    path = transcribed(project)
    first = project.segments("cut")[0]
    project.store.update_segment_text(first.id, first.text + " (rättat)")
    replace_audio(project, path, 15.0)
    [res] = pipeline(project, FakeAsr(), FakeEmbedder()).run([project.recording("cut")])
    assert not res.ok and "--replace-edited" in res.error
    opts = PipelineOptions(replace_edited=True)
    [res] = pipeline(project, FakeAsr(), FakeEmbedder(), opts).run([project.recording("cut")])
    assert res.ok and "transcribe" in res.ran


def test_the_hash_is_taken_again_only_when_size_or_time_changed(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qualkit.pipeline import source

    src = tone_wav(project.root / "a.wav", 2.0)
    root = project.cache_dir / "artefacts"
    first = current_sha(root, src)
    hashed: list[object] = []
    monkeypatch.setattr(source, "sha256_file", lambda p: hashed.append(p) or "x")
    assert current_sha(root, src) == first and not hashed
    os.utime(src, (5, 5))
    assert current_sha(root, src) == "x" and hashed == [src]


def test_the_cut_short_warning_names_what_works(project: Project) -> None:
    whole = tone_wav(project.root / "in" / "whole.wav", 8.0)
    cut = project.root / "in" / "cut.wav"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    rec = project.import_audio(cut, name="cut")
    [res] = pipeline(project, FakeAsr(), FakeEmbedder()).run([rec])
    [warning] = [w for w in res.warnings if "cut short" in w]
    named = f"copy the whole recording over {rec.audio_path} and run qualkit transcribe"
    assert named in warning
    shutil.copy(whole, project.root / str(rec.audio_path))  # as the warning says
    [res] = pipeline(project, FakeAsr(), FakeEmbedder()).run([project.recording("cut")])
    assert res.ok and "transcribe" in res.ran and not any("cut short" in w for w in res.warnings)
    assert project.recording("cut").duration_s == pytest.approx(8.0, abs=0.05)


def test_a_replaced_file_whose_run_stops_keeps_nothing_of_the_old_transcript(
    project: Project,
) -> None:
    # The old file's turns and voice names must not be carried onto the new file's, even
    # when the run that transcribes the new file is stopped half-way and run again.
    path = transcribed(project)
    first = project.store.speakers(project.recording("cut").id)[0]
    bo = project.store.add_participant(pseudonym="Bo")
    project.store.assign_speaker(first.id, bo.id)
    project.store.assign_speaker(first.id, None)  # taken back: no work left on the voice
    replace_audio(project, path, 15.0)

    def stop(_: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        pipeline(project, FakeAsr(on_call=stop), FakeEmbedder()).run([project.recording("cut")])
    rec = project.recording("cut")
    assert project.segments("cut") == [] and project.store.speakers(rec.id) == []
    [res] = pipeline(project, FakeAsr(), FakeEmbedder()).run([rec])
    assert res.ok and "transcribe" in res.ran
    assert max(s.end or 0 for s in project.segments("cut")) > 7.0
