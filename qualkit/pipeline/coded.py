"""A transcript that a coder has worked on is kept: a run never replaces it unasked.

Codings point at a recording's segments, and hand edits (corrected words, split or
moved segments) live only in the project. A run whose settings would make a new
transcript (other options, another model, or new defaults after an upgrade) therefore
computes nothing for such a recording: named on the command line it is an error that
says why, before any work; in an `--all` batch it is reported as kept, with a warning,
and the batch goes on. Hand edits without codings can be given up on purpose
(`replace_edited`); codings cannot, they must be removed first.
"""

from __future__ import annotations

from qualkit.atomic import sha256_file
from qualkit.errors import InputError, QualkitError
from qualkit.ingest import read_transcript
from qualkit.model import Recording, Stage
from qualkit.pipeline.align import AlignedTranscript
from qualkit.pipeline.artefacts import ArtefactStore, read_json
from qualkit.pipeline.progress import RunResult
from qualkit.pipeline.run_options import PipelineOptions
from qualkit.project import Project
from qualkit.store import Store
from qualkit.store.recordings import MadeSegment, edited_segments


def kept_transcript(
    store: Store,
    artefacts: ArtefactStore,
    rec: Recording,
    sha: str,
    align_key: str,
    duration_s: float,
    options: PipelineOptions,
) -> RunResult | None:
    """None when the run may go on with `rec`; else the result for a transcript kept
    (`align_key`: the key of the ALIGN artefact this run would give the recording)."""
    made = store.stage_options_key(rec.id, Stage.ALIGN.value)
    cached = made == align_key and artefacts.path(sha, "align", align_key, "json").is_file()
    if cached:
        return None  # the usual rerun: everything is reused, nothing is replaced
    coded = len(store.coded_segment_ids(rec.id))
    if made == align_key:
        # Same settings, but the cache is gone (cleared, or a copy of the project without
        # it): computing it all again could only end in the store's refusal.
        return _kept(store, rec, duration_s, ()) if coded else None
    if coded:
        why = f"has {coded} coded segment{'' if coded == 1 else 's'}"
        undo = "Remove its codings first to transcribe it again."
    elif made and not options.replace_edited and _edited(store, rec, artefacts, sha, made):
        why = "was edited by hand (its words or segment times differ from the transcription)"
        undo = "To transcribe it again and lose the edits, add --replace-edited."
    else:
        return None
    message = (
        f"{rec.name!r} {why}, so its transcript is kept as it is: the settings of this run "
        f"would replace it and were not applied to it. {undo}"
    )
    if not options.keep_coded:
        raise InputError(message)
    return _kept(store, rec, duration_s, (message,))


def replaced_audio(
    store: Store, artefacts: ArtefactStore, rec: Recording, sha: str, options: PipelineOptions
) -> str:
    """'' when `sha` is the audio `rec` was transcribed from; when the file was replaced
    since, a warning that the new file is transcribed, once the recording is moved to it.

    Raises InputError, changing nothing, if people have worked on the recording: their
    codings and edits point at the old transcript, which the new file would replace."""
    if not rec.sha256 or sha == rec.sha256:
        return ""
    key = store.stage_options_key(rec.id, Stage.ALIGN.value)
    made = made_by_pipeline(artefacts, rec.sha256, key) if key else None
    work = store.move_to_new_audio(rec.id, sha, made, edits_may_go=options.replace_edited)
    if work:
        done = ", ".join(f"{n} {kind}" for kind, n in work.items())
        how = (
            "add --replace-edited to transcribe the new file and lose the edits"
            if set(work) == {"hand-edited segments"}
            else "put the original file back, or copy the new one under another name and "
            "import it as a recording of its own"
        )
        raise InputError(
            f"The audio file of {rec.name!r} has changed since it was transcribed, and the "
            f"recording has been worked on ({done}), so its transcript is kept: {how}."
        )
    return "the audio file has changed since it was last transcribed: the new file was transcribed"


def _edited(store: Store, rec: Recording, artefacts: ArtefactStore, sha: str, key: str) -> bool:
    """Whether the project's segments differ from the ALIGN artefact (`key`) they were made
    from; without that artefact nothing can be told, and the run goes on as before."""
    made = made_by_pipeline(artefacts, sha, key)
    if made is None:
        return False
    held = [(h.text, h.start, h.end) for h in store.segments(rec.id)]
    return edited_segments(made, held) > 0


def made_segments(project: Project, rec: Recording) -> list[MadeSegment] | None:
    """The segments `rec` was made with, to tell hand edits from them: the pipeline's
    ALIGN artefact, or the typed transcript file read again (while it is unchanged); None
    when neither is there (then no edit can be told)."""
    key = project.store.stage_options_key(rec.id, Stage.ALIGN.value)
    if key and rec.sha256:
        return made_by_pipeline(ArtefactStore(project.cache_dir / "artefacts"), rec.sha256, key)
    source = project.root / rec.transcript_path if rec.transcript_path else None
    if source is None or not source.is_file() or sha256_file(source) != rec.sha256:
        return None
    try:
        parsed = read_transcript(source)
    except QualkitError:
        return None  # e.g. a round's answers CSV: not a transcript format
    return [(t.text, t.start, t.end) for t in parsed.turns]


def removal_baseline(project: Project, rec: Recording) -> list[MadeSegment]:
    """What `rec`'s segments were made as, for `qualkit recording --remove` to count hand
    edits against. A transcript whose origin is gone (the cache cleared, the file moved,
    a .qdpx source) cannot be told apart from an edited one, so it is refused: removing
    it then takes --discard-edits."""
    made = made_segments(project, rec)
    if made is None and project.store.segment_count(rec.id):
        raise InputError(
            f"{rec.name!r}: qualkit cannot tell whether its transcript was edited by hand "
            "(what it was made from is no longer there), so it is not removed. Add "
            "--discard-edits to remove it with any edits."
        )
    return made or []


def made_by_pipeline(artefacts: ArtefactStore, sha: str, key: str) -> list[MadeSegment] | None:
    """The segments the ALIGN artefact `key` of audio `sha` holds; None if it is gone."""
    made_from = artefacts.path(sha, "align", key, "json")
    if not made_from.is_file():
        return None
    made = AlignedTranscript.from_json(read_json(made_from)).segments
    return [(m.text, m.start, m.end) for m in made]


def _kept(store: Store, rec: Recording, duration_s: float, warnings: tuple[str, ...]) -> RunResult:
    return RunResult(
        rec.name,
        True,
        duration_s=duration_s,
        segments=store.segment_count(rec.id),
        speakers=len(store.speakers(rec.id)),
        warnings=warnings,
    )
