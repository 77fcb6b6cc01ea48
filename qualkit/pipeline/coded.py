"""A coded recording keeps its transcript: codings point at its segments."""

from __future__ import annotations

from qualkit.errors import InputError
from qualkit.model import Recording, Stage
from qualkit.pipeline.progress import RunResult
from qualkit.store import Store


def kept_transcript(
    store: Store, rec: Recording, align_key: str, duration_s: float, keep: bool
) -> RunResult | None:
    """None when the run may go on with `rec`; else it must not touch its transcript.

    A run that would replace a coded recording's transcript (other settings, another
    model, or new defaults after an upgrade) computes nothing for it: with `keep` (the
    `--all` batch) it is reported as kept, with a warning; a recording named on its own
    is an error that says why, before any work."""
    coded = len(store.coded_segment_ids(rec.id))
    if not coded or store.stage_options_key(rec.id, Stage.ALIGN.value) == align_key:
        return None
    message = (
        f"{rec.name!r} has {coded} coded segments, so its transcript is kept as it is: "
        "the settings of this run would replace it and were not applied to it. "
        "Remove its codings first to transcribe it again."
    )
    if not keep:
        raise InputError(message)
    return RunResult(
        rec.name,
        True,
        duration_s=duration_s,
        segments=store.segment_count(rec.id),
        speakers=len(store.speakers(rec.id)),
        warnings=(message,),
    )
