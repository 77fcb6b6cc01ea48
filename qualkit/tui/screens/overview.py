"""Project overview: recordings, stages, coding progress per factor; start transcription."""

from __future__ import annotations

import threading
from collections import defaultdict
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, ProgressBar, Static

from qualkit.i18n import t
from qualkit.model import Recording, StageStatus
from qualkit.pipeline import events as pipeline_events
from qualkit.tui.host import HostScreen
from qualkit.tui.messages import PipelineCancelled, PipelineDone, PipelineFailed, PipelineProgress
from qualkit.tui.screens.speakers import SpeakersScreen
from qualkit.tui.state import fmt_time, hotkeys
from qualkit.tui.widgets.nav import RowTable


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

    def load(self) -> None:
        lang = self.lang
        project = self.host.project
        store = project.store
        coder = self.host.coder if self.host.blind else None
        self.recordings = project.recordings()
        book = project.codebook(self.host.codebook_id)
        keys = sorted(hotkeys(book).items())
        per_rec: dict[int, dict[str, int]] = defaultdict(dict)
        for rec_id, code, n in store.recording_coding_counts(self.host.codebook_id, coder):
            per_rec[rec_id][code] = n
        coded_segments = store.coded_segment_counts(self.host.codebook_id, coder)
        table = self.query_one(DataTable)
        table.clear(columns=True)
        for label, width in (
            (t("overview.recording", lang), 24),
            (t("overview.kommun", lang), 12),
            (t("overview.group", lang), 11),
            (t("overview.duration", lang), 7),
            (t("overview.stage", lang), 15),
            (t("overview.segments", lang), 7),
            (t("overview.coded", lang), 11),
            *[(digit, 3) for digit, _code in keys],
        ):
            table.add_column(label, width=width)
        seg_counts = store.segment_counts()
        for rec in self.recordings:
            n_seg = seg_counts.get(rec.id, 0)
            n_coded = coded_segments.get(rec.id, 0)
            pct = f"{100 * n_coded // n_seg}%" if n_seg else "-"
            table.add_row(
                rec.name,
                rec.kommun or "",
                rec.group_type.value if rec.group_type else "",
                fmt_time(rec.duration_s) if rec.duration_s else "",
                _stage(rec, lang),
                str(n_seg),
                f"{n_coded} ({pct})",
                *[str(per_rec[rec.id].get(code.key, 0) or "") for _d, code in keys],
                key=str(rec.id),
            )
        header = f"[b]{t('overview.title', lang)}[/b]  {project.root.name}  ·  {self.host.coder}"
        if not self.recordings:
            header += f"\n\n{t('overview.empty', lang)}"
        self.query_one("#overview_header", Static).update(header)
        totals = store.coding_counts(self.host.codebook_id, coder=coder)
        lines = [f"[b]{t('overview.progress', lang)}[/b] ({book.name})"]
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
