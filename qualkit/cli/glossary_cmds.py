"""glossary: the study's own words given to Whisper (`qualkit glossary add|list|remove`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from qualkit import glossary
from qualkit.cli.options import project_option
from qualkit.cli.output import console, table
from qualkit.errors import InputError
from qualkit.pipeline.glossary import DEFAULT_TOKEN_BUDGET, fit_terms
from qualkit.pipeline.whisper_backends import token_counter
from qualkit.project import open_project


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "glossary",
        help="the study's own words (kommuner, actors, methods) that help Whisper spell them",
    )
    # Actions as subcommands, so `glossary add TERM -p DIR` and `glossary add -p DIR TERM`
    # both parse; -p before the action works too (the action's own -p only overrides it).
    project_option(p)
    acts = p.add_subparsers(dest="action", metavar="ACTION", required=False)
    for name, helptext, nargs in (
        ("list", "every term, where it came from and whether it fits the prompt", 0),
        ("add", "add terms of your own", "+"),
        ("remove", "remove terms (a seeded term is left out from now on)", "+"),
    ):
        q = acts.add_parser(name, help=helptext)
        project_option(q, default=argparse.SUPPRESS)
        if nargs:
            q.add_argument("terms", nargs=nargs, metavar="TERM", help=f"terms to {name}")
        q.add_argument(
            "--model",
            default=argparse.SUPPRESS,
            metavar="NAME|PATH",
            help="whose tokens to count (default: base)",
        )
        q.add_argument(
            "--model-cache",
            type=Path,
            default=argparse.SUPPRESS,
            metavar="DIR",
            help="where models are kept (default: ~/.cache/qualkit/models)",
        )
    p.add_argument("--model", default="base", metavar="NAME|PATH", help="whose tokens to count")
    p.add_argument(
        "--model-cache",
        type=Path,
        metavar="DIR",
        help="where models are kept (default: ~/.cache/qualkit/models)",
    )
    p.set_defaults(terms=[])
    p.set_defaults(handler=cmd_glossary)


def cmd_glossary(args: argparse.Namespace) -> None:
    args.action = args.action or "list"
    if args.action != "list" and not args.terms:
        raise InputError(f"Say which terms: qualkit glossary {args.action} TERM [TERM ...].")
    if args.action == "list" and args.terms:
        raise InputError("qualkit glossary list takes no terms; use add or remove.")
    with open_project(args.project) as project:
        if args.action == "add":
            there = glossary.added_already(project, args.terms)
            known = {t.casefold() for t in there}
            added = glossary.add_terms(project, args.terms)
            added = [t for t in added if t.casefold() not in known]
            if there:
                console.print(f"Already in the glossary: {', '.join(there)}.", markup=False)
            if added:
                console.print(f"Added to the glossary: {', '.join(added)}.", markup=False)
        elif args.action == "remove":
            removed = glossary.remove_terms(project, args.terms)
            console.print(f"Removed from the glossary: {', '.join(removed)}.", markup=False)
        terms = glossary.project_glossary(project)
        on = glossary.in_use(project)
    used = set(
        fit_terms(
            [t.text for t in terms],
            token_counter(args.model, args.model_cache),
            DEFAULT_TOKEN_BUDGET,
        )
    )
    rows = [
        (
            t.text,
            f"seeded ({t.source.value})" if t.seeded else "added",
            "yes" if t.text in used else "no (prompt full)",
        )
        for t in terms
    ]
    if args.action == "list":
        table("Glossary", ["term", "from", "given to Whisper"], rows, wrap="term")
    console.print(
        f"{len(used)} of {len(terms)} terms fit Whisper's prompt ({DEFAULT_TOKEN_BUDGET} "
        "tokens); your own terms come first, then kommuner, actors, domain terms and "
        "codebook words. "
        + (
            "`qualkit transcribe` uses them unless you give --no-glossary."
            if on
            else "`qualkit transcribe` uses them once you add a term of your own, or with "
            "--glossary."
        ),
        markup=False,
        soft_wrap=True,
    )
