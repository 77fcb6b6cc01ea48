"""What every part of the transcript screen shares: the view, the cursor, the panels.

The transcript screen is built from this base, its correcting actions
(`transcript_correct`) and its suggestion actions (`transcript_suggest`).
"""

from __future__ import annotations

import gc

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import Footer, Static

from qualkit.errors import QualkitError
from qualkit.i18n import t
from qualkit.model import Coding, Recording, Segment, Valence
from qualkit.tui.error_text import error_text
from qualkit.tui.host import HostScreen
from qualkit.tui.state import RecordingView
from qualkit.tui.widgets.panels import CodebookPanel, CodingsPanel, SuggestionsPanel
from qualkit.tui.widgets.segment_list import SegmentList
from qualkit.tui.widgets.virtual_list import CursorList

# Codebook counts follow coding actions after this delay (see _schedule_counts).
COUNTS_DELAY_S = 0.05
# How often the screen asks the database whether another program wrote to it.
WATCH_INTERVAL_S = 1.0


class TranscriptBase(HostScreen):
    """Segments on the left, codebook, codings and suggestions on the right."""

    def __init__(
        self, recording: Recording, segment_id: int | None = None, highlight: str = ""
    ) -> None:
        super().__init__()
        self.recording = recording
        self.start_segment = segment_id
        self.highlight = highlight
        # The coding the next valence, memo or Delete acts on, by id: never "whatever is
        # last on the segment", which another coder's new coding could silently become.
        self.selected_id: int | None = None
        self.pending: str | None = None  # "accept" or "reject" waits for a digit
        self._counts_timer: Timer | None = None
        self._store_version = -1
        self.view: RecordingView

    def compose(self) -> ComposeResult:
        host = self.host
        self.view = RecordingView(
            host.project, self.recording, host.codebook_id, host.coder, host.blind
        )
        self._store_version = host.project.store.data_version()
        self.compose_bindings()
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
        self.seglist.highlight = self.highlight
        self.seglist.set_view(self.view, cursor)
        self.seglist.focus()
        gc.freeze()  # the transcript's objects stay while it is open: see app.prepare_search_index
        # Only once laid out does the list know its height: then bring the segment into view.
        self.call_after_refresh(self.seglist.scroll_to_cursor)
        self.query_one(SuggestionsPanel).title = t("suggest.title", self.lang)
        self.refresh_panels()
        self.refresh_counts()
        self.set_interval(WATCH_INTERVAL_S, self.check_store)
        self.cursor_settled()

    def cursor_settled(self) -> None:
        """The cursor came to a segment (suggestions hook in here)."""

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
        """The selected coding; without a selection, this coder's own newest on the segment."""
        codings = self.current_codings()
        chosen = next((c for c in codings if c.id == self.selected_id), None)
        if chosen is None:
            own = [c for c in codings if c.coder == self.host.coder]
            chosen = own[-1] if own else None
            self.selected_id = chosen.id if chosen else None
        return chosen

    def own_target(self) -> Coding | None:
        """The selected coding if this coder may change it; else a message and None."""
        self.check_store()
        coding = self.target_coding()
        others = self.current_codings()
        if coding is None and not others:
            self.notify(t("transcript.no_coding_selected", self.lang), severity="warning")
            return None
        if coding is None or coding.coder != self.host.coder:
            coding = coding or others[-1]
            said = t("transcript.other_coder", self.lang).format(coder=coding.coder)
            if self.unnamed:  # most likely a named coder who forgot --coder: say how
                said += " " + t("transcript.unnamed_coder", self.lang).format(coder=self.host.coder)
            self.notify(said, severity="warning")
            return None
        return coding

    def check_store(self) -> None:
        """Another program (the CLI, a second coder) wrote to the database: read it again."""
        try:
            version = self.host.project.store.data_version()
        except QualkitError:
            return  # a team's server away for a moment: the next look tries again
        if version == self._store_version:
            return
        self._store_version = version
        self.after_structure_change(rebuild_index=False)

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
        bits.append(f"[i]{self.coder_shown()}[/i]")
        if self.host.blind:
            bits.append(f"[reverse] {t('transcript.blind', self.lang)} [/reverse]")
        withdrawn = [s.name for s in view.speakers.values() if s.withdrawn]
        if withdrawn:
            bits.append(
                f"[b red]⊘ {t('transcript.withdrawn', self.lang)}: {', '.join(withdrawn)}[/]"
            )
        if self.pending:  # first, so a narrow terminal never cuts it off
            bits.insert(0, f"[reverse] {escape(self.pending_hint())} [/reverse]")
        self.query_one("#transcript_header", Static).update("  ·  ".join(bits))
        memos = self.host.project.store.memos("segment", str(seg.id)) if seg else []
        target = self.target_coding()
        self.query_one(CodingsPanel).show(
            view,
            self.current_codings(),
            target.id if target else None,
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
            self.host.coded(seg.id)
            self.view.reload_segment_codings(seg.id)
        self.seglist.refresh()
        self.refresh_panels(counts=True)

    def after_structure_change(self, rebuild_index: bool = True) -> None:
        """Text, split, merge, speakers, undo or another writer: read the recording again."""
        seg = self.current
        if rebuild_index:
            self.host.data_changed()
        self.view.reload()
        if seg is not None:
            idx = self.view.index_of(seg.id)
            if idx is not None:
                self.seglist.cursor = idx
        self.seglist.data_changed()
        self.refresh_panels(counts=True)

    def apply_code(
        self,
        seg: Segment,
        code: str,
        valence: Valence = Valence.NONE,
        span: tuple[int, int] | None = None,
        memo: str | None = None,
    ) -> Coding | None:
        try:
            coding = self.host.undo.add_coding(
                seg.id, code, codebook=self.view.codebook_id, valence=valence, span=span, memo=memo
            )
        except QualkitError as exc:
            self.error(exc)
            return None
        self.selected_id = coding.id  # the next valence key acts on this very coding
        self.after_coding_change()
        return coding

    def pending_hint(self) -> str:
        """What the waiting `a`/`x` expects ('a: välj förslag 1-3, Esc avbryter')."""
        return ""

    def error(self, exc: Exception) -> None:
        self.notify(error_text(exc, self.lang), title=t("error", self.lang), severity="error")

    # -------------------------------------------------------------- cursor
    @on(CursorList.CursorMoved)
    def _moved(self, _event: CursorList.CursorMoved) -> None:
        self.selected_id = None
        self.pending = None  # a half-typed "a"/"x" never applies to another segment
        self.refresh_panels()
        self.cursor_settled()
