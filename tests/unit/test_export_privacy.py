"""Nothing that leaves the project carries a planted name, personnummer or withdrawn speech.

CSV is checked now; the report and REFI-QDA exports are checked when their modules are
present (they are built in parallel and merged later).
"""

from __future__ import annotations

import importlib.util
import zipfile
from pathlib import Path

import pytest

from qualkit.export.csv import TABLES, export_csv
from qualkit.model import Consent
from qualkit.privacy import review_kind, scan, set_consent
from qualkit.project import Project

REGISTERED = "Ingegerd Wallinder"  # a participant's real name, in the register
MENTIONED = "Gustav Ekström"  # a third person named in the talk, found by the scan
PNR = "811218-9876"
PHONE = "070-123 45 67"
WITHDRAWN_TEXT = "Jag vill inte längre vara med i studien"
SECRETS = (REGISTERED, "Wallinder", "Ingegerd", MENTIONED, "Ekström", PNR, PHONE, WITHDRAWN_TEXT)


def plant(project: Project) -> None:
    store = project.store
    segs = project.segments("fokusgrupp_demo")
    people = {p.actor.value if p.actor else "": p for p in store.participants()}
    store.update_participant(people["FK"].id, real_name=REGISTERED)
    store.update_participant(people["kommun"].id, attributes={"anteckning": f"nås på {PHONE}"})
    # Coded segments (turn 2 and 3) carry the planted data, so quotes can pick them.
    store.update_segment_text(
        segs[1].id, segs[1].text + f" {REGISTERED} ringde {MENTIONED} på {PHONE}, pnr {PNR}."
    )
    store.update_segment_text(segs[2].id, segs[2].text + " Ingegerd sa samma sak.")
    af_speaker = next(s for s in store.speakers() if s.participant_id == people["AF"].id)
    af_seg = next(s for s in segs if s.speaker_id == af_speaker.id)
    store.update_segment_text(af_seg.id, af_seg.text + " " + WITHDRAWN_TEXT)
    set_consent(project, people["AF"].id, Consent.WITHDRAWN, "2026-05-01")
    scan(project)
    review_kind(project, "name")


def assert_clean(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} leaked into {where}"


def test_csv_exports_carry_no_planted_data(demo_project: Project) -> None:
    plant(demo_project)
    for what in TABLES:
        assert_clean(export_csv(demo_project, what).read_text(encoding="utf-8"), what)
    segments = (demo_project.exports_dir / "segments.csv").read_text(encoding="utf-8")
    assert "[handläggare, FK]" in segments and "[personnummer]" in segments


def _docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        return "\n".join(zf.read(n).decode("utf-8", "replace") for n in zf.namelist())


@pytest.mark.skipif(
    importlib.util.find_spec("qualkit.export.report") is None, reason="reports not built yet"
)
@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
def test_reports_carry_no_planted_data(demo_project: Project, fmt: str) -> None:
    from qualkit.export import report

    plant(demo_project)
    kinds = [k.value for k in report.ReportKind] if hasattr(report, "ReportKind") else ["region"]
    for kind in kinds:
        scope = "Norrby" if kind == "kommun" else ("FK" if kind == "aktor" else "")
        path = report.write_report(demo_project, kind, scope, report.ReportOptions(fmt=fmt))
        text = _docx_text(path) if fmt == "docx" else path.read_text(encoding="utf-8")
        assert_clean(text, f"{kind} report ({fmt})")


@pytest.mark.skipif(
    importlib.util.find_spec("qualkit.export.refi.write") is None, reason="REFI-QDA not built yet"
)
def test_refi_export_carries_no_planted_data(demo_project: Project, tmp_path: Path) -> None:
    from qualkit.export.refi import write as refi_write

    plant(demo_project)
    result = refi_write.export_qdpx(demo_project, tmp_path / "out.qdpx")
    path = Path(getattr(result, "path", result))
    assert_clean(_docx_text(path), "REFI-QDA export")
