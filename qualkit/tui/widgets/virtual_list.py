"""A list that renders only the rows on screen (Textual's line API).

A widget per row is far too slow at 25,000 segments; this draws the visible
rows from plain data on every repaint and keeps a cursor.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment as RichSegment
from rich.style import Style
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from qualkit.tui.widgets.nav import NAV_BINDINGS

# Rows of context kept above and below the cursor while moving.
SCROLL_MARGIN = 3


class CursorList(ScrollView, can_focus=True):
    """Base for virtual lists: items laid out over rows, one item under the cursor."""

    BINDINGS = NAV_BINDINGS
    # Every item one row high: the layout is two ranges, not a loop over the items
    # (a search that finds 23,000 passages would otherwise build lists per keystroke).
    ONE_ROW_PER_ITEM: ClassVar[bool] = False

    @dataclass
    class CursorMoved(Message):
        list: CursorList
        index: int

        @property
        def control(self) -> CursorList:
            return self.list

    @dataclass
    class Chosen(Message):
        list: CursorList
        index: int

        @property
        def control(self) -> CursorList:
            return self.list

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.cursor = 0
        # first_row[i] = first screen row of item i; one extra entry = total rows
        self.first_row: Sequence[int] = [0]
        self.row_item: Sequence[int] = []
        self._laid_width = -1

    # ---------------------------------------------------------------- layout
    @property
    def item_count(self) -> int:
        return len(self.first_row) - 1

    def item_height(self, index: int, width: int) -> int:
        return 1

    def relayout(self) -> None:
        width = max(1, self.scrollable_content_region.width or self.size.width)
        if self.ONE_ROW_PER_ITEM:
            self.first_row = range(self.data_count() + 1)
            self.row_item = range(self.data_count())
        else:
            first = [0]
            row_item: list[int] = []
            for i in range(self.data_count()):
                h = max(1, self.item_height(i, width))
                row_item.extend([i] * h)
                first.append(first[-1] + h)
            self.first_row = first
            self.row_item = row_item
        self._laid_width = width
        self.virtual_size = Size(width, self.first_row[-1])
        self.cursor = min(self.cursor, max(0, self.item_count - 1))
        self.refresh()

    def data_count(self) -> int:
        return 0

    def on_resize(self, event: events.Resize) -> None:
        width = max(1, self.scrollable_content_region.width or self.size.width)
        if width != self._laid_width:
            self.relayout()
            self.scroll_to_cursor()

    # ---------------------------------------------------------------- render
    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if width != self._laid_width and width > 0:
            self.relayout()  # wrapped rows depend on the width
        row = self.scroll_offset.y + y
        if row >= len(self.row_item):
            if self.item_count == 0:
                return self.render_empty(row, width).adjust_cell_length(width)
            return Strip.blank(width)
        item = self.row_item[row]
        line = row - self.first_row[item]
        return self.render_item_line(item, line, width, item == self.cursor).adjust_cell_length(
            width
        )

    def render_empty(self, row: int, width: int) -> Strip:
        """Row `row` of what an empty list says (an explanation may take several rows)."""
        return Strip.blank(width)

    def render_item_line(self, index: int, line: int, width: int, selected: bool) -> Strip:
        style = Style(reverse=True) if selected else Style()
        return Strip([RichSegment(str(index), style)])

    # ---------------------------------------------------------------- cursor
    def move_to(self, index: int) -> None:
        if self.item_count == 0:
            return
        index = max(0, min(index, self.item_count - 1))
        changed = index != self.cursor
        self.cursor = index
        self.scroll_to_cursor()
        self.refresh()
        if changed:
            self.post_message(self.CursorMoved(self, index))

    def scroll_to_cursor(self) -> None:
        """Keep the cursor's item in view with a few rows of context around it."""
        if self.item_count == 0:
            return
        top = self.first_row[self.cursor]
        bottom = self.first_row[self.cursor + 1] - 1
        height = max(1, self.scrollable_content_region.height)
        margin = min(SCROLL_MARGIN, max(0, (height - (bottom - top + 1)) // 2))
        y = self.scroll_offset.y
        if top - margin < y:
            self.scroll_to(y=max(0, top - margin), animate=False, immediate=True)
        elif bottom + margin >= y + height:
            target = bottom + margin - height + 1 if bottom - top < height else top
            self.scroll_to(y=max(0, target), animate=False, immediate=True)

    def action_cursor_down(self) -> None:
        self.move_to(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_to(self.cursor - 1)

    def action_page_down(self) -> None:
        self.move_to(self._item_at_row(self.first_row[self.cursor] + self._page()))

    def action_page_up(self) -> None:
        self.move_to(self._item_at_row(self.first_row[self.cursor] - self._page()))

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to(self.item_count - 1)

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _item_at_row(self, row: int) -> int:
        if not self.row_item:
            return 0
        return self.row_item[max(0, min(row, len(self.row_item) - 1))]

    def on_click(self, event: events.Click) -> None:
        row = self.scroll_offset.y + event.y
        if 0 <= row < len(self.row_item):
            self.move_to(self.row_item[row])
            if event.chain >= 2:
                self.post_message(self.Chosen(self, self.cursor))

    def key_enter(self) -> None:
        if self.item_count:
            self.post_message(self.Chosen(self, self.cursor))


class RowList(CursorList):
    """One row per item, drawn by a callback: search hits, browser passages."""

    ONE_ROW_PER_ITEM = True

    def __init__(
        self,
        render_row: Callable[[int, int, bool], Strip],
        count: int = 0,
        empty: str = "",
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._render_row = render_row
        self._count = count
        self.empty = empty

    def set_count(self, count: int) -> None:
        self._count = count
        self.cursor = 0
        self.relayout()
        self.scroll_to(y=0, animate=False, immediate=True)

    def data_count(self) -> int:
        return self._count

    def render_empty(self, row: int, width: int) -> Strip:
        if row:
            return Strip.blank(width)
        return Strip([RichSegment(self.empty, Style(dim=True, italic=True))])

    def render_item_line(self, index: int, line: int, width: int, selected: bool) -> Strip:
        return self._render_row(index, width, selected)
