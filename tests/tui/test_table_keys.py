"""j/k/g/G and Home/End move the cursor in every table and list, as docs/tui.md says."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.widgets import DataTable, OptionList

from .conftest import keys

pytestmark = pytest.mark.tui


async def rows_after(pilot: Any, widget: Any, *pressed: str) -> list[int]:
    """The cursor row after each key."""

    def row() -> int:
        return int(widget.cursor_row if isinstance(widget, DataTable) else widget.highlighted)

    out = []
    for key in pressed:
        await keys(pilot, key)
        out.append(row())
    return out


KEYS = ("j", "j", "k", "G", "g", "end", "home")


def test_overview_talare_and_kodbok_move_with_the_vim_keys(
    drive: Callable[..., Any],
) -> None:
    seen: dict[str, Any] = {}

    async def steps(pilot: Any) -> None:
        app = pilot.app
        # The demo has one recording: j and G stay on it, and End does not scroll sideways.
        table = app.screen.query_one(DataTable)
        seen["overview"] = await rows_after(pilot, table, "j", "G", "end")
        seen["overview_x"] = table.scroll_x
        talare = await keys(pilot, "S")
        seen["talare"] = await rows_after(pilot, talare.query_one(DataTable), *KEYS)
        await keys(pilot, "escape")
        kodbok = await keys(pilot, "K")
        codes = kodbok.query_one(OptionList)
        seen["kodbok"] = await rows_after(pilot, codes, *KEYS)
        seen["kodbok_last"] = codes.option_count - 1

    drive(steps, size=(60, 30))
    assert seen["overview"] == [0, 0, 0] and seen["overview_x"] == 0
    assert seen["talare"] == [1, 2, 1, 4, 0, 4, 0]
    last = seen["kodbok_last"]
    assert seen["kodbok"] == [1, 2, 1, last, 0, last, 0]
