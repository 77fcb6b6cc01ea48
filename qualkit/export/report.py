"""Reports per kommun, per actor and for the region, as Word, HTML or Markdown.

The numbers come from one `Report` (report_model.py), laid out once into blocks
(report_layout.py); this module writes them. Markdown and HTML go through Jinja2
templates, Word through python-docx (report_docx.py), all with the wording of
texts.yaml, so a project can change either without code.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup

from qualkit import atomic
from qualkit.errors import InputError
from qualkit.export.charts import DEFAULT_DPI, render_charts
from qualkit.export.report_blocks import Block
from qualkit.export.report_docx import render_docx
from qualkit.export.report_layout import CHART_NAMES, layout, title
from qualkit.export.report_model import Attribution, Report, ReportKind, build_report
from qualkit.export.report_texts import Texts, environment
from qualkit.project import DEFAULT_CODEBOOK, Project

__all__ = [
    "FORMATS",
    "ReportOptions",
    "default_path",
    "render_docx",
    "render_html",
    "render_markdown",
    "title",
    "write_report",
    "write_reports",
]

FORMATS = ("docx", "html", "md")


@dataclass(frozen=True, slots=True)
class ReportOptions:
    fmt: str = "docx"
    lang: str = "sv"
    codebook: str = DEFAULT_CODEBOOK
    dpi: int = DEFAULT_DPI
    output: Path | None = None
    attribution: str = Attribution.ACTOR_GROUP.value


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


def _markdown_html(text: str) -> Markup:
    """The analyst's Markdown as HTML; raw HTML in it is escaped, never passed through."""
    from markdown_it import MarkdownIt

    return Markup(MarkdownIt("commonmark", {"html": False}).render(text))


def _context(
    report: Report, t: Texts, blocks: Sequence[Block], images: Mapping[str, str]
) -> dict[str, Any]:
    return {
        "report": report,
        "t": t,
        "title": blocks[0].text,
        "blocks": blocks,
        "images": images,
        "markdown": _markdown_html,
    }


def render_markdown(
    report: Report,
    t: Texts,
    blocks: Sequence[Block],
    images: Mapping[str, str],
    project_root: Path | None = None,
) -> str:
    """Markdown; `images` maps chart names to file names written beside the .md file."""
    env = environment(project_root, html=False)
    return env.get_template("report.md.j2").render(**_context(report, t, blocks, images))


def render_html(
    report: Report,
    t: Texts,
    blocks: Sequence[Block],
    charts: Mapping[str, bytes],
    project_root: Path | None = None,
) -> str:
    """One self-contained HTML file: charts inline as base64 PNG, no external links."""
    images = {
        name: "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        for name, png in charts.items()
    }
    env = environment(project_root, html=True)
    return env.get_template("report.html.j2").render(**_context(report, t, blocks, images))


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
    _check_output(opts.output, formats)
    report = build_report(
        project,
        kind,
        scope,
        lang=opts.lang,
        codebook=opts.codebook,
        attribution=opts.attribution,
    )
    t = Texts.load(opts.lang, project.root)
    charts = render_charts(report, t, opts.dpi)
    blocks = layout(report, t, charts)
    paths = []
    for fmt in dict.fromkeys(formats):
        target = opts.output if (opts.output and len(formats) == 1) else None
        target = target or default_path(project, report, fmt)
        paths.append(_write(project, report, t, blocks, charts, fmt, target))
    return paths


def _check_output(output: Path | None, formats: tuple[str, ...]) -> None:
    """A named file holds one format, and its suffix says which: `-o rapport.html` without
    `-f html` wrote a Word file named .html, which no browser opens."""
    if output is None:
        return
    if len(set(formats)) > 1:
        raise InputError(
            f"-o {output} names one file, but {len(set(formats))} formats were asked for; "
            "give one format with -o, or leave -o out (each goes to exports/)."
        )
    suffix = output.suffix.lower().lstrip(".")
    if suffix != formats[0]:
        raise InputError(
            f"-o {output}: a {formats[0]} report needs a name ending in .{formats[0]}"
            + (f"; for {suffix}, add -f {suffix}." if suffix in FORMATS else ".")
        )


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
    project: Project,
    report: Report,
    t: Texts,
    blocks: Sequence[Block],
    charts: Mapping[str, bytes],
    fmt: str,
    target: Path,
) -> Path:
    if fmt == "docx":
        return atomic.write_bytes(target, render_docx(report, t, blocks, charts))
    if fmt == "html":
        return atomic.write_text(target, render_html(report, t, blocks, charts, project.root))
    images: dict[str, str] = {}
    for name in CHART_NAMES:
        png = charts.get(name)
        if png is not None:
            image = target.with_name(f"{target.stem}_{name}.png")
            atomic.write_bytes(image, png)
            images[name] = image.name
    return atomic.write_text(target, render_markdown(report, t, blocks, images, project.root))
