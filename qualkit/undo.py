"""Undo and redo of coding and correcting actions, over the Project API (no UI here).

Every action is applied to the database at once (nothing waits for a save), and
the stack remembers how to reverse it. Coding actions are reversed by the store's
own write methods (a removed coding comes back with its id). Actions that change
the transcript itself (text, split, join, speaker, merging voices) remember the exact
rows before and after (`qualkit.undo_rows`): undo and redo put those rows back, so
ids, times, speakers and codings are as they were, however often one goes back and
forth. A new code (from the codebook screen, or a cluster with the codings made with it)
is one action too (`qualkit.undo_codes`): undo gives the codebook file its exact bytes
back. Renaming a code (its labels or description) is one too, refused when the code was
renamed since (another coder) or its file edited; so is moving a code under another
parent, and merging a code into another (its codings moved back by id on undo). Naming a
voice and taking back a voiceprint's name are actions too (`qualkit.undo_voices`). A
coder changes only their own codings here.

Each action belongs to a place (`place`): the coding screens, or one recording's Talare
screen; a screen passes its place to `undo`/`redo` and reaches only its own actions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from qualkit import undo_codes, undo_voices
from qualkit.errors import InputError
from qualkit.model import Code, Coding, Segment, Speaker, Valence
from qualkit.project import DEFAULT_CODEBOOK, Project
from qualkit.spans import follow_span
from qualkit.undo_codes import MergeCode, MoveCode, NewCode, RenameCode
from qualkit.undo_rows import RecordingRows, capture, restore
from qualkit.undo_voices import NameVoice, UnnameVoice, VoiceName


@dataclass(frozen=True, slots=True)
class AddCoding:
    coding: Coding


@dataclass(frozen=True, slots=True)
class RemoveCoding:
    coding: Coding


@dataclass(frozen=True, slots=True)
class ChangeValence:
    coding_id: int
    old: Valence
    new: Valence


@dataclass(frozen=True, slots=True)
class ChangeMemo:
    coding_id: int
    old: str | None
    new: str | None


@dataclass(frozen=True, slots=True)
class AddSegmentMemo:
    memo_id: int
    segment_id: int
    text: str
    coder: str


@dataclass(frozen=True, slots=True)
class Restructure:
    """A change to the transcript: `kind` is edit, split, join, speaker or merge_voices."""

    kind: str
    before: RecordingRows
    after: RecordingRows
    voices: tuple[int, int] | None = None  # (kept, dropped) of a voice merge


Action = (
    AddCoding
    | RemoveCoding
    | ChangeValence
    | ChangeMemo
    | AddSegmentMemo
    | Restructure
    | NewCode
    | RenameCode
    | MergeCode
    | MoveCode
    | NameVoice
    | UnnameVoice
)

# Where an action is undone: coding work (the transcript, codebook and clusters screens
# share it), or the voices of one recording (its Talare screen). One history keeps the
# order of everything; a screen undoes the newest action only when it is its own, so `u`
# never takes back, unseen, what was done on another screen.
CODING = "coding"
VOICES = "voices"
Place = tuple[str, int | None]


def place(action: Action) -> Place:
    """The screen (and recording) whose `u` and `Ctrl+R` reach this action."""
    match action:
        case NameVoice(recording_id=rec) | UnnameVoice(recording_id=rec):
            return (VOICES, rec)
        case Restructure(kind="merge_voices", before=before):
            return (VOICES, before.recording_id)
    return (CODING, None)


def merged_pair(action: Restructure) -> tuple[Speaker, Speaker]:
    """(kept, dropped) voice of a voice merge, as they were before it."""
    assert action.voices is not None
    by_id = {s.id: s for s in action.before.speakers}
    return by_id[action.voices[0]], by_id[action.voices[1]]


@dataclass
class UndoStack:
    """The coder's actions in this session, newest last."""

    project: Project
    coder: str = "default"
    limit: int = 1000
    done: list[Action] = field(default_factory=list)
    undone: list[Action] = field(default_factory=list)

    # ------------------------------------------------------------- do actions
    def _push(self, action: Action) -> Action:
        self.done.append(action)
        del self.done[: -self.limit]
        self.undone.clear()
        return action

    def _own(self, coding_id: int) -> Coding:
        """The coding, if it is this coder's: another coder's work is theirs to change."""
        coding = self.project.store.coding(coding_id)
        if coding.coder != self.coder:
            raise InputError(
                f"Coding {coding_id} is {coding.coder}'s; {self.coder} can change only their own."
            )
        return coding

    def add_coding(
        self,
        segment_id: int,
        code: str,
        *,
        codebook: str = DEFAULT_CODEBOOK,
        valence: Valence = Valence.NONE,
        memo: str | None = None,
        span: tuple[int, int] | None = None,
    ) -> Coding:
        write = self.project.store.insert_coding(
            segment_id, codebook, code, valence=valence, coder=self.coder, memo=memo, span=span
        )
        if write.new:
            self._push(AddCoding(write.coding))
        elif "memo" in write.changed:  # the coding it had, with a new memo
            self._push(ChangeMemo(write.coding.id, write.old_memo, write.coding.memo))
        return write.coding

    def remove_coding(self, coding_id: int) -> Coding:
        self._own(coding_id)
        removed = self.project.store.remove_coding(coding_id)
        self._push(RemoveCoding(removed))
        return removed

    def set_valence(self, coding_id: int, valence: Valence) -> Coding:
        old = self._own(coding_id)
        new = self.project.store.update_coding(coding_id, valence=valence)
        self._push(ChangeValence(coding_id, old.valence, valence))
        return new

    def set_memo(self, coding_id: int, memo: str | None) -> Coding:
        old = self._own(coding_id)
        new = self.project.store.update_coding(coding_id, memo=memo or None)
        self._push(ChangeMemo(coding_id, old.memo, memo or None))
        return new

    def add_segment_memo(self, segment_id: int, text: str) -> int:
        if not text.strip():
            raise InputError("A memo needs some text.")
        memo = self.project.store.add_memo("segment", str(segment_id), text, coder=self.coder)
        self._push(AddSegmentMemo(memo.id, segment_id, text, self.coder))
        return memo.id

    def add_code(self, code: Code, coded: Mapping[int, Valence] | None = None) -> Code:
        """A new code, and segments coded with it (cluster -> code), as one undoable action."""
        action = undo_codes.add_code(self.project, code, coded or {}, self.coder)
        self._push(action)
        return action.code

    def rename_code(self, codebook: str, key: str, **words: str) -> RenameCode | None:
        """New words for a code (label_sv, label_en, description) as one undoable action;
        None (and nothing on the stack) when they are the words it has."""
        action = undo_codes.rename_code(self.project, codebook, key, **words)
        if action is not None:
            self._push(action)
        return action

    def merge_code(self, codebook: str, source: str, target: str) -> MergeCode:
        """Merge `source` into `target` (its codings, every coder's, move) as one action."""
        action = undo_codes.merge_code(self.project, codebook, source, target)
        self._push(action)
        return action

    def move_code(self, codebook: str, key: str, parent: str | None) -> MoveCode | None:
        """Put a code under `parent` (None: the top level) as one undoable action; None
        (and nothing on the stack) when it is there already."""
        action = undo_codes.move_code(self.project, codebook, key, parent)
        if action is not None:
            self._push(action)
        return action

    def edit_text(self, segment_id: int, text: str, *, base: str | None = None) -> list[Coding]:
        """Correct a segment's text; span codings follow their words.

        `base`: the text the edit started from; a segment someone else changed meanwhile
        is not overwritten (EditConflictError).
        Returns the span codings whose words are gone: they now cover the whole segment."""
        store = self.project.store
        lost: list[Coding] = []
        with self.project.action():
            old = store.segment(segment_id)
            before = capture(store, old.recording_id, [segment_id])
            store.update_segment_text(segment_id, text, base=base)
            for c in before.codings:
                if c.span_start is None or c.span_end is None:
                    continue
                moved = follow_span(old.text, text, c.span_start, c.span_end)
                if moved is None:
                    lost.append(c)
                store.update_coding(
                    c.id,
                    following=True,
                    span_start=moved[0] if moved else None,
                    span_end=moved[1] if moved else None,
                )
            after = capture(store, old.recording_id, [segment_id])
        self._push(Restructure("edit", before, after))
        return lost

    def reassign_speaker(self, segment_id: int, speaker_id: int | None) -> Segment:
        store = self.project.store
        rec_id = store.segment(segment_id).recording_id
        with self.project.action():
            before = capture(store, rec_id, [segment_id])
            new = store.set_segment_speaker(segment_id, speaker_id)
            after = capture(store, rec_id, [segment_id])
        self._push(Restructure("speaker", before, after))
        return new

    def split(self, segment_id: int, at: int) -> tuple[Segment, Segment]:
        store = self.project.store
        rec_id = store.segment(segment_id).recording_id
        with self.project.action():
            before = capture(store, rec_id, [segment_id])
            left, right = store.split_segment(segment_id, at)
            after = capture(store, rec_id, [left.id, right.id])
        self._push(Restructure("split", before, after))
        return left, right

    def merge(self, first_id: int, second_id: int, *, different_speakers: bool = False) -> Segment:
        """Join two neighbouring segments. The joined turn keeps the first one's speaker,
        so segments of two speakers are joined only when the caller says so."""
        store = self.project.store
        first, second = store.segment(first_id), store.segment(second_id)
        if first.speaker_id != second.speaker_id and not different_speakers:
            raise InputError(
                "The segments have different speakers; joining them would give the second"
                " speaker's words to the first. Change a speaker first, or confirm the join."
            )
        with self.project.action():
            before = capture(store, first.recording_id, [first_id, second_id])
            joined = store.merge_segments(first_id, second_id)
            after = capture(store, first.recording_id, [first_id, second_id])
        self._push(Restructure("join", before, after))
        return joined

    def merge_voices(self, keep_id: int, drop_id: int) -> Speaker:
        """Two voices that are one person: every turn of `drop` becomes `keep`'s."""
        store = self.project.store
        keep = store.speaker(keep_id)
        turns = [s.id for s in store.segments_light(keep.recording_id) if s.speaker_id == drop_id]
        with self.project.action():
            before = capture(store, keep.recording_id, turns)
            kept = store.merge_speakers(keep_id, drop_id)
            after = capture(store, keep.recording_id, turns)
        self._push(Restructure("merge_voices", before, after, (keep_id, drop_id)))
        return kept

    def name_voice(self, speaker_id: int, name: VoiceName) -> NameVoice:
        """Say who a voice is (make its participant, or change the one it has)."""
        action = undo_voices.name_voice(self.project, speaker_id, name)
        self._push(action)
        return action

    def unname_voice(self, speaker_id: int) -> UnnameVoice:
        """Take back the name a voiceprint gave the voice."""
        action = undo_voices.unname_voice(self.project, speaker_id)
        self._push(action)
        return action

    # -------------------------------------------------------------- undo/redo
    @property
    def can_undo(self) -> bool:
        return bool(self.done)

    @property
    def can_redo(self) -> bool:
        return bool(self.undone)

    @property
    def next_undo(self) -> Action | None:
        """What `undo` would reverse now."""
        return self.done[-1] if self.done else None

    @property
    def next_redo(self) -> Action | None:
        """What `redo` would do again now."""
        return self.undone[-1] if self.undone else None

    def undo(self, where: Place | None = None) -> Action | None:
        """Reverse the newest action; returns it (None when there is nothing to undo, or,
        with `where`, when the newest action belongs to another place).

        An action that can no longer be reversed exactly stays on the stack and raises."""
        if not self.done or (where is not None and place(self.done[-1]) != where):
            return None
        action = self.done[-1]
        replacement = self._reverse(action)
        self.done.pop()
        self.undone.append(replacement)
        return replacement

    def redo(self, where: Place | None = None) -> Action | None:
        if not self.undone or (where is not None and place(self.undone[-1]) != where):
            return None
        action = self.undone[-1]
        replacement = self._apply(action)
        self.undone.pop()
        self.done.append(replacement)
        return replacement

    def _reverse(self, action: Action) -> Action:
        store = self.project.store
        with self.project.action():
            match action:
                case AddCoding(coding):
                    store.remove_coding(coding.id)
                case RemoveCoding(coding):
                    store.restore_coding(coding)
                case ChangeValence(cid, old, _new):
                    store.update_coding(cid, valence=old)
                case ChangeMemo(cid, old, _new):
                    store.update_coding(cid, memo=old)
                case AddSegmentMemo(memo_id, _sid, _text, _coder):
                    store.delete_memo(memo_id)
                case NewCode() | RenameCode() | MergeCode() | MoveCode():
                    undo_codes.step(self.project, action, undo=True)
                case NameVoice():
                    undo_voices.reverse_name(self.project, action)
                case UnnameVoice():
                    undo_voices.reverse_unname(self.project, action)
                case Restructure(_kind, before, after, voices):
                    restore(store, after, before)
                    if voices is not None:
                        store.forget_voice_merges(voices[1])
        return action

    def _apply(self, action: Action) -> Action:
        store = self.project.store
        with self.project.action():
            match action:
                case AddCoding(coding):
                    store.restore_coding(coding)
                case RemoveCoding(coding):
                    store.remove_coding(coding.id)
                case ChangeValence(cid, _old, new):
                    store.update_coding(cid, valence=new)
                case ChangeMemo(cid, _old, new):
                    store.update_coding(cid, memo=new)
                case AddSegmentMemo(_mid, sid, text, coder):
                    memo = store.add_memo("segment", str(sid), text, coder=coder)
                    return AddSegmentMemo(memo.id, sid, text, coder)
                case NewCode() | RenameCode() | MergeCode() | MoveCode():
                    undo_codes.step(self.project, action, undo=False)
                case NameVoice():
                    undo_voices.apply_name(self.project, action)
                case UnnameVoice():
                    undo_voices.apply_unname(self.project, action)
                case Restructure(_kind, before, after, voices):
                    if voices is not None:
                        store.record_voice_merge(*merged_pair(action))
                    restore(store, before, after)
        return action
