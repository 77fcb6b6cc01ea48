"""voices: enrol, list, forget and apply voiceprints (known voices across recordings)."""

from __future__ import annotations

import argparse

from qualkit import resolve, voices
from qualkit.cli.options import project_option
from qualkit.cli.output import console, fmt_time, table, warn_pseudonym
from qualkit.errors import InputError
from qualkit.pipeline.voice_match import DEFAULT_THRESHOLD
from qualkit.project import open_project

# Below this much speech a voiceprint scored its own person 0.73-0.97 in later recordings
# on the benchmark (70 s recordings), above it 0.94-0.99 (BENCHMARKS.md).
STEADY_S = 20.0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "voices", help="known voices: enrol a participant's voiceprint, list or forget it"
    )
    vsub = p.add_subparsers(dest="voices_command", metavar="ACTION", required=True)
    q = vsub.add_parser(
        "enroll",
        aliases=["enrol"],
        help="keep a voice of a transcribed recording as a participant's voiceprint",
    )
    project_option(q)
    q.add_argument("name", metavar="NAME", help="participant pseudonym or id (new: created)")
    q.add_argument(
        "--from",
        dest="recording",
        required=True,
        metavar="RECORDING",
        help="the transcribed recording the voice is in",
    )
    q.add_argument("--speaker", required=True, metavar="VOICE", help="'Talare 2' or 2")
    q.add_argument(
        "--replace",
        action="store_true",
        help="start the voiceprint again from this voice (default: add it to an existing one)",
    )
    q.set_defaults(handler=cmd_enrol)

    q = vsub.add_parser("list", help="voiceprints: whose, from where, when, voices named")
    project_option(q)
    q.set_defaults(handler=cmd_list)

    q = vsub.add_parser("forget", help="delete a participant's voiceprint")
    project_option(q)
    q.add_argument("name", metavar="NAME", help="participant pseudonym or id")
    q.set_defaults(handler=cmd_forget)

    q = vsub.add_parser(
        "match", help="name the voices of transcribed recordings that voiceprints know"
    )
    project_option(q)
    q.add_argument("recordings", nargs="*", metavar="RECORDING", help="name or id")
    q.add_argument("--all", action="store_true", help="every recording")
    q.add_argument(
        "--threshold",
        type=float,
        default=DEFAULT_THRESHOLD,
        metavar="COS",
        help=f"lowest similarity that names a voice (default {DEFAULT_THRESHOLD:g}, calibrated)",
    )
    q.set_defaults(handler=cmd_match)


def cmd_enrol(args: argparse.Namespace) -> None:
    with open_project(args.project) as project:
        known = {p.id for p in project.store.participants()}
        vp = voices.enrol(
            project.store, args.name, args.recording, args.speaker, replace=args.replace
        )
        person = project.store.participant(vp.participant_id)
        if person.id not in known:  # NAME made a participant: it is a pseudonym now
            warn_pseudonym(person.pseudonym, resolve.pseudonym_names(project.store, args.name))
    console.print(
        f"Enrolled {person.pseudonym}'s voice from {vp.source} ({fmt_time(vp.seconds)} of "
        "speech in all). Recordings transcribed from now on name it; for those already "
        "transcribed run: qualkit voices match --all",
        markup=False,
        soft_wrap=True,
    )
    if vp.seconds < STEADY_S:
        console.print(
            f"A voiceprint from {vp.seconds:.0f} s of speech names less reliably than one from "
            f"{STEADY_S:g} s or more: when it names {person.pseudonym} in a later recording and "
            "you have checked it, enrol that voice too (it is added to the voiceprint).",
            markup=False,
            soft_wrap=True,
        )


def cmd_list(args: argparse.Namespace) -> None:
    with open_project(args.project) as project:
        rows = [
            (p.pseudonym, v.source, fmt_time(v.seconds), v.created[:10], v.matches)
            for v, p in voices.voiceprint_rows(project.store)
        ]
    table(
        "Voiceprints",
        ["participant", "enrolled from", "speech", "created", "voices named"],
        rows,
        wrap=("participant", "enrolled from"),
    )


def cmd_forget(args: argparse.Namespace) -> None:
    with open_project(args.project) as project:
        person = voices.forget(project.store, args.name)
    console.print(
        f"Forgot {person.pseudonym}'s voiceprint. Voices it named keep their names; "
        "undo one with: qualkit speakers RECORDING --unname VOICE",
        markup=False,
        soft_wrap=True,
    )


def cmd_match(args: argparse.Namespace) -> None:
    with open_project(args.project) as project:
        if not project.store.voiceprints():
            raise InputError("No voiceprints yet: enrol one with qualkit voices enroll NAME ...")
        if not (args.all or args.recordings):
            raise InputError("Name one or more recordings, or use --all.")
        recs = project.recordings() if args.all else [project.recording(r) for r in args.recordings]
        rows = []
        for rec in recs:
            for v in voices.name_known_voices(project.store, rec.id, args.threshold):
                rows.append((rec.name, v.label, v.pseudonym, f"{v.score:.2f}"))
    if not rows:
        console.print("No unnamed voice matched a voiceprint.")
        return
    table("Voices named by voiceprint", ["recording", "voice", "participant", "score"], rows)
    console.print("Undo one with: qualkit speakers RECORDING --unname VOICE", markup=False)
