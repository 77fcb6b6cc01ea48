"""Several coders on one study at once: nothing lost, nothing written twice, no silent overwrite."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from qualkit.errors import ConnectionLostError, EditConflictError
from qualkit.model import Valence
from qualkit.project import Project, open_project
from qualkit.undo import UndoStack
from tests.pg_server import PgServer

pytestmark = pytest.mark.both_backends


def _study(project_dir: Path) -> int:
    with open_project(project_dir) as project:
        rec = project.store.add_recording("r1")
        project.store.replace_segments(
            rec.id,
            [("A", "Vi ringer varandra.", 0.0, 1.0, (), False), ("B", "Ja.", 1.0, 2.0, (), False)],
        )
        return project.store.segments(rec.id)[0].id


def test_the_second_of_two_edits_of_one_segment_is_refused(project_dir: Path) -> None:
    seg_id = _study(project_dir)
    with open_project(project_dir) as eva, open_project(project_dir) as olle:
        started = eva.store.segment(seg_id).text
        assert olle.store.segment(seg_id).text == started
        UndoStack(olle, coder="olle").edit_text(seg_id, "Vi ringer alltid varandra.", base=started)
        with pytest.raises(EditConflictError, match="not saved"):
            UndoStack(eva, coder="eva").edit_text(seg_id, "Vi mejlar varandra.", base=started)
        assert eva.store.segment(seg_id).text == "Vi ringer alltid varandra."


def test_another_coders_work_moves_the_change_counter(project_dir: Path) -> None:
    seg_id = _study(project_dir)
    with open_project(project_dir) as eva, open_project(project_dir) as olle:
        seen = eva.store.data_version()
        eva.add_coding(seg_id, "ledning", coder="eva")
        assert eva.store.data_version() == seen  # one's own work is already on screen
        olle.add_coding(seg_id, "ledning", coder="olle", valence=Valence.HINDERING)
        assert eva.store.data_version() != seen
        # Blind coding: each coder's list holds their own codings only.
        assert [c.coder for c in eva.store.codings(coder="eva")] == ["eva"]
        assert {c.coder for c in eva.codings()} == {"eva", "olle"}


def test_coders_at_once_store_each_coding_once(project_dir: Path) -> None:
    seg_id = _study(project_dir)
    projects = [open_project(project_dir) for _ in range(4)]
    errors: list[BaseException] = []

    def code(project: Project, i: int) -> None:
        try:
            for _ in range(5):  # the same coding again and again, from every connection
                project.add_coding(seg_id, "ledning", coder=f"c{i % 2}")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=code, args=(p, i)) for i, p in enumerate(projects)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert not errors
        assert sorted(c.coder for c in projects[0].codings()) == ["c0", "c1"]
    finally:
        for project in projects:
            project.close()


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_server_restart_loses_the_change_in_progress_whole(
    project_dir: Path, pg_server: PgServer
) -> None:
    seg_id = _study(project_dir)
    with open_project(project_dir) as project:
        project.add_coding(seg_id, "ledning", coder="eva")
        with pytest.raises(ConnectionLostError, match="not saved"), project.action():
            project.add_coding(seg_id, "ledning", coder="eva", valence=Valence.PROMOTING)
            pg_server.restart()
            project.add_coding(seg_id, "ledning", coder="eva", valence=Valence.HINDERING)
        # The connection comes back by itself; the interrupted action left nothing.
        assert [c.valence for c in project.codings()] == [Valence.NONE]
        seen = project.store.data_version()
        project.add_coding(seg_id, "ledning", coder="eva", valence=Valence.PROMOTING)
        assert len(project.codings()) == 2
        assert project.store.data_version() == seen  # its own write, not another's
