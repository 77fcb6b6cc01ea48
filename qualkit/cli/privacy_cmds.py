"""pseudo, consent, backup and restore: privacy and safety of the project."""

from __future__ import annotations

import argparse
from pathlib import Path

from qualkit import resolve
from qualkit.backup import backup, list_backups, restore
from qualkit.cli.options import project_option
from qualkit.cli.output import console, table, warn
from qualkit.errors import InputError
from qualkit.privacy import (
    add_name,
    consent_list,
    contexts_for,
    review,
    review_kind,
    scan,
    set_consent,
)
from qualkit.project import open_project
from qualkit.store import Store


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("pseudo", help="find names and identifiers in transcripts; review them")
    psub = p.add_subparsers(dest="pseudo_command", metavar="ACTION", required=True)
    q = psub.add_parser("scan", help="detect personal data and store proposals")
    project_option(q)
    q.add_argument("--recording", help="only this recording (default: all)")
    q.set_defaults(handler=cmd_pseudo_scan)
    q = psub.add_parser("list", help="proposals with a snippet of context")
    project_option(q)
    q.add_argument(
        "--status",
        choices=("proposed", "accepted", "rejected", "all"),
        default="all",
        help="only proposals in this state (default: %(default)s)",
    )
    q.add_argument("--kind", help="name, personnummer, phone, email or address")
    q.add_argument("--context", action="store_true", help="show where each one occurs")
    q.set_defaults(handler=cmd_pseudo_list)
    for action, status in (("accept", "accepted"), ("reject", "rejected")):
        q = psub.add_parser(action, help=f"{action} proposals by id, or all of one kind")
        project_option(q)
        q.add_argument(
            "ids", type=int, nargs="*", metavar="ID", help="proposal ids as listed by pseudo list"
        )
        q.add_argument("--kind", help=f"{action} every proposal of this kind")
        if action == "accept":
            q.add_argument("--replacement", help="use this replacement instead")
        q.set_defaults(handler=cmd_pseudo_review, status=status)

    q = psub.add_parser("add", help="a name the scan missed: replaced in every export from now on")
    project_option(q)
    q.add_argument("name", metavar="NAME", help='as it is written, e.g. "Homan Amani"')
    q.add_argument("--replacement", help="the label to use (default: the next [Namn N])")
    q.set_defaults(handler=cmd_pseudo_add)

    p = sub.add_parser("consent", help="record consent per participant, or list it")
    project_option(p)
    p.add_argument("participant", metavar="PARTICIPANT|list", help="id or pseudonym, or 'list'")
    p.add_argument(
        "state",
        nargs="?",
        choices=("given", "withdrawn", "givet", "återkallat"),
        help="given or withdrawn (givet, återkallat); withdrawn speech is left out of every export",
    )
    p.add_argument("--date", help="YYYY-MM-DD (default: today)")
    p.set_defaults(handler=cmd_consent)

    p = sub.add_parser("backup", help="copy the project database to .qualkit/backups/")
    project_option(p)
    p.add_argument("--output", "-o", type=Path, help="file or folder for the copy")
    p.add_argument("--list", action="store_true", help="list the backups instead")
    p.set_defaults(handler=cmd_backup)

    p = sub.add_parser("restore", help="replace the project database with a backup")
    project_option(p)
    p.add_argument(
        "backup", type=Path, metavar="BACKUP", help="a backup file, as listed by backup --list"
    )
    p.set_defaults(handler=cmd_restore)


def cmd_pseudo_scan(args: argparse.Namespace) -> None:

    with open_project(args.project) as project:
        result = scan(project, args.recording)
    rows = [(k, n, result.proposed.get(k, 0)) for k, n in sorted(result.found.items())]
    table(f"Scanned {result.segments} segments", ("kind", "found", "new proposals"), rows)
    console.print("Review with: qualkit pseudo list --status proposed --context")


def cmd_pseudo_list(args: argparse.Namespace) -> None:

    with open_project(args.project) as project:
        items = project.store.pseudonyms(None if args.status == "all" else args.status)
        if args.kind:
            items = [p for p in items if p.kind == args.kind]
        contexts = (
            contexts_for(project, [p.original for p in items], limit=2) if args.context else {}
        )
        rows = []
        for p in items:
            row: list[object] = [p.id, p.kind, p.original, p.replacement, p.status]
            if args.context:
                row.append(" | ".join(contexts.get(p.original, [])))
            rows.append(row)
    columns = ["id", "kind", "original", "replacement", "status"]
    table("Pseudonyms", columns + (["context"] if args.context else []), rows)


def cmd_pseudo_review(args: argparse.Namespace) -> None:

    if not args.ids and not args.kind:
        raise InputError("Give proposal ids or --kind KIND.")
    with open_project(args.project) as project:
        n = 0
        replacement = getattr(args, "replacement", None)
        if args.ids:
            n += len(review(project, args.ids, args.status, replacement))
        if args.kind:
            n += review_kind(project, args.kind, args.status)
        console.print(f"{args.status.capitalize()}: {n}")
        _warn_if_a_name(project.store, replacement)


def cmd_pseudo_add(args: argparse.Namespace) -> None:

    with open_project(args.project) as project:
        added = add_name(project, args.name, args.replacement)
        console.print(
            f"{added.original!r} is replaced by {added.replacement} in every export from now "
            "on (in any case, genitive too)."
        )
        _warn_if_a_name(project.store, args.replacement)


def _warn_if_a_name(store: Store, replacement: str | None) -> None:
    """A replacement that reads as a person's name is allowed (an invented name is a usual
    pseudonym) but said: the exports show it as it stands, and a reader may take it for
    a real person's."""
    looks = resolve.pseudonym_names(store, replacement)
    if looks:
        warn(
            f"replacement {replacement!r} looks like a person's name ({', '.join(looks)}); "
            "exports show it as it stands, so make sure it is invented. A label such as "
            "[Namn 3] cannot be taken for a real name."
        )


def cmd_consent(args: argparse.Namespace) -> None:

    with open_project(args.project) as project:
        if args.participant == "list" and args.state is None:
            rows = [
                (p.id, p.pseudonym, p.attribution, p.consent.value, p.consent_date or "")
                for p in consent_list(project)
            ]
            table("Consent", ("id", "participant", "role", "consent", "date"), rows)
            return
        if args.state is None:
            raise InputError("Say given or withdrawn: qualkit consent PARTICIPANT withdrawn.")
        person = set_consent(project, args.participant, args.state, args.date)
    console.print(f"{person.pseudonym}: consent {person.consent.value} ({person.consent_date})")


def cmd_backup(args: argparse.Namespace) -> None:

    if args.list:
        rows = [(p.name, p.stat().st_size) for p in list_backups(args.project)]
        table("Backups in .qualkit/backups/", ("file", "bytes"), rows)
        return
    with open_project(args.project) as project:
        path = backup(project, args.output)
    console.print(f"Wrote {path}")


def cmd_restore(args: argparse.Namespace) -> None:

    path = restore(args.project, args.backup)
    console.print(
        f"Restored {path} from {args.backup}; the previous state is in .qualkit/backups/."
    )
