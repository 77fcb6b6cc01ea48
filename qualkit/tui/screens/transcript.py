"""The main screen: read a transcript, code passages, correct text, take suggestions."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static

from qualkit.errors import QualkitError
from qualkit.export.report_notes import pin_quote, set_partner
from qualkit.export.report_records import REPORT_ACTORS
from qualkit.i18n import t
from qualkit.model import Coding, Recording, Segment, Valence
from qualkit.tui.messages import SuggestionsReady, SuggestionsUnavailable
from qualkit.tui.screens.dialogs import (
    ChoiceDialog,
    EditDialog,
    InputDialog,
    SpanChoice,
    SpanDialog,
    SplitDialog,
)
from qualkit.tui.state import RecordingView
from qualkit.tui.widgets.panels import CodebookPanel, CodingsPanel, SuggestionsPanel
from qualkit.tui.widgets.segment_list import SegmentList
from qualkit.tui.widgets.virtual_list import CursorList

if TYPE_CHECKING:
    from qualkit.tui.app import QualkitApp


def analysis_module(name: str) -> Any:
    """qualkit.analysis.<name> when that part of qualkit is installed, else None."""
    try:
        return importlib.import_module(f"qualkit.analysis.{name}")
    except ImportError:
        return None


# Suggestions at or above this score are coded by "accept all" (marked for review).
SUGGEST_THRESHOLD = 0.5
# Wait this long after the cursor stops before computing suggestions.
SUGGEST_DELAY_S = 0.25
# Codebook counts follow coding actions after this delay (see _schedule_counts).
COUNTS_DELAY_S = 0.05

CODE_BINDINGS: list[BindingType] = [
    Binding(
        str(d),
        f"code('{d}')",
        "key.code",
        show=d == 1,
        key_display="1-8",
        id=f"code_{d}",
    )
    for d in range(1, 10)
]


class TranscriptScreen(Screen[None]):
    """Segments on the left, codebook, codings and suggestions on the right."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *CODE_BINDINGS,
        Binding("f", "valence('främjande')", "key.promoting", id="valence_promoting"),
        Binding("h", "valence('hindrande')", "key.hindering", id="valence_hindering"),
        Binding("p", "valence('förslag')", "key.proposal", id="valence_proposal"),
        Binding("m", "memo", "key.memo", id="memo"),
        Binding("P", "pin", "key.pin", show=False, id="pin"),
        Binding("o", "partner", "key.partner", show=False, id="partner"),
        Binding("M", "segment_memo", "key.segment_memo", show=False, id="segment_memo"),
        Binding("delete,backspace", "remove_coding", "key.remove", show=False, id="remove"),
        Binding("c", "next_coding", "key.next_coding", show=False, id="next_coding"),
        Binding("n", "next_uncoded", "key.next_uncoded", id="next_uncoded"),
        Binding("v", "span", "key.span", show=False, id="span"),
        Binding("u", "undo", "key.undo", id="undo"),
        Binding("ctrl+r,U", "redo", "key.redo", show=False, id="redo"),
        Binding("e", "edit", "key.edit", show=False, id="edit"),
        Binding("s", "split", "key.split", show=False, id="split"),
        Binding("J", "join", "key.join", show=False, id="join"),
        Binding("r", "reassign", "key.reassign", show=False, id="reassign"),
        Binding("space", "play", "key.play", show=False, id="play"),
        Binding("a", "accept_mode", "key.accept", show=False, id="accept"),
        Binding("x", "reject_mode", "key.reject", show=False, id="reject"),
        Binding("A", "accept_all", "key.accept_all", show=False, id="accept_all"),
        Binding("S", "speakers", "key.speakers", show=False, id="speakers"),
        Binding("escape", "back", "key.back", show=False, id="back"),
    ]

    def __init__(self, recording: Recording, segment_id: int | None = None) -> None:
        super().__init__()
        self.recording = recording
        self.start_segment = segment_id
        self.selected_coding = -1
        self.pending: str | None = None  # "accept" or "reject" waits for a digit
        self.suggestions: list[object] = []
        self._suggest_timer: Timer | None = None
        self._counts_timer: Timer | None = None
        self.view: RecordingView

    @property
    def qapp(self) -> QualkitApp:
        return self.app  # type: ignore[return-value]

    @property
    def lang(self) -> str:
        return self.qapp.lang

    def compose(self) -> ComposeResult:
        qapp = self.qapp
        self.view = RecordingView(
            qapp.project, self.recording, qapp.codebook_id, qapp.coder, qapp.blind
        )
        qapp.translate_bindings(self)
        with Horizontal():
            with Vertical(id="transcript_main"):
                yield Static(id="transcript_header")
                yield SegmentList(self.lang, id="segments")
                yield CodingsPanel(id="codings")
            with Vertical(id="sidebar"):
                yield CodebookPanel(id="codebook_panel")
                yield SuggestionsPanel(id="suggestions")
        yield Footer()

    def on_mount(self) -> None:
        cursor = 0
        if self.start_segment is not None:
            cursor = self.view.index_of(self.start_segment) or 0
        self.seglist.set_view(self.view, cursor)
        self.seglist.focus()
        self.query_one(SuggestionsPanel).title = t("suggest.title", self.lang)
        self.refresh_panels()
        self.refresh_counts()
        self._schedule_suggestions()

    # ------------------------------------------------------------- helpers
    @property
    def seglist(self) -> SegmentList:
        return self.query_one(SegmentList)

    @property
    def current(self) -> Segment | None:
        segs = self.view.segments
        if not segs:
            return None
        return segs[min(self.seglist.cursor, len(segs) - 1)]

    def current_codings(self) -> list[Coding]:
        seg = self.current
        return list(self.view.codings.get(seg.id, ())) if seg else []

    def target_coding(self) -> Coding | None:
        codings = self.current_codings()
        if not codings:
            return None
        if not 0 <= self.selected_coding < len(codings):
            self.selected_coding = len(codings) - 1
        return codings[self.selected_coding]

    def refresh_panels(self, counts: bool = False) -> None:
        seg = self.current
        view = self.view
        coded = sum(1 for cs in view.codings.values() if cs)
        rec = self.recording
        bits = [f"[b]{rec.name}[/b]"]
        if rec.kommun:
            bits.append(rec.kommun)
        if rec.group_type:
            bits.append(rec.group_type.value)
        pos = f"{self.seglist.cursor + 1}/{len(view.segments)}" if view.segments else "0/0"
        bits.append(pos)
        bits.append(f"{t('transcript.coded', self.lang)} {coded}")
        bits.append(f"[i]{self.qapp.coder}[/i]")
        if self.qapp.blind:
            bits.append(f"[reverse] {t('transcript.blind', self.lang)} [/reverse]")
        withdrawn = [s.name for s in view.speakers.values() if s.withdrawn]
        if withdrawn:
            bits.append(
                f"[b red]⊘ {t('transcript.withdrawn', self.lang)}: {', '.join(withdrawn)}[/]"
            )
        if self.pending:
            bits.append(f"[reverse] {t('suggest.pick', self.lang)} [/reverse]")
        self.query_one("#transcript_header", Static).update("  ·  ".join(bits))
        memos = self.qapp.project.store.memos("segment", str(seg.id)) if seg else []
        self.query_one(CodingsPanel).show(
            view,
            self.current_codings(),
            self.selected_coding if self.selected_coding >= 0 else len(self.current_codings()) - 1,
            memos,
            seg.text if seg else "",
            self.lang,
        )
        if counts:
            self._schedule_counts()

    def _schedule_counts(self) -> None:
        # Counting every coding in the study takes a few tens of ms on a big project:
        # do it just after the repaint, not between the keystroke and the screen.
        if self._counts_timer is not None:
            self._counts_timer.stop()
        self._counts_timer = self.set_timer(COUNTS_DELAY_S, self.refresh_counts)

    def refresh_counts(self) -> None:
        self._counts_timer = None
        self.query_one(CodebookPanel).show(self.view, self.view.counts(), self.lang)

    def after_coding_change(self) -> None:
        seg = self.current
        if seg is not None:
            self.qapp.coded(seg.id)
            self.view.reload_segment_codings(seg.id)
        self.seglist.refresh()
        self.refresh_panels(counts=True)

    def after_structure_change(self) -> None:
        """Text, split, merge, speakers or undo: read the recording again."""
        seg = self.current
        self.qapp.data_changed()
        self.view.reload()
        if seg is not None:
            idx = self.view.index_of(seg.id)
            if idx is not None:
                self.seglist.cursor = idx
        self.seglist.data_changed()
        self.refresh_panels(counts=True)

    def error(self, exc: Exception) -> None:
        self.notify(str(exc), title=t("error", self.lang), severity="error")

    # -------------------------------------------------------------- cursor
    @on(CursorList.CursorMoved)
    def _moved(self, event: CursorList.CursorMoved) -> None:
        self.selected_coding = -1
        self.pending = None  # a half-typed "a"/"x" never applies to another segment
        self.refresh_panels()
        self._schedule_suggestions()

    # -------------------------------------------------------------- coding
    def action_code(self, digit: str) -> None:
        if self.pending:
            mode, self.pending = self.pending, None
            self._suggestion_choice(mode, int(digit))
            return
        seg = self.current
        if seg is None:
            return
        code = self.view.keys.get(digit)
        if code is None:
            self.notify(f"{t('transcript.no_code_for_key', self.lang)} {digit}")
            return
        self._apply_code(seg, code.key)

    def _apply_code(
        self,
        seg: Segment,
        code: str,
        valence: Valence = Valence.NONE,
        span: tuple[int, int] | None = None,
        memo: str | None = None,
    ) -> Coding | None:
        try:
            coding = self.qapp.undo.add_coding(
                seg.id, code, codebook=self.view.codebook_id, valence=valence, span=span, memo=memo
            )
        except QualkitError as exc:
            self.error(exc)
            return None
        self.selected_coding = len(self.view.codings.get(seg.id, ()))  # the new one, last
        self.after_coding_change()
        return coding

    def action_valence(self, value: str) -> None:
        self.pending = None
        coding = self.target_coding()
        if coding is None:
            self.notify(t("transcript.no_coding_selected", self.lang), severity="warning")
            return
        try:
            self.qapp.undo.set_valence(coding.id, Valence(value))
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
        pinned = coding.id not in self.qapp.project.store.pinned_codings()
        try:
            pin_quote(self.qapp.project, coding.id, pinned)
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
        current = self.qapp.project.store.partner_actor(coding.id)
        following = cycle[(cycle.index(current) + 1) % len(cycle)] if current in cycle else cycle[0]
        try:
            set_partner(self.qapp.project, coding.id, following)
        except QualkitError as exc:
            self.error(exc)
            return
        if following is None:
            self.notify(t("transcript.partner_none", self.lang))
        else:
            self.notify(t("transcript.partner", self.lang) + following)

    def action_next_coding(self) -> None:
        n = len(self.current_codings())
        if n:
            self.selected_coding = (max(self.selected_coding, -1) + 1) % n
            self.refresh_panels()

    def action_remove_coding(self) -> None:
        coding = self.target_coding()
        if coding is None:
            return
        try:
            self.qapp.undo.remove_coding(coding.id)
        except QualkitError as exc:
            self.error(exc)
            return
        self.selected_coding = -1
        self.after_coding_change()
        self.notify(t("transcript.removed", self.lang))

    def action_memo(self) -> None:
        coding = self.target_coding()
        if coding is None:
            self.action_segment_memo()
            return

        def done(text: str | None) -> None:
            if text is None:
                return
            try:
                self.qapp.undo.set_memo(coding.id, text.strip() or None)
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
                self.qapp.undo.add_segment_memo(seg.id, text.strip())
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
            self._apply_code(seg, code.key, span=span)

        self.app.push_screen(SpanDialog(t("transcript.span_prompt", self.lang), seg.text), done)

    def action_undo(self) -> None:
        self.pending = None
        try:
            action = self.qapp.undo.undo()
        except QualkitError as exc:
            self.error(exc)
            return
        if action is None:
            self.notify(t("transcript.nothing_undo", self.lang))
            return
        self.after_structure_change()
        self.notify(t("transcript.undone", self.lang))

    def action_redo(self) -> None:
        try:
            action = self.qapp.undo.redo()
        except QualkitError as exc:
            self.error(exc)
            return
        if action is None:
            self.notify(t("transcript.nothing_redo", self.lang))
            return
        self.after_structure_change()
        self.notify(t("transcript.redone", self.lang))

    # ---------------------------------------------------------- correcting
    def action_edit(self) -> None:
        seg = self.current
        if seg is None:
            return

        def done(text: str | None) -> None:
            if text is None or text == seg.text:
                return
            try:
                self.qapp.undo.edit_text(seg.id, text)
            except QualkitError as exc:
                self.error(exc)
                return
            self.after_structure_change()

        self.app.push_screen(
            EditDialog(t("transcript.edit_prompt", self.lang), seg.text, self.lang), done
        )

    def action_split(self) -> None:
        seg = self.current
        if seg is None:
            return

        def done(at: str | None) -> None:
            if at is None:
                return
            try:
                self.qapp.undo.split(seg.id, int(at))
            except QualkitError as exc:
                self.error(exc)
                return
            self.after_structure_change()

        self.app.push_screen(
            SplitDialog(t("transcript.split_prompt", self.lang), seg.text, self.lang), done
        )

    def action_join(self) -> None:
        seg = self.current
        idx = self.seglist.cursor
        if seg is None or idx + 1 >= len(self.view.segments):
            self.notify(t("transcript.no_next", self.lang), severity="warning")
            return
        try:
            self.qapp.undo.merge(seg.id, self.view.segments[idx + 1].id)
        except QualkitError as exc:
            self.error(exc)
            return
        self.after_structure_change()

    def action_reassign(self) -> None:
        seg = self.current
        if seg is None:
            return
        speakers = list(self.view.speakers.values())
        if not speakers:
            self.notify(t("speakers.none", self.lang))
            return
        labels = [f"{s.name}  {s.attribution}" + ("  ⊘" if s.withdrawn else "") for s in speakers]

        def done(index: int | None) -> None:
            if index is None:
                return
            try:
                self.qapp.undo.reassign_speaker(seg.id, speakers[index].id)
            except QualkitError as exc:
                self.error(exc)
                return
            self.after_structure_change()

        self.app.push_screen(ChoiceDialog(t("transcript.speaker_prompt", self.lang), labels), done)

    def action_play(self) -> None:
        seg = self.current
        if seg is not None:
            self.qapp.play(self.recording, seg.start, seg.end)

    def action_speakers(self) -> None:
        from qualkit.tui.screens.speakers import SpeakersScreen

        def back(_result: None) -> None:
            self.after_structure_change()

        self.app.push_screen(SpeakersScreen(self.recording), back)

    def action_back(self) -> None:
        if self.pending:
            self.pending = None
            self.refresh_panels()
            return
        self.app.pop_screen()

    # ---------------------------------------------------------- suggestions
    def _schedule_suggestions(self) -> None:
        if self._suggest_timer is not None:
            self._suggest_timer.stop()
        seg = self.current
        if seg is None:
            self.query_one(SuggestionsPanel).show_message(t("suggest.none", self.lang))
            return
        self.query_one(SuggestionsPanel).show_message(t("suggest.working", self.lang))
        seg_id = seg.id
        self._suggest_timer = self.set_timer(
            SUGGEST_DELAY_S, lambda: self.compute_suggestions(seg_id)
        )

    @work(thread=True, exclusive=True, group="suggest")
    def compute_suggestions(self, segment_id: int) -> None:
        suggest = analysis_module("suggest")
        if suggest is None:
            self.post_message(SuggestionsUnavailable(t("suggest.unavailable", self.lang)))
            return
        try:
            found = suggest.suggest_for_segment(
                self.qapp.project, segment_id, codebook=self.view.codebook_id, top=3
            )
        except Exception as exc:  # a failing model must not take the coding screen down
            self.post_message(
                SuggestionsUnavailable(f"{t('suggest.failed', self.lang)}: {type(exc).__name__}")
            )
            return
        self.post_message(SuggestionsReady(segment_id, list(found)))

    @on(SuggestionsReady)
    def _suggestions_ready(self, message: SuggestionsReady) -> None:
        seg = self.current
        if seg is None or seg.id != message.segment_id:
            return
        self.suggestions = list(message.suggestions)
        self.query_one(SuggestionsPanel).show_suggestions(self.view, self.suggestions, self.lang)

    @on(SuggestionsUnavailable)
    def _suggestions_unavailable(self, message: SuggestionsUnavailable) -> None:
        self.suggestions = []
        self.query_one(SuggestionsPanel).show_message(message.reason)

    def action_accept_mode(self) -> None:
        if not self.suggestions:
            self.notify(t("suggest.none", self.lang))
            return
        self.pending = "accept"
        self.refresh_panels()

    def action_reject_mode(self) -> None:
        if not self.suggestions:
            self.notify(t("suggest.none", self.lang))
            return
        self.pending = "reject"
        self.refresh_panels()

    def _feedback(self, segment_id: int, code: str, accepted: bool) -> None:
        suggest = analysis_module("suggest")
        if suggest is None:
            return
        try:
            suggest.record_feedback(
                self.qapp.project,
                segment_id,
                self.view.codebook_id,
                code,
                accepted=accepted,
                coder=self.qapp.coder,
            )
        except QualkitError as exc:
            self.error(exc)

    def _suggestion_choice(self, mode: str, number: int) -> None:
        seg = self.current
        if seg is None or not 1 <= number <= len(self.suggestions):
            self.refresh_panels()
            return
        chosen = self.suggestions[number - 1]
        code = str(getattr(chosen, "code", ""))
        if mode == "accept":
            valence = getattr(chosen, "valence", None) or Valence.NONE
            if self._apply_code(seg, code, valence=valence) is not None:
                self._feedback(seg.id, code, True)
                self.notify(t("suggest.accepted", self.lang))
        else:
            self._feedback(seg.id, code, False)
            self.notify(t("suggest.rejected", self.lang))
        self.suggestions.pop(number - 1)
        self.query_one(SuggestionsPanel).show_suggestions(self.view, self.suggestions, self.lang)
        self.refresh_panels()

    def action_accept_all(self) -> None:
        seg = self.current
        if seg is None:
            return
        keep = []
        for s in self.suggestions:
            if float(getattr(s, "score", 0.0)) >= SUGGEST_THRESHOLD:
                code = str(getattr(s, "code", ""))
                valence = getattr(s, "valence", None) or Valence.NONE
                if (
                    self._apply_code(
                        seg, code, valence=valence, memo=t("suggest.review_memo", self.lang)
                    )
                    is not None
                ):
                    self._feedback(seg.id, code, True)
            else:
                keep.append(s)
        self.suggestions = keep
        self.query_one(SuggestionsPanel).show_suggestions(self.view, self.suggestions, self.lang)
