"""Reports per kommun, per actor and for the region, as Word, HTML or Markdown.

The numbers come from one `Report` (report_model.py); this module only lays it out.
Markdown and HTML go through Jinja2 templates, Word through python-docx, all with the
wording of texts.yaml, so a project can change either without code.
"""

from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualkit import atomic
from qualkit.errors import InputError
from qualkit.export.charts import DEFAULT_DPI, Charts, render_charts
from qualkit.export.report_model import (
    FactorDifference,
    Quote,
    Report,
    ReportKind,
    build_report,
)
from qualkit.export.report_texts import Texts, environment
from qualkit.project import DEFAULT_CODEBOOK, Project

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument

FORMATS = ("docx", "html", "md")
CHART_NAMES = ("valence", "heatmap", "cooccurrence")


@dataclass(frozen=True, slots=True)
class ReportOptions:
    fmt: str = "docx"
    lang: str = "sv"
    codebook: str = DEFAULT_CODEBOOK
    dpi: int = DEFAULT_DPI
    output: Path | None = None


def _slug(text: str) -> str:
    return re.sub(r"[^\w-]+", "_", text, flags=re.UNICODE).strip("_") or "rapport"


def default_path(project: Project, report: Report, fmt: str) -> Path:
    if report.kind is ReportKind.REGION:
        stem = "rapport_region"
    else:
        stem = f"rapport_{report.kind.value}_{_slug(report.scope)}"
    if report.lang != "sv":
        stem += f"_{report.lang}"
    return project.exports_dir / f"{stem}.{fmt}"


def title(report: Report, t: Texts) -> str:
    if report.kind is ReportKind.REGION:
        return t("title_region")
    return t(f"title_{report.kind.value}", name=report.scope)


def _names(t: Texts, values: tuple[str, ...] | list[str]) -> str:
    return ", ".join(values) if values else t("none_word")


def difference_text(t: Texts, d: FactorDifference) -> str:
    """'Ledning: främst främjande i A; främst hindrande i B.' with only the parts that apply."""
    parts = [
        t(f"difference_{key}", names=", ".join(values))
        for key, values in (
            ("promoting", d.promoting_in),
            ("hindering", d.hindering_in),
            ("mixed", d.mixed_in),
            ("proposals", d.proposals_in),
            ("missing", d.missing_in),
        )
        if values
    ]
    return t("difference_item", factor=d.label, details="; ".join(parts))


def _minutes(t: Texts, value: int | None) -> str:
    return f"{value} {t('minutes')}" if value is not None else t("duration_unknown")


def _context(report: Report, t: Texts, images: dict[str, str]) -> dict[str, Any]:
    return {
        "report": report,
        "t": t,
        "title": title(report, t),
        "images": images,
        "names": lambda values: _names(t, values),
        "difference": lambda d: difference_text(t, d),
        "minutes": lambda value: _minutes(t, value),
        "dimension": t(f"dimension_{report.dimension}"),
        "chart_titles": {
            "valence": t("chart_valence"),
            "heatmap": t("chart_heatmap", dimension=t(f"dimension_{report.dimension}")),
            "cooccurrence": t("chart_cooccurrence"),
        },
    }


def render_markdown(
    report: Report, t: Texts, images: dict[str, str], project_root: Path | None = None
) -> str:
    """Markdown; `images` maps chart names to file names written beside the .md file."""
    env = environment(project_root, html=False)
    return env.get_template("report.md.j2").render(**_context(report, t, images))


def render_html(report: Report, t: Texts, charts: Charts, project_root: Path | None = None) -> str:
    """One self-contained HTML file: charts inline as base64 PNG, no external links."""
    images = {
        name: "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        for name in CHART_NAMES
        if (png := getattr(charts, name)) is not None
    }
    env = environment(project_root, html=True)
    return env.get_template("report.html.j2").render(**_context(report, t, images))


# ------------------------------------------------------------------------ docx
def render_docx(report: Report, t: Texts, charts: Charts) -> bytes:
    from docx import Document
    from docx.shared import Cm, Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(11)
    for section in doc.sections:
        section.left_margin = section.right_margin = Cm(2.2)

    doc.add_heading(title(report, t), level=0)
    doc.add_paragraph(t("subtitle", codebook=report.codebook_name, date=report.created))
    _docx_material(doc, report, t)

    doc.add_heading(t("overview"), level=1)
    if not report.has_codings:
        doc.add_paragraph(t("no_codings"))
    else:
        # With the first chart, so a heading is not left alone at the foot of a page.
        doc.add_paragraph(t("overview_intro")).paragraph_format.keep_with_next = True
        # Charts are drawn at their printed size (the PNG carries its dpi), at most 16 cm.
        for png in (charts.valence, charts.heatmap, charts.cooccurrence):
            if png is not None:
                doc.add_picture(io.BytesIO(png))
        if charts.cooccurrence is None:
            doc.add_paragraph(t("cooccurrence_none"))

    if report.comparison is not None:
        _docx_comparison(doc, report, t)

    doc.add_heading(t("factors"), level=1)
    if not report.has_codings:
        doc.add_paragraph(t("no_codings"))
    else:
        doc.add_paragraph(t("anonymised_note")).runs[0].italic = True
    for n, factor in enumerate(report.factors, start=1):
        if not report.has_codings:
            break
        doc.add_heading(f"{n}. {factor.label}", level=2)
        if not factor.raised:
            doc.add_paragraph(t("factor_not_raised"))
            continue
        c = factor.counts
        doc.add_paragraph(
            t("factor_counts", promoting=c.promoting, hindering=c.hindering, proposals=c.proposals)
        )
        rows = [b for b in factor.breakdown if b.total]
        if rows:
            _docx_table(
                doc,
                [t(report.dimension), t("promoting"), t("hindering"), t("proposals")],
                [[b.label, b.promoting, b.hindering, b.proposals] for b in rows],
            )
        for heading, quotes in (
            ("quotes_promoting", factor.quotes_promoting),
            ("quotes_hindering", factor.quotes_hindering),
        ):
            if quotes:
                doc.add_heading(t(heading), level=3)
                for q in quotes:
                    _docx_quote(doc, q)
        if not (factor.quotes_promoting or factor.quotes_hindering):
            doc.add_paragraph(t("no_quotes"))
        if factor.memos:
            doc.add_heading(t("memos"), level=3)
            for memo in factor.memos:
                doc.add_paragraph(memo, style="List Bullet")

    doc.add_heading(t("proposals_heading"), level=1)
    if not report.has_proposals:
        doc.add_paragraph(t("proposals_none"))
    for factor in report.factors:
        if factor.proposals:
            doc.add_heading(factor.label, level=2)
            for q in factor.proposals:
                p = doc.add_paragraph(style="List Bullet")
                p.add_run(q.text)
                p.add_run(f" ({q.attribution})").italic = True

    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _docx_material(doc: DocxDocument, report: Report, t: Texts) -> None:
    m = report.material
    doc.add_heading(t("material"), level=1)
    if not m.interviews:
        doc.add_paragraph(t("material_none"))
        return
    doc.add_paragraph(
        t(
            "material_intro",
            interviews=len(m.interviews),
            participants=m.participants,
            codings=m.codings,
        )
    )
    _docx_table(
        doc,
        [t("interview"), t("kommun"), t("group_type"), t("date"), t("duration"), t("participants")],
        [
            [i.name, i.kommun, i.group_type, i.date, _minutes(t, i.duration_min), i.participants]
            for i in m.interviews
        ],
        first_cm=3.6,
    )
    if m.total_duration_min is not None:
        doc.add_paragraph(t("total_duration", minutes=m.total_duration_min))
    if not m.participants:
        doc.add_paragraph(t("participants_none"))
        return
    doc.add_heading(t("participants_by_actor"), level=2)
    _docx_table(doc, [t("actor"), t("count")], [[a, n] for a, n in m.by_actor])
    doc.add_heading(t("participants_by_role"), level=2)
    _docx_table(doc, [t("role"), t("actor"), t("count")], [list(r) for r in m.by_role])
    if m.group_types:
        doc.add_heading(t("group_types"), level=2)
        _docx_table(doc, [t("group_type"), t("count")], [[g, n] for g, n in m.group_types])


def _docx_comparison(doc: DocxDocument, report: Report, t: Texts) -> None:
    comp = report.comparison
    assert comp is not None
    doc.add_heading(t("comparison"), level=1)
    if comp.uncoded:
        doc.add_paragraph(t("comparison_uncoded", names=", ".join(comp.uncoded)))
    if len(comp.compared) < 2:
        doc.add_paragraph(t("comparison_single", n=len(comp.compared)))
    else:
        doc.add_heading(t("common"), level=2)
        if not comp.common:
            doc.add_paragraph(t("common_none"))
        for item in comp.common:
            doc.add_paragraph(
                t("common_item", factor=item.label, valence=t.valence(item.valence)),
                style="List Bullet",
            )
        doc.add_heading(t("differences"), level=2)
        if not comp.differences:
            doc.add_paragraph(t("differences_none"))
        for d in comp.differences:
            doc.add_paragraph(difference_text(t, d), style="List Bullet")
    if comp.kommuner and report.has_codings:
        doc.add_heading(t("kommun_matrix"), level=2)
        legend = f"{t('promoting')} / {t('hindering')} / {t('proposals')}"
        header = [legend, *comp.kommuner]
        rows = [
            [label, *(f"{c.promoting} / {c.hindering} / {c.proposals}" for c in per)]
            for label, per in comp.matrix
        ]
        _docx_table(doc, header, rows, first_cm=7.0)


# Usable text width of an A4 page with the margins above, in cm.
TEXT_WIDTH_CM = 16.5


def _docx_table(
    doc: DocxDocument, header: list[str], rows: list[list[Any]], first_cm: float | None = None
) -> None:
    """A grid table with a shaded header; the first column gets `first_cm` (labels are long)."""
    from docx.shared import Cm, Pt

    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.autofit = False
    n = len(header)
    first = first_cm if first_cm is not None else min(6.0, TEXT_WIDTH_CM / n * 1.6)
    # Narrow tables (a label and a count or two) need not span the page.
    total = TEXT_WIDTH_CM if n >= 4 else min(TEXT_WIDTH_CM, first + 3.0 * (n - 1))
    rest = (total - first) / (n - 1) if n > 1 else 0.0
    widths = [Cm(first if n > 1 else total)] + [Cm(rest)] * (n - 1)
    # Word reads the cell widths, LibreOffice the grid columns: set both.
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    _repeat_header(table.rows[0])
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        run = cell.paragraphs[0].add_run(str(text))
        run.bold = True
        run.font.size = Pt(9)
        _shade(cell, "E8F0F8")
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.paragraphs[0].add_run("" if value is None else str(value)).font.size = Pt(9)
    last = len(table.rows) - 1
    for i, row_ in enumerate(table.rows):
        for cell, width in zip(row_.cells, widths, strict=True):
            cell.width = width
            # Keep a short table on one page instead of leaving its header behind.
            if i < last and last < 12:
                cell.paragraphs[0].paragraph_format.keep_with_next = True
    doc.add_paragraph()


def _repeat_header(row: Any) -> None:
    """Repeat the header row on each page, and never split a row across pages."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    props = row._tr.get_or_add_trPr()
    for tag in ("w:cantSplit", "w:tblHeader"):
        element = OxmlElement(tag)
        element.set(qn("w:val"), "true")
        props.append(element)


def _shade(cell: Any, fill: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _docx_quote(doc: DocxDocument, quote: Quote) -> None:
    from docx.shared import Cm

    p = doc.add_paragraph()
    p.paragraph_format.left_indent = Cm(1)
    p.add_run(f"”{quote.text}”").italic = True
    p.add_run(f" ({quote.attribution})")


# ----------------------------------------------------------------------- write
def write_reports(
    project: Project,
    kind: ReportKind | str,
    scope: str = "",
    formats: tuple[str, ...] = ("docx",),
    options: ReportOptions | None = None,
) -> list[Path]:
    """Build one report and write it (atomically) in each format; charts are drawn once.

    `options.output` names the file when one format is asked for, else it is ignored."""
    opts = options or ReportOptions()
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise InputError(
            f"Unknown report format {', '.join(unknown) or '(none)'}; "
            f"choose from {', '.join(FORMATS)}."
        )
    report = build_report(project, kind, scope, lang=opts.lang, codebook=opts.codebook)
    t = Texts.load(opts.lang, project.root)
    charts = render_charts(report, t, opts.dpi)
    paths = []
    for fmt in dict.fromkeys(formats):
        target = opts.output if (opts.output and len(formats) == 1) else None
        paths.append(_write(project, report, t, charts, fmt, target))
    return paths


def write_report(
    project: Project,
    kind: ReportKind | str,
    scope: str = "",
    options: ReportOptions | None = None,
) -> Path:
    """Build one report and write it in `options.fmt`. Returns its path."""
    opts = options or ReportOptions()
    return write_reports(project, kind, scope, (opts.fmt,), opts)[0]


def _write(
    project: Project, report: Report, t: Texts, charts: Charts, fmt: str, output: Path | None
) -> Path:
    target = output or default_path(project, report, fmt)
    if fmt == "docx":
        return atomic.write_bytes(target, render_docx(report, t, charts))
    if fmt == "html":
        return atomic.write_text(target, render_html(report, t, charts, project.root))
    images: dict[str, str] = {}
    for name in CHART_NAMES:
        png = getattr(charts, name)
        if png is not None:
            image = target.with_name(f"{target.stem}_{name}.png")
            atomic.write_bytes(image, png)
            images[name] = image.name
    return atomic.write_text(target, render_markdown(report, t, images, project.root))
