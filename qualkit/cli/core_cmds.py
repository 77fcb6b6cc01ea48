"""init, demo, import, recording, status, segments and code."""

from __future__ import annotations

import argparse
import re
import shlex
from pathlib import Path

from qualkit import resolve
from qualkit.cli.exchange_cmds import print_import_summary
from qualkit.cli.options import iso_date, project_option
from qualkit.cli.output import console, fmt_time, table, warn
from qualkit.demo import run_demo
from qualkit.errors import InputError
from qualkit.export.refi.importer import import_refi
from qualkit.export.report_model import resolve_actor
from qualkit.layout import DB_NAME, SERVER_FILE
from qualkit.model import GroupType, Valence
from qualkit.pipeline.coded import removal_baseline
from qualkit.project import DEFAULT_CODEBOOK, init_project, open_project


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("init", help="create a project folder")
    p.add_argument(
        "dir",
        type=Path,
        nargs="?",
        default=Path("."),
        help="folder for the project (default: the current folder)",
    )
    p.add_argument(
        "--database",
        metavar="URL",
        help="keep the records in a team's study database on a PostgreSQL server "
        "(postgresql://HOST/DB or service=NAME; no password: see docs/team.md)",
    )
    p.set_defaults(handler=cmd_init)

    p = sub.add_parser("demo", help="run the whole job on the shipped demo focus group")
    project_option(p)
    p.set_defaults(handler=cmd_demo)

    p = sub.add_parser(
        "import",
        help="import recordings (audio/video), transcripts, or REFI-QDA files (.qdpx, .qdc)",
    )
    project_option(p)
    p.add_argument(
        "files",
        type=Path,
        nargs="+",
        metavar="FILE",
        help="audio or video; a transcript (.txt .docx .srt .vtt .json .html); or a REFI-QDA "
        "project or codebook (.qdpx .qdc), read as exchange-import does",
    )
    p.add_argument("--name", help="recording name (default: the file name); one file only")
    p.add_argument("--kommun", help="kommunområde")
    p.add_argument("--group", type=GroupType.parse, help="medarbetare, chefer or blandad")
    p.add_argument("--date", type=iso_date, help="interview date, YYYY-MM-DD")
    p.add_argument("--guide", help="interview guide used")
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("recording", help="change a recording's kommun, group, date, guide or name")
    project_option(p)
    p.add_argument("recording", help="recording name or id")
    p.add_argument("--kommun", help="kommunområde")
    p.add_argument("--group", type=GroupType.parse, help="medarbetare, chefer or blandad")
    p.add_argument("--date", type=iso_date, help="interview date, YYYY-MM-DD")
    p.add_argument("--guide", help="interview guide used")
    p.add_argument("--rename", metavar="NAME", help="a new name for the recording")
    p.add_argument(
        "--remove",
        action="store_true",
        help="take an uncoded recording out of the project (the audio file stays)",
    )
    p.add_argument(
        "--discard-edits",
        action="store_true",
        help="with --remove: remove it even though its transcript was edited by hand",
    )
    p.set_defaults(handler=cmd_recording)

    p = sub.add_parser("status", help="recordings, pipeline stages and coding progress")
    project_option(p)
    p.add_argument(
        "--codebook", default=DEFAULT_CODEBOOK, help="codebook id (default: %(default)s)"
    )
    p.set_defaults(handler=cmd_status)

    p = sub.add_parser("segments", help="list a recording's segments with their numbers")
    project_option(p)
    p.add_argument("recording", help="recording name or id")
    p.set_defaults(handler=cmd_segments)

    p = sub.add_parser(
        "code", help="code a segment: qualkit code demo:5 ledning --valence hindrande"
    )
    project_option(p)
    p.add_argument("segment", help="segment id, or RECORDING:NUMBER as listed by 'segments'")
    p.add_argument("code", help="code id, e.g. ledning")
    p.add_argument("--valence", "-v", default="ingen", help="främjande, hindrande, förslag, ingen")
    p.add_argument(
        "--codebook", default=DEFAULT_CODEBOOK, help="codebook id (default: %(default)s)"
    )
    p.add_argument("--coder", help="code as (default: your login on a team's server)")
    p.add_argument("--memo", help="a note on why the passage got this code")
    p.add_argument("--span", help="character span START-END inside the segment")
    p.add_argument("--partner", metavar="ACTOR", help="the actor the passage speaks about (FK)")
    p.set_defaults(handler=cmd_code)


def cmd_init(args: argparse.Namespace) -> None:
    existed = any((Path(args.dir) / name).is_file() for name in (DB_NAME, SERVER_FILE))
    project = init_project(args.dir, database=args.database)
    books = ", ".join(project.codebook_ids())
    said = "is already a project; nothing was changed" if existed else "is a new project"
    console.print(f"{project.root} {said}. Codebooks: {books}")


def cmd_demo(args: argparse.Namespace) -> None:

    run_demo(args.project, say=console.print)
    console.print("Demo done. See the results with: qualkit status, and the files in exports/.")


EXCHANGE_FORMATS = ("qdpx", "qdc")


def cmd_import(args: argparse.Namespace) -> None:
    files = list(args.files)
    # `qualkit import qdpx FILE` names the format; `qualkit import FILE.qdpx` works too.
    if files and str(files[0]) in EXCHANGE_FORMATS:
        fmt = str(files.pop(0))
        if not files:
            raise InputError(f"Name the .{fmt} file to import: qualkit import {fmt} FILE")
        wrong = [f for f in files if f.suffix.lower() != f".{fmt}"]
        if wrong:
            raise InputError(f"{wrong[0]} is not a .{fmt} file.")
    if args.name and len(files) > 1:
        raise InputError("--name can only be given when importing one file.")
    _refuse_recording_options(args, files)
    with open_project(args.project) as project:
        slips = resolve.kommun_slips(project.store, args.kommun)
        for path in files:
            if path.suffix.lower() in (".qdpx", ".qdc", ".qde"):
                print_import_summary(import_refi(project, path))
                continue
            rec = project.import_path(
                path,
                name=args.name,
                kommun=args.kommun,
                group_type=args.group,
                date=args.date,
                guide=args.guide,
            )
            n = project.store.segment_count(rec.id)
            kind = "transcript" if rec.transcript_path else "recording"
            console.print(f"Imported {kind} {rec.name!r} (id {rec.id}, {n} segments).")
            _kommun_note(args.kommun, rec.kommun)
            _kommun_slip(rec.kommun, slips, f"qualkit recording {shlex.quote(rec.name)}")
            for twin in project.same_audio(rec):
                warn(
                    f"{rec.name!r} has the same audio (same content hash) as recording "
                    f"{twin.name!r}; if it is the same session, remove one with: qualkit "
                    f"recording {shlex.quote(rec.name)} --remove"
                )


def cmd_recording(args: argparse.Namespace) -> None:
    fields = {
        key: value
        for key, value in (
            ("kommun", args.kommun),
            ("group_type", args.group),
            ("date", args.date),
            ("guide", args.guide),
            ("name", args.rename),
        )
        if value is not None
    }
    with open_project(args.project) as project:
        rec = project.recording(args.recording)
        if args.discard_edits and not args.remove:
            raise InputError("--discard-edits goes with --remove.")
        if args.remove:
            if fields:
                raise InputError("--remove takes no other change; remove, or change, not both.")
            project.remove_recording(
                rec.id, None if args.discard_edits else removal_baseline(project, rec)
            )
            where = f" ({rec.audio_path} stays on disk)" if rec.audio_path else ""
            console.print(f"Removed recording {rec.name!r} from the project{where}.")
            return
        if not fields:
            group = rec.group_type.value if rec.group_type else "-"
            console.print(
                f"{rec.name} (id {rec.id}): kommun {rec.kommun or '-'}, group {group}, "
                f"date {rec.date or '-'}, guide {rec.guide or '-'}"
            )
            return
        slips = resolve.kommun_slips(project.store, args.kommun)
        rec = project.update_recording(rec.id, **fields)
        console.print(f"Updated {rec.name!r}: {', '.join(sorted(fields))}.")
        _kommun_note(args.kommun, rec.kommun)
        _kommun_slip(rec.kommun, slips, f"qualkit recording {shlex.quote(rec.name)}")


def _refuse_recording_options(args: argparse.Namespace, files: list[Path]) -> None:
    """A REFI-QDA file brings its sources' own names and attributes, so a recording option
    would be silently ignored for it: refuse before anything is written."""
    exchange = [f for f in files if f.suffix.lower() in (".qdpx", ".qdc", ".qde")]
    given = [
        f"--{name}"
        for name in ("name", "kommun", "group", "date", "guide")
        if getattr(args, name) is not None
    ]
    if exchange and given:
        raise InputError(
            f"{', '.join(given)} set a recording's details and do not apply to "
            f"{exchange[0].name}: a REFI-QDA file brings its sources' own. Import it without "
            "them, then set them with: qualkit recording NAME --kommun ... (see qualkit status)"
        )


def _kommun_note(typed: str | None, stored: str | None) -> None:
    note = resolve.kommun_note(typed, stored)
    if note:
        console.print(f"Note: {note}")


def _kommun_slip(kommun: str | None, slips: list[str], command: str) -> None:
    """Warn of a new kommun one slip from the study's own, with the command that moves
    the work to the kommun meant (a new kommun is allowed: a study grows)."""
    if kommun and slips:
        meant = " or ".join(map(repr, slips))
        warn(
            f"new kommun {kommun!r}: did you mean {meant}? Reports will show {kommun!r} as a "
            f"kommun of its own. If it is a slip: {command} --kommun {shlex.quote(slips[0])}"
        )


def cmd_status(args: argparse.Namespace) -> None:
    with open_project(args.project) as project:
        recs = project.recordings()
        if not recs:
            console.print("No recordings yet. Add some with: qualkit import FILE ...")
        else:
            coded = project.store.coded_segment_ids()
            rows = []
            for r in recs:
                segs = project.store.segments(r.id)
                n_coded = sum(1 for s in segs if s.id in coded)
                # A state and the one stage it is about ("failed: diarize"), so the column
                # fits 80 columns; `qualkit transcribe` prints the reason of a failure.
                # A typed transcript with times has a length too: its last end.
                length = r.duration_s or max((s.end or 0.0 for s in segs), default=0.0) or None
                state, stage = r.pipeline_state, r.pipeline_stage
                stages = {"transcript": "imported"}.get(state, state)
                if stage:
                    stages = {
                        "partial": f"next: {stage}",
                        # Cancelled or killed, not broken: say where `transcribe` resumes.
                        "interrupted": f"interrupted, next: {stage}",
                    }.get(state, f"{state}: {stage}")
                rows.append(
                    (
                        r.id,
                        r.name,
                        r.kommun or "",
                        r.group_type or "",
                        fmt_time(length),
                        stages,
                        f"{n_coded}/{len(segs)}",
                    )
                )
            table(
                "Recordings",
                ["id", "name", "kommun", "group", "duration", "stages", "coded"],
                rows,
                wrap="stages",
            )
        book = project.codebook(args.codebook)
        counts = project.progress(book.id)
        rows2 = []
        for code in book.codes:
            c = counts.get(code.key, {})
            rows2.append(
                (
                    code.hotkey or "",
                    code.key,
                    code.label_sv,
                    c.get(Valence.PROMOTING.value, 0),
                    c.get(Valence.HINDERING.value, 0),
                    c.get(Valence.PROPOSAL.value, 0),
                    c.get(Valence.NONE.value, 0),
                    sum(c.values()),
                )
            )
        table(
            f"Coding progress: {book.name}",
            ["hotkey", "code", "label", "främjande", "hindrande", "förslag", "ingen", "total"],
            rows2,
            wrap="label",
        )


def cmd_segments(args: argparse.Namespace) -> None:
    with open_project(args.project) as project:
        rec = project.recording(args.recording)
        speakers = {s.id: s.label for s in project.store.speakers(rec.id)}
        coded = project.store.coded_segment_ids(rec.id)
        rows = [
            (
                n,
                s.id,
                fmt_time(s.start),
                speakers.get(s.speaker_id or -1, ""),
                "*" if s.id in coded else "",
                s.text[:90] + ("…" if len(s.text) > 90 else ""),
            )
            for n, s in enumerate(project.store.segments(rec.id), start=1)
        ]
        table(rec.name, ["#", "id", "time", "speaker", "coded", "text"], rows)


_SPAN = re.compile(r"^(\d+)-(\d+)$")


def cmd_code(args: argparse.Namespace) -> None:
    span = None
    if args.span:
        m = _SPAN.match(args.span)
        if not m:
            raise InputError(f"--span {args.span!r}: write START-END, e.g. 0-42.")
        span = (int(m.group(1)), int(m.group(2)))
    # Every argument is checked before anything is written: a failing command writes
    # nothing (not the coding, not a new coder).
    partner = resolve_actor(args.partner).value if args.partner else None
    with open_project(args.project) as project:
        coder = args.coder or resolve.default_coder(project.store)
        warn(resolve.coder_note(project.store, coder))
        write = project.code_segment(
            args.segment,
            args.code,
            codebook=args.codebook,
            valence=args.valence,
            coder=coder,
            memo=args.memo,
            span=span,
            partner=partner,
        )
        coding = write.coding
        about = f", about {partner}" if partner else ""
        if write.new:
            console.print(
                f"Coded segment {coding.segment_id} with {coding.code} ({coding.valence.value}),"
                f" coding id {coding.id}{about}."
            )
        elif write.updated:
            changed = " and ".join("partner" if c == "partner_actor" else c for c in write.changed)
            console.print(f"Updated coding {coding.id} ({changed}){about}.")
        else:
            console.print(
                f"Segment {coding.segment_id} already has this coding (coding id {coding.id});"
                " nothing changed."
            )
