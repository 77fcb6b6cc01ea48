"""The round-to-round comparison report, in Swedish: Markdown, self-contained HTML or Word.

Charts are drawn with matplotlib's Agg backend (no display needed), embedded as base64 PNG in
HTML and as pictures in docx; Markdown gets PNG files next to it. Quotes are signed by role
and actor only and have passed the project's Redactor (see `qualkit.rounds.compare`).
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
from qualkit.export.report_blocks import number
from qualkit.model import Valence
from qualkit.project import Project
from qualkit.rounds import AssessorAgreement, CellChange, RoundComparison

FORMATS = ("md", "html", "docx")
_VALENCES = (Valence.PROMOTING, Valence.HINDERING, Valence.PROPOSAL)
_TREND_ORDER = ("ökning", "nytt", "minskning", "försvunnet", "ändrad karaktär")
_TREND_HEADING = {
    "ökning": "Mer av detta",
    "nytt": "Nya teman",
    "minskning": "Mindre av detta",
    "försvunnet": "Teman som inte längre nämns",
    "ändrad karaktär": "Lika många passager, annan karaktär",
}


def _delta(c: CellChange) -> str:
    return f"{c.delta:+d} ({c.trend})" if c.delta else f"0 ({c.trend})"


def _change_line(c: CellChange) -> str:
    line = f"{c.label}: {c.counts[0]} → {c.counts[1]}"
    before, after = _valence_text(c.by_valence[0]), _valence_text(c.by_valence[1])
    if before != "–" or after != "–":
        line += f" ({before} → {after})"
    return line


# ------------------------------------------------------------------------ figures
def _num(value: float | None) -> str:
    return number(value, "sv", 1)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{number(value, 'sv', 0)} %"


def _coef(value: float | None) -> str:
    return number(value, "sv", 2)


# ---------------------------------------------------------------------- content
def _valence_text(counts: Mapping[str, int]) -> str:
    parts = [f"{counts.get(v.value, 0)} {v.value}" for v in _VALENCES if counts.get(v.value)]
    return ", ".join(parts) or "–"


def _actors(counts: Mapping[str, int]) -> str:
    return " (" + ", ".join(f"{k} {n}" for k, n in counts.items()) + ")" if counts else ""


def _intro(cmp: RoundComparison) -> list[str]:
    r1, r2 = cmp.rounds
    lines = [
        f"Omgång {r1.name} ({r1.date}) jämförs med omgång {r2.name} ({r2.date}).",
        f"Deltagare: {cmp.participants[0]} i {r1.name}{_actors(cmp.actors[0])} och"
        f" {cmp.participants[1]} i {r2.name}{_actors(cmp.actors[1])}.",
        f"Material: {', '.join(cmp.material[0]) or 'inget'} respektive "
        f"{', '.join(cmp.material[1]) or 'inget'}.",
    ]
    # The co-assessor is a named person: like every name, it stays in the project.
    co = [r.name for r in cmp.rounds if r.co_assessor]
    lines.append("Extern medbedömare: " + (" och ".join(co) if co else "ingen angiven") + ".")
    lines.append(
        "Antal avser kodade passager; en passage räknas en gång per kod oavsett hur många"
        " som kodat den" + (f" (endast kodaren {cmp.coder})." if cmp.coder else ".")
    )
    lines.extend(cmp.notes)
    return lines


def _cell_table(cmp: RoundComparison) -> tuple[list[str], list[list[str]]]:
    a, b = cmp.rounds[0].name, cmp.rounds[1].name
    head = [
        "Cell",
        f"Antal {a}",
        f"Antal {b}",
        "Förändring",
        f"Personal {a}",
        f"Personal {b}",
        f"Medbedömare {a}",
        f"Medbedömare {b}",
    ]
    rows = [
        [
            c.label,
            str(c.counts[0]),
            str(c.counts[1]),
            _delta(c),
            _num(c.staff_rating[0]),
            _num(c.staff_rating[1]),
            _num(c.co_rating[0]),
            _num(c.co_rating[1]),
        ]
        for c in cmp.cells
    ]
    return head, rows


def _factor_table(cmp: RoundComparison) -> tuple[list[str], list[list[str]]]:
    a, b = cmp.rounds[0].name, cmp.rounds[1].name
    head = ["Framgångsfaktor", f"{a}", f"{b}", "Förändring"]
    rows = [
        [
            c.label,
            f"{c.counts[0]} ({_valence_text(c.by_valence[0])})",
            f"{c.counts[1]} ({_valence_text(c.by_valence[1])})",
            _delta(c),
        ]
        for c in cmp.factors
    ]
    return head, rows


def _changes(cmp: RoundComparison) -> list[tuple[str, list[CellChange]]]:
    out = []
    for trend in _TREND_ORDER:
        rows = [c for c in (*cmp.cells, *cmp.factors) if c.trend == trend]
        if rows:
            out.append((_TREND_HEADING[trend], rows))
    return out


def _assessor_lines(cmp: RoundComparison) -> list[str]:
    lines = []
    for rnd, agr in zip(cmp.rounds, cmp.assessors, strict=True):
        lines.append(_assessor_line(rnd.name, rnd.co_assessor, agr))
    return lines


def _assessor_line(name: str, co: str | None, agr: AssessorAgreement) -> str:
    if not co:
        return f"{name}: ingen medbedömare i omgången."
    if agr.cells == 0 and agr.coding is None:
        return f"{name}: personalen och medbedömaren har inte bedömt samma celler."
    parts = []
    if agr.cells:
        diff = agr.mean_difference or 0.0
        direction = "högre" if diff >= 0 else "lägre"
        cells = "cell bedömd" if agr.cells == 1 else "celler bedömda"
        parts.append(
            f"{agr.cells} {cells} av båda; samma betyg (personalens medelvärde avrundat"
            f" till skalan) i {_pct(agr.exact_percent)},"
            f" högst ett steg isär i {_pct(agr.within_one_percent)};"
            f" personalens betyg i genomsnitt {_num(abs(diff))} steg {direction}"
            " än medbedömarens"
        )
    if agr.coding is not None:
        o = agr.coding.overall
        parts.append(
            f"kodningen av materialet: κ = {_coef(o.kappa)}, α = {_coef(o.alpha)},"
            f" överensstämmelse {_pct(o.percent)}"
        )
    return f"{name} (mot medbedömaren): " + "; ".join(parts) + "."


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

    out = [f"# {_title(cmp)}", "", *_intro(cmp), ""]
    if cmp.cells:
        out += ["## Rutnätet: antal och betyg per cell", "", *table(*_cell_table(cmp)), ""]
        for key in ("rutnat", "betyg"):
            if key in chart_files:
                out += [f"![{caption[key]}]({chart_files[key]})", "", f"*{caption[key]}*", ""]
    if cmp.factors:
        out += ["## Danermarks framgångsfaktorer", "", *table(*_factor_table(cmp)), ""]
        if "faktorer" in chart_files:
            out += [f"![{caption['faktorer']}]({chart_files['faktorer']})", ""]
            out += [f"*{caption['faktorer']}*", ""]
    out += ["## Vad har förändrats", ""]
    changes = _changes(cmp)
    if not changes:
        out += ["Inga skillnader i antal mellan omgångarna.", ""]
    for heading, rows in changes:
        out += [f"### {heading}", ""]
        for c in rows:
            out.append(f"- {_change_line(c)}")
            for q in c.quotes:
                out.append(f"  > ”{q.text}” ({q.attribution})")
        out.append("")
    out += ["## Personalens bedömning och medbedömarens", ""]
    out += [f"- {line}" for line in _assessor_lines(cmp)]
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
    parts += [f"<p>{e(line)}</p>" for line in _intro(cmp)]
    if cmp.cells:
        parts += ["<h2>Rutnätet: antal och betyg per cell</h2>", table(*_cell_table(cmp))]
        parts += [img("rutnat"), img("betyg")]
    if cmp.factors:
        parts += ["<h2>Danermarks framgångsfaktorer</h2>", table(*_factor_table(cmp))]
        parts.append(img("faktorer"))
    parts.append("<h2>Vad har förändrats</h2>")
    changes = _changes(cmp)
    if not changes:
        parts.append("<p>Inga skillnader i antal mellan omgångarna.</p>")
    for heading, rows in changes:
        parts.append(f"<h3>{e(heading)}</h3><ul>")
        for c in rows:
            quotes = "".join(
                f"<blockquote>”{e(q.text)}” <cite>({e(q.attribution)})</cite></blockquote>"
                for q in c.quotes
            )
            parts.append(f"<li>{e(_change_line(c))}{quotes}</li>")
        parts.append("</ul>")
    parts.append("<h2>Personalens bedömning och medbedömarens</h2><ul>")
    parts += [f"<li>{e(line)}</li>" for line in _assessor_lines(cmp)]
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
    for line in _intro(cmp):
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
        head, cell_rows = _cell_table(cmp)
        table(head[:4], [r[:4] for r in cell_rows])
        doc.add_paragraph()
        table([head[0], *head[4:]], [[r[0], *r[4:]] for r in cell_rows])
        picture("rutnat")
        picture("betyg")
    if cmp.factors:
        doc.add_heading("Danermarks framgångsfaktorer", level=2)
        table(*_factor_table(cmp))
        picture("faktorer")
    doc.add_heading("Vad har förändrats", level=2)
    changes = _changes(cmp)
    if not changes:
        doc.add_paragraph("Inga skillnader i antal mellan omgångarna.")
    for heading, rows in changes:
        doc.add_heading(heading, level=3)
        for c in rows:
            doc.add_paragraph(_change_line(c), style="List Bullet")
            for q in c.quotes:
                doc.add_paragraph(f"”{q.text}” ({q.attribution})", style="Quote")
    doc.add_heading("Personalens bedömning och medbedömarens", level=2)
    for line in _assessor_lines(cmp):
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
