"""agreement, merge-coder, codings, disagreements and resolve: several coders on one study."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from qualkit.analysis.agreement import agreement, agreement_by_recording, parse_coders
from qualkit.cli.options import project_option
from qualkit.cli.output import console, table
from qualkit.consensus import disagreements, resolve
from qualkit.errors import InputError, NotFoundError
from qualkit.merge import merge_coder
from qualkit.model import Valence
from qualkit.project import DEFAULT_CODEBOOK, open_project

if TYPE_CHECKING:
    from qualkit.analysis.agreement import AgreementReport


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("agreement", help="agreement between coders per code: κ, α, percent")
    project_option(p)
    p.add_argument("--coders", help="coders to compare, A,B (default: all but konsensus)")
    p.add_argument("--coder", action="append", default=[], help="a coder to compare (repeatable)")
    p.add_argument(
        "--unit",
        choices=("segment", "char"),
        default="segment",
        help="compare whole segments, or each character as NVivo does (default: %(default)s)",
    )
    p.add_argument(
        "--codebook", default=DEFAULT_CODEBOOK, help="codebook id (default: %(default)s)"
    )
    p.add_argument("--recording", action="append", help="only this recording (repeatable)")
    p.add_argument(
        "--valence", action="store_true", help="count a different valence as disagreement"
    )
    p.add_argument("--per-recording", action="store_true", help="also one result per recording")
    p.add_argument(
        "--format",
        "-f",
        choices=("table", "json"),
        default="table",
        help="table on screen, or JSON for scripts (default: %(default)s)",
    )
    p.set_defaults(handler=cmd_agreement)

    p = sub.add_parser(
        "merge-coder", help="bring in another coder's codings (project folder or .qdpx)"
    )
    project_option(p)
    p.add_argument("path", type=Path, help="the other coder's project folder, or a .qdpx file")
    p.add_argument("--coder", action="append", help="only this coder's codings (repeatable)")
    p.add_argument("--as", dest="coder_as", metavar="NAME", help="store them under this coder name")
    p.add_argument("--codebook", default=DEFAULT_CODEBOOK, help="codebook for .qdpx codes")
    p.set_defaults(handler=cmd_merge_coder)

    p = sub.add_parser("codings", help="list codings; --coder NAME shows only yours (blind work)")
    project_option(p)
    p.add_argument("--coder", help="only this coder's codings")
    p.add_argument("--recording", help="only this recording (name or id)")
    p.add_argument("--codebook", help="only this codebook (default: all)")
    p.set_defaults(handler=cmd_codings)

    p = sub.add_parser("disagreements", help="passages where coders differ")
    project_option(p)
    p.add_argument("--coders", help="A,B (default: all but konsensus)")
    p.add_argument(
        "--codebook", default=DEFAULT_CODEBOOK, help="codebook id (default: %(default)s)"
    )
    p.add_argument("--all", action="store_true", help="also passages already resolved")
    p.set_defaults(handler=cmd_disagreements)

    p = sub.add_parser("resolve", help="write the consensus coding of a passage, with a memo")
    project_option(p)
    p.add_argument("segment", help="segment id or RECORDING:NUMBER")
    p.add_argument(
        "--code",
        action="append",
        default=[],
        metavar="CODE[:VALENCE]",
        help="an agreed code, e.g. ledning:hindrande (repeatable)",
    )
    p.add_argument("--memo", required=True, help="how the coders agreed")
    p.add_argument(
        "--codebook", default=DEFAULT_CODEBOOK, help="codebook id (default: %(default)s)"
    )
    p.set_defaults(handler=cmd_resolve)


def _fmt(value: float | None, digits: int = 3) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def cmd_agreement(args: argparse.Namespace) -> None:

    coders = (*(parse_coders(args.coders) or ()), *args.coder) or None
    with open_project(args.project) as project:
        rep = agreement(
            project,
            coders,
            codebook=args.codebook,
            unit=args.unit,
            recordings=args.recording,
            with_valence=args.valence,
        )
        per = (
            agreement_by_recording(
                project,
                rep.coders,
                codebook=args.codebook,
                unit=args.unit,
                with_valence=args.valence,
            )
            if args.per_recording
            else {}
        )
    if args.format == "json":
        data = rep.as_dict()
        if args.per_recording:
            data["by_recording"] = {
                name: {"overall": r.overall.as_dict(), "codes": r.as_dict()["codes"]}
                for name, r in per.items()
            }
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return
    what = "code and valence" if args.valence else "code"
    _agreement_table(
        rep, f"Agreement on {what}, {' vs '.join(rep.coders)} ({rep.codebook}, unit: {rep.unit})"
    )
    if not rep.recordings:
        console.print(
            f"Note: no recording was coded by at least two of {', '.join(rep.coders)};"
            " there is nothing to compare yet."
        )
    for name, r in per.items():
        _agreement_table(r, f"{name}")


def _agreement_table(rep: AgreementReport, title: str) -> None:
    kappa = "Cohen κ" if rep.kappa_kind == "cohen" else "Fleiss κ"
    rows: list[list[object]] = [
        [key, _fmt(s.kappa), _fmt(s.alpha), _fmt(s.percent, 1), s.n, s.coded]
        for key, s in rep.codes.items()
    ]
    o = rep.overall
    rows.append(["overall (mean)", _fmt(o.kappa), _fmt(o.alpha), _fmt(o.percent, 1), o.n, o.coded])
    table(title, ["code", kappa, "α", "% agree", "units", "coded"], rows)


def cmd_merge_coder(args: argparse.Namespace) -> None:

    with open_project(args.project) as project:
        rep = merge_coder(
            project, args.path, coders=args.coder, coder_as=args.coder_as, codebook=args.codebook
        )
    if rep.added:
        console.print(
            f"Merged {_count(rep.added, 'coding')} by {', '.join(rep.coders)}"
            f" into {', '.join(rep.recordings)}; {rep.already} were already here."
        )
    elif rep.already:
        console.print(f"Nothing new to merge; {rep.already} were already here.")
    else:
        console.print("Nothing to merge: no codings there match this project's recordings.")
    for line in rep.warnings:
        console.print(f"Note: {line}")
    if rep.unmatched:
        console.print(f"{len(rep.unmatched)} could not be matched:")
        for line in rep.unmatched:
            console.print(f"  {line}")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def cmd_codings(args: argparse.Namespace) -> None:
    with open_project(args.project) as project:
        rec_id = project.recording(args.recording).id if args.recording else None
        codings = project.store.codings(
            recording_id=rec_id, codebook=args.codebook, coder=args.coder
        )
        if args.coder and not codings:
            known = sorted(c.name for c in project.store.coders())
            if args.coder not in known:
                raise NotFoundError(
                    f"No coder {args.coder!r} (coders: {', '.join(known) or 'none yet'})."
                )
        refs: dict[int, str] = {}
        for rec in project.recordings():
            for n, seg in enumerate(project.store.segments(rec.id), start=1):
                refs[seg.id] = f"{rec.name}:{n}"
    rows = [
        (
            c.id,
            refs.get(c.segment_id, str(c.segment_id)),
            f"{c.codebook}:{c.code}",
            c.valence.value,
            "" if c.span_start is None else f"{c.span_start}-{c.span_end}",
            c.coder,
        )
        for c in codings
    ]
    title = f"Codings by {args.coder}" if args.coder else "Codings"
    table(title, ["id", "segment", "code", "valence", "span", "coder"], rows, wrap="code")


def cmd_disagreements(args: argparse.Namespace) -> None:

    with open_project(args.project) as project:
        passages = disagreements(
            project, parse_coders(args.coders), codebook=args.codebook, include_resolved=args.all
        )
    if not passages:
        console.print("No disagreements left.")
        return
    console.print(f"{len(passages)} passages where coders differ:")
    width = max(len(c) for p in passages for c in p.codings)
    for p in passages:
        who = f" ({p.speaker})" if p.speaker else ""
        done = "  [resolved]" if p.resolved else ""
        console.print(f"{p.ref}{who}{done}", markup=False)
        for coder in p.codings:
            codes = ", ".join(f"{k} ({v.value})" for k, v in sorted(p.choices_of(coder))) or "–"
            console.print(f"  {coder.ljust(width)}  {codes}", markup=False)
    console.print("Resolve one with: qualkit resolve SEGMENT --code CODE[:VALENCE] --memo TEXT")


def cmd_resolve(args: argparse.Namespace) -> None:

    choices: list[tuple[str, Valence]] = []
    for item in args.code:
        code, _, val = item.partition(":")
        if not code:
            raise InputError(
                f"--code {item!r}: write CODE or CODE:VALENCE, e.g. ledning:hindrande."
            )
        choices.append((code, Valence.parse(val)))
    with open_project(args.project) as project:
        seg = project.segment(args.segment)
        added = resolve(project, seg.id, choices, args.memo, codebook=args.codebook)
    console.print(f"Consensus saved on {args.segment}: {_count(len(added), 'coding')} and a memo.")
