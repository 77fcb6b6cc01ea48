"""REFI-QDA and CSV exchange: `export qdpx`, `export qdc`, `exchange-import`, and
`codebook export` / `codebook import` for tools that move codebooks as CSV (Taguette)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from qualkit.cli.options import project_option
from qualkit.cli.output import console, warn_unreviewed
from qualkit.errors import InputError
from qualkit.export.refi.codebook_csv import export_codebook_csv, import_codebook_csv
from qualkit.export.refi.codebook_write import check_codebooks, export_qdc
from qualkit.export.refi.importer import ImportSummary, import_qdc, import_refi
from qualkit.export.refi.write import export_qdpx
from qualkit.project import DEFAULT_CODEBOOK, open_project

if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]


def register(sub: Subparsers) -> None:
    p = sub.add_parser(
        "exchange-import",
        help="import a REFI-QDA project (.qdpx) or codebook (.qdc) from NVivo, ATLAS.ti, MAXQDA",
        description="Import a REFI-QDA project (.qdpx) or codebook (.qdc). `qualkit import "
        "FILE.qdpx` does the same; this command also lets you name the new codebook.",
    )
    project_option(p)
    p.add_argument("file", type=Path, metavar="FILE", help="a .qdpx project or .qdc codebook")
    p.add_argument("--codebook-id", help="id of the new codebook (default: refi_<file name>)")
    p.set_defaults(handler=cmd_exchange_import)
    codebook = sub.choices.get("codebook")
    if codebook is not None:
        _register_codebook_exchange(codebook)


def _register_codebook_exchange(codebook: argparse.ArgumentParser) -> None:
    # `codebook` is registered by core_cmds; its exchange actions live here with the formats.
    actions = [a for a in codebook._actions if isinstance(a, argparse._SubParsersAction)]
    if not actions:
        return
    csub: Subparsers = actions[0]
    q = csub.add_parser("export", help="write a codebook as CSV (Taguette) or .qdc (REFI-QDA)")
    project_option(q)
    q.add_argument(
        "codebook", nargs="?", default=DEFAULT_CODEBOOK, help="codebook id (default: %(default)s)"
    )
    q.add_argument(
        "--format",
        choices=("csv", "qdc"),
        default="csv",
        help="CSV (Taguette) or .qdc (REFI-QDA) (default: %(default)s)",
    )
    q.add_argument("--output", "-o", type=Path, help="file (default: exports/<codebook>.<format>)")
    q.set_defaults(handler=cmd_codebook_export)
    q = csub.add_parser("import", help="a codebook from CSV (Taguette: tag, name or path) or .qdc")
    project_option(q)
    q.add_argument("file", type=Path, metavar="FILE", help="a .csv or .qdc codebook")
    q.add_argument("--codebook-id", help="id of the new codebook (default: from the file name)")
    q.set_defaults(handler=cmd_codebook_import)


def register_export(esub: Subparsers) -> None:
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
    q.add_argument(
        "--turns",
        action="store_true",
        help="every speaker turn as a selection of its participant's Case (NVivo case coding)",
    )
    q.add_argument("--no-audio", action="store_true", help="texts only, no audio files")
    q.add_argument(
        "--coder-names",
        action="store_true",
        help="name users as stored, e.g. for merge-coder (default: Kodare 1, Kodare 2 ...)",
    )
    q.set_defaults(handler=cmd_export_qdpx)
    q = esub.add_parser("qdc", help="REFI-QDA codebook (.qdc)")
    project_option(q)
    q.add_argument("--output", "-o", type=Path, help="file (default: exports/<codebook>.qdc)")
    q.add_argument(
        "--codebook",
        action="append",
        dest="codebooks",
        metavar="ID",
        help="only this codebook (repeatable; default: all)",
    )
    q.set_defaults(handler=cmd_export_qdc)


def cmd_export_qdpx(args: argparse.Namespace) -> None:
    with open_project(args.project) as project:
        if args.codebooks:
            check_codebooks(project, args.codebooks)
        result = export_qdpx(
            project,
            args.output,
            args.codebooks,
            speaker_selections=args.turns,
            audio=not args.no_audio,
            coder_names=args.coder_names,
        )
        console.print(
            f"Wrote {result.path} ({_n(result.sources, 'source')}, {_n(result.codes, 'code')}, "
            f"{_n(result.codings, 'coding')})."
        )
        warn_unreviewed(project, [result.path])
    if result.skipped_codings:
        console.print(
            f"{result.skipped_codings} codings left out: their speakers withdrew consent."
        )


def cmd_export_qdc(args: argparse.Namespace) -> None:
    with open_project(args.project) as project:
        if args.codebooks:
            check_codebooks(project, args.codebooks)
        path = export_qdc(project, args.output, args.codebooks)
        console.print(f"Wrote {path}")
        warn_unreviewed(project, [path])


def cmd_codebook_export(args: argparse.Namespace) -> None:
    with open_project(args.project) as project:
        check_codebooks(project, [args.codebook])
        if args.format == "qdc":
            path = export_qdc(project, args.output, [args.codebook])
        else:
            path = export_codebook_csv(project, args.codebook, args.output)
        console.print(f"Wrote {path}")
        warn_unreviewed(project, [path])


def cmd_codebook_import(args: argparse.Namespace) -> None:
    suffix = args.file.suffix.lower()
    if suffix not in (".csv", ".qdc"):
        raise InputError(f"{args.file}: expected a .csv or .qdc codebook.")
    with open_project(args.project) as project:
        if suffix == ".csv":
            summary = import_codebook_csv(project, args.file, codebook_id=args.codebook_id)
        else:
            summary = import_qdc(project, args.file, codebook_id=args.codebook_id)
    print_import_summary(summary)


def cmd_exchange_import(args: argparse.Namespace) -> None:
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
