"""Word documents that look made for Sweden: A4, sv-SE proofing, document properties,
page numbers, a contents field, headings kept with what follows, numbers right-aligned.

Shared by the delrapport, the round comparison and the transcript export.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument

# A4 with 2.5 cm margins leaves 16 cm of text width.
PAGE_W_CM, PAGE_H_CM, MARGIN_CM = 21.0, 29.7, 2.5
TEXT_WIDTH_CM = PAGE_W_CM - 2 * MARGIN_CM
LANGUAGE = {"sv": "sv-SE", "en": "en-GB"}
MUTED = (0x76, 0x76, 0x76)


def new_document(lang: str, title: str, author: str, subject: str = "") -> DocxDocument:
    """An empty A4 document with the language, properties and page furniture set."""
    from docx import Document
    from docx.shared import Cm, Pt

    doc = Document()
    for section in doc.sections:
        section.page_width, section.page_height = Cm(PAGE_W_CM), Cm(PAGE_H_CM)
        section.left_margin = section.right_margin = Cm(MARGIN_CM)
        section.top_margin = section.bottom_margin = Cm(2.2)
    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(11)
    set_language(doc, LANGUAGE.get(lang, "sv-SE"))
    for name in ("Heading 1", "Heading 2", "Heading 3", "Caption"):
        doc.styles[name].paragraph_format.keep_with_next = True
    props = doc.core_properties
    props.title = title
    props.author = author or "qualkit"
    props.last_modified_by = author or "qualkit"
    props.subject = subject
    props.language = LANGUAGE.get(lang, "sv-SE")
    props.comments = ""
    props.created = props.modified = datetime.now().replace(microsecond=0)
    return doc


def set_language(doc: DocxDocument, tag: str) -> None:
    """The proofing language of every run that does not say otherwise."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = OxmlElement("w:rPrDefault")
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        rpr_default.append(rpr)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), tag)
    lang.set(qn("w:eastAsia"), tag)
    # Styles in the template carry their own language (en-US); make them follow ours.
    for el in styles.iter(qn("w:lang")):
        el.set(qn("w:val"), tag)


def _field(paragraph: Any, instruction: str, placeholder: str = "") -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def fld(kind: str) -> Any:
        run = OxmlElement("w:r")
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), kind)
        if kind == "begin":
            char.set(qn("w:dirty"), "true")  # Word recomputes it on open
        run.append(char)
        return run

    p = paragraph._p
    p.append(fld("begin"))
    run = OxmlElement("w:r")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run.append(instr)
    p.append(run)
    p.append(fld("separate"))
    if placeholder:
        paragraph.add_run(placeholder)  # the field's shown value until it is updated
    p.append(fld("end"))


def page_numbers(doc: DocxDocument, title_page: bool = True) -> None:
    """A centred page number in the footer; none on the title page."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    section = doc.sections[0]
    section.different_first_page_header_footer = title_page
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(p, "PAGE", "1")


def contents_field(doc: DocxDocument, entries: Sequence[tuple[int, str]], note: str) -> None:
    """A TOC field, prefilled with the headings so a reader without Word still sees them."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    settings = doc.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.append(update)
    first = doc.add_paragraph()
    _field_begin(first, 'TOC \\o "1-2" \\h \\z \\u')
    for level, text in entries:
        p = doc.add_paragraph(text)
        p.paragraph_format.left_indent = Cm(0.6 * (level - 1))
        p.paragraph_format.space_after = 0
    last = doc.add_paragraph()
    end = OxmlElement("w:r")
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), "end")
    end.append(char)
    last._p.append(end)
    muted(doc.add_paragraph(), note, size=8)


def _field_begin(paragraph: Any, instruction: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for kind, text in (("begin", None), (None, instruction), ("separate", None)):
        run = OxmlElement("w:r")
        if kind is not None:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            if kind == "begin":
                char.set(qn("w:dirty"), "true")
            run.append(char)
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {text} "
            run.append(instr)
        paragraph._p.append(run)


def muted(paragraph: Any, text: str, size: int = 9) -> None:
    from docx.shared import Pt, RGBColor

    run = paragraph.add_run(text)
    run.italic = True
    run.font.size = Pt(size)
    run.font.color.rgb = RGBColor(*MUTED)


_INLINE = re.compile(r"(\*\*[^*]+\*\*|\*[^*]+\*)")


def add_inline(paragraph: Any, text: str) -> None:
    """Text with **bold** and *italic* as Markdown writes them."""
    for part in _INLINE.split(text):
        if part.startswith("**") and part.endswith("**") and len(part) > 4:
            paragraph.add_run(part[2:-2]).bold = True
        elif part.startswith("*") and part.endswith("*") and len(part) > 2:
            paragraph.add_run(part[1:-1]).italic = True
        elif part:
            paragraph.add_run(part)


_BULLET = re.compile(r"^\s*[-*•]\s+")
_NUMBERED = re.compile(r"^\s*\d+[.)]\s+")


def add_markdown(doc: DocxDocument, text: str) -> None:
    """The analyst's Markdown: paragraphs, '-' bullets, '1.' lists, ### headings, emphasis."""
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line for line in block.splitlines() if line.strip()]
        if all(_BULLET.match(x) or _NUMBERED.match(x) for x in lines):
            for line in lines:
                style = "List Bullet" if _BULLET.match(line) else "List Number"
                add_inline(doc.add_paragraph(style=style), _NUMBERED.sub("", _BULLET.sub("", line)))
        elif lines and lines[0].startswith("#"):
            doc.add_paragraph(lines[0].lstrip("# "), style="Heading 3")
            if lines[1:]:
                add_inline(doc.add_paragraph(), " ".join(lines[1:]))
        else:
            add_inline(doc.add_paragraph(), " ".join(x.strip() for x in lines))


def table(
    doc: DocxDocument,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    numeric: Sequence[int] = (),
    first_cm: float | None = None,
) -> Any:
    """A grid table: shaded header repeated on each page, numbers right-aligned, rows whole."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    t = doc.add_table(rows=1, cols=len(header))
    t.style = "Table Grid"
    t.autofit = False
    n = len(header)
    first = first_cm if first_cm is not None else min(6.0, TEXT_WIDTH_CM / n * 1.6)
    # Narrow tables (a label and a count or two) need not span the page; prose cells do.
    prose = any(len(str(v)) > 60 for row in rows for v in row[1:])
    total = TEXT_WIDTH_CM if n >= 4 or prose else min(TEXT_WIDTH_CM, first + 3.0 * (n - 1))
    rest = (total - first) / (n - 1) if n > 1 else 0.0
    widths = [Cm(first if n > 1 else total)] + [Cm(rest)] * (n - 1)
    # Word reads the cell widths, LibreOffice the grid columns: set both.
    for column, width in zip(t.columns, widths, strict=True):
        column.width = width
    _row_props(t.rows[0], header=True)
    for j, (cell, text) in enumerate(zip(t.rows[0].cells, header, strict=True)):
        run = cell.paragraphs[0].add_run(str(text))
        run.bold = True
        run.font.size = Pt(9)
        if j in numeric:
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _shade(cell, "E8F0F8")
    for row in rows:
        r = t.add_row()
        _row_props(r, header=False)
        for j, (cell, value) in enumerate(zip(r.cells, row, strict=True)):
            p = cell.paragraphs[0]
            p.add_run("" if value is None else str(value)).font.size = Pt(9)
            if j in numeric:
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    last = len(t.rows) - 1
    for i, row_ in enumerate(t.rows):
        for cell, width in zip(row_.cells, widths, strict=True):
            cell.width = width
            # Keep a short table on one page instead of leaving its header behind.
            if i < last and last < 15 and not prose:
                cell.paragraphs[0].paragraph_format.keep_with_next = True
    return t


def _row_props(row: Any, *, header: bool) -> None:
    """Never split a row across pages; repeat the header row on each page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    props = row._tr.get_or_add_trPr()
    for tag in ("w:cantSplit", "w:tblHeader") if header else ("w:cantSplit",):
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
