"""The main screen: read a transcript, code passages, correct text, take suggestions."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType

from qualkit.errors import QualkitError
from qualkit.export.report_notes import pin_quote, set_partner
from qualkit.export.report_records import REPORT_ACTORS
from qualkit.i18n import t
from qualkit.model import Recording, Valence
from qualkit.tui.audio import AUDIO_BINDINGS
from qualkit.tui.screens.dialogs import InputDialog, SpanChoice, SpanDialog
from qualkit.tui.screens.transcribe import TranscribingActions
from qualkit.tui.screens.transcript_suggest import SuggestingActions

CODE_BINDINGS: list[BindingType] = [
    Binding(
        str(d),
        f"code('{d}')",
        "key.code",
        show=d == "1",  # one footer entry for them all; the app shows the codebook's digits
        id=f"code_{d}",
    )
    for d in "1234567890"
]


class TranscriptScreen(TranscribingActions, SuggestingActions):
    """Segments on the left, codebook, codings and suggestions on the right."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # The app's help and quit, bound here again so the footer shows them first: at 80
        # columns the footer is cut after some eight keys.
        Binding("question_mark,f1", "app.help", "key.help", id="help_first"),
        Binding("q", "app.quit", "key.quit", id="quit_first"),
        *CODE_BINDINGS,
        Binding("f", "valence('främjande')", "key.promoting", id="valence_promoting"),
        Binding("h", "valence('hindrande')", "key.hindering", id="valence_hindering"),
        Binding("p", "valence('förslag')", "key.proposal", id="valence_proposal"),
        Binding("m", "memo", "key.memo", id="memo"),
        Binding("I", "pin", "key.pin", show=False, id="pin"),
        Binding("o", "partner", "key.partner", show=False, id="partner"),
        Binding("M", "segment_memo", "key.segment_memo", show=False, id="segment_memo"),
        Binding("delete,backspace", "remove_coding", "key.remove", show=False, id="remove"),
        Binding("c", "next_coding", "key.next_coding", show=False, id="next_coding"),
        Binding("n", "next_uncoded", "key.next_uncoded", id="next_uncoded"),
        Binding("N", "next_uncertain", "key.next_uncertain", show=False, id="next_uncertain"),
        Binding("v", "span", "key.span", show=False, id="span"),
        Binding("u", "undo", "key.undo", id="undo"),
        Binding("ctrl+r,U", "redo", "key.redo", show=False, id="redo"),
        Binding("e", "edit", "key.edit", show=False, id="edit"),
        Binding("s", "split", "key.split", show=False, id="split"),
        Binding("J", "join", "key.join", show=False, id="join"),
        Binding("r", "reassign", "key.reassign", show=False, id="reassign"),
        Binding("space", "play", "key.play", show=False, id="play"),
        Binding("t", "transcribe", "key.transcribe_mode", show=False, id="transcribe_mode"),
        *AUDIO_BINDINGS,
        Binding("a", "accept_mode", "key.accept", show=False, id="accept"),
        Binding("x", "reject_mode", "key.reject", show=False, id="reject"),
        Binding("A", "accept_all", "key.accept_all", show=False, id="accept_all"),
        Binding("S", "speakers", "key.speakers", show=False, id="speakers"),
        Binding("escape", "back", "key.back", show=False, id="back"),
    ]

    def __init__(
        self, recording: Recording, segment_id: int | None = None, highlight: str = ""
    ) -> None:
        super().__init__(recording, segment_id, highlight)
        self.suggestions = []

    # -------------------------------------------------------------- coding
    def action_code(self, digit: str) -> None:
        if self.pending:
            mode, self.pending = self.pending, None
            self.suggestion_choice(mode, int(digit))
            return
        self.check_store()
        seg = self.current
        if seg is None:
            return
        code = self.view.keys.get(digit)
        if code is None:
            self.notify(f"{t('transcript.no_code_for_key', self.lang)} {digit}")
            return
        self.apply_code(seg, code.key)

    def action_valence(self, value: str) -> None:
        self.pending = None
        coding = self.own_target()
        if coding is None:
            return
        try:
            self.host.undo.set_valence(coding.id, Valence(value))
        except QualkitError as exc:
            self.error(exc)
            return
        self.after_coding_change()

    def action_pin(self) -> None:
        """Pin the selected coding's passage as a report quote, or unpin it."""
        coding = self.target_coding()
        if coding is None:
            self.notify(t("transcript.no_coding_selected", self.lang), severity="warning")
            return
        pinned = coding.id not in self.host.project.store.pinned_codings()
        try:
            pin_quote(self.host.project, coding.id, pinned)
        except QualkitError as exc:
            self.error(exc)
            return
        self.notify(t("transcript.pinned" if pinned else "transcript.unpinned", self.lang))

    def action_partner(self) -> None:
        """Cycle the actor the selected coding speaks about: kommun, vård, FK, AF, none."""
        coding = self.target_coding()
        if coding is None:
            self.notify(t("transcript.no_coding_selected", self.lang), severity="warning")
            return
        cycle = [*(a.value for a in REPORT_ACTORS), None]
        current = self.host.project.store.partner_actor(coding.id)
        following = cycle[(cycle.index(current) + 1) % len(cycle)] if current in cycle else cycle[0]
        try:
            set_partner(self.host.project, coding.id, following)
        except QualkitError as exc:
            self.error(exc)
            return
        if following is None:
            self.notify(t("transcript.partner_none", self.lang))
        else:
            self.notify(t("transcript.partner", self.lang) + following)

    def action_next_coding(self) -> None:
        codings = self.current_codings()
        if not codings:
            return
        ids = [c.id for c in codings]
        at = ids.index(self.selected_id) if self.selected_id in ids else -1
        self.selected_id = ids[(at + 1) % len(ids)]
        self.refresh_panels()

    def action_remove_coding(self) -> None:
        coding = self.own_target()
        if coding is None:
            return
        try:
            self.host.undo.remove_coding(coding.id)
        except QualkitError as exc:
            self.error(exc)
            return
        self.selected_id = None
        self.after_coding_change()
        self.notify(t("transcript.removed", self.lang))

    def action_memo(self) -> None:
        self.check_store()
        if self.target_coding() is None:
            self.action_segment_memo()
            return
        coding = self.own_target()
        if coding is None:
            return

        def done(text: str | None) -> None:
            if text is None:
                return
            try:
                self.host.undo.set_memo(coding.id, text.strip() or None)
            except QualkitError as exc:
                self.error(exc)
                return
            self.after_coding_change()

        self.app.push_screen(
            InputDialog(t("transcript.memo_prompt", self.lang), coding.memo or ""), done
        )

    def action_segment_memo(self) -> None:
        seg = self.current
        if seg is None:
            return

        def done(text: str | None) -> None:
            if not text or not text.strip():
                return
            try:
                self.host.undo.add_segment_memo(seg.id, text.strip())
            except QualkitError as exc:
                self.error(exc)
                return
            self.refresh_panels()

        self.app.push_screen(InputDialog(t("transcript.segment_memo_prompt", self.lang)), done)

    def action_next_uncoded(self) -> None:
        if not self.view.segments:
            return
        idx = self.view.next_uncoded(self.seglist.cursor)
        if idx is None:
            self.notify(t("transcript.all_coded", self.lang))
            return
        self.seglist.move_to(idx)

    def action_span(self) -> None:
        seg = self.current
        if seg is None:
            return

        def done(choice: SpanChoice | None) -> None:
            if choice is None:
                return
            code = self.view.keys.get(choice.digit)
            if code is None:
                self.notify(f"{t('transcript.no_code_for_key', self.lang)} {choice.digit}")
                return
            span = None
            if (choice.start, choice.end) != (0, len(seg.text)):
                span = (choice.start, choice.end)
            self.apply_code(seg, code.key, span=span)

        self.app.push_screen(SpanDialog(t("transcript.span_prompt", self.lang), seg.text), done)

    def action_back(self) -> None:
        if self.pending:  # Esc cancels a waiting `a`/`x`: nothing is changed
            self.pending = None
            self.refresh_panels()
            self.notify(t("suggest.cancelled", self.lang))
            return
        self.app.pop_screen()
