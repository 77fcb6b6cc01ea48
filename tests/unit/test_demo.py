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


def test_demo_is_idempotent(demo_project: Project) -> None:
    from qualkit.demo import run_demo

    run_demo(demo_project.root, say=lambda _m: None)
    assert len(demo_project.codings()) == 15
    assert len(demo_project.recordings()) == 1
