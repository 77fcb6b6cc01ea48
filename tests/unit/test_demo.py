from __future__ import annotations

from pathlib import Path

import pytest

from qualkit.errors import InputError
from qualkit.project import Project


def test_demo_imports_names_codes_and_exports(demo_project: Project) -> None:
    rec = demo_project.recording("fokusgrupp_demo")
    assert rec.kommun == "Norrby"
    speakers = demo_project.store.speakers(rec.id)
    assert len(speakers) == 5 and all(s.participant_id for s in speakers)
    actors = {p.actor.value for p in demo_project.store.participants() if p.actor}
    assert actors == {"kommun", "vård", "FK", "AF", "annan"}
    assert len(demo_project.codings()) == 15
    assert (demo_project.exports_dir / "codings.csv").exists()
    # The demo's delrapport, with the partner actors the demo codings name.
    assert (demo_project.exports_dir / "rapport_kommun_Norrby.docx").stat().st_size > 0
    frame = demo_project.codings_frame()
    assert sorted(frame["partner_actor"].dropna()) == ["AF", "AF", "FK", "kommun"]


def test_demo_is_idempotent(demo_project: Project) -> None:
    from qualkit.demo import run_demo

    run_demo(demo_project.root, say=lambda _m: None)
    assert len(demo_project.codings()) == 15
    assert len(demo_project.recordings()) == 1


def test_voices_are_named_after_the_reference_speaker_they_overlap(
    project: Project, tmp_path
) -> None:
    from qualkit.demo import ReferenceTurn, read_rttm, voice_names

    rec = project.store.add_recording("r")
    project.store.replace_segments(
        rec.id,
        [
            ("Talare 1", "a", 0.0, 4.0, (), False),
            ("Talare 2", "b", 4.2, 9.0, (), False),
            ("Talare 1", "c", 9.1, 12.0, (), False),
        ],
    )
    rttm = tmp_path / "ref.rttm"
    rttm.write_text(
        "SPEAKER r 1 0.100 3.800 <NA> <NA> Moderator <NA> <NA>\n"
        "SPEAKER r 1 4.300 4.500 <NA> <NA> Handläggare_FK <NA> <NA>\n"
        "SPEAKER r 1 9.200 2.700 <NA> <NA> Moderator <NA> <NA>\n",
        encoding="utf-8",
    )
    reference = read_rttm(rttm)
    assert reference[1] == ReferenceTurn("Handläggare_FK", 4.3, 8.8)
    names = voice_names(project, rec, reference)
    by_label = {project.store.speaker(k).label: v for k, v in names.items()}
    assert by_label == {"Talare 1": "Moderator", "Talare 2": "Handläggare_FK"}


def test_the_demo_in_another_folder_brings_its_material_from_the_checkout(tmp_path: Path) -> None:
    from qualkit.demo import run_demo

    said: list[str] = []
    run_demo(tmp_path / "elsewhere", said.append, from_audio=False)
    assert (tmp_path / "elsewhere" / "audio" / "demo" / "fokusgrupp_demo.txt").exists()
    assert any(s.startswith("Copied the demo material") for s in said)
    assert not any("missing" in s for s in said)


def test_without_demo_material_one_true_message_and_no_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import qualkit.demo as demo

    # As installed from a wheel: no audio/demo/ beside the package.
    monkeypatch.setattr(demo, "__file__", str(tmp_path / "site" / "qualkit" / "demo.py"))
    with pytest.raises(InputError, match="comes with qualkit's source checkout"):
        demo.run_demo(tmp_path / "p", lambda _s: None)
    assert not (tmp_path / "p").exists()
