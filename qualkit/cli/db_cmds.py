"""`qualkit db`: a team's study database on a PostgreSQL server (attach, push, pull, roles)."""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

from qualkit.cli.options import project_option
from qualkit.cli.output import console
from qualkit.errors import InputError
from qualkit.project import open_project, server_of
from qualkit.project.team import attach, pull, push
from qualkit.store.roles import ROLES, set_up_roles


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("db", help="a team's study database on a PostgreSQL server")
    dsub = p.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    q = dsub.add_parser("attach", help="move the folder's records to a server and use it")
    project_option(q)
    q.add_argument("url", help="postgresql://HOST/DB or service=NAME (no password)")
    q.add_argument(
        "--replace-local",
        action="store_true",
        help="when both the folder and the server hold a study (after db pull): use the "
        "server's; the folder's qualkit.db goes to .qualkit/backups/",
    )
    q.set_defaults(handler=cmd_attach)
    q = dsub.add_parser("push", help="copy the folder's records to an empty server database")
    project_option(q)
    q.add_argument("url", help="postgresql://HOST/DB or service=NAME (no password)")
    q.set_defaults(handler=cmd_push)
    q = dsub.add_parser("pull", help="copy the server's records back into a SQLite file")
    project_option(q)
    q.add_argument(
        "--output",
        type=Path,
        help="write this file and keep using the server (default: the folder's own "
        "qualkit.db, and the folder stops using the server)",
    )
    q.set_defaults(handler=cmd_pull)
    q = dsub.add_parser("roles", help="create the study's reader, coder and lead roles")
    project_option(q)
    q.add_argument(
        "--grant",
        action="append",
        default=[],
        metavar="USER=ROLE",
        help=f"make a server user a {', '.join(ROLES)}; repeat for each person",
    )
    q.set_defaults(handler=cmd_roles)
    q = dsub.add_parser("status", help="where the project's records live")
    project_option(q)
    q.set_defaults(handler=cmd_status)


def _rows(copied: dict[str, int]) -> str:
    return f"{sum(copied.values())} rows in {sum(1 for n in copied.values() if n)} tables"


def cmd_attach(args: argparse.Namespace) -> None:
    server, copied = attach(args.project, args.url, replace_local=args.replace_local)
    moved = f"; copied {_rows(copied)}" if copied else ""
    console.print(f"The project now keeps its records in {server.display}{moved}.")
    if args.replace_local:
        console.print(
            "The folder's own records were not copied to the server: they are kept in "
            ".qualkit/backups/before-attach-*.db (newest), where anything coded since the "
            "pull stays (qualkit db push -p COPY could copy it to an empty study)."
        )


def cmd_push(args: argparse.Namespace) -> None:
    copied = push(args.project, args.url)
    console.print(f"Copied {_rows(copied)} to the server; this folder still uses its own file.")


def cmd_pull(args: argparse.Namespace) -> None:
    server = server_of(Path(args.project).resolve())
    target = pull(args.project, args.output)
    console.print(f"Wrote the server's records to {target}.")
    if args.output is None and server is not None:
        # The folder left the team's study: say so, and the way back.
        console.print(
            f"This folder no longer uses {server.display}: from now on its codings go to its "
            "own qualkit.db only, and the team does not see them. To go back to the server: "
            f"qualkit db attach {shlex.quote(server.conninfo)} -p "
            f"{shlex.quote(str(args.project))} --replace-local (this folder's qualkit.db, "
            "with anything coded in it after this pull, then goes to .qualkit/backups/ and "
            "does not reach the server)."
        )


def cmd_roles(args: argparse.Namespace) -> None:
    grants: dict[str, str] = {}
    for item in args.grant:
        user, sep, role = str(item).partition("=")
        if not sep:
            raise InputError(f"--grant {item!r}: write USER=ROLE, e.g. --grant eva=coder.")
        grants[user.strip()] = role.strip()
    with open_project(args.project) as project:
        names = set_up_roles(project.store, grants)
    console.print("Roles: " + ", ".join(f"{role} = {name}" for role, name in names.items()))
    for user, role in grants.items():
        console.print(f"{user} is now a {role}.")


def cmd_status(args: argparse.Namespace) -> None:
    server = server_of(Path(args.project).resolve())
    if server is None:
        console.print("Records: in this folder's own qualkit.db (single-user).")
        return
    with open_project(args.project) as project:
        version = project.store.schema_version()
    console.print(f"Records: on the server, {server.display} (schema {version}).")
