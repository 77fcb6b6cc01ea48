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

from qualkit.errors import InputError
from qualkit.model import Recording, Stage
from qualkit.pipeline.align import AlignedTranscript
from qualkit.pipeline.artefacts import ArtefactStore, read_json
from qualkit.pipeline.progress import RunResult
from qualkit.pipeline.run_options import PipelineOptions
from qualkit.store import Store


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


def _edited(store: Store, rec: Recording, artefacts: ArtefactStore, sha: str, key: str) -> bool:
    """Whether the project's segments differ from the ALIGN artefact (`key`) they were made
    from; without that artefact nothing can be told, and the run goes on as before."""
    made_from = artefacts.path(sha, "align", key, "json")
    if not made_from.is_file():
        return False
    made = AlignedTranscript.from_json(read_json(made_from)).segments
    held = store.segments(rec.id)
    if len(made) != len(held):
        return True
    return any(
        m.text != h.text or not _same_time(m.start, h.start) or not _same_time(m.end, h.end)
        for m, h in zip(made, held, strict=True)
    )


def _same_time(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) < 1e-3


def _kept(store: Store, rec: Recording, duration_s: float, warnings: tuple[str, ...]) -> RunResult:
    return RunResult(
        rec.name,
        True,
        duration_s=duration_s,
        segments=store.segment_count(rec.id),
        speakers=len(store.speakers(rec.id)),
        warnings=warnings,
    )
