"""`u` and `Ctrl+R` on every screen that changes something undoable.

The app keeps one history of the coder's actions. Each screen undoes or redoes only the
newest action, and only when it was done in the screen's place (`qualkit.undo.place`):
otherwise it says where that action is undone, so a key never takes back, unseen,
something done on another screen. The toast names what was undone.
"""

from __future__ import annotations

from textual.binding import Binding

from qualkit.errors import QualkitError
from qualkit.i18n import t
from qualkit.tui.error_text import error_text
from qualkit.tui.host import HostScreen
from qualkit.tui.undo_text import describe, where_done
from qualkit.undo import CODING, Action, Place, place
from qualkit.undo_codes import MergeCode, MoveCode, NewCode, RenameCode


def undo_bindings(screen: str) -> list[Binding]:
    return [
        Binding("u", "undo", "key.undo", id=f"{screen}_undo"),
        Binding("ctrl+r,U", "redo", "key.redo", show=False, id=f"{screen}_redo"),
    ]


def after_undo(host_screen: HostScreen, action: Action) -> None:
    """What the app must read again after `action` was undone or redone anywhere."""
    if isinstance(action, RenameCode | MoveCode):
        host_screen.host.codebook_changed()  # labels, order and digits in the lists
    elif isinstance(action, NewCode):
        host_screen.host.codebook_changed()  # hotkeys, marks, side panel
        if action.codings:
            host_screen.host.data_changed()  # search re-reads codings
    elif isinstance(action, MergeCode):
        host_screen.host.codebook_changed()  # a code gone or back, hotkeys, marks
        host_screen.host.data_changed()  # its codings moved
    else:
        host_screen.host.data_changed()


def undo_step(screen: HostScreen, where: Place, *, redo: bool = False) -> Action | None:
    """Undo (or redo) the newest action if it was done at `where`, and say what happened;
    returns the action, or None when nothing was changed."""
    stack, project, lang = screen.host.undo, screen.host.project, screen.lang
    newest = stack.next_redo if redo else stack.next_undo
    if newest is None:
        screen.notify(t("transcript.nothing_redo" if redo else "transcript.nothing_undo", lang))
        return None
    what = describe(newest, project, lang)
    if place(newest) != where:
        text = t("undo.elsewhere_redo" if redo else "undo.elsewhere", lang)
        screen.notify(text.format(what=what, where=where_done(place(newest), project, lang)))
        return None
    try:
        action = stack.redo(where) if redo else stack.undo(where)
    except QualkitError as exc:
        screen.notify(error_text(exc, lang), severity="error")
        return None
    if action is None:  # not reached: the newest action was checked above
        return None
    screen.notify(t("undo.redone" if redo else "undo.undone", lang).format(what=what))
    return action


class UndoKeys(HostScreen):
    """Undo and redo the coder's newest action from this screen, then show it again."""

    def undo_place(self) -> Place:
        """Whose actions this screen's keys reach: the coding screens share theirs."""
        return (CODING, None)

    def undo_done(self) -> None:
        """Read what this screen shows again."""

    def _step(self, redo: bool) -> None:
        action = undo_step(self, self.undo_place(), redo=redo)
        if action is not None:
            after_undo(self, action)
            self.undo_done()

    def action_undo(self) -> None:
        self._step(redo=False)

    def action_redo(self) -> None:
        self._step(redo=True)
