"""REFI-QDA exchange: `export qdpx`, `export qdc` and `exchange-import`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from qualkit.cli import project_option
from qualkit.cli.output import console

if TYPE_CHECKING:
    from qualkit.export.refi_import import ImportSummary


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "exchange-import",
        help="import a REFI-QDA project (.qdpx) or codebook (.qdc) from NVivo, ATLAS.ti, MAXQDA",
    )
    project_option(p)
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--codebook-id", help="id of the new codebook (default: refi_<file name>)")
    p.set_defaults(handler=cmd_exchange_import)


def register_export(esub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    q = esub.add_parser("qdpx", help="REFI-QDA project for NVivo, ATLAS.ti, MAXQDA, QualCoder")
    project_option(q)
    q.add_argument("--output", "-o", type=Path, help="file (default: exports/<project>.qdpx)")
    q.add_argument(
        "--codebook",
        action="append",
        dest="codebooks",
        metavar="ID",
        help="codebook to include (repeatable; default: those with codings)",
    )
    q.set_defaults(handler=cmd_export_qdpx)
    q = esub.add_parser("qdc", help="REFI-QDA codebook (.qdc)")
    project_option(q)
    q.add_argument("--output", "-o", type=Path, help="file (default: exports/<codebook>.qdc)")
    q.add_argument("--codebook", action="append", dest="codebooks", metavar="ID")
    q.set_defaults(handler=cmd_export_qdc)


def cmd_export_qdpx(args: argparse.Namespace) -> None:
    from qualkit.cli.export_cmds import warn_unreviewed
    from qualkit.export.refi_qda import check_codebooks, export_qdpx
    from qualkit.project import open_project

    with open_project(args.project) as project:
        if args.codebooks:
            check_codebooks(project, args.codebooks)
        result = export_qdpx(project, args.output, args.codebooks)
        console.print(
            f"Wrote {result.path} ({_n(result.sources, 'source')}, {_n(result.codes, 'code')}, "
            f"{_n(result.codings, 'coding')})."
        )
        warn_unreviewed(project)
    if result.skipped_codings:
        console.print(
            f"{result.skipped_codings} codings left out: their speakers withdrew consent."
        )


def cmd_export_qdc(args: argparse.Namespace) -> None:
    from qualkit.export.refi_qda import check_codebooks, export_qdc
    from qualkit.project import open_project

    with open_project(args.project) as project:
        if args.codebooks:
            check_codebooks(project, args.codebooks)
        path = export_qdc(project, args.output, args.codebooks)
    console.print(f"Wrote {path}")


def cmd_exchange_import(args: argparse.Namespace) -> None:
    from qualkit.export.refi_import import import_refi
    from qualkit.project import open_project

    with open_project(args.project) as project:
        summary = import_refi(project, args.file, codebook_id=args.codebook_id)
    print_import_summary(summary)


def print_import_summary(summary: ImportSummary) -> None:
    line = f"Imported codebook {summary.codebook!r} ({_n(summary.codes, 'code')})"
    if summary.recordings or summary.codings or summary.coders:
        line += (
            f", {_n(len(summary.recordings), 'recording')} "
            f"({_n(summary.segments, 'segment')}), {_n(summary.codings, 'coding')} "
            f"by {_n(len(summary.coders), 'coder')}"
        )
    console.print(line + ".")
    if summary.skipped_codings:
        console.print(f"{_n(summary.skipped_codings, 'coding')} could not be placed on any text.")
    for warning in summary.warnings[:10]:
        console.print(f"  note: {warning}")
    if len(summary.warnings) > 10:
        console.print(f"  … and {len(summary.warnings) - 10} more notes.")


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
