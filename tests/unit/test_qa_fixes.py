"""Rough edges found by walking the CLI as a new user would; each test pins one fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualkit.cli import main
from qualkit.errors import CodebookError
from qualkit.model import Code
from qualkit.project import Project


def test_invalid_code_id_is_refused_and_codebook_stays_loadable(project: Project) -> None:
    path = project.codebook_path("danermark")
    before = path.read_bytes()
    with pytest.raises(CodebookError, match="Not saved: code id 'bad key!'"):
        project.add_code(Code(codebook="danermark", key="bad key!", label_sv="x"))
    assert path.read_bytes() == before
    assert "bad key!" not in {c.key for c in project.codebook("danermark").codes}
    # The next edit writes a file that still loads.
    project.add_code(Code(codebook="danermark", key="tid", label_sv="Tid"))
    assert project.sync_codebooks() == []
    assert project.codebook("danermark").code("tid").label_sv == "Tid"


def test_cli_codebook_add_bad_id_is_one_line(
    project_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["codebook", "add", "-p", str(project_dir), "bad key!", "x"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Not saved" in err[0]
    assert main(["codebook", "list", "-p", str(project_dir)]) == 0


def test_merge_coder_from_a_stray_file_is_one_line(
    project_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stray = tmp_path / "notes.md"
    stray.write_text("# not a project\n", encoding="utf-8")
    assert main(["merge-coder", "-p", str(project_dir), str(stray)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "neither a qualkit project folder nor a .qdpx file" in err[0]


def test_merge_coder_from_an_empty_project_says_nothing_to_merge(
    project_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other"
    assert main(["init", str(other)]) == 0
    capsys.readouterr()
    assert main(["merge-coder", "-p", str(project_dir), str(other)]) == 0
    out = capsys.readouterr().out
    assert "Nothing to merge" in out and "nobody" not in out


def _render(monkeypatch: pytest.MonkeyPatch, width: int, *args: object, **kw: object) -> str:
    import io

    from rich.console import Console

    from qualkit.cli import output

    buf = io.StringIO()
    monkeypatch.setattr(output, "console", Console(file=buf, width=width, highlight=False))
    output.table(*args, **kw)  # type: ignore[arg-type]
    return buf.getvalue()


def test_table_never_folds_a_column_to_one_letter_per_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = [(1, "fokusgrupp_demo:2", "danermark:forum_beslut", "främjande", "", "demo")]
    cols = ["id", "segment", "code", "valence", "span", "coder"]
    out = _render(monkeypatch, 80, "Codings", cols, rows, wrap="code")
    assert "coder" in out and "demo" in out  # the last column stays whole
    assert all(len(line) <= 80 for line in out.splitlines())
    # When the fixed columns leave no room, the wrapping column goes below the table:
    # not squeezed, and not left out without a word.
    wide = [("x" * 30, "y" * 30, "z" * 30, "long free text")]
    out = _render(monkeypatch, 80, None, ["a", "b", "c", "text"], wide, wrap="text")
    table_part, below = out.split("text (too wide for 80 columns; by a):")
    assert "long free text" not in table_part and "x" * 30 in table_part
    assert f"{'x' * 30}: long free text" in below


def test_a_number_column_is_never_the_one_given_up(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [("Deltagare 1", "fg1 Talare 2 " + "lång källa " * 4, "00:01:10", "2026-01-01", 3)]
    cols = ["participant", "enrolled from", "speech", "created", "voices named"]
    for width, wrap in ((80, None), (60, None), (80, ("participant", "enrolled from"))):
        out = _render(monkeypatch, width, "Voiceprints", cols, rows, wrap=wrap)
        assert "voices named" in out and "3" in out.split("voices named")[1]
        assert "lång källa" in out  # wrapped in the table or written below it
        assert all(len(line) <= width for line in out.splitlines())
    out = _render(monkeypatch, 80, None, ["#", "n"], [(1, 2)], wrap="n")  # numbers only
    assert "n" in out and "2" in out


def test_the_first_column_names_the_row_and_always_stays(monkeypatch: pytest.MonkeyPatch) -> None:
    # The widest text is in the first column: the next widest gives way instead.
    rows = [("en mycket lång nyckel " * 3, "kort", "b " * 20)]
    out = _render(monkeypatch, 80, None, ["key", "a", "b"], rows)
    table_part, below = out.split("b (too wide for 80 columns; by key):")
    assert "en mycket lång nyckel" in table_part and "kort" in table_part
    assert "b b b" in below and all(len(line) <= 80 for line in table_part.splitlines())
    # Moved below when asked to give way and there is no room: keyed by row number.
    rows = [("x " * 30, "y" * 40, "z" * 40)]
    out = _render(monkeypatch, 80, None, ["key", "b", "c"], rows, wrap="key")
    assert "key (too wide for 80 columns; by row):" in out and "  1: x x" in out


def test_rate_unknown_participant_lists_pseudonyms_not_names(
    project_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = tmp_path / "svar.csv"
    answers.write_text(
        "deltagare;fråga;svar;roll;aktör\n"
        "Lisa Larsson;1;Vi träffas varannan vecka.;handläggare;FK\n",
        encoding="utf-8",
    )
    p = ["-p", str(project_dir)]
    assert main(["rounds", "add", "V1", "--date", "2026-01-15", "--answers", str(answers), *p]) == 0
    capsys.readouterr()
    rate = ["rounds", "rate", "V1", "personal_genomforande", "2", "--assessor", "Lisa"]
    assert main([*rate, "--participant", "Lisa", *p]) == 2
    err = capsys.readouterr().err
    assert "Deltagare 1" in err and "Larsson" not in err
    assert main([*rate, "--participant", "Deltagare 1", *p]) == 0
    assert main([*rate, "--participant", "Lisa Larsson", *p]) == 0


def test_import_summary_counts_read_naturally(capsys: pytest.CaptureFixture[str]) -> None:
    from qualkit.cli.exchange_cmds import print_import_summary
    from qualkit.export.refi.importer import ImportSummary

    print_import_summary(ImportSummary(Path("k.qdc"), "refi_x", 3))
    assert capsys.readouterr().out.strip() == "Imported codebook 'refi_x' (3 codes)."
    one = ImportSummary(Path("p.qdpx"), "refi_p", 1, ("a",), 1, 1, coders=("eva",))
    print_import_summary(one)
    out = " ".join(capsys.readouterr().out.split())
    assert "1 recording (1 segment), 1 coding by 1 coder." in out


def test_round_with_unreadable_answers_is_not_left_behind(
    project_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "svar.csv"
    bad.write_text("namn,svar\nA,b\n", encoding="utf-8")
    p = ["-p", str(project_dir)]
    assert main(["rounds", "add", "V1", "--date", "2026-01-15", "--answers", str(bad), *p]) == 2
    assert "(missing: deltagare, fråga)" in capsys.readouterr().err
    assert main(["rounds", "list", *p]) == 0
    assert "No rounds yet" in capsys.readouterr().out


@pytest.mark.parametrize("date", ["15/01/2026", "2026-02-30", "2026-1-5", "snart"])
def test_round_date_must_be_iso(
    project_dir: Path, date: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["rounds", "add", "V1", "--date", date, "-p", str(project_dir)]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_round_compare_with_unknown_coder_is_refused(
    project_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = ["-p", str(project_dir)]
    assert main(["rounds", "add", "V1", "--date", "2026-01-15", *p]) == 0
    assert main(["rounds", "add", "V2", "--date", "2026-06-15", *p]) == 0
    capsys.readouterr()
    assert main(["rounds", "compare", "V1", "V2", "--coder", "nobdy", *p]) == 2
    assert "No coder 'nobdy'" in capsys.readouterr().err


def test_coding_with_unknown_codebook_names_the_codebooks(demo_project: Project) -> None:
    from qualkit.errors import NotFoundError

    with pytest.raises(NotFoundError, match=r"No codebook 'nobook'.*danermark"):
        demo_project.add_coding("fokusgrupp_demo:2", "ledning", codebook="nobook")


def test_factor_with_only_proposals_points_to_the_proposals(
    demo_project: Project, tmp_path: Path
) -> None:
    from qualkit.export.report import ReportOptions, write_reports

    (md,) = write_reports(
        demo_project, "region", "", ("md",), ReportOptions(output=tmp_path / "r.md")
    )
    text = md.read_text(encoding="utf-8")
    # Kunskap om samverkan is raised only as a proposal in the demo.
    results = text.split("## Resultat per faktor", 1)[1]
    part = results.split("Kunskap om samverkan hos varje organisation som deltar", 1)[1]
    part = part.split("\n## ", 1)[0]
    # The participants' proposals stand as evidence under the factor itself.
    assert "#### Deltagarnas förslag" in part and "Inga citat" not in part


def test_round_docx_splits_counts_and_ratings(
    project_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from docx import Document

    p = ["-p", str(project_dir)]
    assert main(["rounds", "add", "V1", "--date", "2026-01-15", *p]) == 0
    assert main(["rounds", "add", "V2", "--date", "2026-06-15", *p]) == 0
    out = tmp_path / "j.docx"
    assert main(["rounds", "compare", "V1", "V2", "-f", "docx", "-o", str(out), *p]) == 0
    doc = Document(str(out))
    assert doc.styles["Normal"].font.name == "Calibri"
    heads = [[c.text for c in t.rows[0].cells] for t in doc.tables]
    assert ["Cell", "Antal V1", "Antal V2", "Förändring"] in heads
    ratings = next(h for h in heads if "Medbedömare V1" in h)
    assert ratings[0] == "Cell" and len(ratings) == 5
    # Widths fill the page and no figure column is narrower than its longest word needs.
    grid = next(t for t in doc.tables if t.rows[0].cells[0].text == "Cell")
    total_cm = sum(col.width.cm for col in grid.columns)
    assert 15.5 < total_cm <= 16.0  # A4 with 2.5 cm margins, as the delrapport


@pytest.mark.parametrize(
    ("book_id", "message"), [("danermark", "already exists"), ("Bad Id", "lower-case")]
)
def test_exchange_import_never_overwrites_a_codebook(
    demo_project: Project, tmp_path: Path, book_id: str, message: str
) -> None:
    from qualkit.errors import InputError
    from qualkit.export.refi.importer import import_refi
    from qualkit.export.refi.write import export_qdpx

    qdpx = export_qdpx(demo_project, tmp_path / "x.qdpx").path
    path = demo_project.codebook_path("danermark")
    before = path.read_bytes()
    n_recordings = len(demo_project.recordings())
    with pytest.raises(InputError, match=message):
        import_refi(demo_project, qdpx, codebook_id=book_id)
    assert path.read_bytes() == before
    assert len(demo_project.recordings()) == n_recordings


def test_misspelt_coder_is_named_in_disagreements_and_codings(
    demo_project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    p = ["-p", str(demo_project.root)]
    assert main(["disagreements", "--coders", "demo,zed", *p]) == 2
    assert "No coder zed" in capsys.readouterr().err
    assert main(["codings", "--coder", "zed", *p]) == 2
    assert "No coder 'zed'" in capsys.readouterr().err


def test_unwritable_output_is_one_line(
    demo_project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = ["-p", str(demo_project.root)]
    a_file = tmp_path / "afile"
    a_file.write_text("x", encoding="utf-8")
    for argv in (
        ["export", "csv", "-o", str(a_file / "x")],
        ["report", "region", "-o", str(a_file / "x.docx")],
        ["export", "qdpx", "-o", str(tmp_path)],
    ):
        assert main([*argv, *p]) == 2, argv
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("qualkit: error: "), err
    assert a_file.read_text(encoding="utf-8") == "x"
    assert [f.name for f in tmp_path.iterdir() if f.name.startswith(".")] == []


def test_the_same_coding_twice_is_one_coding(demo_project: Project) -> None:
    first = demo_project.add_coding("fokusgrupp_demo:11", "ledning", valence="hindrande", coder="x")
    again = demo_project.add_coding("fokusgrupp_demo:11", "ledning", valence="hindrande", coder="x")
    assert again.id == first.id
    other = demo_project.add_coding("fokusgrupp_demo:11", "ledning", valence="främjande", coder="x")
    span = demo_project.add_coding(
        "fokusgrupp_demo:11", "ledning", valence="hindrande", coder="x", span=(0, 5)
    )
    assert len({first.id, other.id, span.id}) == 3
    assert len(demo_project.codings(segment_id=first.segment_id, coder="x")) == 3


def test_two_codebook_files_with_one_id_are_refused(project: Project) -> None:
    (project.codebook_dir / "kopia.yaml").write_text(
        "id: hinder\nname: Kopia\ncodes:\n  - id: a\n    label_sv: A\n", encoding="utf-8"
    )
    with pytest.raises(CodebookError, match=r"already used by hinder\.yaml"):
        project.sync_codebooks()
    assert project.codebook("hinder").name != "Kopia"
    assert "a" not in {c.key for c in project.codebook("hinder").codes}


def test_region_report_of_an_empty_project_reads_well(project: Project, tmp_path: Path) -> None:
    from qualkit.export.report import ReportOptions, write_reports

    (md,) = write_reports(project, "region", "", ("md",), ReportOptions(output=tmp_path / "r.md"))
    text = md.read_text(encoding="utf-8")
    assert "Antal kommuner med tillräckligt kodat material: 0" in text and "0 kommun;" not in text


def test_resolve_message_names_the_passage(
    demo_project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    p = ["-p", str(demo_project.root)]
    argv = ["resolve", "fokusgrupp_demo:2", "--code", "forum_beslut:främjande", "--memo", "ok"]
    assert main([*argv, *p]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Consensus saved on fokusgrupp_demo:2: 1 coding and a memo." in out


def test_import_options_are_checked_in_one_line(
    project_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = Path(__file__).resolve().parents[2] / "audio" / "demo" / "fokusgrupp_demo.txt"
    p = ["-p", str(project_dir)]
    for extra, message in (
        (["--group", "foo"], "Unknown group type 'foo'"),
        (["--date", "12/03/2026"], "YYYY-MM-DD"),
    ):
        assert main(["import", str(demo), *extra, *p]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and message in err[0]
    assert main(["import", str(demo), "--date", "2026-03-12", *p]) == 0


def test_codebook_delete_removes_a_code_added_by_mistake(
    project_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = ["-p", str(project_dir)]
    assert main(["codebook", "add", "fel", "Fel kod", *p]) == 0
    assert main(["codebook", "delete", "fel", *p]) == 0
    assert "id: fel" not in (project_dir / "codebook" / "danermark.yaml").read_text("utf-8")
    # Still gone after the next edit writes the file back.
    assert main(["codebook", "add", "tid", "Tid", *p]) == 0
    assert "id: fel" not in (project_dir / "codebook" / "danermark.yaml").read_text("utf-8")
    capsys.readouterr()
    assert main(["codebook", "delete", "ledning", *p]) == 0  # no codings yet
    assert main(["codebook", "delete", "nokod", *p]) == 2
    assert "Unknown code 'nokod'" in capsys.readouterr().err


def test_a_text_file_named_qdpx_is_called_what_it_is(project: Project, tmp_path: Path) -> None:
    from qualkit.errors import ImportFormatError
    from qualkit.export.refi.importer import import_refi

    fake = tmp_path / "fake.qdpx"
    fake.write_text("A: hej\n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match="not a REFI-QDA project"):
        import_refi(project, fake)


def test_a_code_deleted_from_the_yaml_by_hand_goes_unless_coded(project_dir: Path) -> None:
    from qualkit.project import open_project

    with open_project(project_dir) as project:
        project.add_code(Code(codebook="danermark", key="tom", label_sv="Tom"))
        project.add_code(Code(codebook="danermark", key="kodad", label_sv="Kodad"))
        rec = project.import_transcript(
            Path(__file__).resolve().parents[2] / "audio" / "demo" / "fokusgrupp_demo.txt"
        )
        project.add_coding(f"{rec.name}:2", "kodad")
    path = project_dir / "codebook" / "danermark.yaml"
    text = path.read_text(encoding="utf-8")
    kept = [b for b in text.split("\n  - ") if "id: tom" not in b and "id: kodad" not in b]
    path.write_text("\n  - ".join(kept), encoding="utf-8")
    with open_project(project_dir) as project:
        keys = {c.key for c in project.codebook("danermark").codes}
        assert "tom" not in keys and "kodad" in keys and "ledning" in keys
        assert len(project.codings(code="kodad")) == 1
