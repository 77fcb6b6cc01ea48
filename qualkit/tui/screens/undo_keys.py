"""`u` and `Ctrl+R` on the screens that make codes (codebook, clusters), as on the transcript."""

from __future__ import annotations

from collections.abc import Callable

from textual.binding import Binding

from qualkit.errors import QualkitError
from qualkit.i18n import t
from qualkit.tui.error_text import error_text
from qualkit.tui.host import HostScreen
from qualkit.undo import Action
from qualkit.undo_codes import NewCode


def undo_bindings(screen: str) -> list[Binding]:
    return [
        Binding("u", "undo", "key.undo", id=f"{screen}_undo"),
        Binding("ctrl+r,U", "redo", "key.redo", show=False, id=f"{screen}_redo"),
    ]


def after_undo(host_screen: HostScreen, action: Action) -> None:
    """What the app must read again after `action` was undone or redone anywhere."""
    if isinstance(action, NewCode):
        host_screen.host.codebook_changed()  # hotkeys, marks, side panel
        if action.codings:
            host_screen.host.data_changed()  # search re-reads codings
    else:
        host_screen.host.data_changed()


class UndoKeys(HostScreen):
    """Undo and redo the coder's newest action from this screen, then show it again."""

    def undo_done(self) -> None:
        """Read what this screen shows again."""

    def _step(self, step: Callable[[], Action | None], done: str, nothing: str) -> None:
        try:
            action = step()
        except QualkitError as exc:
            self.notify(error_text(exc, self.lang), severity="error")
            return
        if action is None:
            self.notify(t(nothing, self.lang))
            return
        after_undo(self, action)
        self.notify(t(done, self.lang))
        self.undo_done()

    def action_undo(self) -> None:
        self._step(self.host.undo.undo, "transcript.undone", "transcript.nothing_undo")

    def action_redo(self) -> None:
        self._step(self.host.undo.redo, "transcript.redone", "transcript.nothing_redo")
