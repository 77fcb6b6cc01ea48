"""The keys that move a cursor, the same in every list and table of the app.

docs/tui.md and the help screen promise j/k/g/G and Home/End everywhere; Textual's
DataTable and OptionList bind only the arrows (and a table's Home/End scroll sideways),
so the app's tables and option lists are these subclasses.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import DataTable, OptionList, SelectionList

NAV_BINDINGS: list[BindingType] = [
    Binding("down,j", "cursor_down", "key.down", show=False, id="down"),
    Binding("up,k", "cursor_up", "key.up", show=False, id="up"),
    Binding("pagedown", "page_down", "key.page_down", show=False, id="page_down"),
    Binding("pageup", "page_up", "key.page_up", show=False, id="page_up"),
    Binding("home,g", "first", "key.first", show=False, id="first"),
    Binding("end,G", "last", "key.last", show=False, id="last"),
]


class RowTable(DataTable[object]):
    """A table whose cursor is a row: Home/End and g/G go to the first and last row."""

    BINDINGS: ClassVar[list[BindingType]] = NAV_BINDINGS

    def action_first(self) -> None:
        if self.row_count:
            self.move_cursor(row=0)

    def action_last(self) -> None:
        if self.row_count:
            self.move_cursor(row=self.row_count - 1)


class NavList(OptionList):
    """An option list that also moves with j/k/g/G (OptionList has first/last already)."""

    BINDINGS: ClassVar[list[BindingType]] = NAV_BINDINGS


class NavSelectionList(SelectionList[str]):
    """A list of options to tick (Space) that moves with j/k/g/G as well."""

    BINDINGS: ClassVar[list[BindingType]] = NAV_BINDINGS
