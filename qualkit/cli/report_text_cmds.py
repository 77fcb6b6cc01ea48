"""report text edit|show, report info, quote pin|unpin, partner: the analyst's part of a report."""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import tempfile
from pathlib import Path

from qualkit import atomic
from qualkit.cli.options import project_option
from qualkit.cli.output import console, plural
from qualkit.errors import InputError
from qualkit.export.report_notes import (
    pin_quote,
    read_text,
    set_partner,
    set_title_info,
    text_key,
    write_text,
)
from qualkit.project import DEFAULT_CODEBOOK, open_project


def _scope_options(p: argparse.ArgumentParser) -> None:
    project_option(p)
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--kommun", "-k", metavar="NAME", help="the kommun's delrapport")
    group.add_argument("--aktor", "-a", metavar="ACTOR", help="an actor's report")
    group.add_argument("--region", action="store_true", help="the regional report")
    p.add_argument(
        "--section",
        "-s",
        required=True,
        help="sammanfattning, bakgrund, slutsatser, atgarder; or syntes/atgarder with --factor",
    )
    p.add_argument("--factor", "-F", default="", metavar="KEY", help="a factor's own section")
    p.add_argument(
        "--codebook", default=DEFAULT_CODEBOOK, help="codebook of the report (default: %(default)s)"
    )


def register_report_text(rsub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`report text ...` and `report info`, under the `report` command."""
    p = rsub.add_parser("text", help="the analyst's own text in a report section")
    tsub = p.add_subparsers(dest="text_command", metavar="ACTION", required=True)
    q = tsub.add_parser("edit", help="write a section in $EDITOR (Markdown), or --from-file")
    _scope_options(q)
    q.add_argument("--from-file", type=Path, metavar="FILE", help="take the text from FILE")
    q.set_defaults(handler=cmd_text_edit)
    q = tsub.add_parser("show", help="print a section's text")
    _scope_options(q)
    q.set_defaults(handler=cmd_text_show)

    q = rsub.add_parser("info", help="title page facts: study, client, author")
    project_option(q)
    q.add_argument("--study", help="name of the study")
    q.add_argument("--client", help="samordningsförbund or other client")
    q.add_argument("--author", help="who wrote the report")
    q.set_defaults(handler=cmd_report_info)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("quote", help="pin or unpin a coded passage as a report quote")
    qsub = p.add_subparsers(dest="quote_command", metavar="ACTION", required=True)
    for action, helptext in (("pin", "show it in reports"), ("unpin", "let relevance choose")):
        q = qsub.add_parser(action, help=helptext)
        project_option(q)
        q.add_argument("coding", type=int, nargs="+", help="coding id(s)")
        q.set_defaults(handler=cmd_quote, pinned=action == "pin")

    p = sub.add_parser("partner", help="name the actor a coded passage speaks about")
    project_option(p)
    p.add_argument("coding", type=int, help="coding id")
    p.add_argument("actor", nargs="?", default="", help="kommun, vård, FK or AF; none clears")
    p.set_defaults(handler=cmd_partner)


def _kind_scope(args: argparse.Namespace) -> tuple[str, str]:
    if args.kommun:
        return "kommun", args.kommun
    if args.aktor:
        return "aktor", args.aktor
    return "region", ""


def _edit(text: str) -> str:
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "nano"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "avsnitt.md"
        atomic.write_text(path, text)
        try:
            result = subprocess.run([*shlex.split(editor), str(path)], check=False)
        except FileNotFoundError:
            raise InputError(
                f"Editor {editor!r} not found; set $EDITOR, or pass --from-file FILE."
            ) from None
        if result.returncode != 0:
            raise InputError(f"The editor exited with {result.returncode}; nothing was saved.")
        return path.read_text(encoding="utf-8")


def cmd_text_edit(args: argparse.Namespace) -> None:
    kind, scope = _kind_scope(args)
    with open_project(args.project) as project:
        key = text_key(project, kind, scope, args.section, args.factor, args.codebook)
        if args.from_file:
            try:
                text = args.from_file.read_text(encoding="utf-8")
            except OSError as exc:
                raise InputError(f"Cannot read {args.from_file}: {exc.strerror}.") from None
        else:
            text = _edit(read_text(project, key))
        changed = write_text(project, key, text)
    where = f"{key.section}" + (f" ({key.factor})" if key.factor else "")
    report = f"{key.kind} report {key.scope}".strip()
    if not changed:
        console.print(f"Text for {where} in the {report} unchanged; nothing was saved.")
        return
    state = "saved" if text.strip() else "cleared"
    console.print(f"Text for {where} in the {report} {state}.")


def cmd_text_show(args: argparse.Namespace) -> None:
    kind, scope = _kind_scope(args)
    with open_project(args.project) as project:
        key = text_key(project, kind, scope, args.section, args.factor, args.codebook)
        text = read_text(project, key)
    console.print(text or "(no text yet)", markup=False, highlight=False)


def cmd_report_info(args: argparse.Namespace) -> None:
    with open_project(args.project) as project:
        set_title_info(project, study=args.study, client=args.client, author=args.author)
    console.print("Title page facts saved.")


def cmd_quote(args: argparse.Namespace) -> None:
    with open_project(args.project) as project:
        for coding in args.coding:
            pin_quote(project, coding, args.pinned)
    verb = "Pinned" if args.pinned else "Unpinned"
    console.print(f"{verb} {plural(len(args.coding), 'quote', 'quotes')}.")


def cmd_partner(args: argparse.Namespace) -> None:
    actor = "" if args.actor.casefold() in ("", "none", "ingen") else args.actor
    with open_project(args.project) as project:
        value = set_partner(project, args.coding, actor or None)
    console.print(f"Coding {args.coding}: partner actor {value or 'cleared'}.")
