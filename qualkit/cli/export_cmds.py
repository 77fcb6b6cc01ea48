"""export: files for other tools and for reading."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from qualkit.cli import exchange_cmds, report_cmds
from qualkit.cli.options import project_option
from qualkit.cli.output import console, warn_unreviewed
from qualkit.export.csv import TABLES, export_csv
from qualkit.project import open_project
from qualkit.redaction import Redactor

if TYPE_CHECKING:
    pass


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("export", help="write CSV and other exchange files to exports/")
    esub = p.add_subparsers(dest="export_command", metavar="FORMAT", required=True)
    q = esub.add_parser("csv", help="codings, segments or participants as CSV")
    project_option(q)
    q.add_argument(
        "--table",
        choices=("codings", "segments", "participants", "all"),
        default="all",
        help="which table to write (default: %(default)s)",
    )
    q.add_argument("--output", "-o", type=Path, help="file (one table) or folder")
    q.add_argument(
        "--unredacted",
        action="store_true",
        help="keep real names and identifiers (default: pseudonymised); for internal use only",
    )
    q.add_argument(
        "--coder-names",
        action="store_true",
        help="name coders as stored (default: Kodare 1, Kodare 2 ...)",
    )
    q.set_defaults(handler=cmd_export_csv)
    # The other export formats: reports and REFI-QDA files.
    report_cmds.register_export(esub)
    exchange_cmds.register_export(esub)


def cmd_export_csv(args: argparse.Namespace) -> None:
    tables = TABLES if args.table == "all" else (args.table,)
    with open_project(args.project) as project:
        # One redactor for all tables: a name first met in one table keeps its label.
        redactor = Redactor.for_project(project)
        written = []
        for what in tables:
            target = None
            if args.output is not None:
                target = (
                    args.output / f"{what}.csv"
                    if (len(tables) > 1 or args.output.is_dir())
                    else args.output
                )
            path = export_csv(
                project,
                what,
                target,
                unredacted=args.unredacted,
                redactor=redactor,
                coder_names=args.coder_names,
            )
            console.print(f"Wrote {path}")
            written.append(path)
        warn_unreviewed(project, written, args.unredacted)
