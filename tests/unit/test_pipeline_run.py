"""Stage 5: the resumable runner, with fake models (no real weights, no network)."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qualkit.errors import InputError
from qualkit.model import Stage
from qualkit.pipeline.diarize import DiarizeOptions
from qualkit.pipeline.models import describe_model
from qualkit.pipeline.project_batch import project_pipeline
from qualkit.pipeline.run import Pipeline, PipelineOptions, RunResult
from qualkit.project import Project, open_project
from tests.pipeline_fakes import SECRET, FakeAsr, FakeDetector, FakeEmbedder, tone_wav

REPO = Path(__file__).resolve().parents[2]


def pipeline(
    project: Project, asr: object, emb: object, options: PipelineOptions | None = None
) -> Pipeline:
    return project_pipeline(
        project, options, asr_backend=asr, embedder=emb, detector=FakeDetector()
    )  # type: ignore[arg-type]


def add(project: Project, name: str, seconds: float = 12.0) -> None:
    src = tone_wav(project.root / "incoming" / f"{name}.wav", seconds, rate=44100, channels=2)
    project.import_audio(src, name=name)


def test_whole_pipeline_with_fakes(project: Project) -> None:
    add(project, "grupp1")
    asr, emb = FakeAsr(), FakeEmbedder()
    [res] = pipeline(project, asr, emb).run(project.recordings())
    assert res.ok and res.ran == ("audio", "transcribe", "diarize", "align")
    assert {p.suffix for p in res.outputs} == {".json", ".srt", ".vtt", ".txt"}
    txt = (project.transcripts_dir / "grupp1.txt").read_text()
    assert txt.startswith("[00:00:00] Talare ")
    data = json.loads((project.transcripts_dir / "grupp1.json").read_text())
    assert data["segments"][0]["words"][0]["text"] == "ord" and "confidence" in data["segments"][0]
    assert (project.transcripts_dir / "grupp1.vtt").read_text().startswith("WEBVTT")
    segs = project.segments("grupp1")
    labels = {s.label for s in project.store.speakers(segs[0].recording_id)}
    assert labels == {"Talare 1", "Talare 2"}
    rec = project.recording("grupp1")
    assert rec.duration_s == pytest.approx(12.0, abs=0.05)
    assert all(rec.stages[s.value] == "done" for s in Stage)


def test_rerun_reuses_every_stage(project: Project) -> None:
    add(project, "g")
    pipeline(project, FakeAsr(), FakeEmbedder()).run(project.recordings())
    asr, emb = FakeAsr(), FakeEmbedder()
    [res] = pipeline(project, asr, emb).run(project.recordings())
    assert res.ok and res.ran == () and asr.calls == 0 and emb.calls == 0
    assert project.store.segment_count() > 0


def test_changed_diarisation_option_reruns_only_what_depends_on_it(project: Project) -> None:
    add(project, "g")
    pipeline(project, FakeAsr(), FakeEmbedder()).run(project.recordings())
    asr, emb = FakeAsr(), FakeEmbedder()
    opts = PipelineOptions(diarize=DiarizeOptions(num_speakers=1))
    [res] = pipeline(project, asr, emb, opts).run(project.recordings())
    assert res.ran == ("diarize", "align") and asr.calls == 0 and emb.calls == 1
    assert {s.label for s in project.store.speakers()} == {"Talare 1"}


def test_interrupted_batch_resumes_without_redoing_finished_work(project: Project) -> None:
    add(project, "a", 12.0)
    add(project, "b", 13.0)  # different audio: identical files share artefacts

    def boom(call: int) -> None:
        if call == 2:  # first window of the second recording
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        pipeline(project, FakeAsr(boom), FakeEmbedder()).run(project.recordings())
    # Ctrl-C is the user's cancel, not a failure: shown as interrupted, resumed there.
    b = project.recording("b")
    assert b.stages["transcribe"] == "interrupted"
    assert (b.pipeline_state, b.pipeline_stage) == ("interrupted", "transcribe")
    asr, emb = FakeAsr(), FakeEmbedder()
    results = pipeline(project, asr, emb).run(project.recordings())
    assert [r.ran for r in results] == [(), ("transcribe", "diarize", "align")]
    assert asr.calls == 1 and emb.calls == 1


def test_killed_process_resumes(project_dir: Path, tmp_path: Path) -> None:
    """kill -9 in the middle of the second recording; the rerun redoes only that one."""
    with open_project(project_dir) as p:
        add(p, "a", 12.0)
        add(p, "b", 13.0)
    marker = tmp_path / "started"
    child = (
        f"import sys; sys.path.insert(0, {str(REPO)!r})\n"
        "from pathlib import Path\n"
        "from qualkit.project import open_project\n"
        "from qualkit.pipeline.run import Pipeline\n"
        "from tests.pipeline_fakes import SlowAsr, FakeDetector, FakeEmbedder\n"
        f"p = open_project({str(project_dir)!r})\n"
        "Pipeline(p.store, p.cache_dir / 'artefacts', p.transcripts_dir, base_dir=p.root,\n"
        f"         asr_backend=SlowAsr(Path({str(marker)!r}), 2),\n"
        "         embedder=FakeEmbedder(), detector=FakeDetector()).run(p.recordings())\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", child], env={**os.environ, "PYTHONPATH": str(REPO)}
    )
    try:
        for _ in range(600):
            if marker.exists() or proc.poll() is not None:
                break
            time.sleep(0.1)
        assert marker.exists(), "the child never reached the second recording"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    with open_project(project_dir) as p:
        assert p.recording("a").stages["align"] == "done"
        # Its process is gone: the stage it was in is no longer shown as running.
        assert p.recording("b").pipeline_state == "interrupted"
        asr, emb = FakeAsr(), FakeEmbedder()
        results = pipeline(p, asr, emb).run(p.recordings())
        assert [r.ran for r in results] == [(), ("transcribe", "diarize", "align")]
        assert not list((p.cache_dir / "artefacts").rglob("*.tmp"))


def test_a_file_that_is_not_audio_is_refused_at_import_and_nothing_is_kept(
    project: Project,
) -> None:
    fake = project.root / "in" / "fake.wav"
    fake.parent.mkdir(parents=True, exist_ok=True)
    fake.write_text("hello, this is text")
    with pytest.raises(InputError, match=r"fake\.wav: not a recognised audio"):
        project.import_audio(fake)
    assert project.recordings() == [] and not (project.audio_dir / "fake.wav").exists()


def test_an_uncoded_recording_can_be_removed_a_coded_one_cannot(project: Project) -> None:
    add(project, "a")
    add(project, "b")
    pipeline(project, FakeAsr(), FakeEmbedder()).run(project.recordings())
    b = project.recording("b")
    project.add_coding("b:1", "ledning", coder="anna")
    with pytest.raises(InputError, match="1 coding"):
        project.remove_recording(b.id)
    a = project.recording("a")
    memo = project.store.add_memo("segment", str(project.store.segments(a.id)[0].id), "obs")
    with pytest.raises(InputError, match="1 memos"):
        project.remove_recording(a.id)  # a memo is work too
    project.store.delete_memo(memo.id)
    project.remove_recording(a.id)
    assert [r.name for r in project.recordings()] == ["b"]
    assert project.store.segments(a.id) == [] and (project.root / a.audio_path).is_file()
    add(project, "a")  # the kept file can be imported again


def test_a_hand_edited_transcript_is_work_too(project: Project) -> None:
    from qualkit.pipeline.coded import made_segments

    add(project, "a")
    add(project, "b")
    pipeline(project, FakeAsr(), FakeEmbedder()).run(project.recordings())
    b = project.recording("b")
    project.remove_recording(b.id, made_segments(project, b))  # as made: no work, it goes
    a = project.recording("a")
    made = made_segments(project, a)
    assert made is not None and len(made) == project.store.segment_count(a.id)
    first = project.store.segments(a.id)[0]
    project.store.update_segment_text(first.id, first.text + " (rättat)")
    with pytest.raises(InputError, match=r"1 hand-edited segments.*--discard-edits"):
        project.remove_recording(a.id, made_segments(project, a))
    assert project.store.segment_count(a.id) == len(made)  # nothing went
    project.remove_recording(a.id, None)  # --discard-edits: the edits go with it
    assert project.recordings() == []


def test_bad_file_fails_alone(project: Project) -> None:
    add(project, "good")
    bad = tone_wav(project.audio_dir / "bad.wav", 2.0)
    project.import_audio(bad, name="bad")
    bad.write_bytes(b"\x00garbage" * 300)  # damaged on disk after it was imported
    results = pipeline(project, FakeAsr(), FakeEmbedder()).run(project.recordings())
    by = {r.recording: r for r in results}
    assert by["good"].ok and not by["bad"].ok
    assert "bad.wav" in by["bad"].error


def test_silent_recording_gives_an_empty_transcript(project: Project) -> None:
    src = tone_wav(project.root / "in" / "tyst.wav", 4.0, amplitude=0.0)
    project.import_audio(src, name="tyst")
    asr, emb = FakeAsr(), FakeEmbedder()
    [res] = pipeline(project, asr, emb).run(project.recordings())
    assert res.ok and res.segments == 0 and asr.calls == 0 and emb.calls == 0
    assert (project.transcripts_dir / "tyst.txt").read_text() == ""


def test_logs_never_contain_transcript_text(
    project: Project, caplog: pytest.LogCaptureFixture
) -> None:
    add(project, "g")
    with caplog.at_level(logging.DEBUG):
        pipeline(project, FakeAsr(), FakeEmbedder()).run(project.recordings())
    assert caplog.records and SECRET not in caplog.text


def test_no_network_needed(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise OSError("network is off in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    add(project, "g")
    [res] = pipeline(project, FakeAsr(), FakeEmbedder()).run(project.recordings())
    assert isinstance(res, RunResult) and res.ok
    assert os.environ["HF_HUB_OFFLINE"] == "1" and os.environ["PYANNOTE_METRICS_ENABLED"] == "0"


def test_codings_protect_an_existing_transcript(project: Project) -> None:
    add(project, "g")
    pipeline(project, FakeAsr(), FakeEmbedder()).run(project.recordings())
    seg = project.segments("g")[0]
    project.add_coding(seg.id, "ledning")
    opts = PipelineOptions(diarize=DiarizeOptions(num_speakers=1))
    [res] = pipeline(project, FakeAsr(), FakeEmbedder(), opts).run(project.recordings())
    assert not res.ok and "codings" in res.error
    assert project.segments("g")[0].id == seg.id


def test_named_voice_keeps_its_name_after_rediarisation(project: Project) -> None:
    from qualkit import speakers

    add(project, "g")
    pipeline(project, FakeAsr(), FakeEmbedder()).run(project.recordings())
    rec = project.recording("g")
    first = {s.start: s.speaker_id for s in project.segments("g")}
    named = speakers.name_speaker(project.store, rec.id, "Talare 2", role="handläggare", actor="FK")
    who = next(sp.label for sp in project.store.speakers(rec.id) if sp.participant_id == named.id)
    spans = [
        (s.start, s.end)
        for s in project.segments("g")
        if project.store.speaker(s.speaker_id).label == who
    ]
    opts = PipelineOptions(diarize=DiarizeOptions(min_turn_s=0.3))  # a new diarisation
    [res] = pipeline(project, FakeAsr(), FakeEmbedder(), opts).run(project.recordings())
    assert res.ran == ("diarize", "align") and first
    again = [
        (s.start, s.end)
        for s in project.segments("g")
        if project.store.speaker(s.speaker_id).participant_id == named.id
    ]
    assert again == spans


def test_carry_labels_maps_by_overlap() -> None:
    from qualkit.pipeline.align import AlignedSegment, AlignedTranscript
    from qualkit.pipeline.run import carry_labels

    new = AlignedTranscript(
        10,
        (
            AlignedSegment("Talare 1", 0, 4, "a", ()),
            AlignedSegment("Talare 2", 4, 8, "b", ()),
            AlignedSegment("Talare 3", 8, 9, "c", ()),
        ),
        ("Talare 1", "Talare 2", "Talare 3"),
    )
    out = carry_labels([("Talare 2", 0, 4), ("Talare 1", 4, 8)], new)
    assert [s.speaker for s in out.segments] == ["Talare 2", "Talare 1", "Talare 3"]


def test_damaged_or_odd_audio_is_reported_not_silently_ok(project: Project) -> None:
    whole = tone_wav(project.root / "in" / "whole.wav", 8.0)
    cut = project.root / "in" / "cut.wav"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    project.import_audio(cut, name="cut")
    src = tone_wav(project.root / "in" / "tyst.wav", 4.0, amplitude=0.0)
    project.import_audio(src, name="tyst")
    results = pipeline(project, FakeAsr(), FakeEmbedder()).run(project.recordings())
    by = {r.recording: r for r in results}
    assert by["cut"].ok and any("cut short" in w for w in by["cut"].warnings)
    assert by["tyst"].ok and any("no sound" in w for w in by["tyst"].warnings)
    assert json.loads((project.transcripts_dir / "cut.json").read_text())["truncated_audio"]


def test_cli_prints_the_reason_for_a_failure_on_its_own_line(
    project_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from qualkit.cli import main

    with open_project(project_dir) as project:
        bad = tone_wav(project.audio_dir / "trasig.wav", 2.0)
        project.import_audio(bad, name="trasig")
        bad.write_bytes(b"\x00garbage" * 300)  # damaged after it was imported
    monkeypatch.setenv("COLUMNS", "80")
    code = main(["transcribe", "trasig", "-p", str(project_dir), "--no-diarize"])
    out = capsys.readouterr().out
    assert code == 1
    line = next(x for x in out.splitlines() if x.startswith("trasig failed:"))
    assert "trasig.wav" in line


def test_the_project_names_the_speech_model_for_the_method_section(project: Project) -> None:
    add(project, "g1")
    add(project, "g2")
    pipeline(project, FakeAsr(), FakeEmbedder()).run(project.recordings())
    assert project.store.get_meta("asr_model") == "Whisper fake-model-1, fake-asr"


def test_a_model_is_named_by_its_folder_never_its_path() -> None:
    assert describe_model("base@pip:qualkit-whisper-base", "faster-whisper") == (
        "Whisper base, faster-whisper"
    )
    ident = "/home/anna.svensson/modeller/kb-whisper-small:48000000:1764590000"
    assert describe_model(ident, "faster-whisper") == "Whisper kb-whisper-small, faster-whisper"


def test_whisper_is_let_go_while_diarising(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Peak memory is the larger model's, not both: a backend the pipeline loaded itself
    is gone while a recording is diarised and is loaded again for the next one."""
    import qualkit.pipeline.run as run_mod

    add(project, "a", 12.0)
    add(project, "b", 13.0)
    loads: list[FakeAsr] = []

    def load(*_args: object) -> FakeAsr:
        loads.append(FakeAsr())
        return loads[-1]

    monkeypatch.setattr(run_mod, "load_backend", load)
    held_while_diarising: list[bool] = []

    class Watching(FakeEmbedder):
        def embed(self, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
            held_while_diarising.append(pipe._asr is not None)
            return super().embed(*args, **kwargs)  # type: ignore[arg-type]

    pipe = project_pipeline(project, embedder=Watching(), detector=FakeDetector())
    results = pipe.run(project.recordings())
    assert all(r.ok for r in results)
    assert held_while_diarising == [False, False]
    assert len(loads) == 2 and [a.calls for a in loads] == [1, 1]


def test_a_backend_handed_in_is_kept(project: Project) -> None:
    add(project, "a", 12.0)
    add(project, "b", 13.0)
    asr = FakeAsr()
    pipe = pipeline(project, asr, FakeEmbedder())
    pipe.run(project.recordings())
    assert pipe._asr is asr and asr.calls == 2


def test_one_rule_says_where_a_recordings_pipeline_stands() -> None:
    from qualkit.model import Recording

    def state(stages: dict[str, str], transcript: str | None = None) -> str:
        return Recording(1, "r", transcript_path=transcript, stages=stages).pipeline_state

    assert state({}) == "new" and state({}, "t.docx") == "transcript"
    assert state({"audio": "done"}) == "partial"  # a cluster run cut short: not "done"
    assert state({"audio": "done", "transcribe": "failed"}) == "failed"
    assert state({"audio": "done", "transcribe": "running"}) == "running"
    assert state({"audio": "done", "diarize": "interrupted"}) == "interrupted"
    assert state({"audio": "failed", "diarize": "interrupted"}) == "failed"
    done = {"audio": "done", "transcribe": "done", "diarize": "skipped", "align": "done"}
    assert state(done) == "done"

    def stage(stages: dict[str, str]) -> str | None:
        return Recording(1, "r", stages=stages).pipeline_stage

    # In the order the stages run, whatever order the store gave them in.
    assert stage({"align": "failed", "transcribe": "failed", "audio": "done"}) == "transcribe"
    assert stage({"diarize": "running", "audio": "done", "transcribe": "done"}) == "diarize"
    assert stage({"audio": "done"}) == "transcribe"  # partial: the next one to run
    assert stage({"audio": "done", "transcribe": "done", "diarize": "interrupted"}) == "diarize"
    assert stage(done) is None and stage({}) is None
