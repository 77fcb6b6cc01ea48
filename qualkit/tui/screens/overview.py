"""Project overview: recordings, stages, coding progress per factor; start transcription."""

from __future__ import annotations

import threading
from collections import defaultdict
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.markup import escape
from textual.widgets import DataTable, Footer, ProgressBar, Static

from qualkit.codebook import title
from qualkit.i18n import t
from qualkit.model import Recording, StageStatus
from qualkit.pipeline import events as pipeline_events
from qualkit.tui.host import HostScreen
from qualkit.tui.messages import PipelineCancelled, PipelineDone, PipelineFailed, PipelineProgress
from qualkit.tui.screens.speakers import SpeakersScreen
from qualkit.tui.state import fmt_time, hotkeys
from qualkit.tui.widgets.nav import RowTable

# The recording's columns: label key, width, width at a narrow terminal. The factor
# columns come after them, 3 wide each.
COLUMNS = (
    ("recording", 24, 16),
    ("kommun", 12, 10),
    ("group", 11, 11),
    ("duration", 7, 7),
    ("stage", 15, 15),
    ("segments", 7, 7),
    ("coded", 11, 6),
)
COLUMNS_WIDE = [(key, wide) for key, wide, _narrow in COLUMNS]
# Which go first when the terminal is too narrow for all: the coding per factor is what
# the overview is opened for, so the recording's facts give way to it, least used first.
DROP_ORDER = ("duration", "group", "stage", "segments", "kommun")
FACTOR_WIDTH = 3
CELL_PADDING = 2  # a DataTable cell's padding, one column each side
SCROLLBAR = 2  # kept free for the vertical scrollbar of a long list


def fit_columns(width: int, factors: int) -> list[tuple[str, int]]:
    """The recording's columns (label key, width) that leave room for every factor column
    in a terminal `width` wide: all at full width if they fit, else narrower, then fewer."""
    room = width - SCROLLBAR - factors * (FACTOR_WIDTH + CELL_PADDING)

    def cost(cols: list[tuple[str, int]]) -> int:
        return sum(w + CELL_PADDING for _k, w in cols)

    if cost(COLUMNS_WIDE) <= room:
        return list(COLUMNS_WIDE)
    cols = [(key, narrow) for key, _wide, narrow in COLUMNS]
    for gone in DROP_ORDER:
        if cost(cols) <= room:
            break
        cols = [(key, w) for key, w in cols if key != gone]
    return cols


class OverviewScreen(HostScreen):
    """Every recording with its stage and how far its coding has come."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "key.open", id="open"),
        Binding("S", "speakers", "key.speakers", id="overview_speakers"),
        Binding("T", "transcribe", "key.transcribe", id="transcribe"),
        Binding("B", "app.browser", "key.browser", id="overview_browser"),
        Binding("K", "app.codebook", "key.codebook", id="overview_codebook"),
        Binding("escape", "cancel_pipeline", "key.cancel", show=False, id="cancel_pipeline"),
        Binding("R", "refresh", "key.refresh", show=False, id="refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.recordings: list[Recording] = []
        self.cancel_event: threading.Event | None = None
        self._columns: list[tuple[str, int]] = []
        self._factor_count = 0

    def compose(self) -> ComposeResult:
        self.compose_bindings()
        yield Static(id="overview_header")
        yield RowTable(id="recordings", cursor_type="row", zebra_stripes=True)
        yield Static(id="factor_progress")
        yield ProgressBar(id="pipeline_bar", show_eta=False)
        yield Static(id="pipeline_status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#pipeline_bar").display = False
        self.load()
        self.query_one(DataTable).focus()

    def on_screen_resume(self) -> None:
        self.load()

    def on_resize(self) -> None:
        # A wider or narrower terminal may fit other columns: lay the table out again.
        if self._columns and fit_columns(self.app.size.width, self._factor_count) != self._columns:
            self.load()

    def load(self) -> None:
        lang = self.lang
        project = self.host.project
        store = project.store
        coder = self.host.coder if self.host.blind else None
        self.recordings = project.recordings()
        book = project.codebook(self.host.codebook_id)
        keys = sorted(hotkeys(book).items())
        self._factor_count = len(keys)
        per_rec: dict[int, dict[str, int]] = defaultdict(dict)
        for rec_id, code, n in store.recording_coding_counts(self.host.codebook_id, coder):
            per_rec[rec_id][code] = n
        coded_segments = store.coded_segment_counts(self.host.codebook_id, coder)
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        self._columns = fit_columns(self.app.size.width, len(keys))
        shown = [key for key, _w in self._columns]
        for key, width in self._columns:
            table.add_column(t(f"overview.{key}", lang), width=width)
        for digit, _code in keys:
            table.add_column(digit, width=FACTOR_WIDTH)
        seg_counts = store.segment_counts()
        # Narrow, "Kodade" says only the share: the count needs the segments beside it.
        narrow_coded = dict(self._columns).get("coded") != dict(COLUMNS_WIDE)["coded"]
        for rec in self.recordings:
            n_seg = seg_counts.get(rec.id, 0)
            n_coded = coded_segments.get(rec.id, 0)
            pct = f"{100 * n_coded // n_seg}%" if n_seg else "-"
            cells = {
                "recording": rec.name,
                "kommun": rec.kommun or "",
                "group": rec.group_type.value if rec.group_type else "",
                "duration": fmt_time(rec.duration_s) if rec.duration_s else "",
                "stage": _stage(rec, lang),
                "segments": str(n_seg),
                "coded": pct if narrow_coded else f"{n_coded} ({pct})",
            }
            table.add_row(
                *[cells[key] for key in shown],
                *[str(per_rec[rec.id].get(code.key, 0) or "") for _d, code in keys],
                key=str(rec.id),
            )
        if self.recordings:
            table.move_cursor(row=min(max(row, 0), len(self.recordings) - 1))
        header = f"[b]{t('overview.title', lang)}[/b]  {project.root.name}  ·  {self.coder_shown()}"
        if not self.recordings:
            header += f"\n\n{t('overview.empty', lang)}"
        self.query_one("#overview_header", Static).update(header)
        totals = store.coding_counts(self.host.codebook_id, coder=coder)
        label = t("overview.progress_blind" if coder else "overview.progress", lang)
        name = f" ({title(book, lang)})"  # measured as typed, shown escaped below
        # The codebook's name only where it fits on the line: the codebook screen shows it.
        lines = [f"[b]{label}[/b]{escape(name) if len(label + name) < self.app.size.width else ''}"]
        for digit, factor in keys:
            tally = totals.get(factor.key, {})
            lines.append(
                f"[b #ffaf00]{digit}[/] {factor.label(lang)[:48]:<48} "
                f"[#5fd75f]+{tally.get('främjande', 0):<4}[/] "
                f"[#ff5f5f]-{tally.get('hindrande', 0):<4}[/] "
                f"[#5fafff]!{tally.get('förslag', 0):<4}[/] ·{tally.get('ingen', 0)}"
            )
        self.query_one("#factor_progress", Static).update("\n".join(lines))

    def selected(self) -> Recording | None:
        table = self.query_one(DataTable)
        if not self.recordings or table.cursor_row < 0:
            return None
        return self.recordings[min(table.cursor_row, len(self.recordings) - 1)]

    @on(DataTable.RowSelected)
    def _row_selected(self, _event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        rec = self.selected()
        if rec is not None:
            self.host.open_transcript(rec.id)

    def action_speakers(self) -> None:
        rec = self.selected()
        if rec is not None:
            self.app.push_screen(SpeakersScreen(rec))

    def action_refresh(self) -> None:
        self.load()

    # ------------------------------------------------------------ pipeline
    def action_transcribe(self) -> None:
        lang = self.lang
        if self.cancel_event is not None:
            return
        # Every recording with audio that is not finished: new, cancelled, failed, or
        # left "running" by a process that was killed (the store reads that as
        # interrupted). The runner reuses what is done. One that another live process is
        # transcribing is left to it.
        todo = [
            r.id
            for r in self.recordings
            if r.audio_path
            and r.pipeline_state != "done"
            and StageStatus.RUNNING not in r.stages.values()
        ]
        if not todo:
            self.notify(t("overview.nothing_to_transcribe", lang))
            return
        self.cancel_event = threading.Event()
        bar = self.query_one("#pipeline_bar", ProgressBar)
        bar.display = True
        bar.update(total=100, progress=0)
        self.query_one("#pipeline_status", Static).update(t("overview.transcribing", lang))
        self.transcribe(todo, self.cancel_event)

    @work(thread=True, exclusive=True, group="pipeline")
    def transcribe(self, recording_ids: list[int], cancel: threading.Event) -> None:
        def progress(event: object) -> None:
            fraction = getattr(event, "fraction", None)
            self.post_message(PipelineProgress(str(event), fraction))

        try:
            pipeline_events.run_pipeline(
                self.host.project, recording_ids, on_progress=progress, cancel=cancel
            )
        except Exception as exc:  # shown to the user; the app must survive a failed run
            self.post_message(PipelineFailed(str(exc) or type(exc).__name__))
            return
        if cancel.is_set():
            self.post_message(PipelineCancelled())
        else:
            self.post_message(PipelineDone(tuple(recording_ids)))

    def action_cancel_pipeline(self) -> None:
        if self.cancel_event is not None:
            self.cancel_event.set()

    @property
    def transcribing(self) -> bool:
        """Whether a transcription started here is still running."""
        return self.cancel_event is not None

    @on(PipelineProgress)
    def _progress(self, message: PipelineProgress) -> None:
        self.query_one("#pipeline_status", Static).update(message.text[:200])
        if message.fraction is not None:
            self.query_one("#pipeline_bar", ProgressBar).update(progress=100 * message.fraction)

    def _finish(self, text: str, severity: str = "information") -> None:
        self.cancel_event = None
        self.query_one("#pipeline_bar").display = False
        self.query_one("#pipeline_status", Static).update(text)
        self.notify(text, severity=severity)  # type: ignore[arg-type]
        self.load()

    @on(PipelineDone)
    def _done(self, _message: PipelineDone) -> None:
        self._finish(t("overview.done", self.lang))

    @on(PipelineFailed)
    def _failed(self, message: PipelineFailed) -> None:
        self._finish(f"{t('overview.failed', self.lang)}: {message.error}", "error")

    @on(PipelineCancelled)
    def _cancelled(self, _message: PipelineCancelled) -> None:
        self._finish(t("overview.cancelled", self.lang), "warning")


def _stage(rec: Recording, lang: str) -> str:
    """Where the recording's pipeline stands, in the interface language (`qualkit status`
    names a failed stage)."""
    return t(f"stage.{rec.pipeline_state}", lang)
