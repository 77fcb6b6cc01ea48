"""Naming a voice, and taking back a voiceprint's name, as undoable actions.

Both change who a voice is (its participant link), and naming may make or change a
participant. Undo puts back the rows as they were before, redo as they were after: a
participant the naming made is deleted by undo and comes back with its id by redo. Either
is refused when the rows are no longer as the action left them (the person renamed
elsewhere, linked to another voice, given a voiceprint): nothing is overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass

from qualkit import voices
from qualkit.model import Actor, Participant
from qualkit.project import Project
from qualkit.store.voiceprints import VoiceMatchRecord
from qualkit.undo_rows import UndoConflict


@dataclass(frozen=True, slots=True)
class VoiceName:
    """What the naming dialog asks: an empty field is not set (an empty role clears it)."""

    pseudonym: str
    role: str
    actor: str
    kommun: str


@dataclass(frozen=True, slots=True)
class NameVoice:
    """A voice named: its link before and after, and its participant before and after."""

    recording_id: int
    speaker_id: int
    label: str
    linked_before: int | None
    person_before: Participant | None  # None: the naming made the participant
    person_after: Participant


@dataclass(frozen=True, slots=True)
class UnnameVoice:
    """A voiceprint's name taken back: the match it had (status 'named')."""

    recording_id: int
    label: str
    match: VoiceMatchRecord


def _conflict() -> UndoConflict:
    return UndoConflict(
        "Cannot undo or redo: the voice or its participant changed since. Nothing was changed."
    )


def name_voice(project: Project, speaker_id: int, name: VoiceName) -> NameVoice:
    """Make the voice's participant, or change the one it is linked to: one transaction."""
    store = project.store
    speaker = store.speaker(speaker_id)
    actor = Actor.parse(name.actor) if name.actor else None
    kommun = name.kommun or None
    with project.action():
        if speaker.participant_id is None:
            person_before = None
            after = store.add_participant(
                name.pseudonym or None, role=name.role, actor=actor, kommun=kommun
            )
            store.assign_speaker(speaker_id, after.id)
        else:
            person_before = store.participant(speaker.participant_id)
            after = store.update_participant(
                person_before.id,
                pseudonym=name.pseudonym or person_before.pseudonym,
                role=name.role,
                actor=actor,
                kommun=kommun,
            )
    return NameVoice(
        speaker.recording_id,
        speaker_id,
        speaker.label,
        speaker.participant_id,
        person_before,
        after,
    )


def _editable(person: Participant) -> dict[str, object]:
    return {
        "pseudonym": person.pseudonym,
        "role": person.role,
        "actor": person.actor,
        "kommun": person.kommun,
    }


def reverse_name(project: Project, action: NameVoice) -> None:
    store = project.store
    after = action.person_after
    with project.action():
        if (
            store.speaker(action.speaker_id).participant_id != after.id
            or store.participant(after.id) != after
        ):
            raise _conflict()
        if action.person_before is not None:
            store.update_participant(after.id, **_editable(action.person_before))
            return
        # A participant the naming made goes again, unless someone has come to rely on
        # them meanwhile (another voice linked, a round, a rating, a voiceprint): then
        # nothing changes (the transaction rolls the unlinking back).
        store.assign_speaker(action.speaker_id, action.linked_before)
        if not store.delete_unused_participant(after.id):
            raise _conflict()


def apply_name(project: Project, action: NameVoice) -> None:
    store = project.store
    after = action.person_after
    with project.action():
        if store.speaker(action.speaker_id).participant_id != action.linked_before:
            raise _conflict()
        if action.person_before is None:
            if any(
                p.id == after.id or p.pseudonym == after.pseudonym for p in store.participants()
            ):
                raise _conflict()
            store.put_participant(after)
            store.assign_speaker(action.speaker_id, after.id)
            return
        if store.participant(after.id) != action.person_before:
            raise _conflict()
        store.update_participant(after.id, **_editable(after))


def unname_voice(project: Project, speaker_id: int) -> UnnameVoice:
    """Take back the name a voiceprint gave; the same voiceprint will not give it again."""
    speaker = project.store.speaker(speaker_id)
    with project.action():
        _spk, match = voices.unname(project.store, speaker.recording_id, f"#{speaker_id}")
    return UnnameVoice(speaker.recording_id, speaker.label, match)


def reverse_unname(project: Project, action: UnnameVoice) -> None:
    store = project.store
    with project.action():
        if store.speaker(action.match.speaker_id).participant_id is not None:
            raise _conflict()
        store.restore_voice_match(action.match)


def apply_unname(project: Project, action: UnnameVoice) -> None:
    store = project.store
    with project.action():
        if store.speaker(action.match.speaker_id).participant_id != action.match.participant_id:
            raise _conflict()
        store.undo_voice_match(action.match.speaker_id)
