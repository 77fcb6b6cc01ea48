"""The coding app: `build_app(project_path, ...)` for tests, `main()` for `python tui.py`."""

from __future__ import annotations

import argparse
import dataclasses
import gc
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from textual import events
from textual.app import App
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.screen import Screen
from textual.worker import WorkerFailed

from qualkit import playback, resolve
from qualkit.errors import QualkitError
from qualkit.i18n import LANGS, default_lang, t
from qualkit.project import DEFAULT_CODEBOOK, Project, open_project
from qualkit.search import SearchIndex
from qualkit.tui.audio import AudioControl
from qualkit.tui.collector import QUIET_S, QuietCollector
from qualkit.tui.error_text import error_text
from qualkit.tui.guard import NoticeOnError, qualkit_error, show_error
from qualkit.tui.screens.adopt import AdoptDialog, PassageList
from qualkit.tui.screens.clusters import ClustersScreen
from qualkit.tui.screens.codebook import CodebookScreen
from qualkit.tui.screens.dialogs import ConfirmDialog, unsaved_edits
from qualkit.tui.screens.disagreements import DisagreementScreen
from qualkit.tui.screens.help import HelpScreen
from qualkit.tui.screens.overview import OverviewScreen
from qualkit.tui.screens.pseudonyms import PseudonymScreen
from qualkit.tui.screens.search import CodeBrowserScreen, SearchScreen
from qualkit.tui.screens.speakers import SpeakersScreen
from qualkit.tui.screens.transcribe import TranscribeDialog
from qualkit.tui.screens.transcript import TranscriptScreen
from qualkit.tui.state import digit_span, hotkeys
from qualkit.tui.widgets.nav import NAV_BINDINGS
from qualkit.undo import UndoStack

# Seconds after start before the search index is built in the background.
INDEX_DELAY_S = 0.5
# Seconds a read waits for a team's database server that went away before the app says
# so (the CLI waits the lock's 30 s); the next action tries again.
RECONNECT_S = 3.0


class QualkitApp(NoticeOnError, App[None]):
    """Keyboard-first coding of focus-group transcripts; every action is saved at once."""

    CSS_PATH = "qualkit.tcss"
    # Narrow terminals (80 columns) get a slimmer sidebar and transcript gutter.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012
    TITLE = "qualkit"
    ENABLE_COMMAND_PALETTE = False

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark,f1", "help", "key.help", id="help"),
        Binding("q", "quit", "key.quit", id="quit"),
        Binding("slash", "search", "key.search", id="search"),
        Binding("B", "browser", "key.browser", show=False, id="browser"),
        Binding("K", "codebook", "key.codebook", show=False, id="codebook"),
        Binding("C", "clusters", "key.clusters", show=False, id="clusters"),
        Binding("O", "overview", "key.overview", show=False, id="overview"),
        Binding("D", "disagreements", "key.disagreements", show=False, id="disagreements"),
        Binding("P", "pseudonyms", "key.pseudonyms", show=False, id="pseudonyms"),
    ]

    def __init__(
        self,
        project: Project,
        *,
        coder: str = "default",
        blind: bool = False,
        lang: str | None = None,
        recording: str | None = None,
    ) -> None:
        super().__init__()
        self.project = project
        project.store.reconnect_within(RECONNECT_S)
        self.coder = coder
        self.blind = blind
        self.lang = lang if lang in LANGS else default_lang()
        self.start_recording = recording
        self.codebook_id = DEFAULT_CODEBOOK
        if DEFAULT_CODEBOOK not in project.codebook_ids() and project.codebook_ids():
            self.codebook_id = project.codebook_ids()[0]
        self.undo = UndoStack(project, coder=coder)
        self.player = playback.Player()
        # Through a lambda: tests replace `notify` after the app is built.
        self.audio = AudioControl(
            self.player, project.root, self.lang, lambda *a, **k: self.notify(*a, **k)
        )
        self._search_index: SearchIndex | None = None
        self._marks: tuple[str, dict[str, str]] | None = None
        self._index_generation = 0
        self._closed = False
        self.touched_segments: set[int] = set()  # coded since search last looked
        self.collector = QuietCollector()
        self.title = t("app.title", self.lang)
        self.translate_bindings(self)

    # ---------------------------------------------------------------- setup
    def translate_bindings(self, node: DOMNode) -> None:
        """Binding descriptions are i18n keys; show them in the interface language."""
        for key, bindings in list(node._bindings.key_to_bindings.items()):
            node._bindings.key_to_bindings[key] = [
                dataclasses.replace(b, description=t(b.description, self.lang))
                if b.description.startswith(("key.", "dialog."))
                else b
                for b in bindings
            ]

    def on_mount(self) -> None:
        self.collector.hold()
        self.set_interval(QUIET_S, self.collector.tick)
        self.push_screen(OverviewScreen())
        # After the first screen is up, so building it never delays opening.
        self.set_timer(INDEX_DELAY_S, self.prepare_search_index)
        if self.start_recording:
            try:
                rec = self.project.recording(self.start_recording)
            except QualkitError as exc:
                self.notify(error_text(exc, self.lang), severity="error")
                return
            self.open_transcript(rec.id)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent):
            self.collector.input_seen()
        await super().on_event(event)

    def _handle_exception(self, error: Exception) -> None:
        # What NoticeOnError did not catch (a worker, a callback after a refresh, a
        # widget's handler): a user's error is a notice here too, never the end of the app.
        found = qualkit_error(error)
        if found is None and self._closed and isinstance(error, WorkerFailed):
            # A thread still at work (the search index, a suggestion) when the project was
            # closed at exit: its result has nowhere to go, and a traceback at exit would
            # save nothing (a transcription resumes on its next run; quitting asks first).
            return
        if found is None:
            super()._handle_exception(error)
            return
        show_error(self, found)

    def on_unmount(self) -> None:
        self.collector.release()
        self.player.stop()
        self._closed = True
        self.project.close()

    # ---------------------------------------------------------------- shared
    def search_index(self) -> SearchIndex:
        if self._search_index is None or self._search_index.codebook != self.codebook_id:
            self._search_index = self._new_index()
        return self._search_index

    def _new_index(self) -> SearchIndex:
        index = SearchIndex(self.project, self.codebook_id)
        if self.blind:
            index.reload_codings(self.coder)
        return index

    def prepare_search_index(self) -> None:
        """Build the search index in a thread so the first / is instant on a big study."""
        self._index_generation += 1
        generation = self._index_generation

        def build() -> None:
            index = self._new_index()
            if generation == self._index_generation and self._search_index is None:
                self._search_index = index
            # The index and the open transcript live as long as the app: moved out of the
            # collector's reach, a full collection no longer walks their hundreds of
            # thousands of objects in the middle of a keystroke (p95 of coding on a full study).
            gc.freeze()

        self.run_worker(build, thread=True, group="search-index", exclusive=True)

    def coded(self, segment_id: int) -> None:
        """A coding action touched this segment: search re-reads its codings when opened."""
        self.touched_segments.add(segment_id)

    def refresh_search_codings(self) -> None:
        if self._search_index is not None and self.touched_segments:
            self._search_index.reload_segment_codings(
                self.touched_segments, self.coder if self.blind else None
            )
        self.touched_segments = set()

    def code_marks(self) -> dict[str, str]:
        """Code key -> its hotkey digit in the active codebook (for compact code marks)."""
        if self._marks is None or self._marks[0] != self.codebook_id:
            book = self.project.codebook(self.codebook_id)
            self._marks = (self.codebook_id, {c.key: d for d, c in hotkeys(book).items()})
        return self._marks[1]

    def get_key_display(self, binding: Binding) -> str:
        # The digit keys that code stand for the active codebook's hotkeys ("1-8" for
        # Danermark), not every digit: a key that only answers "no code" is not offered.
        if binding.id and re.fullmatch(r"code_\d", binding.id):  # not code_add, code_merge
            return digit_span(self.code_marks().values())
        return super().get_key_display(binding)

    def data_changed(self) -> None:
        """Segments changed: the search index is rebuilt (in the background)."""
        self._search_index = None
        self.prepare_search_index()

    def codebook_changed(self) -> None:
        self._search_index = None
        self._marks = None
        for screen in self.screen_stack:
            if isinstance(screen, TranscriptScreen):
                screen.view.switch_codebook(self.codebook_id)
                screen.seglist.refresh()
                screen.codebook_switched()
                screen.refresh_panels(counts=True)

    def open_transcript(
        self, recording_id: int, segment_id: int | None = None, highlight: str = ""
    ) -> None:
        """Open a recording at a segment; `highlight` (a searched word) is marked in it."""
        rec = self.project.store.recording(recording_id)
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.push_screen(TranscriptScreen(rec, segment_id, highlight))

    def all_bindings(self) -> list[tuple[str, list[Binding]]]:
        """(section title, bindings) for the help screen: the app and every screen."""

        def bindings(cls: type[DOMNode] | list[BindingType]) -> list[Binding]:
            raw = cls if isinstance(cls, list) else list(cls.BINDINGS)
            return [b for b in Binding.make_bindings(raw)]

        lang = self.lang
        return [
            (t("help.global", lang), bindings(QualkitApp) + bindings(NAV_BINDINGS)),
            (t("overview.title", lang), bindings(OverviewScreen)),
            (t("transcript.title", lang), bindings(TranscriptScreen)),
            (t("speakers.title", lang), bindings(SpeakersScreen)),
            (t("search.title", lang), bindings(SearchScreen)),
            (t("browser.title", lang), bindings(CodeBrowserScreen)),
            (t("codebook.title", lang), bindings(CodebookScreen)),
            (t("clusters.title", lang), bindings(ClustersScreen)),
            (t("clusters.adopt_title", lang), bindings(AdoptDialog) + bindings(PassageList)),
            (t("disagreements.title", lang), bindings(DisagreementScreen)),
            (t("key.pseudonyms", lang), bindings(PseudonymScreen)),
            (t("transcribe.title", lang), bindings(TranscribeDialog)),
        ]

    # --------------------------------------------------------------- actions
    async def action_quit(self) -> None:
        """Quit (Ctrl+Q anywhere, `q` where no field takes it). A dialog with unsaved
        text (the segment editor, a memo) first asks, as its Escape does, whether to
        throw the text away; on no, the dialog stays as it was."""
        if any(unsaved_edits(s) for s in self.screen_stack):
            if isinstance(self.screen, ConfirmDialog):
                return  # already asking something: answer that first

            def discard(yes: bool | None) -> None:
                if yes:
                    self._quit_unless_running()

            self.push_screen(ConfirmDialog(t("dialog.discard", self.lang), self.lang), discard)
            return
        self._quit_unless_running()

    def _quit_unless_running(self) -> None:
        """Quit; while a transcription runs, ask first, and stop it cleanly on yes (its
        stage is then marked interrupted and the next run resumes there)."""
        running = [s for s in self.screen_stack if isinstance(s, OverviewScreen) and s.transcribing]
        if not running:
            self.exit()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                for screen in running:
                    screen.action_cancel_pipeline()
                self.exit()

        self.push_screen(ConfirmDialog(t("overview.quit_running", self.lang), self.lang), answered)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_help_quit(self) -> None:
        """Ctrl+C does not quit (it copies in a text field): say how to, in the app's language."""
        for key, active in self.active_bindings.items():
            if active.binding.action in ("quit", "app.quit"):
                self.notify(
                    t("app.quit_hint", self.lang).format(key=key),
                    title=t("app.quit_title", self.lang),
                )
                return

    def _push_once(self, screen: Screen[Any]) -> None:
        if type(self.screen) is not type(screen):
            self.push_screen(screen)

    def action_search(self) -> None:
        # Kept installed: building the screen costs more than searching 25,000 segments.
        if not self.is_screen_installed("search"):
            self.install_screen(SearchScreen(), "search")
        if not isinstance(self.screen, SearchScreen):
            self.push_screen("search")

    def action_browser(self) -> None:
        self._push_once(CodeBrowserScreen())

    def action_codebook(self) -> None:
        self._push_once(CodebookScreen())

    def action_clusters(self) -> None:
        self._push_once(ClustersScreen())

    def action_overview(self) -> None:
        while len(self.screen_stack) > 2:
            self.pop_screen()

    def action_disagreements(self) -> None:
        coders = tuple(c.name for c in self.project.store.coders())
        self.push_screen(DisagreementScreen(self.project, coders, codebook=self.codebook_id))

    def action_pseudonyms(self) -> None:
        self.push_screen(PseudonymScreen(self.project))


def build_app(
    project_path: Path | str,
    *,
    coder: str | None = None,
    blind: bool = False,
    lang: str | None = None,
    recording: str | None = None,
) -> QualkitApp:
    """Open the project (QualkitError if it is not one) and build the app around it."""
    project = open_project(project_path)
    coder = resolve.coder_name(project.store, coder or resolve.default_coder(project.store))
    return QualkitApp(project, coder=coder, blind=blind, lang=lang, recording=recording)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="qualkit tui", description="The coding app.")
    parser.add_argument("project", nargs="?", type=Path, default=Path("."))
    add_options(parser)
    return parser.parse_args(argv)


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--coder", help=resolve.CODER_HELP)
    parser.add_argument(
        "--blind", action="store_true", help="show only this coder's codings and counts"
    )
    parser.add_argument("--lang", choices=LANGS, help="interface language (default sv)")
    parser.add_argument("--recording", help="open this recording's transcript at once")


def run(
    project: Path,
    *,
    coder: str | None = None,
    blind: bool = False,
    lang: str | None = None,
    recording: str | None = None,
) -> int:
    try:
        app = build_app(project, coder=coder, blind=blind, lang=lang, recording=recording)
    except QualkitError as exc:
        print(f"qualkit: error: {exc}", file=sys.stderr)
        return 2
    note = resolve.coder_note(app.project.store, coder) if coder else None
    if note:
        print(f"qualkit: warning: {note}", file=sys.stderr)
    app.run()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    return run(
        args.project, coder=args.coder, blind=args.blind, lang=args.lang, recording=args.recording
    )
