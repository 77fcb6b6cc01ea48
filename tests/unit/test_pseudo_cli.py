"""`qualkit pseudo scan|list|accept|reject` and `export csv --unredacted`."""

from __future__ import annotations

import pytest

from qualkit.cli import main
from qualkit.project import Project


def _sven_said(project: Project) -> str:
    """The demo with a real name said in it; returns the project folder."""
    seg = project.segments("fokusgrupp_demo")[1]
    project.store.update_segment_text(seg.id, seg.text + " Fråga Sven Nyberg.")
    return str(project.root)


def test_pseudo_cli_round_trip(demo_project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    root = str(demo_project.root)
    seg = demo_project.segments("fokusgrupp_demo")[1]
    demo_project.store.update_segment_text(seg.id, seg.text + " Fråga Sven Nyberg, sven@x.se.")
    assert main(["pseudo", "scan", "-p", root]) == 0
    assert main(["export", "csv", "--table", "segments", "-p", root]) == 0
    assert "that nobody has reviewed" in capsys.readouterr().out.replace("\n", " ")
    assert main(["pseudo", "list", "--status", "proposed", "--context", "-p", root]) == 0
    out = capsys.readouterr().out
    assert "Sven Nyberg" in out and "[Namn 1]" in out
    ids = {p.original: p.id for p in demo_project.store.pseudonyms()}
    assert main(["pseudo", "reject", str(ids["sven@x.se"]), "-p", root]) == 0
    assert (
        main(
            ["pseudo", "accept", str(ids["Sven Nyberg"]), "--replacement", "[kollega]", "-p", root]
        )
        == 0
    )
    assert main(["pseudo", "accept", "-p", root]) == 2  # nothing chosen
    assert main(["pseudo", "accept", "999", "-p", root]) == 2
    status = {p.original: (p.status, p.replacement) for p in demo_project.store.pseudonyms()}
    assert status["Sven Nyberg"] == ("accepted", "[kollega]")
    assert status["sven@x.se"][0] == "rejected"
    out_file = demo_project.root / "seg.csv"
    assert main(["export", "csv", "--table", "segments", "-o", str(out_file), "-p", root]) == 0
    text = out_file.read_text(encoding="utf-8")
    assert "[kollega]" in text and "Sven Nyberg" not in text
    assert (
        main(
            [
                "export",
                "csv",
                "--table",
                "segments",
                "-o",
                str(out_file),
                "--unredacted",
                "-p",
                root,
            ]
        )
        == 0
    )
    # Raw data goes to its own file, marked, and never over the redacted one.
    raw = demo_project.root / "seg-UNREDACTED.csv"
    assert raw.read_text(encoding="utf-8").startswith("# UNREDACTED EXPORT")
    assert "Sven Nyberg" in raw.read_text(encoding="utf-8")
    assert "Sven Nyberg" not in out_file.read_text(encoding="utf-8")


def test_unredacted_csv_never_replaces_the_redacted_files(
    demo_project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    import pandas as pd

    root = _sven_said(demo_project)
    assert main(["export", "csv", "-p", root]) == 0
    assert main(["export", "csv", "--unredacted", "-p", root]) == 0
    assert "UNREDACTED" in capsys.readouterr().out
    exports = demo_project.exports_dir
    for table in ("codings", "segments", "participants"):
        assert "Sven Nyberg" not in (exports / f"{table}.csv").read_text(encoding="utf-8")
        raw = exports / f"{table}-UNREDACTED.csv"
        assert raw.read_text(encoding="utf-8").splitlines()[0].startswith("# UNREDACTED")
        assert len(pd.read_csv(raw, skiprows=1)) == len(pd.read_csv(exports / f"{table}.csv"))
    assert "Sven Nyberg" in (exports / "segments-UNREDACTED.csv").read_text(encoding="utf-8")


def test_a_name_the_scan_missed_is_added_and_replaced_everywhere(
    demo_project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(demo_project.root)
    seg = demo_project.segments("fokusgrupp_demo")[1]
    text = seg.text + " Projektledare har varit Homan Amani, och homan amanis team. Anna Svensson."
    demo_project.store.update_segment_text(seg.id, text)
    assert main(["pseudo", "add", "Homan Amani", "-p", root]) == 0
    assert "replaced by [Namn" in capsys.readouterr().out
    out_file = demo_project.root / "seg.csv"
    assert main(["export", "csv", "--table", "segments", "-o", str(out_file), "-p", root]) == 0
    assert "amani" not in out_file.read_text(encoding="utf-8").casefold()
    # A replacement that is personal data itself, a number or an empty name: refused.
    for args in (
        ["Micke", "--replacement", "Anna S."],
        ["070-123 45 67"],
        ["  "],
    ):
        assert main(["pseudo", "add", *args, "-p", root]) == 2
    err = capsys.readouterr().err
    assert "holds personal data from this project ('Anna')" in err and "is not a name" in err
    # An invented name nobody in the material has is the field's usual pseudonym.
    assert main(["pseudo", "add", "Micke", "--replacement", "Ulrika", "-p", root]) == 0
    assert main(["pseudo", "accept", "--kind", "nonsense", "-p", root]) == 2
    assert "Unknown kind 'nonsense'" in capsys.readouterr().err
    assert [p.original for p in demo_project.store.pseudonyms()] == ["Homan Amani", "Micke"]


def test_a_replacement_that_reads_as_a_name_is_warned_about_not_refused(
    demo_project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _sven_said(demo_project)
    assert main(["pseudo", "scan", "-p", root]) == 0
    capsys.readouterr()
    sven = next(p.id for p in demo_project.store.pseudonyms() if p.original == "Sven Nyberg")
    accept = ["pseudo", "accept", str(sven), "-p", root, "--replacement"]
    assert main([*accept, "Lisa Berg"]) == 0
    err = " ".join(capsys.readouterr().err.split())
    assert "replacement 'Lisa Berg' looks like a person's name (Lisa Berg)" in err
    assert demo_project.store.pseudonym(sven).replacement == "Lisa Berg"
    assert main([*accept, "[kollega]"]) == 0
    assert not capsys.readouterr().err
    assert main(["pseudo", "add", "Homan Amani", "--replacement", "Maja Ek", "-p", root]) == 0
    assert "replacement 'Maja Ek' looks like a person's name" in capsys.readouterr().err
