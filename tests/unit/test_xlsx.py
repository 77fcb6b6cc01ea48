"""The Excel workbook: codings, factor matrices by kommun and actor, participants."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from qualkit.cli import main
from qualkit.export.report_model import ReportKind, build_report
from qualkit.export.xlsx import CODING_COLUMNS, coding_headers, export_xlsx
from qualkit.model import Valence
from tests.unit.report_fixtures import REAL_NAME, add_kommun, make_demo


def test_workbook_sheets_and_figures(tmp_path: Path) -> None:
    with make_demo(tmp_path / "p") as project:
        add_kommun(project, "Söderby", [(3, "ledning", Valence.PROMOTING)])
        fk = next(p for p in project.store.participants() if p.role == "handläggare")
        project.store.update_participant(fk.id, real_name=REAL_NAME, attributes={"ålder": "40-49"})
        path = export_xlsx(project)
        report = build_report(project, ReportKind.REGION)
    assert path.name == "qualkit.xlsx"
    wb = load_workbook(path)
    assert wb.sheetnames == ["Kodningar", "Faktor per kommun", "Faktor per aktör", "Deltagare"]

    codings = list(wb["Kodningar"].iter_rows(values_only=True))
    assert codings[0] == coding_headers("sv")
    assert codings[0][:3] == ("Kodnings-id", "Intervju", "Kommun")
    assert len(codings) == 1 + 16
    assert "speaker" not in codings[0]  # a transcript label may be a name
    col = {name: i for i, name in enumerate(CODING_COLUMNS)}
    assert {r[col["attribution"]] for r in codings[1:] if r[col["actor"]] == "FK"} == {
        "handläggare, FK"
    }

    # Times as minutes and seconds, still numbers Excel can sort and sum.
    sheet = wb["Kodningar"]
    start = sheet.cell(row=2, column=col["start"] + 1)
    assert start.number_format == "[mm]:ss"
    assert start.value is None or 0 <= start.value < 1

    by_kommun = list(wb["Faktor per kommun"].iter_rows(values_only=True))
    assert by_kommun[0][1] == "Norrby" and by_kommun[0][4] == "Söderby"
    assert by_kommun[1][1:4] == ("Främjande", "Hindrande", "Förslag")
    ledning = by_kommun[2]
    assert ledning[0] == report.factors[0].label
    assert ledning[1:7] == (1, 2, 0, 1, 0, 0)

    by_actor = list(wb["Faktor per aktör"].iter_rows(values_only=True))
    assert [by_actor[0][c] for c in (1, 4, 7, 10)] == ["kommun", "vård", "FK", "AF"]
    fk_cells = by_actor[2][7:10]
    assert fk_cells == (1, 2, 0)  # Söderby's promoting + Norrby's two hindering
    assert sum(v for row in by_actor[2:] for v in row[1:]) == 16

    people = list(wb["Deltagare"].iter_rows(values_only=True))
    assert people[0] == (
        "Pseudonym",
        "Roll",
        "Aktör",
        "Kommun",
        "Samtycke",
        "Samtyckesdatum",
        "ålder",
    )
    assert len(people) == 1 + 10
    flat = [str(v) for row in people for v in row]
    assert REAL_NAME not in flat and "40-49" in flat


def test_cli_export_xlsx(tmp_path: Path) -> None:
    with make_demo(tmp_path / "p") as project:
        root = project.root
    out = tmp_path / "out.xlsx"
    assert main(["export", "xlsx", "-p", str(root), "-o", str(out)]) == 0
    assert load_workbook(out).sheetnames[0] == "Kodningar"
