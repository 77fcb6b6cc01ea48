"""What the user typed -> the record: one resolver, one way of matching names and files."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from qualkit import resolve
from qualkit.errors import NotFoundError
from qualkit.layout import file_stem
from qualkit.model import Consent
from qualkit.privacy import find_participant, set_consent
from qualkit.project import Project
from qualkit.rounds import participant_ref

# Every test here that uses a project runs on SQLite and on a PostgreSQL server.
pytestmark = pytest.mark.both_backends

REPO = Path(__file__).resolve().parents[2]
NFD = unicodedata.normalize("NFD", "möte")


def _recording(project: Project, name: str, n: int = 2) -> int:
    rec = project.store.add_recording(name)
    project.store.replace_segments(
        rec.id, [(None, f"Stycke {i}.", None, None, (), False) for i in range(n)]
    )
    return rec.id


def test_recordings_and_segments_match_in_any_case(project: Project) -> None:
    rid = _recording(project, "Fokusgrupp Kiruna")
    assert project.recording("fokusgrupp kiruna").id == rid
    assert project.recording("FOKUSGRUPP KIRUNA").id == rid
    assert project.segment("fokusgrupp kiruna:2").idx == 1
    # An exact match wins over a case-insensitive one; two loose matches are no match.
    other = _recording(project, "fokusgrupp kiruna")
    assert project.recording("fokusgrupp kiruna").id == other
    assert project.recording("Fokusgrupp Kiruna").id == rid
    with pytest.raises(NotFoundError, match="No recording"):
        project.recording("FOKUSGRUPP KIRUNA")


def test_recording_names_match_in_either_unicode_form(project: Project) -> None:
    rid = _recording(project, NFD)  # a name that came from a decomposed file name
    assert project.recording("möte").id == rid
    assert project.segment("möte:1").recording_id == rid


def test_participants_match_one_way_in_every_command(project: Project) -> None:
    p = project.store.add_participant("Deltagare 1", real_name="Karin Lindqvist")
    for ref in ("Deltagare 1", "deltagare 1", str(p.id), p.id):
        assert find_participant(project, ref).id == p.id
        assert participant_ref(project, ref).id == p.id
    assert set_consent(project, "DELTAGARE 1", Consent.GIVEN).consent is Consent.GIVEN
    # Only the round's answers file may name people by their real names.
    assert participant_ref(project, "karin lindqvist").id == p.id
    with pytest.raises(NotFoundError) as err:
        find_participant(project, "Karin Lindqvist")
    assert "Karin" not in str(err.value)  # a typed real name is not echoed back


def test_a_decomposed_file_name_is_found(project: Project, tmp_path: Path) -> None:
    on_disk = tmp_path / f"{NFD} 1.txt"
    on_disk.write_text("Talare 1: Vi samverkar.\n", encoding="utf-8")
    typed = tmp_path / "möte 1.txt"  # what the user types: composed
    assert not typed.exists()
    assert resolve.existing_path(typed) == on_disk
    rec = project.import_path(typed)
    assert rec.name == "möte 1"
    assert project.recording("möte 1").id == rec.id


def test_file_stems_are_unique_per_recording() -> None:
    stems = {file_stem("möte 1", 1), file_stem("möte_1", 2), file_stem("möte?1", 3)}
    assert len(stems) == 3
    assert file_stem("möte_1", 2) == "möte_1"  # a plain name keeps its files' names
    assert file_stem(NFD, 4) == "möte"
    assert file_stem("???", 5) == "recording~5"


def test_transcript_exports_of_look_alike_names_do_not_overwrite(project: Project) -> None:
    from qualkit.export.transcript import export_transcript

    a, b = _recording(project, "möte 1"), _recording(project, "möte_1")
    paths = {export_transcript(project, a, "txt"), export_transcript(project, b, "txt")}
    assert len(paths) == 2 and all(p.is_file() for p in paths)


CORE = ["atomic.py", "layout.py", "resolve.py", "backup.py", "store", "project"]


def test_core_modules_import_qualkit_only_at_the_top() -> None:
    """An import inside a function hides a cycle; the core has none."""
    inside: list[str] = []
    for entry in CORE:
        base = REPO / "qualkit" / entry
        for path in [base] if base.is_file() else sorted(base.rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for fn in ast.walk(tree):
                if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                for node in ast.walk(fn):
                    if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                        "qualkit"
                    ):
                        inside.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert inside == []


@pytest.mark.parametrize("first", ["qualkit.backup", "qualkit.project", "qualkit.resolve"])
def test_core_modules_import_in_any_order(first: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    code = f"import {first}, qualkit.project, qualkit.backup, qualkit.store"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert res.returncode == 0, res.stderr


def test_voices_and_rounds_match_in_any_case(project: Project) -> None:
    from qualkit.rounds import round_ref
    from qualkit.speakers import find_speaker

    rid = _recording(project, "möte")
    spk = project.store.ensure_speaker(rid, "Talare 2")
    p = project.store.add_participant("Deltagare 4")
    project.store.assign_speaker(spk.id, p.id)
    for ref in ("Talare 2", "talare 2", "2", f"#{spk.id}", "deltagare 4"):
        assert find_speaker(project.store, rid, ref).id == spk.id
    rnd = project.store.add_round("Vår 2026", "2026-03-01")
    for ref in ("Vår 2026", "vår 2026", str(rnd.id), rnd.id):
        assert round_ref(project, ref).id == rnd.id
