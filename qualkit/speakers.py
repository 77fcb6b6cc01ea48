"""From diarised voices to participants: list, name (role, actor, kommun) and merge.

Shared by the CLI (`qualkit speakers`) and the TUI; no UI imports here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from qualkit import resolve
from qualkit.errors import InputError
from qualkit.model import Actor, Consent, Participant, Segment, Speaker
from qualkit.store import Store
from qualkit.store.people import reads_as


@dataclass(frozen=True, slots=True)
class TalkTime:
    """How long a voice speaks, from its turns that have both a start and an end time.

    A typed transcript may have no times (a plain .txt), or no end for its last turn: such
    a turn's length is unknown, not zero, and the sum says how many it leaves out."""

    seconds: float = 0.0
    timed: int = 0
    untimed: int = 0

    @property
    def known_s(self) -> float | None:
        """The talk time, or None when no turn of the voice has times."""
        return self.seconds if self.timed else None


def talk_times(segments: Iterable[Segment]) -> dict[int, TalkTime]:
    """Each voice's talk time (by speaker id) from its turns."""
    out: dict[int, TalkTime] = {}
    for seg in segments:
        if seg.speaker_id is None:
            continue
        was = out.get(seg.speaker_id, TalkTime())
        if seg.start is not None and seg.end is not None and seg.end >= seg.start:
            out[seg.speaker_id] = replace(
                was, seconds=was.seconds + seg.end - seg.start, timed=was.timed + 1
            )
        else:
            out[seg.speaker_id] = replace(was, untimed=was.untimed + 1)
    return out


@dataclass(frozen=True, slots=True)
class SpeakerSummary:
    """One voice in a recording: how much it speaks, who it is, and how it opens."""

    speaker: Speaker
    participant: Participant | None
    turns: int
    first_lines: tuple[str, ...]
    talk: TalkTime = TalkTime()

    @property
    def talk_time_s(self) -> float | None:
        """Seconds of the turns with times; None when none has (unknown, not zero)."""
        return self.talk.known_s


def speaker_summaries(
    store: Store, rec_id: int, lines: int = 2, width: int = 90
) -> list[SpeakerSummary]:
    """Voices of a recording, most talk time first, with their first `lines` turns."""
    segments = store.segments(rec_id)
    talk = talk_times(segments)
    out = []
    for spk in store.speakers(rec_id):
        own = [s for s in segments if s.speaker_id == spk.id]
        first = tuple(_clip(s.text, width) for s in own[:lines])
        person = store.participant(spk.participant_id) if spk.participant_id else None
        out.append(SpeakerSummary(spk, person, len(own), first, talk.get(spk.id, TalkTime())))
    return sorted(out, key=lambda s: (-s.talk.seconds, s.speaker.label))


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def find_speaker(store: Store, rec_id: int, ref: str) -> Speaker:
    """A voice by label ('Talare 2'), number ('2'), speaker id ('#17') or participant pseudonym."""
    return resolve.speaker(store, rec_id, ref)


def name_speaker(
    store: Store,
    rec_id: int,
    ref: str,
    *,
    role: str = "",
    actor: Actor | str | None = None,
    kommun: str | None = None,
    pseudonym: str | None = None,
    participant: str | None = None,
) -> Participant:
    """Say who a voice is. Creates a participant, or updates the one already linked;
    with `participant` (a pseudonym or id), the voice is that existing participant (the
    same moderator in every group) and the other fields update them."""
    spk = find_speaker(store, rec_id, ref)
    act = Actor.parse(actor) if isinstance(actor, str) else actor
    if participant is not None and pseudonym:
        raise InputError(
            "Give --participant (an existing participant) or --pseudonym (a new name), not both."
        )
    if not (role or act or kommun or pseudonym or participant):
        raise InputError(
            "Give at least one of --as ROLE, --actor, --kommun, --pseudonym or --participant."
        )
    person = resolve.participant(store, participant) if participant is not None else None
    if pseudonym:
        wanted = reads_as(pseudonym)
        taken = [p for p in store.participants() if reads_as(p.pseudonym) == wanted]
        if taken and taken[0].id != spk.participant_id:
            raise InputError(
                f"A participant called {taken[0].pseudonym!r} already exists. If this voice is "
                f"that person, link it with --participant {taken[0].pseudonym!r} instead of "
                "--pseudonym."
            )
        pseudonym = resolve.normal(pseudonym)
    fields: dict[str, object] = {}
    if role:
        fields["role"] = role
    if act is not None:
        fields["actor"] = act
    if kommun:
        fields["kommun"] = kommun
    with store.transaction():
        if person is not None:
            store.assign_speaker(spk.id, person.id)
            if spk.participant_id not in (None, person.id):
                _tidy_left(store, spk.participant_id)
            return store.update_participant(person.id, **fields)
        if spk.participant_id is not None:
            if pseudonym:
                fields["pseudonym"] = pseudonym
            return store.update_participant(spk.participant_id, **fields)
        new = store.add_participant(pseudonym, role=role, actor=act, kommun=kommun)
        store.assign_speaker(spk.id, new.id)
        return new


def _tidy_left(store: Store, pid: int) -> None:
    """A voice named as a new participant, then linked to the person it is (`--participant`,
    as `qualkit speakers` suggests): the participant it leaves behind is removed when it
    was only that naming (no other voice, round, rating or voiceprint, and nothing a person
    recorded of them: no real name, consent or attribute), so it does not stand in every
    participants table with no voice. One that holds any of those is kept."""
    left = store.participant(pid)
    if left.real_name or left.consent is not Consent.UNKNOWN or left.attributes:
        return
    store.delete_unused_participant(pid)


def link_speaker(store: Store, rec_id: int, ref: str, participant_id: int) -> Speaker:
    """The same person in another recording: link the voice to an existing participant."""
    store.participant(participant_id)
    return store.assign_speaker(find_speaker(store, rec_id, ref).id, participant_id)


def merge_speakers(store: Store, rec_id: int, keep: str, drop: str) -> Speaker:
    """Two voices that are one person (the diariser split them): keep the first."""
    a, b = find_speaker(store, rec_id, keep), find_speaker(store, rec_id, drop)
    if a.participant_id and b.participant_id and a.participant_id != b.participant_id:
        raise InputError(
            f"{a.label} and {b.label} are linked to different participants; unlink one first."
        )
    return store.merge_speakers(a.id, b.id)
