"""rounds add, list, show, material, rate and compare: självvärdering rounds."""

from __future__ import annotations

import argparse
from pathlib import Path

from qualkit.cli.options import project_option
from qualkit.cli.output import console, table, warn_unreviewed
from qualkit.errors import InputError
from qualkit.export.rounds_report import write_comparison
from qualkit.project import open_project
from qualkit.rounds import (
    add_material,
    add_round,
    compare,
    import_answers,
    rate,
    ratings,
    round_ref,
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("rounds", help="självvärdering rounds: add, list, rate, compare")
    rsub = p.add_subparsers(dest="rounds_command", metavar="ACTION", required=True)
    q = rsub.add_parser("add", help="add a round with participants and material")
    project_option(q)
    q.add_argument("name", help="name of the round, e.g. V1")
    q.add_argument("--date", required=True, help="YYYY-MM-DD")
    q.add_argument("--co-assessor", help="the external co-assessor (medbedömare)")
    q.add_argument("--description", default="", help="what the round covers")
    q.add_argument("--participant", action="append", default=[], help="pseudonym (repeatable)")
    q.add_argument("--recording", action="append", default=[], help="material (repeatable)")
    q.add_argument("--answers", type=Path, help="CSV of written answers: deltagare;fråga;svar")
    q.set_defaults(handler=cmd_rounds_add)
    q = rsub.add_parser("list", help="rounds with participants, material and ratings")
    project_option(q)
    q.set_defaults(handler=cmd_rounds_list)
    q = rsub.add_parser("show", help="one round: participants with attributes, material, ratings")
    project_option(q)
    q.add_argument("round", help="round name or id")
    q.set_defaults(handler=cmd_rounds_show)
    q = rsub.add_parser("material", help="add recordings or a written-answers CSV to a round")
    project_option(q)
    q.add_argument("round", help="round name or id")
    q.add_argument(
        "--recording", action="append", default=[], help="recording to add as material (repeatable)"
    )
    q.add_argument("--answers", type=Path, help="CSV of written answers: deltagare;fråga;svar")
    q.set_defaults(handler=cmd_rounds_material)
    q = rsub.add_parser("rate", help="rate a grid cell 1-5: rounds rate V1 personal_resultat 4")
    project_option(q)
    q.add_argument("round", help="round name or id")
    q.add_argument("cell", help="a sjalvvardering code, e.g. personal_genomforande")
    q.add_argument("rating", type=int, help="rating from 1 to 5")
    q.add_argument(
        "--assessor", required=True, help="who rates (the co-assessor's name for theirs)"
    )
    q.add_argument("--participant", help="the participant rated (default: the whole group)")
    q.add_argument("--comment", default="", help="why this rating")
    q.set_defaults(handler=cmd_rounds_rate)
    q = rsub.add_parser("compare", help="report what changed between two rounds")
    project_option(q)
    q.add_argument("first", help="the earlier round")
    q.add_argument("second", help="the later round")
    q.add_argument(
        "--format",
        "-f",
        choices=("html", "docx", "md"),
        nargs="+",
        default=["html"],
        dest="formats",
        help="one or more of html, docx, md (default: html), as for report",
    )
    q.add_argument("--coder", help="count only this coder's codings")
    q.add_argument("--output", "-o", type=Path, help="file to write (default: exports/...)")
    q.set_defaults(handler=cmd_rounds_compare)


def cmd_rounds_add(args: argparse.Namespace) -> None:

    # One action: a round whose answers file cannot be read is not left behind half made.
    with open_project(args.project) as project, project.action():
        rnd = add_round(
            project,
            args.name,
            args.date,
            co_assessor=args.co_assessor,
            description=args.description,
            participants=args.participant,
            recordings=args.recording,
        )
        if args.answers:
            rec = import_answers(project, rnd, args.answers)
            console.print(f"Imported the written answers as recording {rec.name!r}.")
    console.print(f"Added round {rnd.name!r} ({rnd.date}).")


def cmd_rounds_material(args: argparse.Namespace) -> None:

    if not args.recording and not args.answers:
        raise InputError("Give --recording NAME and/or --answers FILE.")
    with open_project(args.project) as project, project.action():
        rnd = round_ref(project, args.round)
        add_material(project, rnd, args.recording)
        if args.answers:
            rec = import_answers(project, rnd, args.answers)
            console.print(f"Imported the written answers as recording {rec.name!r}.")
    console.print(f"Round {rnd.name!r} updated.")


def cmd_rounds_list(args: argparse.Namespace) -> None:

    with open_project(args.project) as project:
        rows = []
        for r in project.store.rounds():
            rows.append(
                (
                    r.id,
                    r.name,
                    r.date,
                    r.co_assessor or "",
                    len(project.store.round_participants(r.id)),
                    ", ".join(m.name for m in project.store.round_material(r.id)),
                    len(ratings(project, r)),
                )
            )
    if not rows:
        console.print("No rounds yet. Add one with: qualkit rounds add NAME --date YYYY-MM-DD")
        return
    table(
        "Självvärdering rounds",
        ["id", "name", "date", "co-assessor", "participants", "material", "ratings"],
        rows,
    )


def cmd_rounds_show(args: argparse.Namespace) -> None:

    with open_project(args.project) as project:
        rnd = round_ref(project, args.round)
        people = project.store.round_participants(rnd.id)
        material = project.store.round_material(rnd.id)
        rated = ratings(project, rnd)
        names = {p.id: p.pseudonym for p in project.store.participants()}
    console.print(
        f"Round {rnd.name} ({rnd.date}); co-assessor: {rnd.co_assessor or 'none'}."
        f" Material: {', '.join(m.name for m in material) or 'none'}.",
        markup=False,
    )
    table(
        "Participants",
        ["pseudonym", "role", "actor", "kommun", "attributes"],
        [
            (
                p.pseudonym,
                p.role,
                p.actor.value if p.actor else "",
                p.kommun or "",
                ", ".join(f"{k}={v}" for k, v in p.attributes.items()),
            )
            for p in people
        ],
    )
    table(
        "Ratings",
        ["cell", "rating", "assessor", "participant", "comment"],
        [
            (
                r.code,
                r.rating,
                r.assessor,
                names.get(r.participant_id, "") if r.participant_id else "group",
                r.comment,
            )
            for r in rated
        ],
    )


def cmd_rounds_rate(args: argparse.Namespace) -> None:

    with open_project(args.project) as project:
        rnd = round_ref(project, args.round)
        given = rate(
            project,
            rnd,
            args.cell,
            args.rating,
            assessor=args.assessor,
            participant=args.participant,
            comment=args.comment,
        )
    was = f", was {given.replaced}" if given.replaced is not None else ""
    console.print(f"Rated {args.cell} {args.rating} in {rnd.name} ({args.assessor}{was}).")


def cmd_rounds_compare(args: argparse.Namespace) -> None:

    with open_project(args.project) as project:
        cmp = compare(project, args.first, args.second, coder=args.coder)
        formats = list(dict.fromkeys(args.formats))
        written: list[Path] = []
        for fmt in formats:
            # With several formats, --output names the file and each gets its own suffix.
            output = args.output
            if output is not None and len(formats) > 1:
                output = output.with_suffix(f".{fmt}")
            written += write_comparison(project, cmp, fmt, output)
        for path in written:
            console.print(f"Wrote {path}")
        warn_unreviewed(project, written)
