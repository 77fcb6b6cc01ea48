"""The audio keys of the coding app: play, pause, wind back and change speed while typing.

The same keys work on the transcript screen and in the text editor, so a coder correcting
a transcript never takes the hands off the keyboard. Function keys are used because
letters are text in the editor, F1 is help and F6/F7 select text there.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.binding import Binding, BindingType

from qualkit.i18n import t
from qualkit.model import Recording
from qualkit.playback import REWIND_S, Player, PlayResult

AUDIO_BINDINGS: list[BindingType] = [
    Binding("f2", "play_pause", "key.play_pause", show=False, id="audio_play_pause"),
    Binding("f3", "rewind", "key.rewind", show=False, id="audio_rewind"),
    Binding("f4", "speed(-1)", "key.slower", show=False, id="audio_slower"),
    Binding("f5", "speed(1)", "key.faster", show=False, id="audio_faster"),
]

Notify = Callable[..., None]


class AudioControl:
    """The app's one player, with the messages a coder sees for each key."""

    def __init__(self, player: Player, root: Path, lang: str, notify: Notify) -> None:
        self.player = player
        self.root = root
        self.lang = lang
        self.notify = notify

    def play(self, recording: Recording, start: float | None, end: float | None) -> bool:
        audio = self.root / recording.audio_path if recording.audio_path else None
        self._say(self.player.play(audio, start, end))
        return self.player.playing

    def stop(self) -> bool:
        """Stop what is playing; False when nothing was."""
        if not self.player.stop():
            return False
        self.notify(t("audio.stopped", self.lang), timeout=2)
        return True

    def play_pause(self, recording: Recording, start: float | None, end: float | None) -> None:
        """Pause or go on with the clip; with none, play this stretch."""
        state = self.player.toggle_pause()
        if state == "idle":
            self.play(recording, start, end)
        else:
            self.notify(f"{t('audio.' + state, self.lang)}  {self.status()}", timeout=2)

    def rewind(self) -> None:
        result = self.player.rewind(REWIND_S)
        if result.message == "idle":
            self.notify(t("audio.idle", self.lang), timeout=2)
        else:
            self._say(result)

    def speed(self, step: int) -> None:
        self.player.step_speed(step)
        self.notify(f"{t('audio.speed', self.lang)} {self.player.speed:g}x", timeout=2)

    def status(self) -> str:
        """'▶ 01:02.5  1x', '⏸ ...' or '' when nothing plays."""
        at = self.player.position()
        if at is None:
            return f"{self.player.speed:g}x"
        mark = "⏸" if self.player.paused else "▶"
        return f"{mark} {int(at) // 60:02d}:{at % 60:04.1f}  {self.player.speed:g}x"

    def _say(self, result: PlayResult) -> None:
        if result.ok:
            self.notify(f"{t('audio.playing', self.lang)}  {self.status()}", timeout=2)
        else:
            self.notify(t(f"audio.{result.message}", self.lang), severity="warning")
