"""No participant name and no personnummer in any report, workbook or transcript export."""

from __future__ import annotations

from pathlib import Path

from qualkit.export.report import ReportOptions, write_reports
from qualkit.export.transcript import export_transcript
from qualkit.export.xlsx import export_xlsx
from qualkit.model import Actor, Consent
from tests.unit.report_fixtures import PERSONNUMMER, REAL_NAME, make_demo, plant_identity, zip_text


def _all_exports(root: Path) -> dict[str, str]:
    """Every file the report features write, as text (docx/xlsx: their XML)."""
    with make_demo(root) as project:
        plant_identity(project)
        paths: list[Path] = []
        for kind, scope in (("kommun", "Norrby"), ("aktor", "FK"), ("region", "")):
            paths += write_reports(
                project, kind, scope, ("docx", "html", "md"), ReportOptions(dpi=30)
            )
        paths.append(export_xlsx(project))
        paths += [export_transcript(project, "fokusgrupp_demo", fmt) for fmt in ("docx", "txt")]
    return {
        p.name: zip_text(p) if p.suffix in (".docx", ".xlsx") else p.read_text(encoding="utf-8")
        for p in paths
    }


def test_planted_name_and_personnummer_never_leave(tmp_path: Path) -> None:
    files = _all_exports(tmp_path / "p")
    assert len(files) == 12
    surname, pnr_digits = REAL_NAME.split()[1], PERSONNUMMER.replace("-", "")
    for name, text in files.items():
        for secret in (REAL_NAME, surname, "Karin", PERSONNUMMER, pnr_digits):
            assert secret not in text, f"{secret!r} leaked into {name}"
    # The planted passage itself is still there, pseudonymised, as the FK quote.
    assert "[handläggare, FK], personnummer [personnummer]" in files["rapport_kommun_Norrby.md"]
    assert "[personnummer]" in files["transkript_fokusgrupp_demo.txt"]


def test_withdrawn_participant_is_left_out_everywhere(tmp_path: Path) -> None:
    with make_demo(tmp_path / "p") as project:
        af = next(p for p in project.store.participants() if p.actor is Actor.AF)
        project.store.update_participant(af.id, consent=Consent.WITHDRAWN)
        html, md = write_reports(project, "kommun", "Norrby", ("html", "md"), ReportOptions(dpi=30))
        txt = export_transcript(project, "fokusgrupp_demo", "txt").read_text(encoding="utf-8")
        xlsx = zip_text(export_xlsx(project))
    said_by_af = "bytt handläggare tre gånger"
    for text in (html.read_text(encoding="utf-8"), md.read_text(encoding="utf-8"), txt, xlsx):
        assert said_by_af not in text
        assert "arbetsförmedlare, AF" not in text
    assert "4 avsnitt är utelämnade" in txt
