"""Correcting a transcript: text, split, join, speaker, playback, undo and redo."""

from __future__ import annotations

from qualkit.errors import QualkitError
from qualkit.i18n import t
from qualkit.model import Segment
from qualkit.tui.error_text import error_text
from qualkit.tui.screens.dialogs import ChoiceDialog, ConfirmDialog, EditDialog, SplitDialog
from qualkit.tui.screens.speakers import SpeakersScreen
from qualkit.tui.screens.transcript_base import TranscriptBase
from qualkit.tui.screens.undo_keys import undo_step
from qualkit.undo import CODING
from qualkit.undo_codes import MergeCode, NewCode, RenameCode


class CorrectingActions(TranscriptBase):
    """The keys that change what was said and by whom (each one undoable)."""

    def action_undo(self) -> None:
        self.pending = None
        self._undo_step(redo=False)

    def action_redo(self) -> None:
        self._undo_step(redo=True)

    def _undo_step(self, *, redo: bool) -> None:
        # Coding work from any coding screen; a voice named on the Talare screen is
        # undone there (the toast says so).
        action = undo_step(self, (CODING, None), redo=redo)
        if action is None:
            return
        if isinstance(action, NewCode | RenameCode | MergeCode):  # a code made, renamed, merged
            self.host.codebook_changed()
        self.after_structure_change()

    def action_edit(self) -> None:
        seg = self.current
        if seg is None:
            return

        def done(text: str | None) -> None:
            if text is not None and text != seg.text:
                self.save_text(seg, text)

        self.app.push_screen(
            EditDialog(t("transcript.edit_prompt", self.lang), seg.text, self.lang), done
        )

    def save_text(self, seg: Segment, text: str) -> bool:
        """Correct the segment's text; spans follow their words (said when some cannot)."""
        try:
            # `base`: the text the coder began from; changed since by someone else: refused.
            lost = self.host.undo.edit_text(seg.id, text, base=seg.text)
        except QualkitError as exc:
            self.error(exc)
            return False
        self.after_structure_change()
        if lost:
            self.notify(
                t("transcript.spans_lost", self.lang).format(n=len(lost)), severity="warning"
            )
        return True

    def action_split(self) -> None:
        seg = self.current
        if seg is None:
            return

        def split(at: str) -> str | None:
            # Done from the dialog, so an error (the cursor at the very start or end, a
            # part of spaces only, a change by someone else) is said there and the
            # dialog stays open, the cursor where it was.
            try:
                self.host.undo.split(seg.id, int(at))
            except (QualkitError, ValueError) as exc:
                return error_text(exc, self.lang)
            return None

        def done(at: str | None) -> None:
            if at is not None:
                self.after_structure_change()

        self.app.push_screen(
            SplitDialog(t("transcript.split_prompt", self.lang), seg.text, self.lang, check=split),
            done,
        )

    def action_join(self) -> None:
        self.check_store()
        seg = self.current
        idx = self.seglist.cursor
        if seg is None or idx + 1 >= len(self.view.segments):
            self.notify(t("transcript.no_next", self.lang), severity="warning")
            return
        nxt = self.view.segments[idx + 1]

        def join(confirmed: bool | None = True) -> None:
            if not confirmed:
                return
            try:
                self.host.undo.merge(seg.id, nxt.id, different_speakers=True)
            except QualkitError as exc:
                self.error(exc)
                return
            self.after_structure_change()

        if seg.speaker_id == nxt.speaker_id:
            join()
            return
        # The joined turn keeps one speaker: the other person's words would become theirs.
        names = [
            self.view.speakers[s].name if s in self.view.speakers else "?"
            for s in (seg.speaker_id, nxt.speaker_id)
        ]
        prompt = t("transcript.join_speakers", self.lang).format(first=names[0], second=names[1])
        self.app.push_screen(ConfirmDialog(prompt, self.lang), join)

    def action_reassign(self) -> None:
        seg = self.current
        if seg is None:
            return
        speakers = list(self.view.speakers.values())
        if not speakers:
            self.notify(t("speakers.none", self.lang))
            return
        labels = [
            f"{s.name}  {s.role_and_actor}".rstrip() + ("  ⊘" if s.withdrawn else "")
            for s in speakers
        ]

        def done(index: int | None) -> None:
            if index is None:
                return
            try:
                self.host.undo.reassign_speaker(seg.id, speakers[index].id)
            except QualkitError as exc:
                self.error(exc)
                return
            self.after_structure_change()

        self.app.push_screen(ChoiceDialog(t("transcript.speaker_prompt", self.lang), labels), done)

    def action_play(self) -> None:
        # Space toggles: a second press stops what is playing instead of starting again.
        if self.host.audio.stop():
            return
        seg = self.current
        if seg is not None:
            self.host.audio.play(self.recording, seg.start, seg.end)

    def action_speakers(self) -> None:
        def back(_result: None) -> None:
            self.after_structure_change()

        self.app.push_screen(SpeakersScreen(self.recording), back)
