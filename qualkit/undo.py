"""Undo and redo of coding actions, over the Project API (no UI here).

Every action is applied to the database at once (nothing waits for a save), and
the stack remembers how to reverse it. Removed codings come back with their
original id (Store.restore_coding), so redo after undo after redo stays stable.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from qualkit.errors import InputError
from qualkit.model import Coding, Segment, Valence
from qualkit.project import DEFAULT_CODEBOOK, Project


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
class EditText:
    segment_id: int
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class ReassignSpeaker:
    segment_id: int
    old: int | None
    new: int | None


@dataclass(frozen=True, slots=True)
class SplitSegment:
    segment_id: int
    at: int
    new_id: int


@dataclass(frozen=True, slots=True)
class MergeSegments:
    first_id: int
    second_id: int
    at: int  # where the second text began in the joined text


Action = (
    AddCoding
    | RemoveCoding
    | ChangeValence
    | ChangeMemo
    | AddSegmentMemo
    | EditText
    | ReassignSpeaker
    | SplitSegment
    | MergeSegments
)


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
        coding = self.project.store.add_coding(
            segment_id, codebook, code, valence=valence, coder=self.coder, memo=memo, span=span
        )
        self._push(AddCoding(coding))
        return coding

    def remove_coding(self, coding_id: int) -> Coding:
        removed = self.project.store.remove_coding(coding_id)
        self._push(RemoveCoding(removed))
        return removed

    def set_valence(self, coding_id: int, valence: Valence) -> Coding:
        old = self.project.store.coding(coding_id)
        new = self.project.store.update_coding(coding_id, valence=valence)
        self._push(ChangeValence(coding_id, old.valence, valence))
        return new

    def set_memo(self, coding_id: int, memo: str | None) -> Coding:
        old = self.project.store.coding(coding_id)
        new = self.project.store.update_coding(coding_id, memo=memo or None)
        self._push(ChangeMemo(coding_id, old.memo, memo or None))
        return new

    def add_segment_memo(self, segment_id: int, text: str) -> int:
        if not text.strip():
            raise InputError("A memo needs some text.")
        memo = self.project.store.add_memo("segment", str(segment_id), text, coder=self.coder)
        self._push(AddSegmentMemo(memo.id, segment_id, text, self.coder))
        return memo.id

    def edit_text(self, segment_id: int, text: str) -> Segment:
        old = self.project.store.segment(segment_id)
        new = self.project.store.update_segment_text(segment_id, text)
        self._push(EditText(segment_id, old.text, text))
        return new

    def reassign_speaker(self, segment_id: int, speaker_id: int | None) -> Segment:
        old = self.project.store.segment(segment_id)
        new = self.project.store.set_segment_speaker(segment_id, speaker_id)
        self._push(ReassignSpeaker(segment_id, old.speaker_id, speaker_id))
        return new

    def split(self, segment_id: int, at: int) -> tuple[Segment, Segment]:
        left, right = self.project.store.split_segment(segment_id, at)
        self._push(SplitSegment(segment_id, at, right.id))
        return left, right

    def merge(self, first_id: int, second_id: int) -> Segment:
        first = self.project.store.segment(first_id)
        joined = self.project.store.merge_segments(first_id, second_id)
        self._push(MergeSegments(first_id, second_id, len(first.text) + 1))
        return joined

    # -------------------------------------------------------------- undo/redo
    @property
    def can_undo(self) -> bool:
        return bool(self.done)

    @property
    def can_redo(self) -> bool:
        return bool(self.undone)

    def undo(self) -> Action | None:
        """Reverse the newest action; returns it (None when there is nothing to undo)."""
        if not self.done:
            return None
        action = self.done.pop()
        replacement = self._reverse(action)
        self.undone.append(replacement)
        return replacement

    def redo(self) -> Action | None:
        if not self.undone:
            return None
        action = self.undone.pop()
        replacement = self._apply(action)
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
                case EditText(sid, old, _new):
                    store.update_segment_text(sid, old)
                case ReassignSpeaker(sid, old, _new):
                    store.set_segment_speaker(sid, old)
                case SplitSegment(sid, _at, new_id):
                    store.merge_segments(sid, new_id)
                case MergeSegments(first, _second, at):
                    _left, right = store.split_segment(first, at)
                    return MergeSegments(first, right.id, at)
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
                case EditText(sid, _old, new):
                    store.update_segment_text(sid, new)
                case ReassignSpeaker(sid, _old, new):
                    store.set_segment_speaker(sid, new)
                case SplitSegment(sid, at, _new_id):
                    _left, right = store.split_segment(sid, at)
                    return SplitSegment(sid, at, right.id)
                case MergeSegments(first, second, at):
                    store.merge_segments(first, second)
                    return MergeSegments(first, second, at)
        return action
