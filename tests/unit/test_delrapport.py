"""The delrapport a project lead can send: skeleton, analyst text, Metod, quotes, relations."""

from __future__ import annotations

import os
import re
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document
from docx.shared import Cm

from qualkit.analysis.agreement import agreement
from qualkit.cli import main
from qualkit.export.report import ReportOptions, write_report, write_reports
from qualkit.export.report_model import build_report
from qualkit.export.report_quotes import CUT, cut
from qualkit.model import Valence
from qualkit.project import Project
from tests.unit.report_fixtures import add_kommun, docx_text, make_demo

# Every test here that uses a project runs on SQLite and on a PostgreSQL server.
pytestmark = pytest.mark.both_backends

LOW_DPI = 40
HEADINGS_SV = [
    "Sammanfattning",
    "Bakgrund och syfte",
    "Metod",
    "Resultat per faktor",
    "Relationer mellan aktörerna",
    "Slutsatser",
    "Förslag på åtgärder",
    "Bilagor",
]
HEADINGS_EN = [
    "Summary",
    "Background and purpose",
    "Method",
    "Results per factor",
    "Relations between the actors",
    "Conclusions",
    "Proposed actions",
    "Appendices",
]
# A second coder on the demo: agrees on most turns, differs on some.
SECOND_CODER = [
    (2, "forum_beslut", Valence.PROMOTING),
    (3, "ledning", Valence.HINDERING),
    (4, "stabila_org", Valence.HINDERING),
    (5, "arbetsstruktur", Valence.HINDERING),
    (7, "individ", Valence.HINDERING),
    (9, "ledning", Valence.HINDERING),
    (12, "ledning", Valence.PROMOTING),
    (13, "ledning", Valence.HINDERING),
    (16, "arbetsstruktur", Valence.PROPOSAL),
]


def opts(**kw: object) -> ReportOptions:
    return ReportOptions(dpi=LOW_DPI, **kw)  # type: ignore[arg-type]


def cli(*args: str) -> int:
    return main(list(args))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    project = make_demo(tmp_path_factory.mktemp("delrapport") / "proj")
    for turn, code, valence in SECOND_CODER:
        seg = project.segment(f"fokusgrupp_demo:{turn}")
        project.add_coding(seg.id, code, valence=valence, coder="Kodare B")
    yield project
    project.close()


def headings(path: Path, level: int = 1) -> list[str]:
    doc = Document(str(path))
    name = f"Heading {level}"
    return [p.text for p in doc.paragraphs if p.style is not None and p.style.name == name]


def section(text: str, start: str, end: str) -> str:
    """The body of one section (after the contents, which repeat the headings)."""
    body = text.split("\n" + start + "\n")[-1]
    return body.split("\n" + end + "\n")[0]


def test_word_file_is_a4_swedish_with_properties(project: Project) -> None:
    assert (
        cli(
            "report",
            "info",
            "-p",
            str(project.root),
            "--author",
            "Anna Analytiker",
            "--study",
            "Samverkan i Höglandet",
            "--client",
            "Samordningsförbundet Höglandet",
        )
        == 0
    )
    path = write_report(project, "kommun", "Norrby", opts())
    doc = Document(str(path))
    sec = doc.sections[0]
    assert abs(sec.page_width - Cm(21)) < Cm(0.01) and abs(sec.page_height - Cm(29.7)) < Cm(0.01)
    with zipfile.ZipFile(path) as z:
        styles = z.read("word/styles.xml").decode("utf-8")
        document = z.read("word/document.xml").decode("utf-8")
        footer = "".join(z.read(n).decode() for n in z.namelist() if "footer" in n)
    assert 'w:lang w:val="sv-SE"' in styles and "en-US" not in styles
    assert "TOC \\o" in document and "PAGE" in footer
    props = doc.core_properties
    assert props.title == "Delrapport: Norrby"
    # A name typed as author passes the redactor like every text of a report.
    assert "Anna" not in props.author and props.author.startswith("[Namn ")
    assert props.language == "sv-SE"
    text = docx_text(path)
    assert "På uppdrag av Samordningsförbundet Höglandet" in text
    assert "Samverkan i Höglandet" in text
    # Headings stay with what follows; counts stand right-aligned.
    assert doc.styles["Heading 1"].paragraph_format.keep_with_next
    table = next(t for t in doc.tables if t.rows[0].cells[-1].text == "Totalt")
    assert table.rows[1].cells[-1].paragraphs[0].alignment == 2  # WD_ALIGN_PARAGRAPH.RIGHT


@pytest.mark.parametrize(("lang", "expected"), [("sv", HEADINGS_SV), ("en", HEADINGS_EN)])
def test_headings_in_order(project: Project, lang: str, expected: list[str]) -> None:
    path = write_report(project, "kommun", "Norrby", opts(lang=lang))
    assert headings(path) == expected
    html = write_report(project, "kommun", "Norrby", opts(lang=lang, fmt="html"))
    md = write_report(project, "kommun", "Norrby", opts(lang=lang, fmt="md"))
    html_heads = re.findall(r'<h2 id="[^"]+">([^<]+)</h2>', html.read_text(encoding="utf-8"))
    md_heads = re.findall(r"^## (.+)$", md.read_text(encoding="utf-8"), flags=re.M)
    contents = "Innehåll" if lang == "sv" else "Contents"
    assert html_heads == expected and md_heads == [contents, *expected]


def test_metod_reports_kappa_when_two_coders_coded(project: Project) -> None:
    path = write_report(project, "kommun", "Norrby", opts())
    metod = section(docx_text(path), "Metod", "Resultat per faktor")
    scored = agreement(project, codebook="danermark")
    kappa = f"{scored.overall.kappa:.2f}".replace(".", ",")
    alpha = f"{scored.overall.alpha:.2f}".replace(".", ",")
    assert f"κ = {kappa} (Cohens kappa)" in metod and f"α = {alpha}" in metod
    # Coders by neutral label, numbered in the order they joined ("demo", "Kodare B").
    assert "Kodare 1 (15 avsnitt i 1 intervju)" in metod
    assert "Kodare 2 (9 avsnitt i 1 intervju)" in metod
    assert "demo (" not in metod and "Kodare B" not in metod
    assert "Intervjuguide medarbetare" in metod  # the guide named at import
    assert "Danermark" in metod
    # Totals add up: every passage counted once per code and valence, however many coders
    # coded it (the two coders' 24 codings hold 16 such), valence or not.
    total = int(re.search(r"Sammanlagt kodades (\d+) avsnitt", metod).group(1))  # type: ignore[union-attr]
    frame = project.codings_frame()
    frame = frame[frame["codebook"] == "danermark"]
    assert len(frame) == 24
    distinct = len(frame.drop_duplicates(["segment_id", "code", "valence"]))
    assert total == build_report(project, "kommun", "Norrby").material.codings == distinct == 16
    assert "räknas ett avsnitt en gång per faktor och värdering" in metod


def test_metod_names_the_speech_model_the_pipeline_recorded(project: Project) -> None:
    rec = project.recordings()[0]
    project.store.set_stage(rec.id, "transcribe", "done", "k")
    project.store.set_meta("asr_model", "Whisper kb-whisper-small, faster-whisper")
    metod = section(
        docx_text(write_report(project, "kommun", "Norrby", opts())), "Metod", "Resultat per faktor"
    )
    assert "taligenkänning (Whisper kb-whisper-small, faster-whisper)" in metod


def test_figures_and_tables_are_numbered_with_n(project: Project) -> None:
    text = docx_text(write_report(project, "kommun", "Norrby", opts()))
    figures = re.findall(r"^Figur (\d+)\. .+\(n = \d+\)$", text, flags=re.M)
    tables = re.findall(r"^Tabell (\d+)\. .+$", text, flags=re.M)
    assert figures[:2] == ["1", "2"] and tables[:2] == ["1", "2"]
    assert [int(n) for n in tables] == list(range(1, len(tables) + 1))
    assert "Tabell 1. Intervjuer (n = 1)" in text


def test_analyst_text_survives_regeneration(project: Project, tmp_path: Path) -> None:
    root = str(project.root)
    note = tmp_path / "sammanfattning.md"
    note.write_text("Samverkan i Norrby bärs av **eldsjälar**.\n\n- att införa kontaktlistor\n")
    assert (
        cli(
            "report",
            "text",
            "edit",
            "-p",
            root,
            "--kommun",
            "norrby",
            "--section",
            "sammanfattning",
            "--from-file",
            str(note),
        )
        == 0
    )
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\necho "Att chefer från alla fyra träffas varje kvartal." > "$1"\n')
    editor.chmod(0o755)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EDITOR", str(editor))
        mp.delenv("VISUAL", raising=False)
        assert (
            cli(
                "report",
                "text",
                "edit",
                "-p",
                root,
                "--kommun",
                "Norrby",
                "--section",
                "atgarder",
                "--factor",
                "ledning",
            )
            == 0
        )
    for _ in range(2):  # regenerated twice: the text is still there
        path = write_report(project, "kommun", "Norrby", opts())
    text = docx_text(path)
    summary = section(text, "Sammanfattning", "Bakgrund och syfte")
    assert "Samverkan i Norrby bärs av eldsjälar." in summary
    assert "att införa kontaktlistor" in summary
    actions = section(text, "Förslag på åtgärder", "Bilagor")
    assert "Att chefer från alla fyra träffas varje kvartal." in actions
    # An empty section is one muted line, never an empty heading.
    background = section(text, "Bakgrund och syfte", "Metod").strip()
    assert background.startswith("Analytikern har inte skrivit") and "\n" not in background
    html = write_report(project, "kommun", "Norrby", opts(fmt="html")).read_text("utf-8")
    assert "<strong>eldsjälar</strong>" in html
    assert (
        cli(
            "report",
            "text",
            "edit",
            "-p",
            root,
            "--kommun",
            "Norrby",
            "--section",
            "slutsatser",
            "--factor",
            "ledning",
            "--from-file",
            str(note),
        )
        == 2
    )


def test_pinned_quote_appears_and_unpinned_does_not(project: Project) -> None:
    # Five more promoting passages on leadership: three are shown, chosen by relevance.
    extra = [1, 6, 11, 15, 20]
    ids = []
    for turn in extra:
        seg = project.segment(f"fokusgrupp_demo:{turn}")
        ids.append(project.add_coding(seg.id, "ledning", valence="främjande", coder="demo").id)
    shown = build_report(project, "kommun", "Norrby").factors[0].quotes_promoting
    assert len(shown) == 3
    outsider = next(i for i in ids if i not in {q.coding_id for q in shown})
    seg_text = next(c for c in project.codings() if c.id == outsider)
    assert cli("quote", "pin", "-p", str(project.root), str(outsider)) == 0
    pinned = build_report(project, "kommun", "Norrby").factors[0].quotes_promoting
    assert pinned[0].coding_id == outsider and pinned[0].pinned
    text = docx_text(write_report(project, "kommun", "Norrby", opts()))
    first_words = project.store.segment(seg_text.segment_id).text.split(".")[0][:40]
    assert first_words in text
    assert cli("quote", "unpin", "-p", str(project.root), str(outsider)) == 0
    again = build_report(project, "kommun", "Norrby").factors[0].quotes_promoting
    assert outsider not in {q.coding_id for q in again}
    for coding_id in ids:
        project.store.remove_coding(coding_id)


def test_partner_matrix_matches_the_codings(project: Project) -> None:
    seg = project.segment("fokusgrupp_demo:13")  # FK on its own leadership
    assert (
        cli(
            "code",
            "-p",
            str(project.root),
            str(seg.id),
            "ledning",
            "-v",
            "hindrande",
            "--coder",
            "Kodare B",
            "--partner",
            "FK",
        )
        == 0
    )
    frame = project.codings_frame()
    named = frame[frame["partner_actor"].notna()]
    # Each passage once per code, valence and partner, however many coders named it.
    named = named.drop_duplicates(["segment_id", "code", "valence", "partner_actor"])
    expected = Counter(
        (str(r.actor), str(r.partner_actor), str(r.valence)) for r in named.itertuples()
    )
    path = write_report(project, "kommun", "Norrby", opts())
    doc = Document(str(path))
    table = next(t for t in doc.tables if t.rows[0].cells[0].text.startswith("Talar"))
    partners = [c.text for c in table.rows[0].cells[1:]]
    for row in table.rows[1:]:
        speaker = row.cells[0].text
        for partner, cell in zip(partners, row.cells[1:], strict=True):
            p = expected[(speaker, partner, "främjande")]
            h = expected[(speaker, partner, "hindrande")]
            assert cell.text == (f"+{p} / −{h}" if (p or h) else "–"), (speaker, partner)
    assert sum(expected.values()) == 5
    text = docx_text(path)
    assert re.search(r"Figur \d+\. Relationer mellan aktörerna.+\(n = 5\)", text)
    assert cli("partner", "-p", str(project.root), "999999", "FK") == 2


def test_region_compares_relations_and_states_thin_material(tmp_path: Path) -> None:
    with make_demo(tmp_path / "p") as project:
        add_kommun(project, "Söderby", [(3, "ledning", Valence.PROMOTING)])
        for turn in (2, 8):
            seg = project.segment(f"fokusgrupp_demo:{turn}")
            project.add_coding(seg.id, "integrerad", codebook="integrationsnivaer")
        report = build_report(project, "region")
        assert report.comparison is not None and report.comparison.thin == (("Söderby", 1),)
        assert report.comparison.n_by_kommun == (("Norrby", 15), ("Söderby", 1))
        level = "Integrerad samverkan med individen i navet"
        assert report.comparison.integration == (("Norrby", level, 2),)
        text = docx_text(write_report(project, "region", "", opts()))
    assert "För tunt material för att jämföra (under 5 kodade avsnitt): Söderby (n = 1)." in text
    assert "Integrationsnivå per kommun (den oftast kodade)" in text and level in text
    assert "(AF, medarbetare, Norrby)" in text  # kommun on quotes in the regional report


def test_quote_cuts_are_marked() -> None:
    text = " ".join(f"Mening nummer {i} handlar om annat." for i in range(12))
    text += " Ledningen prioriterar samverkan och ger mandat. " + text
    short = cut(text, {"ledni", "prior", "samve", "manda"}, limit=120)
    assert short.startswith(CUT) and short.endswith(CUT)
    assert "Ledningen prioriterar samverkan och ger mandat." in short and len(short) < 140


def test_reports_are_readable_with_the_users_umask(project: Project) -> None:
    old = os.umask(0o022)
    try:
        paths = write_reports(project, "kommun", "Norrby", ("docx", "html", "md"), opts())
        os.umask(0o077)
        private = write_report(project, "region", "", opts(fmt="md"))
    finally:
        os.umask(old)
    for path in paths:
        assert path.stat().st_mode & 0o777 == 0o644, path
    assert private.stat().st_mode & 0o777 == 0o600
