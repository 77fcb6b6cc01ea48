"""Transcription mode: correct one segment after another while its audio plays.

`t` on the transcript screen opens the editor on the segment and plays it. While typing,
F2 pauses and goes on, F3 winds back three seconds, F4/F5 play slower or
faster. Ctrl+S saves and goes on to the next segment, which plays at once; Esc ends the
mode (asking first if the text was changed) and stops the audio.
"""

from __future__ import annotations

from typing import ClassVar, cast

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Label, TextArea

from qualkit.i18n import t
from qualkit.model import Recording, Segment
from qualkit.tui.audio import AUDIO_BINDINGS
from qualkit.tui.host import Host
from qualkit.tui.screens.dialogs import EditDialog, error_line
from qualkit.tui.screens.transcript_correct import CorrectingActions

# How often the editor's line of audio status (position, speed) is redrawn.
STATUS_INTERVAL_S = 0.25


class TranscribeDialog(EditDialog):
    """The text editor with the segment's audio under the coder's fingers."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "key.cancel", id="dialog_cancel"),
        Binding("ctrl+s", "save", "key.save_next", id="dialog_save"),
        *AUDIO_BINDINGS,
    ]

    def __init__(self, recording: Recording, segment: Segment, position: str, lang: str) -> None:
        super().__init__(f"{t('transcribe.title', lang)}  {position}", segment.text, lang)
        self.recording = recording
        self.segment = segment

    @property
    def host(self) -> Host:
        return cast(Host, self.app)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label(self.prompt, classes="dialog-title")
            yield TextArea(self.text, id="dialog_text", soft_wrap=True)
            yield error_line()
            yield Label(id="transcribe_status")
            yield Label(t("transcribe.keys", self.lang), classes="dialog-hint")

    def on_mount(self) -> None:
        super().on_mount()
        self.host.translate_bindings(self)
        self.host.audio.play(self.recording, self.segment.start, self.segment.end)
        self.show_status()
        self.set_interval(STATUS_INTERVAL_S, self.show_status)

    def show_status(self) -> None:
        self.query_one("#transcribe_status", Label).update(self.host.audio.status())

    def action_play_pause(self) -> None:
        self.host.audio.play_pause(self.recording, self.segment.start, self.segment.end)
        self.show_status()

    def action_rewind(self) -> None:
        self.host.audio.rewind()
        self.show_status()

    def action_speed(self, step: int) -> None:
        self.host.audio.speed(step)
        self.show_status()


class TranscribingActions(CorrectingActions):
    """`t` and the audio keys of the transcript screen."""

    def action_play_pause(self) -> None:
        seg = self.current
        if seg is not None:
            self.host.audio.play_pause(self.recording, seg.start, seg.end)

    def action_rewind(self) -> None:
        self.host.audio.rewind()

    def action_speed(self, step: int) -> None:
        self.host.audio.speed(step)

    def action_transcribe(self) -> None:
        seg = self.current
        if seg is None:
            return
        position = f"{self.seglist.cursor + 1}/{len(self.view.segments)}"

        def done(text: str | None) -> None:
            if text is None:
                self.host.audio.stop()
                return
            if text != seg.text and not self.save_text(seg, text):
                self.host.audio.stop()
                return
            if self.seglist.cursor + 1 >= len(self.view.segments):
                self.host.audio.stop()
                self.notify(t("transcribe.done", self.lang))
                return
            self.seglist.move_to(self.seglist.cursor + 1)
            self.action_transcribe()

        dialog = TranscribeDialog(self.recording, seg, position, self.lang)
        self.app.push_screen(dialog, done)
