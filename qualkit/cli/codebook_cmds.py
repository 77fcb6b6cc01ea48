"""codebook list, show, validate, add, rename, move, merge and delete."""

from __future__ import annotations

import argparse
from pathlib import Path

from qualkit import codebook as codebooks
from qualkit.cli.options import project_option
from qualkit.cli.output import console, table
from qualkit.errors import InputError
from qualkit.model import Code
from qualkit.project import DEFAULT_CODEBOOK, open_project


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("codebook", help="list, show, validate and edit codebooks")
    csub = p.add_subparsers(dest="codebook_command", metavar="ACTION", required=True)
    q = csub.add_parser("list", help="codebooks in the project")
    project_option(q)
    q.set_defaults(handler=cmd_codebook_list)
    q = csub.add_parser("show", help="the codes of one codebook")
    project_option(q)
    q.add_argument(
        "codebook", nargs="?", default=DEFAULT_CODEBOOK, help="codebook id (default: %(default)s)"
    )
    q.add_argument("--descriptions", action="store_true", help="also show each code's description")
    q.set_defaults(handler=cmd_codebook_show)
    q = csub.add_parser("validate", help="check codebook files (default: all in codebook/)")
    project_option(q)
    q.add_argument(
        "files", type=Path, nargs="*", help="codebook YAML files (default: the project's codebooks)"
    )
    q.set_defaults(handler=cmd_codebook_validate)
    q = csub.add_parser("add", help="add a code")
    project_option(q)
    q.add_argument("key", help="code id, e.g. ledning")
    q.add_argument("label_sv", help="Swedish label, as shown in reports")
    q.add_argument(
        "--codebook", default=DEFAULT_CODEBOOK, help="codebook id (default: %(default)s)"
    )
    q.add_argument("--label-en", default="", help="English label")
    q.add_argument("--parent", help="id of the code to place it under")
    q.add_argument(
        "--description", default="", help="what the code covers (the definition in reports)"
    )
    q.add_argument("--colour", help="colour in the coding app and exports, e.g. #1f77b4")
    q.add_argument("--hotkey", help="key that applies the code in the coding app")
    q.set_defaults(handler=cmd_codebook_add)
    q = csub.add_parser("rename", help="change a code's labels (codings stay)")
    project_option(q)
    q.add_argument("key", help="code id, e.g. ledning")
    q.add_argument(
        "--codebook", default=DEFAULT_CODEBOOK, help="codebook id (default: %(default)s)"
    )
    q.add_argument("--label-sv", help="new Swedish label")
    q.add_argument("--label-en", help="new English label")
    q.set_defaults(handler=cmd_codebook_rename)
    q = csub.add_parser("move", help="move a code under another (or to the top with --top)")
    project_option(q)
    q.add_argument("key", help="code id, e.g. ledning")
    q.add_argument("parent", nargs="?", help="id of the new parent code")
    q.add_argument("--top", action="store_true", help="move it to the top level (no parent)")
    q.add_argument(
        "--codebook", default=DEFAULT_CODEBOOK, help="codebook id (default: %(default)s)"
    )
    q.set_defaults(handler=cmd_codebook_move)
    q = csub.add_parser("merge", help="merge SOURCE into TARGET, moving all codings")
    project_option(q)
    q.add_argument("source", help="code id to merge away; its codings move to TARGET")
    q.add_argument("target", help="code id that takes over the codings")
    q.add_argument(
        "--codebook", default=DEFAULT_CODEBOOK, help="codebook id (default: %(default)s)"
    )
    q.set_defaults(handler=cmd_codebook_merge)
    q = csub.add_parser("delete", help="delete a code that has no codings and no sub-codes")
    project_option(q)
    q.add_argument("key", help="code id, e.g. ledning")
    q.add_argument(
        "--codebook", default=DEFAULT_CODEBOOK, help="codebook id (default: %(default)s)"
    )
    q.set_defaults(handler=cmd_codebook_delete)


def cmd_codebook_list(args: argparse.Namespace) -> None:
    with open_project(args.project) as project:
        rows = []
        for cb_id in project.codebook_ids():
            book = project.codebook(cb_id)
            rows.append((book.id, book.name, len(book.codes), project.codebook_path(cb_id).name))
        table("Codebooks", ["id", "name", "codes", "file"], rows, wrap=("name", "file"))


def cmd_codebook_show(args: argparse.Namespace) -> None:
    with open_project(args.project) as project:
        book = project.codebook(args.codebook)
        depth: dict[str, int] = {}
        rows = []
        for code in book.codes:
            depth[code.key] = depth.get(code.parent or "", -1) + 1 if code.parent else 0
            indent = "  " * depth[code.key]
            row: list[object] = [code.hotkey or "", indent + code.key, code.label_sv, code.label_en]
            if args.descriptions:
                row.append(code.description)
            rows.append(row)
        cols = ["key", "id", "svenska", "English"] + (["description"] if args.descriptions else [])
        table(book.name, cols, rows, wrap=("svenska", "English", "description"))


def cmd_codebook_validate(args: argparse.Namespace) -> None:
    files = list(args.files)
    if not files:
        folder = args.project / "codebook"
        files = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))
        if not files:
            raise InputError(f"No codebook files in {folder}.")
    for path in files:
        book = codebooks.load_codebook(path)
        console.print(f"{path}: ok ({book.id}, {len(book.codes)} codes)")


def cmd_codebook_add(args: argparse.Namespace) -> None:
    with open_project(args.project) as project:
        project.add_code(
            Code(
                codebook=args.codebook,
                key=args.key,
                label_sv=args.label_sv,
                label_en=args.label_en,
                description=args.description,
                parent=args.parent,
                colour=args.colour,
                hotkey=args.hotkey,
            )
        )
        console.print(f"Added {args.key!r} to {args.codebook}.")


def cmd_codebook_rename(args: argparse.Namespace) -> None:
    if not (args.label_sv or args.label_en):
        raise InputError("Give --label-sv and/or --label-en.")
    with open_project(args.project) as project:
        project.rename_code(args.codebook, args.key, args.label_sv, args.label_en)
        console.print(f"Renamed {args.key!r}.")


def cmd_codebook_move(args: argparse.Namespace) -> None:
    if bool(args.parent) == bool(args.top):
        raise InputError("Give a new parent code, or --top to move it to the top level.")
    with open_project(args.project) as project:
        project.move_code(args.codebook, args.key, None if args.top else args.parent)
        console.print(f"Moved {args.key!r}.")


def cmd_codebook_merge(args: argparse.Namespace) -> None:
    with open_project(args.project) as project:
        moved = project.merge_codes(args.codebook, args.source, args.target)
        console.print(f"Merged {args.source!r} into {args.target!r}; {moved} codings moved.")


def cmd_codebook_delete(args: argparse.Namespace) -> None:
    # Same as deleting the code from the YAML by hand, but says why when it cannot go.
    with open_project(args.project) as project:
        project.delete_code(args.codebook, args.key)
    console.print(f"Deleted {args.key!r} from {args.codebook}.")
