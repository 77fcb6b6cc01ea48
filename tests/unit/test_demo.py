from __future__ import annotations

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
