"""Known voices across recordings: enrol a voiceprint, name the voices it knows, forget it.

A voiceprint is a participant's voice embedding centroid (never audio) taken from one
recording where the user said who the voice is. When a later recording's transcript
lands in the store, each voice's centroid is kept (`land_voices`) and the unnamed voices
are compared with every voiceprint (`qualkit.pipeline.voice_match`): a voice whose
similarity passes the calibrated threshold is linked to that participant, the score is
kept for `qualkit speakers` and the coding app, and `unname` takes it back.

A voiceprint is personal data: it belongs to its participant (deleting the participant
or withdrawing consent deletes it) and no export reads it. Shared by the CLI and the
pipeline runner; no UI imports here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from qualkit import resolve
from qualkit.errors import InputError, NotFoundError
from qualkit.model import Consent, Participant, Speaker
from qualkit.pipeline.align import AlignedTranscript
from qualkit.pipeline.artefacts import read_npy
from qualkit.pipeline.diarize import Diarization
from qualkit.pipeline.relabel import carry_labels
from qualkit.pipeline.voice_match import DEFAULT_THRESHOLD, check_threshold, match_voices
from qualkit.store import Store
from qualkit.store.voiceprints import (
    SOURCE_SEP,
    UNDONE,
    VoiceCentroid,
    VoiceMatchRecord,
    Voiceprint,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "MIN_ENROL_S",
    "NamedVoice",
    "enrol",
    "forget",
    "land_voices",
    "name_known_voices",
    "unname",
    "voice_scores",
]

Array = npt.NDArray[np.float32]

# A centroid from a few seconds of speech is mostly noise: below this much talk time a
# voice is not enrolled (the benchmark's voices speak 5-20 s per recording).
MIN_ENROL_S = 5.0


@dataclass(frozen=True, slots=True)
class NamedVoice:
    """A voice named by a voiceprint: which voice, whom it was named as, how similar."""

    label: str
    pseudonym: str
    score: float


def encode(vector: Array) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def decode(blob: bytes, dim: int) -> Array:
    out: Array = np.frombuffer(blob, dtype="<f4", count=dim).astype(np.float32)
    return out


# ------------------------------------------------------------------ landing
def land_voices(
    store: Store,
    rec_id: int,
    dia: Diarization,
    centroids_path: Path,
    aligned: AlignedTranscript,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[NamedVoice]:
    """After a recording's transcript is in the store: keep each voice's centroid and
    name the unnamed voices an enrolled voiceprint knows."""
    if not dia.speakers or not centroids_path.is_file():
        return []
    cents = read_npy(centroids_path)
    if cents.ndim != 2 or cents.shape[0] != len(dia.speakers) or cents.shape[1] == 0:
        return []
    # Centroid rows follow the diariser's voices, as do `aligned.speakers`; the store's
    # labels are those after re-diarised voices kept their old names (carry_labels).
    stored = store_labels(store, rec_id, aligned)
    voices = {s.label: s for s in store.speakers(rec_id)}
    items = []
    for row, label in zip(cents, aligned.speakers, strict=True):
        spk = voices.get(stored.get(label, ""))
        if spk is not None and float(np.linalg.norm(row)) > 0:
            items.append(VoiceCentroid(spk.id, dia.backend, int(cents.shape[1]), encode(row)))
    store.put_voice_centroids(items)
    return name_known_voices(store, rec_id, threshold)


def store_labels(store: Store, rec_id: int, aligned: AlignedTranscript) -> dict[str, str]:
    """The store's label of each of the transcript's voices that has turns there."""
    labels = {sp.id: sp.label for sp in store.speakers(rec_id)}
    turns = [
        (labels[s.speaker_id], s.start, s.end)
        for s in store.segments_light(rec_id)
        if s.speaker_id in labels and s.start is not None and s.end is not None
    ]
    carried = carry_labels(turns, aligned)
    spoken = {s.speaker for s in aligned.segments if s.speaker}
    return {
        old: new
        for old, new in zip(aligned.speakers, carried.speakers, strict=True)
        if old in spoken and new in labels.values()
    }


def name_known_voices(
    store: Store, rec_id: int, threshold: float = DEFAULT_THRESHOLD
) -> list[NamedVoice]:
    """Link the recording's unnamed voices to the participants whose voiceprints they
    match (one voice per voiceprint, one voiceprint per voice, score >= threshold)."""
    check_threshold(threshold)
    cents = store.voice_centroids(rec_id)
    voices = store.speakers(rec_id)
    named_here = {s.participant_id for s in voices if s.participant_id is not None}
    people = {p.id: p for p in store.participants()}
    open_voices = [s for s in voices if s.participant_id is None and s.id in cents]
    if not open_voices:
        return []
    model, dim = cents[open_voices[0].id].model, cents[open_voices[0].id].dim
    prints = [
        p
        for p in store.voiceprints()
        if p.participant_id not in named_here
        and p.model == model
        and p.dim == dim
        and people[p.participant_id].consent is not Consent.WITHDRAWN
    ]
    if not prints:
        return []
    undone = {
        (m.speaker_id, m.voiceprint_id) for m in store.voice_matches(rec_id) if m.status == UNDONE
    }
    excluded = [
        (i, j)
        for i, s in enumerate(open_voices)
        for j, p in enumerate(prints)
        if (s.id, p.id) in undone
    ]
    matches = match_voices(
        np.stack([decode(cents[s.id].vector, dim) for s in open_voices]),
        np.stack([decode(p.vector, p.dim) for p in prints]),
        threshold,
        excluded,
    )
    out = []
    with store.transaction():
        for m in matches:
            spk, vp = open_voices[m.speaker], prints[m.voiceprint]
            store.name_by_voiceprint(spk.id, vp.id, round(m.score, 4))
            out.append(NamedVoice(spk.label, people[vp.participant_id].pseudonym, m.score))
    return out


def voice_scores(store: Store, rec_id: int) -> dict[int, float]:
    """{speaker id: similarity} for the voices a voiceprint named and still names."""
    voices = {s.id: s for s in store.speakers(rec_id)}
    return {
        m.speaker_id: m.score
        for m in store.voice_matches(rec_id)
        if m.status != UNDONE and voices[m.speaker_id].participant_id == m.participant_id
    }


def unname(store: Store, rec_id: int, ref: str) -> tuple[Speaker, VoiceMatchRecord]:
    """Take back an automatic naming; the same voiceprint will not name this voice again."""
    spk = resolve.speaker(store, rec_id, ref)
    match = store.undo_voice_match(spk.id)
    return store.speaker(spk.id), match


# -------------------------------------------------------------- enrol/forget
def _participant_or_none(store: Store, name: str) -> Participant | None:
    try:
        return resolve.participant(store, name)
    except NotFoundError:
        if resolve.normal(name).isdigit():
            raise
        return None


def enrol(
    store: Store, name: str, recording: str | int, speaker: str, *, replace: bool = False
) -> Voiceprint:
    """Keep the voice `speaker` of `recording` as participant `name`'s voiceprint.

    `name` is a participant's pseudonym or id; a name no participant has yet creates
    one, as `qualkit speakers --name VOICE --pseudonym NAME` does. An unnamed voice is
    linked to that participant; a voice named as someone else is refused. Other voices
    of the recording already named as that participant (a person the diariser split)
    go into the voiceprint too. A participant who has a voiceprint already gets these
    voices added to it: a voice confirmed in a later recording steadies the voiceprint
    (BENCHMARKS.md). The voiceprint is the mean of its voices weighted by their speech;
    `replace` starts again from this recording alone."""
    if not resolve.normal(name):
        raise InputError("Say whose voice it is: qualkit voices enroll NAME --from ... --speaker.")
    rec = resolve.recording(store, recording)
    spk = resolve.speaker(store, rec.id, speaker)
    cents = store.voice_centroids(rec.id)
    if spk.id not in cents:
        raise InputError(
            f"{spk.label} in {rec.name!r} has no voice measurement: voiceprints come from "
            f"recordings diarised by qualkit. Run qualkit transcribe {rec.name!r} first "
            "(an imported transcript has none)."
        )
    person = _participant_or_none(store, name)
    with store.transaction():
        if spk.participant_id is not None and (person is None or person.id != spk.participant_id):
            linked = store.participant(spk.participant_id)
            raise InputError(
                f"{spk.label} is named as {linked.pseudonym}: enrol it as {linked.pseudonym}, "
                "or name the voice again with qualkit speakers first."
            )
        parts = [spk] + [
            s
            for s in store.speakers(rec.id)
            if person is not None
            and s.participant_id == person.id
            and s.id != spk.id
            and s.id in cents
        ]
        seconds = sum(s.talk_time_s for s in parts)
        if seconds < MIN_ENROL_S:
            raise InputError(
                f"{spk.label} speaks {seconds:.1f} s in {rec.name!r}: too little for a "
                f"voiceprint (at least {MIN_ENROL_S:g} s). Enrol from a recording where they "
                "speak more."
            )
        if person is None:
            person = store.add_participant(resolve.normal(name))
        if person.consent is Consent.WITHDRAWN:
            raise InputError(
                f"{person.pseudonym} has withdrawn consent: no voiceprint may be kept for them."
            )
        if spk.participant_id is None:
            store.assign_speaker(spk.id, person.id)
        old = None if replace else store.voiceprint_of(person.id)
        sources = [f"{rec.name} / {s.label}" for s in parts]
        if old is not None:
            known = set(old.source.split(SOURCE_SEP))
            new = [(s, src) for s, src in zip(parts, sources, strict=True) if src not in known]
            if not new:
                raise InputError(f"{sources[0]} is in {person.pseudonym}'s voiceprint already.")
            parts, sources = [s for s, _ in new], [src for _, src in new]
        first = cents[spk.id]
        vectors = [decode(cents[s.id].vector, cents[s.id].dim) for s in parts]
        weights = [s.talk_time_s for s in parts]
        if old is not None:
            if (first.model, first.dim) != (old.model, old.dim):
                raise InputError(
                    f"{sources[0]} was measured with another speaker model than "
                    f"{person.pseudonym}'s voiceprint ({old.model}): enrol with --replace "
                    "to start the voiceprint again."
                )
            vectors.append(decode(old.vector, old.dim))
            weights.append(old.seconds)
        vector = encode(weighted_mean(vectors, weights))
        added = sum(s.talk_time_s for s in parts)
        if old is not None:
            return store.extend_voiceprint(
                old.id, source=SOURCE_SEP.join(sources), vector=vector, seconds=added
            )
        return store.add_voiceprint(
            person.id,
            recording_id=rec.id,
            source=SOURCE_SEP.join(sources),
            model=first.model,
            dim=first.dim,
            vector=vector,
            seconds=added,
            replace=replace,
        )


def weighted_mean(vectors: Sequence[Array], weights: Sequence[float]) -> Array:
    """The mean of voice centroids, each weighted by its seconds of speech."""
    w = np.maximum(np.asarray(weights, dtype=np.float64), 1e-6)
    out: Array = (np.stack(vectors).astype(np.float64) * w[:, None]).sum(0) / w.sum()
    return out.astype(np.float32)


def forget(store: Store, name: str) -> Participant:
    """Delete a participant's voiceprint (voices it already named keep their names)."""
    person = resolve.participant(store, name)
    if not store.delete_voiceprint(person.id):
        raise NotFoundError(f"{person.pseudonym} has no voiceprint (see qualkit voices list).")
    return person


def voiceprint_rows(store: Store) -> Sequence[tuple[Voiceprint, Participant]]:
    """Every voiceprint with its participant, for listing (never the vector)."""
    people = {p.id: p for p in store.participants()}
    return [(v, people[v.participant_id]) for v in store.voiceprints()]
