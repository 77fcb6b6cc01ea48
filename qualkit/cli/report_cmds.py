"""report kommun|aktor|region|templates, and export xlsx|transcript."""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from qualkit.cli.options import lang_option, project_option
from qualkit.cli.output import console, warn_unreviewed
from qualkit.cli.report_text_cmds import register_report_text
from qualkit.export.report import ReportOptions, write_reports
from qualkit.export.report_texts import copy_templates, project_templates_dir
from qualkit.export.transcript import export_transcript
from qualkit.export.xlsx import export_xlsx
from qualkit.project import DEFAULT_CODEBOOK, Project, open_project

FORMATS = ("docx", "html", "md")


def _report_options(p: argparse.ArgumentParser) -> None:
    project_option(p)
    p.add_argument(
        "--format",
        "-f",
        choices=FORMATS,
        nargs="+",
        default=["docx"],
        dest="formats",
        help="one or more of docx, html, md (default: docx)",
    )
    lang_option(p, "the report")
    p.add_argument(
        "--codebook",
        default=DEFAULT_CODEBOOK,
        help="codebook whose factors the report is built on (default: %(default)s)",
    )
    p.add_argument("--output", "-o", type=Path, help="file to write (default: exports/...)")
    p.add_argument(
        "--attribution",
        choices=("actor", "actor-group", "role-actor"),
        default="actor-group",
        help="how quotes are signed: FK / FK, medarbetare (default) / handläggare, FK",
    )


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("report", help="delrapport per kommun, per actor, or for the region")
    rsub = p.add_subparsers(dest="report_command", metavar="KIND", required=True)

    q = rsub.add_parser("kommun", help="sub-report (delrapport) for one kommunområde")
    _report_options(q)
    q.add_argument(
        "--kommun", "-k", required=True, metavar="NAME", help="the kommunområde, as given on import"
    )
    q.set_defaults(handler=cmd_report, kind="kommun")

    q = rsub.add_parser("aktor", help="what one actor (kommun, vård, FK, AF) says")
    _report_options(q)
    q.add_argument("--aktor", "-a", required=True, metavar="ACTOR", help="kommun, vård, FK or AF")
    q.set_defaults(handler=cmd_report, kind="aktor")

    q = rsub.add_parser("region", help="regional summary: common ground and differences")
    _report_options(q)
    q.set_defaults(handler=cmd_report, kind="region")

    register_report_text(rsub)

    q = rsub.add_parser("templates", help="copy the report templates to <project>/templates/")
    project_option(q)
    q.add_argument("--force", action="store_true", help="overwrite templates already there")
    q.set_defaults(handler=cmd_report_templates)


def register_export(esub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    q = esub.add_parser("xlsx", help="Excel workbook: codings, factor matrices, participants")
    project_option(q)
    q.add_argument(
        "--codebook", default=DEFAULT_CODEBOOK, help="codebook id (default: %(default)s)"
    )
    lang_option(q)
    q.add_argument("--output", "-o", type=Path, help="file to write (default: exports/...)")
    q.add_argument(
        "--coder-names",
        action="store_true",
        help="name coders as stored (default: Kodare 1, Kodare 2 ...)",
    )
    q.set_defaults(handler=cmd_export_xlsx)

    q = esub.add_parser("transcript", help="a recording's transcript as Word or text")
    project_option(q)
    q.add_argument("recording", help="recording name or id")
    q.add_argument(
        "--format",
        "-f",
        choices=("docx", "txt"),
        default="docx",
        dest="fmt",
        help="Word or plain text (default: %(default)s)",
    )
    lang_option(q)
    q.add_argument("--output", "-o", type=Path, help="file to write (default: exports/...)")
    q.set_defaults(handler=cmd_export_transcript)


def cmd_report(args: argparse.Namespace) -> None:

    scope = {"kommun": getattr(args, "kommun", ""), "aktor": getattr(args, "aktor", "")}.get(
        args.kind, ""
    )
    options = ReportOptions(
        lang=args.lang, codebook=args.codebook, output=args.output, attribution=args.attribution
    )
    with open_project(args.project) as project:
        paths = write_reports(project, args.kind, scope or "", tuple(args.formats), options)
        warn_unreviewed(project, paths)
        hint = other_codebook_hint(project, args.codebook)
    for path in paths:
        console.print(f"Wrote {path}")
    if hint:
        console.print(hint)


def other_codebook_hint(project: Project, codebook: str) -> str:
    """When the report's codebook holds no codings and another does (a .qdpx import files
    its codings under the imported codebook), say so: an empty report is no answer."""
    counts = Counter(c.codebook for c in project.codings())
    if counts[codebook] or not counts:
        return ""
    other, n = counts.most_common(1)[0]
    return (
        f"Note: codebook {codebook!r} has no codings; {other!r} has {n}. "
        f"Report on it with --codebook {other}."
    )


def cmd_report_templates(args: argparse.Namespace) -> None:

    with open_project(args.project) as project:
        written = copy_templates(project.root, overwrite=args.force)
        folder = project_templates_dir(project.root)
    for path in written:
        console.print(f"Wrote {path}")
    if not written:
        console.print(f"The templates are already in {folder}; pass --force to overwrite them.")


def cmd_export_xlsx(args: argparse.Namespace) -> None:
    with open_project(args.project) as project:
        path = export_xlsx(
            project,
            args.output,
            codebook=args.codebook,
            lang=args.lang,
            coder_names=args.coder_names,
        )
        console.print(f"Wrote {path}")
        warn_unreviewed(project, [path])


def cmd_export_transcript(args: argparse.Namespace) -> None:
    with open_project(args.project) as project:
        path = export_transcript(project, args.recording, args.fmt, args.output, args.lang)
        console.print(f"Wrote {path}")
        warn_unreviewed(project, [path])
