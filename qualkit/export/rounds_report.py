"""The round-to-round comparison report, in Swedish: Markdown, self-contained HTML or Word.

Charts are drawn with matplotlib's Agg backend (no display needed), embedded as base64 PNG in
HTML and as pictures in docx; Markdown gets PNG files next to it. Quotes are signed by role
and actor only and have passed the project's Redactor (see `qualkit.rounds.compare`);
round names, labels, material and signatures pass it here (`rounds_content.redacted`).
"""

from __future__ import annotations

import base64
import html
import io
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from qualkit import atomic
from qualkit.errors import InputError
from qualkit.export import docx_style, rounds_charts
from qualkit.export.report_method import coder_labels
from qualkit.export.rounds_content import (
    assessor_lines,
    cell_table,
    change_line,
    factor_table,
    grouped_changes,
    intro,
    redacted,
)
from qualkit.privacy import Redactor
from qualkit.project import Project
from qualkit.rounds import RoundComparison

FORMATS = ("md", "html", "docx")


# ------------------------------------------------------------------------ writers
def _title(cmp: RoundComparison) -> str:
    return f"Självvärdering: {cmp.rounds[0].name} jämfört med {cmp.rounds[1].name}"


CHART_CAPTIONS = {
    "rutnat": "Kodade passager per cell i rutnätet",
    "betyg": "Betyg per cell (1–5, medelvärde)",
    "faktorer": "Kodade passager per framgångsfaktor (Danermark)",
}


def _captions(cmp: RoundComparison, present: Sequence[str]) -> dict[str, str]:
    """'Figur 1. ...' for the charts drawn, numbered in reading order, with n."""
    n = sum(c.counts[0] + c.counts[1] for c in (cmp.cells or cmp.factors))
    keys = [k for k in CHART_CAPTIONS if k in present]
    return {k: f"Figur {i}. {CHART_CAPTIONS[k]} (n = {n})" for i, k in enumerate(keys, 1)}


def render_markdown(cmp: RoundComparison, chart_files: Mapping[str, str]) -> str:
    caption = _captions(cmp, list(chart_files))

    def table(head: list[str], rows: list[list[str]]) -> list[str]:
        esc = [[v.replace("|", "\\|") for v in r] for r in rows]
        return [
            "| " + " | ".join(head) + " |",
            "|" + "---|" * len(head),
            *("| " + " | ".join(r) + " |" for r in esc),
        ]

    out = [f"# {_title(cmp)}", "", *intro(cmp), ""]
    if cmp.cells:
        out += ["## Rutnätet: antal och betyg per cell", "", *table(*cell_table(cmp)), ""]
        for key in ("rutnat", "betyg"):
            if key in chart_files:
                out += [f"![{caption[key]}]({chart_files[key]})", "", f"*{caption[key]}*", ""]
    if cmp.factors:
        out += ["## Danermarks framgångsfaktorer", "", *table(*factor_table(cmp)), ""]
        if "faktorer" in chart_files:
            out += [f"![{caption['faktorer']}]({chart_files['faktorer']})", ""]
            out += [f"*{caption['faktorer']}*", ""]
    out += ["## Vad har förändrats", ""]
    changes = grouped_changes(cmp)
    if not changes:
        out += ["Inga skillnader i antal mellan omgångarna.", ""]
    for heading, rows in changes:
        out += [f"### {heading}", ""]
        for c in rows:
            out.append(f"- {change_line(c)}")
            for q in c.quotes:
                out.append(f"  > ”{q.text}” ({q.attribution})")
        out.append("")
    out += ["## Personalens bedömning och medbedömarens", ""]
    out += [f"- {line}" for line in assessor_lines(cmp)]
    return "\n".join(out) + "\n"


def render_html(cmp: RoundComparison, pngs: Mapping[str, bytes]) -> str:
    e = html.escape

    def table(head: list[str], rows: list[list[str]]) -> str:
        th = "".join(f"<th>{e(h)}</th>" for h in head)
        trs = "".join("<tr>" + "".join(f"<td>{e(v)}</td>" for v in r) + "</tr>" for r in rows)
        return f"<table><thead><tr>{th}</tr></thead><tbody>{trs}</tbody></table>"

    caption = _captions(cmp, list(pngs))

    def img(key: str) -> str:
        if key not in pngs:
            return ""
        data = base64.b64encode(pngs[key]).decode("ascii")
        alt = e(caption[key])
        return (
            f'<figure><img alt="{alt}" src="data:image/png;base64,{data}">'
            f"<figcaption>{alt}</figcaption></figure>"
        )

    parts = [f"<h1>{e(_title(cmp))}</h1>"]
    parts += [f"<p>{e(line)}</p>" for line in intro(cmp)]
    if cmp.cells:
        parts += ["<h2>Rutnätet: antal och betyg per cell</h2>", table(*cell_table(cmp))]
        parts += [img("rutnat"), img("betyg")]
    if cmp.factors:
        parts += ["<h2>Danermarks framgångsfaktorer</h2>", table(*factor_table(cmp))]
        parts.append(img("faktorer"))
    parts.append("<h2>Vad har förändrats</h2>")
    changes = grouped_changes(cmp)
    if not changes:
        parts.append("<p>Inga skillnader i antal mellan omgångarna.</p>")
    for heading, rows in changes:
        parts.append(f"<h3>{e(heading)}</h3><ul>")
        for c in rows:
            quotes = "".join(
                f"<blockquote>”{e(q.text)}” <cite>({e(q.attribution)})</cite></blockquote>"
                for q in c.quotes
            )
            parts.append(f"<li>{e(change_line(c))}{quotes}</li>")
        parts.append("</ul>")
    parts.append("<h2>Personalens bedömning och medbedömarens</h2><ul>")
    parts += [f"<li>{e(line)}</li>" for line in assessor_lines(cmp)]
    parts.append("</ul>")
    style = (
        "body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.4}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;"
        "padding:.25em .5em;text-align:left}th{background:#eee}img{max-width:100%}"
        "blockquote{margin:.3em 1.5em;color:#333;font-style:italic}"
    )
    return (
        '<!DOCTYPE html>\n<html lang="sv"><head><meta charset="utf-8">'
        f"<title>{e(_title(cmp))}</title><style>{style}</style></head><body>\n"
        + "\n".join(p for p in parts if p)
        + "\n</body></html>\n"
    )


# Usable width of the page in cm, and roughly how wide one character of 8.5 pt text is.
_CHAR_CM = 0.22


def _column_widths(head: Sequence[str], rows: Sequence[Sequence[str]]) -> list[float]:
    """Figure columns as wide as their longest word (so 'Medbedömare' and 'oförändrat'
    are not broken mid-word); the label column takes the rest of the page."""

    def need(j: int) -> float:
        words = [w for text in [head[j], *(r[j] for r in rows)] for w in text.split()]
        return max((len(w) for w in words), default=1) * _CHAR_CM + 0.4

    figures = [need(j) for j in range(1, len(head))]
    label = max(docx_style.TEXT_WIDTH_CM - sum(figures), min(need(0), 6.0), 3.0)
    scale = min(1.0, (docx_style.TEXT_WIDTH_CM - label) / sum(figures)) if figures else 1.0
    return [label, *(w * scale for w in figures)]


def render_docx(cmp: RoundComparison, pngs: Mapping[str, bytes]) -> bytes:
    from docx.shared import Cm, Pt

    # The same Word page as the delrapport: A4, sv-SE, properties, page numbers.
    doc = docx_style.new_document("sv", _title(cmp), author="")
    docx_style.page_numbers(doc, title_page=False)
    caption = _captions(cmp, list(pngs))
    doc.add_heading(_title(cmp), level=1)
    for line in intro(cmp):
        doc.add_paragraph(line)

    def table(head: list[str], rows: list[list[str]]) -> None:
        widths = [Cm(w) for w in _column_widths(head, rows)]
        t = doc.add_table(rows=1, cols=len(head))
        t.style = "Table Grid"
        t.autofit = False
        for column, width in zip(t.columns, widths, strict=True):
            column.width = width  # LibreOffice reads the grid, Word the cells
        for row_cells, values in [(t.rows[0].cells, head)] + [(t.add_row().cells, r) for r in rows]:
            for cell, text, width in zip(row_cells, values, widths, strict=True):
                cell.width = width
                cell.text = text
                for para in cell.paragraphs:
                    for run in para.runs:
                        run.font.size = Pt(8.5)
        for cell in t.rows[0].cells:
            for run in cell.paragraphs[0].runs:
                run.font.bold = True

    def picture(key: str) -> None:
        if key in pngs:
            doc.add_picture(io.BytesIO(pngs[key]), width=Cm(16))
            doc.paragraphs[-1].paragraph_format.keep_with_next = True
            doc.add_paragraph(caption[key], style="Caption")

    if cmp.cells:
        doc.add_heading("Rutnätet: antal och betyg per cell", level=2)
        # Counts and ratings as two tables: eight columns do not fit a portrait page
        # without breaking headers such as "Medbedömare" mid-word.
        head, cell_rows = cell_table(cmp)
        table(head[:4], [r[:4] for r in cell_rows])
        doc.add_paragraph()
        table([head[0], *head[4:]], [[r[0], *r[4:]] for r in cell_rows])
        picture("rutnat")
        picture("betyg")
    if cmp.factors:
        doc.add_heading("Danermarks framgångsfaktorer", level=2)
        table(*factor_table(cmp))
        picture("faktorer")
    doc.add_heading("Vad har förändrats", level=2)
    changes = grouped_changes(cmp)
    if not changes:
        doc.add_paragraph("Inga skillnader i antal mellan omgångarna.")
    for heading, rows in changes:
        doc.add_heading(heading, level=3)
        for c in rows:
            doc.add_paragraph(change_line(c), style="List Bullet")
            for q in c.quotes:
                doc.add_paragraph(f"”{q.text}” ({q.attribution})", style="Quote")
    doc.add_heading("Personalens bedömning och medbedömarens", level=2)
    for line in assessor_lines(cmp):
        doc.add_paragraph(line, style="List Bullet")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _slug(text: str) -> str:
    return re.sub(r"[^\w.-]+", "_", text, flags=re.UNICODE).strip("_") or "omgang"


def write_comparison(
    project: Project, cmp: RoundComparison, fmt: str = "html", output: Path | None = None
) -> list[Path]:
    """Write the report to exports/ (or `output`). Returns the files written."""
    if fmt not in FORMATS:
        raise InputError(f"Unknown format {fmt!r}: use {', '.join(FORMATS)}.")
    cmp = redacted(cmp, Redactor.for_project(project), coder_labels(project, "sv"))
    stem = f"jamforelse_{_slug(cmp.rounds[0].name)}_{_slug(cmp.rounds[1].name)}"
    target = output or project.exports_dir / f"{stem}.{fmt}"
    pngs = rounds_charts.charts(cmp)
    written: list[Path] = []
    if fmt == "md":
        files: dict[str, str] = {}
        for key, data in pngs.items():
            png = target.with_name(f"{target.stem}_{key}.png")
            written.append(atomic.write_bytes(png, data))
            files[key] = png.name
        written.insert(0, atomic.write_text(target, render_markdown(cmp, files)))
    elif fmt == "html":
        written.append(atomic.write_text(target, render_html(cmp, pngs)))
    else:
        written.append(atomic.write_bytes(target, render_docx(cmp, pngs)))
    return written
