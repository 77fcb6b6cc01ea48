"""transcribe, speakers and models: parse arguments, call qualkit.pipeline / qualkit.speakers."""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

from qualkit import glossary, resolve, speakers, voices
from qualkit.cli.options import project_option
from qualkit.cli.output import console, fmt_time, plural, table, warn, warn_pseudonym
from qualkit.errors import InputError
from qualkit.pipeline.cluster import (
    ClusterOptions,
    RichClusterProgress,
    check_address,
    transcribe_on_cluster,
)
from qualkit.pipeline.diarize import DiarizeOptions
from qualkit.pipeline.models import add_model, check_whisper_model, iter_models
from qualkit.pipeline.progress import RunResult
from qualkit.pipeline.project_batch import transcribe_project
from qualkit.pipeline.run import PipelineOptions, RichProgress
from qualkit.pipeline.transcribe import TranscribeOptions
from qualkit.project import open_project


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "transcribe", help="transcribe and diarise recordings offline (resumes where it stopped)"
    )
    project_option(p)
    p.add_argument("recordings", nargs="*", metavar="RECORDING", help="name or id")
    p.add_argument("--all", action="store_true", help="every recording with audio")
    p.add_argument(
        "--model",
        default="base",
        metavar="NAME|PATH",
        help="packaged Whisper model name or a CTranslate2 model folder",
    )
    p.add_argument(
        "--backend",
        default="faster-whisper",
        choices=("faster-whisper", "openai-whisper"),
        help="speech recogniser; openai-whisper is the slower reference (default: %(default)s)",
    )
    p.add_argument(
        "--device",
        default="auto",
        choices=("auto", "cpu", "cuda"),
        help="where to run the models (default: %(default)s: a GPU if there is one)",
    )
    p.add_argument("--language", default="sv", help="spoken language (default sv)")
    p.add_argument(
        "--beam-size",
        type=int,
        default=5,
        help="Whisper's beam width: wider is slower, sometimes better (default: %(default)s)",
    )
    p.add_argument("--speakers", type=int, metavar="N", help="exact number of voices")
    p.add_argument("--min-speakers", type=int, metavar="A", help="at least this many voices")
    p.add_argument("--max-speakers", type=int, metavar="B", help="at most this many voices")
    p.add_argument("--no-diarize", action="store_true", help="words only, no speakers")
    p.add_argument(
        "--replace-edited",
        action="store_true",
        help="transcribe hand-edited recordings (no codings) again, losing their edits",
    )
    p.add_argument(
        "--overlap",
        action=argparse.BooleanOptionalAction,
        default=DiarizeOptions().overlap,
        help="find overlapped speech and give it a second voice (segmentation model; on by "
        "default, --no-overlap saves its CPU time)",
    )
    p.add_argument(
        "--speech-trim",
        action=argparse.BooleanOptionalAction,
        default=DiarizeOptions().speech_trim,
        help="cut the turns where the overlap stage's model hears no speech (reverb "
        "after a voice stops; on by default, needs the overlap stage)",
    )
    # Two flags that cannot be given together: with BooleanOptionalAction the last won
    # silently.
    use = p.add_mutually_exclusive_group()
    use.add_argument(
        "--glossary",
        action="store_const",
        const=True,
        default=None,
        help="give Whisper the project's glossary (`qualkit glossary`; default: on once you "
        "have added a term; a changed glossary re-transcribes finished recordings only "
        "when --glossary or --no-glossary is given)",
    )
    use.add_argument(
        "--no-glossary",
        dest="glossary",
        action="store_const",
        const=False,
        help="transcribe without the glossary",
    )
    p.add_argument(
        "--model-cache",
        type=Path,
        metavar="DIR",
        help="where packaged weights are assembled (default ~/.cache/qualkit/models)",
    )
    p.add_argument(
        "--cluster",
        metavar="ADDRESS",
        help="run on a Ray cluster inside your organisation: ray://HOST:10001, HOST:PORT, "
        "'auto' (the cluster running on this machine) or 'local' (start one here); "
        "audio is sent to the cluster's nodes",
    )
    p.add_argument(
        "--workers", type=int, metavar="N", help="with --cluster: N workers (default: one per node)"
    )
    p.set_defaults(handler=cmd_transcribe)

    p = sub.add_parser("speakers", help="list a recording's voices; name or merge them")
    project_option(p)
    p.add_argument("recording", metavar="RECORDING", help="recording name or id")
    p.add_argument("--name", metavar="SPEAKER", help="the voice to name ('Talare 2' or 2)")
    p.add_argument("--as", dest="role", default="", metavar="ROLE", help="role, e.g. handläggare")
    p.add_argument("--actor", help="kommun, vård, FK, AF or annan")
    p.add_argument("--kommun", help="the participant's kommunområde (with --name)")
    p.add_argument("--pseudonym", help="participant pseudonym (default: Deltagare N)")
    p.add_argument(
        "--participant",
        metavar="WHO",
        help="this voice is an existing participant (pseudonym or id), e.g. the moderator "
        "of every group",
    )
    p.add_argument("--merge", nargs=2, metavar=("KEEP", "DROP"), help="two voices that are one")
    p.add_argument(
        "--unmerge", metavar="DROPPED", help="split a merged voice off again (its label)"
    )
    p.add_argument(
        "--unname", metavar="SPEAKER", help="take back a name a voiceprint gave this voice"
    )
    p.add_argument("--lines", type=int, default=2, help="first lines shown per voice")
    p.set_defaults(handler=cmd_speakers)

    p = sub.add_parser("models", help="which offline models are installed and where from")
    # Models belong to the machine, not a project; -p is taken like everywhere else
    # (the README says every command takes it) and changes nothing.
    p.add_argument("--project", "-p", type=Path, metavar="DIR", help=argparse.SUPPRESS)
    p.add_argument(
        "action", nargs="?", default="list", choices=("list", "add"), help="list (default) or add"
    )
    p.add_argument("path", nargs="?", type=Path, metavar="PATH", help="model folder (add)")
    p.add_argument("--name", help="name to use with --model (add)")
    p.add_argument("--origin", default="", help="where the model came from (add)")
    p.add_argument(
        "--model-cache",
        type=Path,
        metavar="DIR",
        help="where models are kept (default: ~/.cache/qualkit/models)",
    )
    p.set_defaults(handler=cmd_models)


def cmd_transcribe(args: argparse.Namespace) -> int:

    if args.speakers is not None and (args.min_speakers or args.max_speakers):
        raise InputError("Give either --speakers N or --min-speakers/--max-speakers, not both.")
    diarize_options = DiarizeOptions(
        num_speakers=args.speakers,
        min_speakers=args.min_speakers,
        max_speakers=args.max_speakers,
        overlap=args.overlap,
        speech_trim=args.speech_trim,
    )
    if args.workers is not None and (args.cluster is None or args.workers < 1):
        raise InputError("--workers N needs --cluster and N of at least 1.")
    if args.cluster is None:
        # Once, before the batch: not a failure per recording inside the progress table.
        # (A cluster's nodes have models of their own, checked there.)
        check_whisper_model(args.model, args.model_cache)
    with open_project(args.project) as project:
        use = glossary.in_use(project) if args.glossary is None else args.glossary
        terms = glossary.transcription_terms(project) if use else ()
        options = PipelineOptions(
            transcribe=TranscribeOptions(
                model=args.model,
                backend=args.backend,
                language=args.language or None,
                beam_size=args.beam_size,
                glossary=terms,
            ),
            diarize=diarize_options,
            device=args.device,
            diarization=not args.no_diarize,
            glossary_redo=args.glossary is not None,
            keep_coded=args.all,
            replace_edited=args.replace_edited,
        )
        if args.cluster is not None:
            cluster = ClusterOptions(
                check_address(args.cluster),
                workers=args.workers,
                model_cache=str(args.model_cache) if args.model_cache else None,
            )
            results = transcribe_on_cluster(
                project,
                args.recordings,
                all_=args.all,
                options=options,
                cluster=cluster,
                progress=RichClusterProgress(),
            )
        else:
            results = transcribe_project(
                project,
                args.recordings,
                all_=args.all,
                options=options,
                progress=RichProgress(),
                model_cache=args.model_cache,
            )
    rows = [
        (
            r.recording,
            ("ok, see warning" if r.warnings else "ok") if r.ok else "failed",
            fmt_time(r.duration_s),
            r.speakers,
            r.segments,
            ", ".join(r.ran) or ("(all stages reused)" if r.ok else "-"),
            r.error,
        )
        for r in results
    ]
    table(
        "Transcription",
        ["recording", "result", "duration", "voices", "segments", "stages run", "problem"],
        rows,
    )
    # On their own lines too: a narrow terminal drops the table's last column.
    for r in results:
        if not r.ok:
            console.print(f"{r.recording} failed: {r.error}", markup=False, soft_wrap=True)
        for warning in r.warnings:
            console.print(f"{r.recording}: warning: {warning}", markup=False, soft_wrap=True)
        for label, who, score in r.known_voices:
            console.print(
                f"{r.recording}: {label} is {who} by voiceprint (similarity {score:.2f}); "
                f"undo with: qualkit speakers {r.recording!r} --unname {label!r}",
                markup=False,
                soft_wrap=True,
            )
    tip = count_tip(results, counted=args.speakers is None)
    if tip:
        console.print(tip, markup=False, soft_wrap=True)
    return 0 if all(r.ok for r in results) else 1


def count_tip(results: list[RunResult], counted: bool) -> str:
    """When qualkit counted the voices itself in this run: how to give the count instead.

    Without a count the number of voices is often off by one or more on long recordings
    or with many people, and with the count the turns are better (BENCHMARKS.md); the
    user may know how many took part from the attendance list."""
    fresh = [r for r in results if r.ok and "diarize" in r.ran and r.speakers > 0]
    if not counted or not fresh:
        return ""
    which = repr(fresh[0].recording) if len(fresh) == 1 else "RECORDING"
    return (
        "qualkit counted the voices itself; on long recordings or with many people that "
        "count is often off by one or more. If you know how many spoke, run this before "
        f"coding: qualkit transcribe {which} --speakers N (the words are kept and only the "
        "speaker turns are redone; names given to voices carry over)."
    )


def cmd_speakers(args: argparse.Namespace) -> None:

    with open_project(args.project) as project:
        rec = project.recording(args.recording)
        store = project.store
        if args.merge:
            kept = speakers.merge_speakers(store, rec.id, *args.merge)
            console.print(f"Merged {args.merge[1]} into {kept.label}.", markup=False)
        if args.unmerge:
            back = store.unmerge_voice(rec.id, args.unmerge)
            console.print(f"{back.label} is a voice of its own again.", markup=False)
        if args.unname:
            spk, match = voices.unname(store, rec.id, args.unname)
            gone = store.participant(match.participant_id).pseudonym
            console.print(
                f"{spk.label} is no longer {gone}; that voiceprint will not name it.", markup=False
            )
        if args.name:
            slips = resolve.kommun_slips(store, args.kommun)
            # Said by its label: "5 is now Deltagare 1" read as if voice 5 were participant 5.
            spk = speakers.find_speaker(store, rec.id, args.name)
            voice, new = spk.label, spk.participant_id is None
            person = speakers.name_speaker(
                store,
                rec.id,
                args.name,
                role=args.role,
                actor=args.actor,
                kommun=args.kommun,
                pseudonym=args.pseudonym,
                participant=args.participant,
            )
            # Typed names and recording names are text, never markup ("g2 [x]").
            console.print(f"{voice} is now {person.name_with_role}.", markup=False)
            if new and not (args.participant or args.pseudonym) and len(store.recordings()) > 1:
                console.print(
                    f"{person.pseudonym} is a new participant. If {voice} is someone already "
                    f"named in another recording, link it instead: qualkit speakers "
                    f"{shlex.quote(rec.name)} --name {shlex.quote(voice)} --participant NAME",
                    markup=False,
                )
            warn_pseudonym(person.pseudonym, resolve.pseudonym_names(store, args.pseudonym))
            note = resolve.kommun_note(args.kommun, person.kommun)
            if note:
                console.print(f"Note: {note}", markup=False)
            if slips and person.kommun:
                warn(
                    f"new kommun {person.kommun!r}: did you mean "
                    f"{' or '.join(map(repr, slips))}? If it is a slip: qualkit speakers "
                    f"{shlex.quote(rec.name)} --name {shlex.quote(args.name)} "
                    f"--kommun {shlex.quote(slips[0])}"
                )
        elif args.role or args.actor or args.kommun or args.pseudonym or args.participant:
            raise InputError("Say which voice with --name SPEAKER.")
        if args.merge or args.unmerge or args.unname or args.name:
            # Naming five voices one after another should not print the table five times.
            console.print(f"All voices: qualkit speakers {shlex.quote(rec.name)}", markup=False)
            return
        rows = []
        scores = voices.voice_scores(store, rec.id)
        summaries = speakers.speaker_summaries(store, rec.id, lines=args.lines)
        for s in summaries:
            who = s.participant.name_with_role if s.participant else ""
            if s.speaker.id in scores:
                who += f"\nvoiceprint {scores[s.speaker.id]:.2f}"
            rows.append(
                (s.speaker.label, who, _talk_cell(s.talk), s.turns, "\n".join(s.first_lines))
            )
        table(
            f"Voices in {rec.name}",
            ["voice", "participant", "talk time", "turns", "first lines"],
            rows,
            wrap=("participant", "first lines"),
        )
        untimed = sum(s.talk.untimed for s in summaries)
        if untimed:
            marks = []
            if any(s.talk.known_s is None for s in summaries):
                marks.append("– unknown: none of the voice's turns has times")
            if any(s.talk.known_s is not None and s.talk.untimed for s in summaries):
                marks.append("* some of its turns left out")
            console.print(
                "Talk time counts only the turns with a start and an end time; "
                f"{plural(untimed, 'turn has', 'turns have')} none ({'; '.join(marks)})."
            )


def _talk_cell(talk: speakers.TalkTime) -> str:
    if talk.known_s is None:  # unknown, or no turns at all (then it is nothing)
        return "–" if talk.untimed else fmt_time(0)
    return fmt_time(talk.known_s) + ("*" if talk.untimed else "")


def cmd_models(args: argparse.Namespace) -> None:
    if args.action == "add":
        if args.path is None or not args.name:
            raise InputError("Say which folder and name: qualkit models add PATH --name NAME.")
        folder = add_model(args.path, args.name, args.model_cache, args.origin)
        console.print(f"Added {args.name} ({folder}); use it with --model {args.name}.")
        return

    # One block per model: paths and sources are too long for a table in 80 columns.
    for m in iter_models(args.model_cache):
        state = "installed" if m.installed else "NOT installed"
        console.print(f"[bold]{m.name}[/bold] ({m.kind}): {state}")
        if m.where:
            _model_field("where", m.where)
        _model_field("from", m.source)
        _model_field("licence", m.licence)
        if not m.installed:
            _model_field("install", m.install)


def _model_field(label: str, value: str) -> None:
    # One line per field, whatever the width: a source or path with no spaces in it would
    # otherwise be moved whole to the next line, leaving "from:" alone on its own. Long
    # lines are wrapped by the terminal, and a copied path stays in one piece.
    console.print(f"  {label + ':':<9}{value}", markup=False, soft_wrap=True)
