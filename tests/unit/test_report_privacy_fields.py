"""Typed text around the transcript never leaves unredacted: title page, code labels and
descriptions, coders, roles, signatures, recording names, in every report format, the
charts and the codebook exports. Shipped codebook text comes out exactly as shipped."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from qualkit.codebook import parse_codebook, shipped_codebooks
from qualkit.export import charts
from qualkit.export.code_text import code_text, redact_codebook, shipped_texts
from qualkit.export.refi.codebook_csv import export_codebook_csv
from qualkit.export.refi.codebook_write import export_qdc
from qualkit.export.refi.write import export_qdpx
from qualkit.export.report import ReportOptions, write_reports
from qualkit.export.report_blocks import demote_headings
from qualkit.export.report_model import META_AUTHOR, META_CLIENT, META_STUDY, build_report
from qualkit.export.report_texts import Texts
from qualkit.model import Actor, Code
from qualkit.privacy import Redactor
from qualkit.project import Project

STUDY = "Samverkan i Norrby, intervjuer av Britta Rundström"
CLIENT = "Samordningsförbundet, kontakt anna.svensson@kommun.se 070-111 22 33"
AUTHOR = "Anna Svensson 19850412-3398"
LABEL = "Förslag från Janne Lindqvist"
LABEL_EN = "Idea of Anna Svensson"
DESCRIPTION = "Det Anna Svensson föreslog, ring 070-123 45 67"
ROLE = "kurator hos Gunborg"
CODER = "anna.svensson"
RECORDING = "intervju Karin Lindqvist"
SECRETS = (
    "Britta",
    "Rundström",
    "anna.svensson",
    "070-111 22 33",
    "Anna Svensson",
    "Svensson",
    "19850412-3398",
    "Janne",
    "Lindqvist",
    "070-123 45 67",
    "Gunborg",
    "Karin",
)


def plant(project: Project) -> None:
    """Names and identifiers in every typed field a report or codebook export shows."""
    store = project.store
    store.set_meta(META_STUDY, STUDY)
    store.set_meta(META_CLIENT, CLIENT)
    store.set_meta(META_AUTHOR, AUTHOR)
    project.add_code(Code("danermark", "janne_kod", LABEL, LABEL_EN, DESCRIPTION, parent="ledning"))
    fk = next(p for p in store.participants() if p.actor is Actor.FK)
    store.update_participant(fk.id, role=ROLE)
    rec = project.recording("fokusgrupp_demo")
    fk_turns = {s.id for s in store.speakers(rec.id) if s.participant_id == fk.id}
    turns = [s for s in project.segments("fokusgrupp_demo") if s.speaker_id in fk_turns][:2]
    for seg, valence in zip(turns, ("hindrande", "främjande"), strict=True):
        project.add_coding(seg.id, "janne_kod", valence=valence, coder=CODER)
        project.add_coding(seg.id, "ledning", valence=valence, coder=CODER)
    project.update_recording(rec.id, name=RECORDING)


@pytest.fixture
def planted(demo_project: Project) -> Project:
    plant(demo_project)
    return demo_project


def files_text(paths: list[Path]) -> dict[str, str]:
    """Each file as text; a zip (docx, qdpx) as all its members, core properties included."""
    out: dict[str, str] = {}
    for path in paths:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as z:
                for name in z.namelist():
                    if name.endswith((".xml", ".rels", ".qde", ".txt")):
                        out[f"{path.name}:{name}"] = z.read(name).decode("utf-8", "replace")
        elif path.suffix != ".png":
            out[path.name] = path.read_text(encoding="utf-8-sig")
    return out


def leaks(files: dict[str, str]) -> list[tuple[str, str]]:
    return [
        (secret, where) for where, text in files.items() for secret in SECRETS if secret in text
    ]


def test_reports_carry_no_typed_name_in_any_format(planted: Project) -> None:
    paths: list[Path] = []
    for kind, scope in (("kommun", "Norrby"), ("region", "")):
        paths += write_reports(
            planted,
            kind,
            scope,
            ("md", "html", "docx"),
            ReportOptions(dpi=30, attribution="role-actor"),
        )
    files = files_text(paths)
    assert any(name.endswith("docProps/core.xml") for name in files)
    assert leaks(files) == []
    md = files["rapport_kommun_Norrby.md"]
    # The fields are there, redacted; coders by neutral label; the role's name replaced.
    assert "Samverkan i Norrby, intervjuer av [Namn" in md
    assert "[e-post] [telefonnummer]" in md
    assert "Förslag från [Namn" in md and "kurator hos [Namn" in md
    assert "Kodare 1" in md or "Kodare 2" in md or "Kodare 3" in md
    # Danermark's own factors are printed exactly as shipped.
    shipped = parse_codebook(
        next(s for s in shipped_codebooks() if s.name == "danermark.yaml").read_text("utf-8")
    )
    for code in shipped.codes:
        if code.parent is None:
            assert code.label_sv in md


def test_report_model_and_chart_labels_are_redacted(
    planted: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = build_report(planted, "region", attribution="role-actor")
    info = report.title_info
    assert (info.study, info.client) != (STUDY, CLIENT)
    assert not leaks({"title": f"{info.study} {info.client} {info.author}"})
    assert report.comparison is not None
    texts = [f.label for f in report.factors] + [f.definition for f in report.factors]
    texts += [label for label, _ in report.comparison.matrix]
    texts += [c.name for c in report.method.coders] if report.method else []
    texts += [r for r, _a, _n in report.material.by_role]
    texts += [q.attribution for f in report.factors for q in f.quotes_hindering]
    assert leaks({"model": "\n".join(texts)}) == []
    # Every label the charts hand to matplotlib goes through wrap().
    drawn: list[str] = []
    real_wrap = charts.wrap

    def spy(label: str, width: int = 30) -> str:
        drawn.append(label)
        return real_wrap(label, width)

    monkeypatch.setattr(charts, "wrap", spy)
    assert charts.render_charts(report, Texts.load("sv"), dpi=20)
    assert any("Förslag från [Namn" in label for label in drawn)
    assert leaks({"charts": "\n".join(drawn)}) == []


def test_codebook_exports_are_redacted(planted: Project, tmp_path: Path) -> None:
    paths = [
        export_qdc(planted, tmp_path / "kodbok.qdc", ["danermark"]),
        export_codebook_csv(planted, "danermark", tmp_path / "kodbok.csv"),
        export_qdpx(planted, tmp_path / "projekt.qdpx", ["danermark"], audio=False).path,
    ]
    files = files_text(paths)
    # Of the .qdpx, the codebook is this test's: users and sources are written elsewhere.
    qde = ET.fromstring(files.pop("projekt.qdpx:project.qde"))
    [book] = [el for el in qde.iter() if el.tag.endswith("}CodeBook")]
    files["project.qde CodeBook"] = ET.tostring(book, encoding="unicode")
    assert "Förslag från [Namn" in files["project.qde CodeBook"]
    assert leaks({k: v for k, v in files.items() if "projekt.qdpx" not in k}) == []
    rows = list(csv.DictReader(io.StringIO(files["kodbok.csv"])))
    # The key someone typed holds the name too: redacted as a field (docs/privacy.md).
    assert "janne" not in files["kodbok.csv"].casefold()
    janne = next(r for r in rows if re.fullmatch(r"\[Namn \d+\]_kod", r["key"]))
    assert janne["tag"].startswith("Förslag från [Namn ")
    assert "[telefonnummer]" in janne["description"]
    # Shipped rows are exactly the shipped text.
    shipped = {r["key"]: r for r in rows if r["key"] == "ledning"}
    assert shipped["ledning"]["tag"] == "En ledning som prioriterar samverkan"


def test_every_shipped_codebook_text_passes_unchanged(planted: Project) -> None:
    # A project whose participants and pseudonyms share words with shipped labels.
    store = planted.store
    person = store.add_participant(role="chef", actor=Actor.KOMMUN, real_name="Kunskap Ledning")
    assert person.id
    red = Redactor.for_project(planted)
    checked = 0
    for source in shipped_codebooks():
        book = parse_codebook(source.read_text(encoding="utf-8"), source.name)
        assert redact_codebook(book, red) == book, source.name
        for code in book.codes:
            for text in (code.label_sv, code.label_en, code.description):
                assert code_text(text, red) == text, (source.name, code.key, text)
                checked += 1
    assert checked > 50 and "Kunskap" not in red.redact("Hon heter Kunskap Ledning.")
    assert len(shipped_texts()) > 50
    # Text that is not shipped still passes the redactor.
    assert code_text(LABEL, red) != LABEL


def test_analyst_headings_sit_below_the_reports_own() -> None:
    text = "# Sammanfattning\n\nText.\n\n## Del\n\nUnder\n---\n\n```\n# kod\n```\n- punkt\n---"
    out = demote_headings(text, 2)
    assert out.splitlines()[0] == "### Sammanfattning"
    assert "#### Del" in out and "#### Under" in out
    assert "# kod" in out.splitlines() and "- punkt" in out.splitlines()
    assert demote_headings("###### Djup", 3) == "###### Djup"


def test_an_analysts_top_heading_is_no_second_title(planted: Project) -> None:
    planted.store.set_report_text("kommun", "Norrby", "sammanfattning", "# Sammanfattning\n\nBra.")
    [md] = write_reports(planted, "kommun", "Norrby", ("md",), ReportOptions(dpi=20))
    lines = md.read_text(encoding="utf-8").splitlines()
    assert sum(1 for line in lines if line.startswith("# ")) == 1
    assert "### Sammanfattning" in lines
