"""The report as a Word file, drawn from the same blocks as the Markdown and HTML."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

from qualkit.export import docx_style
from qualkit.export.report_blocks import Block
from qualkit.export.report_records import Report
from qualkit.export.report_texts import Texts

QUOTE_COLOURS = {"främjande": "009E73", "hindrande": "D55E00", "förslag": "0072B2"}


def render_docx(
    report: Report, t: Texts, blocks: Sequence[Block], charts: Mapping[str, bytes]
) -> bytes:
    from docx.enum.text import WD_BREAK
    from docx.shared import Cm, Pt, RGBColor

    title_block = blocks[0]
    doc = docx_style.new_document(
        report.lang,
        title=title_block.text,
        author=report.title_info.author,
        subject=report.title_info.study or t(f"scope_{report.kind.value}", name=report.scope),
    )
    docx_style.page_numbers(doc)
    for block in blocks:
        kind = block.kind
        if kind == "title":
            doc.add_paragraph(block.text, style="Title").paragraph_format.space_before = Cm(7)
            for line in block.items:
                p = doc.add_paragraph()
                p.add_run(line).font.size = Pt(13)
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif kind == "toc":
            doc.add_paragraph(block.text, style="TOC Heading")
            docx_style.contents_field(
                doc, [(level, text) for level, text, _ in block.toc], t("toc_update")
            )
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif kind == "heading":
            doc.add_heading(block.text, level=block.level)
        elif kind == "subheading":
            doc.add_heading(block.text, level=3)
        elif kind == "para":
            doc.add_paragraph(block.text)
        elif kind == "muted":
            docx_style.muted(doc.add_paragraph(), block.text)
        elif kind == "analyst":
            docx_style.add_markdown(doc, block.text)
        elif kind == "definition":
            p = doc.add_paragraph()
            p.paragraph_format.left_indent = Cm(0.5)
            run = p.add_run(block.text)
            run.italic = True
            run.font.color.rgb = RGBColor(0x44, 0x44, 0x44)
        elif kind == "table":
            doc.add_paragraph(block.text, style="Caption")
            first = 4.0 if len(block.header) >= 5 else None
            if block.header == (t("factor"), t("definition")):
                first = 5.5
            docx_style.table(doc, block.header, block.rows, block.numeric, first_cm=first)
            doc.add_paragraph().paragraph_format.space_after = Pt(2)
        elif kind == "figure":
            # Charts are drawn at their printed size (the PNG carries its dpi).
            doc.add_picture(io.BytesIO(charts[block.chart]))
            doc.paragraphs[-1].paragraph_format.keep_with_next = True
            doc.add_paragraph(block.text, style="Caption")
        elif kind == "quote":
            p = doc.add_paragraph()
            p.paragraph_format.left_indent = Cm(1)
            p.paragraph_format.right_indent = Cm(1)
            bar = p.add_run("▍")
            bar.font.color.rgb = RGBColor.from_string(QUOTE_COLOURS.get(block.style, "999999"))
            p.add_run(f"”{block.text}”").italic = True
            who = p.add_run(f" ({block.attribution})")
            who.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
        elif kind == "pagebreak":
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif kind == "bullets":
            for item in block.items:
                doc.add_paragraph(item, style="List Bullet")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
