"""Reports per kommun, actor and region: model, formats, empty cases, templates, CLI."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document

from qualkit.cli import main
from qualkit.errors import QualkitError
from qualkit.export.report import ReportOptions, write_report, write_reports
from qualkit.export.report_model import ReportKind, build_report
from qualkit.export.report_texts import copy_templates
from qualkit.model import Valence
from qualkit.project import Project, init_project, open_project
from tests.unit.report_fixtures import add_kommun, docx_text, make_demo

LOW_DPI = 40


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """Norrby (the demo), Söderby (coded differently) and Tomby (imported, not coded)."""
    project = make_demo(tmp_path_factory.mktemp("report") / "proj")
    add_kommun(
        project,
        "Söderby",
        [
            (3, "ledning", Valence.PROMOTING),
            (12, "ledning", Valence.PROMOTING),
            (2, "forum_beslut", Valence.PROMOTING),
            (2, "individ", Valence.HINDERING),  # two factors on one passage: co-occurrence
            (16, "arbetsstruktur", Valence.PROPOSAL),
        ],
    )
    add_kommun(project, "Tomby")
    yield project
    project.close()


Outputs = dict[tuple[str, str, str], Path]


@pytest.fixture(scope="module")
def outputs(region: Project) -> Outputs:
    """Every report kind in every format, written once for the tests that read them."""
    out: Outputs = {}
    for kind, scope in (("kommun", "Norrby"), ("aktor", "FK"), ("region", ""), ("kommun", "Tomby")):
        paths = write_reports(region, kind, scope, ("docx", "html", "md"), opts("docx"))
        for path in paths:
            out[(kind, scope, path.suffix[1:])] = path
    return out


def opts(fmt: str, **kw: object) -> ReportOptions:
    return ReportOptions(fmt=fmt, dpi=LOW_DPI, **kw)  # type: ignore[arg-type]


def test_kommun_model_counts_and_quotes(region: Project) -> None:
    report = build_report(region, ReportKind.KOMMUN, "norrby")
    assert report.scope == "Norrby"
    assert report.material.codings == 15
    assert report.material.participants == 4  # the moderator is not a participant
    assert dict(report.material.by_actor) == {"kommun": 1, "vård": 1, "FK": 1, "AF": 1}
    ledning = report.factors[0]
    assert ledning.key == "ledning"
    assert (ledning.counts.promoting, ledning.counts.hindering) == (1, 2)
    by_actor = {b.label: b for b in ledning.breakdown}
    assert by_actor["FK"].hindering == 2 and by_actor["kommun"].promoting == 1
    # Actor and group type by default: a role could single out a chef in a small kommun.
    assert {q.attribution for q in ledning.quotes_hindering} == {"FK, medarbetare"}
    stabila = next(f for f in report.factors if f.key == "stabila_org")
    assert stabila.memos == ("Tre byten av handläggare på ett år.",)
    proposals = [f.key for f in report.factors if f.proposals]
    assert proposals == ["arbetsstruktur", "malgrupper_mal", "forum_beslut", "kunskap_samverkan"]
    assert not report.has_cooccurrence


def test_actor_model_breaks_down_by_kommun(region: Project) -> None:
    report = build_report(region, ReportKind.AKTOR, "Försäkringskassan")
    assert report.scope == "FK"
    assert report.dimension == "kommun"
    assert report.dimension_values == ("Norrby", "Söderby")
    assert report.material.participants == 3  # one FK handläggare in each kommun
    ledning = report.factors[0]
    cells = {b.label: (b.promoting, b.hindering) for b in ledning.breakdown}
    assert cells == {"Norrby": (0, 2), "Söderby": (1, 0)}
    quotes = [q for f in report.factors for q in f.quotes_promoting + f.quotes_hindering]
    # In an actor report the kommun is on each quote.
    assert {q.attribution for q in quotes} == {"FK, medarbetare, Norrby", "FK, chefer, Söderby"}
    role = build_report(region, ReportKind.AKTOR, "FK", attribution="role-actor")
    assert {q.attribution for f in role.factors for q in f.quotes_hindering} == {
        "handläggare, FK, Norrby"
    }


def test_region_common_ground_and_differences(region: Project) -> None:
    report = build_report(region, ReportKind.REGION)
    comp = report.comparison
    assert comp is not None
    assert comp.kommuner == ("Norrby", "Söderby", "Tomby")
    # Tomby has no codings: it is named but left out of the comparison.
    assert comp.uncoded == ("Tomby",) and comp.compared == ("Norrby", "Söderby")
    common = {c.label[:10]: c.valence for c in comp.common}
    assert common["En ledning"] == "främjande"  # 3 promoting, 2 hindering in all
    ledning = next(d for d in comp.differences if d.label.startswith("En ledning"))
    assert ledning.promoting_in == ("Söderby",)
    assert ledning.hindering_in == ("Norrby",)
    assert ledning.missing_in == ()
    stabila = next(d for d in comp.differences if d.label == "Stabila organisationer")
    assert (stabila.hindering_in, stabila.missing_in) == (("Norrby",), ("Söderby",))
    samverkan = next(d for d in comp.differences if d.label.startswith("Kunskap om samverkan"))
    assert samverkan.proposals_in == ("Norrby",)
    assert report.has_cooccurrence
    i = next(n for n, f in enumerate(report.factors) if f.key == "forum_beslut")
    j = next(n for n, f in enumerate(report.factors) if f.key == "individ")
    assert report.cooccurrence[i][j] == 1


def test_common_factor_when_all_kommuner_raise_it(tmp_path: Path) -> None:
    with make_demo(tmp_path / "p") as project:
        add_kommun(project, "Söderby", [(12, "ledning", Valence.HINDERING)])
        comp = build_report(project, ReportKind.REGION).comparison
        assert comp is not None
        # One coded passage is too thin to compare: named with its n, no claim made.
        assert comp.thin == (("Söderby", 1),) and comp.common == () and comp.differences == ()
        more = [(t, "individ", Valence.PROMOTING) for t in (7, 8, 10, 11)]
        add_kommun(project, "Västby", [(12, "ledning", Valence.HINDERING), *more])
        comp = build_report(project, ReportKind.REGION).comparison
        assert comp is not None and comp.compared == ("Norrby", "Västby")
        assert next((c.label[:11], c.valence) for c in comp.common) == ("En ledning ", "hindrande")


@pytest.mark.parametrize(("kind", "scope"), [("kommun", "Norrby"), ("aktor", "FK"), ("region", "")])
def test_docx_html_md_agree(outputs: Outputs, kind: str, scope: str) -> None:
    docx = outputs[(kind, scope, "docx")]
    html = outputs[(kind, scope, "html")].read_text(encoding="utf-8")
    md_path = outputs[(kind, scope, "md")]
    md = md_path.read_text(encoding="utf-8")
    text = docx_text(docx)
    counts = re.findall(r"Främjande: \d+, hindrande: \d+, förslag: \d+\.", text)
    assert counts, text[:500]
    assert counts == re.findall(r"Främjande: \d+, hindrande: \d+, förslag: \d+\.", html)
    assert counts == re.findall(r"Främjande: \d+, hindrande: \d+, förslag: \d+\.", md)
    assert "Förslag på åtgärder" in text and "Förslag på åtgärder" in html
    assert html.count('<img src="data:image/png;base64,') >= 2
    assert "http://" not in html and "https://" not in html  # self-contained
    assert len(Document(str(docx)).inline_shapes) >= 2
    images = re.findall(r"!\[[^\]]+\]\(([^)]+)\)", md)
    assert len(images) >= 2
    for image in images:
        assert (md_path.parent / image).read_bytes().startswith(b"\x89PNG")


def test_participants_proposals_are_evidence_under_their_factor(outputs: Outputs) -> None:
    doc = Document(str(outputs[("kommun", "Norrby", "docx")]))
    headings = [
        p.text for p in doc.paragraphs if p.style is not None and p.style.name.startswith("Heading")
    ]
    # Deltagarnas förslag stand under the factors they are about; Förslag på åtgärder is
    # the analyst's own, empty here, so the report goes on to the appendices.
    assert headings.count("Deltagarnas förslag") == 4
    tail = headings[headings.index("Förslag på åtgärder") :]
    assert tail[:3] == ["Förslag på åtgärder", "Bilagor", "Bilaga 1. Intervjuguide"]


def test_kommun_without_codings_says_so(outputs: Outputs) -> None:
    text = docx_text(outputs[("kommun", "Tomby", "docx")])
    html = outputs[("kommun", "Tomby", "html")].read_text(encoding="utf-8")
    for out in (text, html):
        assert "Inga avsnitt är kodade i detta urval ännu." in out
        assert "Analytikern har inte skrivit detta avsnitt ännu" in out
    assert "data:image/png" not in html
    assert "Kodade avsnitt: " not in text  # no per-factor tables of zeros


def test_factor_without_quotes_or_codings_says_so(outputs: Outputs) -> None:
    # In Norrby kunskap_samverkan is only proposed (its quotes are with the proposals);
    # for FK several factors never come up.
    text = docx_text(outputs[("kommun", "Norrby", "docx")])
    results = text.split("Resultat per faktor")[2]  # after the contents
    samverkan = results.split("8. Kunskap om samverkan")[1].split("Relationer mellan")[0]
    assert "Deltagarnas förslag" in samverkan and "Citat, " not in samverkan
    md = outputs[("aktor", "FK", "md")].read_text(encoding="utf-8")
    assert "Faktorn togs inte upp i detta urval." in md


def test_english_report(region: Project) -> None:
    html = write_report(region, "region", "", opts("html", lang="en")).read_text(encoding="utf-8")
    assert "Regional summary" in html and "Proposed actions" in html
    assert "Leadership that prioritises collaboration" in html
    assert '<html lang="en">' in html
    # The codebook's own English name, not its Swedish one, in the method and appendix.
    assert "Codebook: Danermark&#39;s eight success factors for collaboration" in html
    assert "Danermarks åtta framgångsfaktorer" not in html


@pytest.mark.parametrize(
    ("kind", "scope", "listed"),
    [
        ("kommun", "Ingenstans", "Norrby, Söderby, Tomby"),
        ("aktor", "polisen", "kommun, vård, FK, AF"),
    ],
)
def test_unknown_scope_lists_the_valid_ones(
    region: Project, kind: str, scope: str, listed: str
) -> None:
    with pytest.raises(QualkitError) as err:
        build_report(region, kind, scope)
    assert listed in str(err.value)
    assert "\n" not in str(err.value)


def test_project_templates_override_wording(tmp_path: Path) -> None:
    with make_demo(tmp_path / "p") as project:
        written = copy_templates(project.root)
        assert {p.name for p in written} == {"report.html.j2", "report.md.j2", "texts.yaml"}
        (project.root / "templates" / "texts.yaml").write_text(
            'sv:\n  title_kommun: "Samverkan i {name}"\n', encoding="utf-8"
        )
        md_tpl = project.root / "templates" / "report.md.j2"
        md_tpl.write_text("Egen mall\n" + md_tpl.read_text(encoding="utf-8"), encoding="utf-8")
        md_path, docx = write_reports(project, "kommun", "Norrby", ("md", "docx"), opts("md"))
        md = md_path.read_text(encoding="utf-8")
        assert md.startswith("Egen mall\n# Samverkan i Norrby")
        assert "## Metod" in md  # keys not overridden keep the shipped wording
        assert docx_text(docx).startswith("Samverkan i Norrby")
        assert copy_templates(project.root) == []  # never overwrites edits unasked


def test_cli_report_and_errors(
    region: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r.html"
    root = str(region.root)
    args = ["report", "kommun", "-p", root, "--kommun", "Söderby", "-f", "html", "-o", str(out)]
    assert main(args) == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    capsys.readouterr()
    assert main(["report", "kommun", "-p", root, "--kommun", "Västby"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Norrby, Söderby, Tomby" in err
    assert main(["report", "aktor", "-p", root, "--aktor", "skolan"]) == 2
    assert "kommun, vård, FK, AF" in capsys.readouterr().err


def test_cli_several_formats_and_templates(tmp_path: Path) -> None:
    with make_demo(tmp_path / "p") as project:
        root = project.root
    args = ["report", "region", "-p", str(root), "-f", "docx", "html", "md", "--lang", "en"]
    assert main(args) == 0
    for suffix in ("docx", "html", "md"):
        assert (root / "exports" / f"rapport_region_en.{suffix}").stat().st_size > 0
    assert main(["report", "templates", "-p", str(root)]) == 0
    assert (root / "templates" / "texts.yaml").is_file()


def test_duration_from_timed_segments(tmp_path: Path) -> None:
    srt = tmp_path / "fg.srt"
    srt.write_text(
        "1\n00:00:01,000 --> 00:00:04,000\nA: Hej.\n\n"
        "2\n00:02:55,000 --> 00:03:10,000\nB: Vi ses.\n",
        encoding="utf-8",
    )
    with make_demo(tmp_path / "p") as project:
        project.import_transcript(srt, name="fg", kommun="Västby")
        material = build_report(project, ReportKind.KOMMUN, "Västby").material
        region = build_report(project, ReportKind.REGION).material
    assert [i.duration_min for i in material.interviews] == [3]
    assert material.total_duration_min == 3
    assert material.participants == 0  # voices not yet named
    assert region.total_duration_min is None  # the demo transcript has no times


def test_every_coding_of_a_factor_has_a_column_and_the_chart_counts_what_it_shows(
    tmp_path: Path,
) -> None:
    from qualkit.export.report_layout import layout
    from qualkit.export.report_texts import Texts

    with make_demo(tmp_path / "p") as project:
        rec = project.recordings()[0]
        moderator = project.store.segments(rec.id)[0]  # "Välkomna allihop ...": actor annan
        project.add_coding(moderator.id, "stabila_org", valence=Valence.HINDERING, coder="demo")
        report = build_report(project, ReportKind.KOMMUN, "Norrby")
    assert report.dimension_values[-1] == "annan"
    for factor in report.factors:  # a factor's table adds up to its n
        assert sum(b.total for b in factor.breakdown) == factor.counts.total
    stabila = next(f for f in report.factors if f.key == "stabila_org")
    assert {b.label: b.hindering for b in stabila.breakdown}["annan"] == 1
    shown = sum(b.promoting + b.hindering for f in report.factors for b in f.breakdown)
    assert shown < report.material.codings  # the förslag are not in the panels
    body = layout(report, Texts.load("sv"), charts={"actors": b""})
    caption = next(b.text for b in body if b.kind == "figure" and "aktör" in b.text)
    assert f"n = {shown}" in caption


def test_output_name_must_fit_the_format(region: Project, tmp_path: Path) -> None:
    from qualkit.errors import InputError

    for formats, name, says in (
        (("docx",), "r.html", "add -f html"),
        (("docx",), "r.xyz", "ending in .docx"),
        (("docx", "html"), "r.docx", "names one file"),
    ):
        with pytest.raises(InputError, match=says):
            write_reports(region, "region", "", formats, ReportOptions(output=tmp_path / name))
    assert list(tmp_path.iterdir()) == []


def test_an_empty_codebook_points_at_the_one_with_codings(tmp_path: Path) -> None:
    from qualkit.cli.report_cmds import other_codebook_hint

    root = tmp_path / "p"
    init_project(root).close()
    (tmp_path / "fg.txt").write_text("Anna: Hej.\n", encoding="utf-8")
    with open_project(root) as project:
        project.import_transcript(tmp_path / "fg.txt")
        assert other_codebook_hint(project, "danermark") == ""  # nothing coded anywhere
        project.add_coding("fg:1", "ledning")
        assert other_codebook_hint(project, "danermark") == ""
        hint = other_codebook_hint(project, "integrationsnivaer")
        assert "'danermark' has 1" in hint and "--codebook danermark" in hint


def test_counts_take_their_singular_or_plural() -> None:
    from qualkit.export.report_texts import Texts

    sv, en = Texts.load("sv"), Texts.load("en")
    assert sv("method_asr", n=1, model="m").startswith("1 inspelning transkriberades")
    assert sv("method_asr", n=3, model="m").startswith("3 inspelningar transkriberades")
    assert en("method_text", n=1) == (
        "1 interview already had a written transcript and was imported as text."
    )
    assert "2 interviews" in en("method_text", n=2) and "were imported" in en("method_text", n=2)
    assert en("method_date", date="2026-03-12", n=1) == "The interview took place on 2026-03-12."
    assert sv("method_date", date="2026-03-12", n=2) == "Intervjuerna genomfördes 2026-03-12."
    # A plural mark whose count is not given stays as written (as an unknown {field} does).
    assert Texts("sv", {"k": "{x|a|b} {n}"})("k", n=1) == "{x|a|b} {n}"
    assert Texts("sv", {"k": "{n} inspelning(ar)"})("k", n=1) == "1 inspelning(ar)"


def test_relations_that_tie_for_the_most_remarks_are_all_named() -> None:
    from qualkit.export.report_prose import most_remarks
    from qualkit.export.report_records import Relation, ValenceCount
    from qualkit.export.report_texts import Texts

    def rel(speaker: str, partner: str, hindering: int, promoting: int = 0) -> Relation:
        return Relation(speaker, partner, ValenceCount("", promoting, hindering))

    sv, en = Texts.load("sv"), Texts.load("en")
    one = [rel("vård", "AF", 2), rel("kommun", "FK", 1)]
    assert most_remarks(sv, one, "hindering") == "Flest hindrande omdömen: vård om AF (2)."
    assert most_remarks(sv, one, "promoting") is None  # no promoting remark at all
    two = [rel("vård", "AF", 1), rel("kommun", "FK", 1)]
    assert (
        most_remarks(sv, two, "hindering")
        == "Flest hindrande omdömen: vård om AF och kommun om FK (1 vardera)."
    )
    three = [*two, rel("AF", "kommun", 1, promoting=3)]
    assert (
        most_remarks(sv, three, "hindering")
        == "Flest hindrande omdömen: vård om AF, kommun om FK och AF om kommun (1 vardera)."
    )
    assert most_remarks(sv, three, "promoting") == "Flest främjande omdömen: AF om kommun (3)."
    assert (
        most_remarks(en, three, "hindering")
        == "Most hindering remarks: vård about AF, kommun about FK and AF about kommun (1 each)."
    )
    four = [*three, rel("FK", "vård", 1)]
    assert (
        most_remarks(sv, four, "hindering")
        == "Flest hindrande omdömen: 4 relationer har lika många (1 vardera)."
    )
