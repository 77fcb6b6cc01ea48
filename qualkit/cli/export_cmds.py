"""export: files for other tools and for reading."""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path
from typing import TYPE_CHECKING

from qualkit.cli import project_option
from qualkit.cli.output import console

if TYPE_CHECKING:
    from qualkit.project import Project


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("export", help="write CSV and other exchange files to exports/")
    esub = p.add_subparsers(dest="export_command", metavar="FORMAT", required=True)
    q = esub.add_parser("csv", help="codings, segments or participants as CSV")
    project_option(q)
    q.add_argument("--table", choices=("codings", "segments", "participants", "all"), default="all")
    q.add_argument("--output", "-o", type=Path, help="file (one table) or folder")
    q.add_argument(
        "--unredacted",
        action="store_true",
        help="keep real names and identifiers (default: pseudonymised); for internal use only",
    )
    q.set_defaults(handler=cmd_export_csv)
    # Other export formats register themselves here when their modules are present.
    for name in ("report_cmds", "exchange_cmds"):
        try:
            module = importlib.import_module(f"qualkit.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"qualkit.cli.{name}":
                raise
            continue
        module.register_export(esub)


def cmd_export_csv(args: argparse.Namespace) -> None:
    from qualkit.export.csv import TABLES, export_csv
    from qualkit.privacy import Redactor
    from qualkit.project import open_project

    tables = TABLES if args.table == "all" else (args.table,)
    with open_project(args.project) as project:
        # One redactor for all tables: a name first met in one table keeps its label.
        redactor = Redactor.for_project(project)
        for what in tables:
            target = None
            if args.output is not None:
                target = (
                    args.output / f"{what}.csv"
                    if (len(tables) > 1 or args.output.is_dir())
                    else args.output
                )
            path = export_csv(project, what, target, unredacted=args.unredacted, redactor=redactor)
            console.print(f"Wrote {path}")
        warn_unreviewed(project, args.unredacted)


def warn_unreviewed(project: Project, unredacted: bool = False) -> None:
    """Say how many replacements this command made without anyone's review.

    Everything the detector finds is replaced whether or not it was reviewed (the labels
    may still be generic, and a false find is replaced too until a coder rejects it).
    """
    from qualkit.privacy import unreviewed, unreviewed_replacements

    if unredacted:
        console.print(
            "Unredacted export: real names and identifiers are in the files marked "
            "UNREDACTED. Do not send them."
        )
        return
    made = sum(unreviewed_replacements(project).values())
    waiting = sum(unreviewed(project).values())
    if made or waiting:
        console.print(
            f"Note: {made} replacements were made without review "
            f"({waiting} proposals wait for review). Review them: "
            "qualkit pseudo scan; qualkit pseudo list --status proposed --context"
        )
