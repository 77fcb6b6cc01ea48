from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from docx import Document

from qualkit.cli import main

REPO = Path(__file__).resolve().parents[2]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "qualkit", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_docx_import_code_export_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    proj = tmp_path / "p"
    assert main(["init", str(proj)]) == 0
    doc = Document()
    for who, text in [
        ("Moderator", "Hur fungerar samverkan?"),
        ("Anna", "Vår chef prioriterar samverkan."),
        ("Bo", "Vi vet inte vem vi ska ringa."),
        ("Cecilia", "Personalen byts ut hela tiden."),
        ("David", "Vi har gemensamma möten varje vecka."),
    ]:
        doc.add_paragraph(f"{who}: {text}")
    f = tmp_path / "fg1.docx"
    doc.save(str(f))
    assert main(["import", "-p", str(proj), str(f), "--kommun", "Eksjö", "--group", "chefer"]) == 0
    assert (
        main(["code", "-p", str(proj), "fg1:2", "ledning", "-v", "främjande", "--memo", "chefen"])
        == 0
    )
    assert (
        main(
            [
                "code",
                "-p",
                str(proj),
                "fg1:3",
                "arbetsstruktur",
                "-v",
                "hindrande",
                "--span",
                "0-12",
            ]
        )
        == 0
    )
    assert main(["export", "csv", "-p", str(proj)]) == 0
    df = pd.read_csv(proj / "exports" / "codings.csv")
    assert list(df["code"]) == ["ledning", "arbetsstruktur"]
    assert list(df["valence"]) == ["främjande", "hindrande"]
    assert df["text"][1] == "Vi vet inte "
    assert set(df["kommun"]) == {"Eksjö"}
    segs = pd.read_csv(proj / "exports" / "segments.csv")
    assert segs["speaker"].nunique() == 5
    capsys.readouterr()


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["code", "fg:1", "nope"], "Unknown code 'nope'"),
        (["code", "fg:1", "ledning", "-v", "kanske"], "Unknown valence 'kanske'"),
        (["import", "missing.txt"], "missing.txt: no such file"),
        (["code", "fg:9", "ledning"], "segments 1-1"),
        (["segments", "nothere"], "No recording 'nothere'"),
    ],
)
def test_user_errors_are_one_line(tmp_path: Path, args: list[str], fragment: str) -> None:
    proj = tmp_path / "p"
    assert run_cli("init", str(proj)).returncode == 0
    (tmp_path / "fg.txt").write_text("Anna: Hej.\n", encoding="utf-8")
    assert run_cli("import", "-p", str(proj), str(tmp_path / "fg.txt")).returncode == 0
    before = (proj / "qualkit.db").stat().st_size
    res = run_cli(
        *args[:1],
        "-p",
        str(proj),
        *[str(tmp_path / a) if a.endswith(".txt") else a for a in args[1:]],
    )
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and fragment in lines[0], res.stderr
    assert (proj / "qualkit.db").stat().st_size >= before


def test_malformed_codebook_is_one_line_and_keeps_data(tmp_path: Path) -> None:
    proj = tmp_path / "p"
    run_cli("init", str(proj))
    (tmp_path / "fg.txt").write_text("Anna: Hej.\n", encoding="utf-8")
    run_cli("import", "-p", str(proj), str(tmp_path / "fg.txt"))
    assert run_cli("code", "-p", str(proj), "fg:1", "ledning").returncode == 0
    (proj / "codebook" / "broken.yaml").write_text(
        "id: b\nname: B\ncodes:\n  - id: x\n", encoding="utf-8"
    )
    # The project still opens (a broken codebook must not lock anyone out); the file is
    # named with its line, and `codebook validate` fails on it.
    res = run_cli("status", "-p", str(proj))
    assert res.returncode == 0 and "Traceback" not in res.stderr
    assert "broken.yaml line 4: code 'x' has no 'label_sv'" in res.stderr
    assert "skipped" in res.stderr
    res = run_cli("codebook", "validate", "-p", str(proj))
    assert res.returncode == 2 and "broken.yaml line 4" in res.stderr
    (proj / "codebook" / "broken.yaml").unlink()
    res = run_cli("export", "csv", "-p", str(proj), "--table", "codings")
    assert res.returncode == 0
    assert len(pd.read_csv(proj / "exports" / "codings.csv")) == 1


def test_not_a_project(tmp_path: Path) -> None:
    res = run_cli("status", "-p", str(tmp_path))
    assert res.returncode == 2 and "qualkit init" in res.stderr


def test_a_folder_to_import_and_a_file_as_project_are_named_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    proj = tmp_path / "p"
    assert main(["init", str(proj)]) == 0
    capsys.readouterr()
    assert main(["import", "-p", str(proj), str(tmp_path)]) == 2
    assert f"{tmp_path} is a folder; name the files in it" in capsys.readouterr().err
    notes = tmp_path / "README.md"
    notes.write_text("# notes\n", encoding="utf-8")
    assert main(["status", "-p", str(notes)]) == 2
    err = capsys.readouterr().err
    assert f"{notes} is a file; a project is a folder" in err and "qualkit init" not in err


def test_codebook_commands(tmp_path: Path) -> None:
    proj = tmp_path / "p"
    run_cli("init", str(proj))
    res = run_cli("codebook", "show", "-p", str(proj))
    assert res.returncode == 0 and "kunskap_samverkan" in res.stdout
    res = run_cli("codebook", "validate", "-p", str(proj))
    assert res.returncode == 0 and "danermark" in res.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: b\nname: B\ncodes: {\n", encoding="utf-8")
    res = run_cli("codebook", "validate", str(bad))
    assert res.returncode == 2 and "bad.yaml" in res.stderr


def test_import_accepts_refi_files_with_and_without_format_word(tmp_path: Path) -> None:
    proj = tmp_path / "p"
    assert run_cli("init", str(proj)).returncode == 0
    (tmp_path / "fg.txt").write_text("Anna: Hej.\nBo: Tjena.\n", encoding="utf-8")
    assert run_cli("import", "-p", str(proj), str(tmp_path / "fg.txt")).returncode == 0
    assert run_cli("code", "-p", str(proj), "fg:1", "ledning", "-v", "+").returncode == 0
    assert (
        run_cli("export", "qdpx", "-p", str(proj), "-o", str(tmp_path / "x.qdpx")).returncode == 0
    )
    other = tmp_path / "q"
    run_cli("init", str(other))
    res = run_cli("import", "-p", str(other), "qdpx", str(tmp_path / "x.qdpx"))
    assert res.returncode == 0, res.stderr
    assert "1 coding by" in res.stdout
    res = run_cli("import", "-p", str(other), "qdc", str(tmp_path / "x.qdpx"))
    assert res.returncode == 2 and "is not a .qdc file" in res.stderr
    # A recording's details cannot go with a .qdpx, whose sources bring their own: the
    # option is refused before anything is written, not silently dropped.
    third = tmp_path / "r"
    run_cli("init", str(third))
    res = run_cli("import", "-p", str(third), str(tmp_path / "x.qdpx"), "--kommun", "Eksjö")
    assert res.returncode == 2 and "--kommun" in res.stderr and "x.qdpx" in res.stderr
    assert "Traceback" not in res.stderr
    res = run_cli("status", "-p", str(third))
    assert res.returncode == 0 and "fg" not in res.stdout


def test_recording_metadata_can_be_changed_after_import(tmp_path: Path) -> None:
    proj = tmp_path / "p"
    run_cli("init", str(proj))
    (tmp_path / "fg.txt").write_text("Anna: Hej.\n", encoding="utf-8")
    run_cli("import", "-p", str(proj), str(tmp_path / "fg.txt"))
    res = run_cli(
        "recording",
        "-p",
        str(proj),
        "fg",
        "--kommun",
        "Eksjö",
        "--group",
        "chefer",
        "--date",
        "2026-02-03",
        "--rename",
        "eksjo_chefer",
    )
    assert res.returncode == 0, res.stderr
    res = run_cli("recording", "-p", str(proj), "eksjo_chefer")
    assert "kommun Eksjö, group chefer, date 2026-02-03" in res.stdout
    res = run_cli("recording", "-p", str(proj), "eksjo_chefer", "--date", "3/2")
    assert res.returncode == 2 and "YYYY-MM-DD" in res.stderr


def test_status_names_the_failed_stage_within_80_columns(tmp_path: Path) -> None:
    from qualkit.project import open_project

    proj = tmp_path / "p"
    run_cli("init", str(proj))
    # A name as long as real ones; the stages column still gets room (it used to be dropped).
    (tmp_path / "fokusgrupp_norrby_v12.txt").write_text("Anna: Hej.\n", encoding="utf-8")
    run_cli("import", "-p", str(proj), str(tmp_path / "fokusgrupp_norrby_v12.txt"))
    with open_project(proj) as project:
        rec = project.recording("fokusgrupp_norrby_v12")
        for stage, status in (("audio", "done"), ("transcribe", "failed"), ("align", "pending")):
            project.store.set_stage(rec.id, stage, status)
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "80"}
    res = subprocess.run(
        [sys.executable, "-m", "qualkit", "status", "-p", str(proj)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert "stages" in res.stdout and "failed:" in res.stdout and "transcribe" in res.stdout
    assert max(len(line) for line in lines) <= 80


def test_discard_edits_goes_with_remove(tmp_path: Path) -> None:
    proj = tmp_path / "p"
    run_cli("init", str(proj))
    (tmp_path / "fg.txt").write_text("Anna: Hej.\n", encoding="utf-8")
    run_cli("import", "-p", str(proj), str(tmp_path / "fg.txt"))
    res = run_cli("recording", "-p", str(proj), "fg", "--discard-edits")
    assert res.returncode == 2 and "--discard-edits goes with --remove" in res.stderr
    # A typed transcript has nothing the pipeline made to differ from: it is removed.
    res = run_cli("recording", "-p", str(proj), "fg", "--remove")
    assert res.returncode == 0 and "Removed recording 'fg'" in res.stdout


def test_init_again_and_status_length_of_a_timed_transcript(tmp_path: Path) -> None:
    proj = tmp_path / "p"

    def said(*args: str) -> str:
        return " ".join(run_cli(*args).stdout.split())  # rich wraps at the terminal width

    assert "is a new project" in said("init", str(proj))
    assert "already a project; nothing was changed" in said("init", str(proj))
    (tmp_path / "fg.txt").write_text(
        "[00:00:05] Anna: Hej.\n[00:01:30] Bo: Hej hej, vi börjar.\n", encoding="utf-8"
    )
    run_cli("import", "-p", str(proj), str(tmp_path / "fg.txt"))
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "120"}
    res = subprocess.run(
        [sys.executable, "-m", "qualkit", "status", "-p", str(proj)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert "00:01:" in res.stdout, res.stdout  # the last timed turn's end, not blank


def test_a_hand_edited_typed_transcript_is_not_removed_unasked(tmp_path: Path) -> None:
    from qualkit.project import open_project

    proj = tmp_path / "p"
    run_cli("init", str(proj))
    (tmp_path / "fg.txt").write_text(
        "[00:00:01] Anna: Hej.\n[00:00:04] Bo: Vi saknar resurser.\n", encoding="utf-8"
    )
    run_cli("import", "-p", str(proj), str(tmp_path / "fg.txt"))
    with open_project(proj) as project:
        seg = project.segment("fg:2")
        project.store.update_segment_text(seg.id, "Vi saknar resurser, rättat för hand.")
    res = run_cli("recording", "-p", str(proj), "fg", "--remove")
    assert res.returncode == 2 and "1 hand-edited segments" in res.stderr
    (tmp_path / "fg.txt").unlink()  # its origin gone: cannot tell, so not removed either
    res = run_cli("recording", "-p", str(proj), "fg", "--remove")
    assert res.returncode == 2 and "cannot tell" in res.stderr
    res = run_cli("recording", "-p", str(proj), "fg", "--remove", "--discard-edits")
    assert res.returncode == 0
