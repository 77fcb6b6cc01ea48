"""One front door for a coding: every path that writes one stores it once."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from qualkit.errors import InputError, NotFoundError
from qualkit.model import Valence
from qualkit.project import Project
from qualkit.undo import UndoStack

# Every test here that uses a project runs on SQLite and on a PostgreSQL server.
pytestmark = pytest.mark.both_backends

REPO = Path(__file__).resolve().parents[2]


def _transcript(project: Project, n: int = 3) -> list[int]:
    rec = project.store.add_recording("möte")
    project.store.replace_segments(
        rec.id,
        [
            ("Talare 1", f"Vi samverkar med socialtjänsten, del {i}.", None, None, (), False)
            for i in range(n)
        ],
    )
    return [s.id for s in project.store.segments(rec.id)]


def test_api_path_stores_one_coding_for_a_repeated_call(project: Project) -> None:
    seg = _transcript(project)[0]
    first = project.add_coding(seg, "ledning", valence="främjande", coder="eva")
    again = project.add_coding(seg, "ledning", valence="främjande", coder="eva")
    assert again.id == first.id
    assert len(project.codings()) == 1


def test_coding_app_path_stores_one_coding_for_a_repeated_key_press(project: Project) -> None:
    """The coding app codes through the undo stack; a double key press is one coding."""
    seg = _transcript(project)[0]
    undo = UndoStack(project, coder="carl")
    undo.add_coding(seg, "ledning")
    undo.add_coding(seg, "ledning")
    assert [(c.code, c.coder) for c in project.codings()] == [("ledning", "carl")]


def test_store_reports_whether_a_coding_is_new(project: Project) -> None:
    seg = _transcript(project)[0]
    first = project.store.insert_coding(seg, "danermark", "ledning", coder="eva")
    same = project.store.insert_coding(seg, "danermark", "ledning", coder="eva")
    assert (first.new, same.new, same.updated, same.coding.id) == (
        True,
        False,
        False,
        first.coding.id,
    )
    # Another coder, valence or span is another coding.
    project.store.add_coding(seg, "danermark", "ledning", coder="dora")
    project.store.add_coding(seg, "danermark", "ledning", coder="eva", valence=Valence.PROMOTING)
    project.store.add_coding(seg, "danermark", "ledning", coder="eva", span=(0, 2))
    # A memo on an otherwise equal coding updates it (as NVivo and ATLAS.ti do): two
    # copies would both be counted, and an exchange file keeps only one of them.
    memo = project.store.insert_coding(seg, "danermark", "ledning", coder="eva", memo="viktig")
    assert (memo.new, memo.changed, memo.old_memo) == (False, ("memo",), None)
    assert memo.coding.id == first.coding.id
    # No memo means "the same": the memo stays.
    project.store.add_coding(seg, "danermark", "ledning", coder="eva")
    assert len(project.codings()) == 4
    assert project.store.coding(first.coding.id).memo == "viktig"


def test_coding_again_with_memo_and_partner_updates_the_one_coding(project: Project) -> None:
    seg = _transcript(project)[0]
    first = project.code_segment(seg, "arbetsstruktur", valence="hindrande", coder="anna")
    again = project.code_segment(
        seg, "arbetsstruktur", valence="hindrande", coder="anna", memo="m", partner="vård"
    )
    assert (again.new, again.changed) == (False, ("memo", "partner_actor"))
    assert again.coding.id == first.coding.id
    assert len(project.codings()) == 1
    assert project.store.partner_actor(first.coding.id) == "vård"
    assert project.store.coding(first.coding.id).memo == "m"


def test_coding_app_updates_a_memo_by_coding_again_undoably(project: Project) -> None:
    seg = _transcript(project)[0]
    undo = UndoStack(project, coder="carl")
    coding = undo.add_coding(seg, "ledning", memo="först")
    undo.add_coding(seg, "ledning", memo="sedan")
    assert [c.memo for c in project.codings()] == ["sedan"]
    undo.undo()
    assert [(c.id, c.memo) for c in project.codings()] == [(coding.id, "först")]
    undo.redo()
    assert [c.memo for c in project.codings()] == ["sedan"]


def test_a_valence_change_that_makes_a_twin_is_refused(project: Project) -> None:
    seg = _transcript(project)[0]
    kept = project.add_coding(seg, "ledning", valence="främjande", coder="eva")
    other = project.add_coding(seg, "ledning", valence="hindrande", coder="eva")
    with pytest.raises(InputError, match="same as coding"):
        project.store.update_coding(other.id, valence=Valence.PROMOTING)
    assert project.store.coding(other.id).valence == Valence.HINDERING  # rolled back
    assert {c.id for c in project.codings()} == {kept.id, other.id}
    # Another coder may hold the same coding: that is agreement, not a duplicate.
    bo = project.add_coding(seg, "ledning", valence="hindrande", coder="bo")
    assert project.store.update_coding(bo.id, valence=Valence.PROMOTING).valence.value


def test_unknown_codebook_names_the_known_ones(project: Project) -> None:
    seg = _transcript(project)[0]
    with pytest.raises(NotFoundError, match=r"No codebook 'nope'.*danermark"):
        project.store.add_coding(seg, "nope", "ledning")


def test_coders_are_created_one_way(project: Project) -> None:
    seg = _transcript(project)[0]
    project.store.add_coding(seg, "danermark", "ledning", coder=" eva ")
    project.store.add_memo("segment", str(seg), "bra", coder="eva")
    project.store.add_suggestion_feedback(seg, "danermark", "ledning", True, coder="eva")
    assert [c.name for c in project.store.coders()] == ["eva"]


def test_a_coder_name_in_another_case_is_the_existing_coder(project: Project) -> None:
    """'Anna' when 'anna' codes is a slip, not a new coder who would join agreement."""
    seg = _transcript(project)[0]
    project.store.add_coding(seg, "danermark", "ledning", coder="anna")
    coding = project.store.add_coding(seg, "danermark", "individ", coder="Anna")
    assert coding.coder == "anna"
    assert [c.name for c in project.store.coders()] == ["anna"]


_WORKER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from qualkit.project import open_project

    root, go, ready = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    with open_project(root) as project:
        ids = [s.id for s in project.store.segments()]
        ready.touch()
        while not go.exists():
            time.sleep(0.005)
        for seg in ids:
            project.add_coding(seg, "ledning", coder="eva")
    """
)


def test_two_processes_coding_at_once_store_one_coding_each(project_dir: Path) -> None:
    from qualkit.project import open_project

    with open_project(project_dir) as project:
        _transcript(project, 30)
    go = project_dir / "go"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    ready = [project_dir / f"ready-{i}" for i in range(3)]
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, str(project_dir), str(go), str(flag)],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for flag in ready
    ]
    # Every worker has opened the project before the race starts: opening is the slow part.
    while not all(flag.exists() for flag in ready):
        assert all(w.poll() is None for w in workers), [w.communicate()[1] for w in workers]
        time.sleep(0.01)
    go.touch()
    for w in workers:
        _out, err = w.communicate(timeout=120)
        assert w.returncode == 0, err
    with open_project(project_dir) as project:
        codings = project.codings()
        assert len(codings) == 30
        assert len({c.segment_id for c in codings}) == 30
