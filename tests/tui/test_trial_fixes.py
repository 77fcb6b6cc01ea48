"""Small defects a day-long coding trial found: each test fails without its fix."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .conftest import keys, open_transcript

pytestmark = pytest.mark.tui


def on_screen(pilot: Any) -> str:
    """The text of the terminal as drawn (non-breaking spaces as spaces)."""
    return pilot.app.export_screenshot().replace("&#160;", " ")


# ------------------------------------------------- the codings panel scrolls
def test_codings_panel_scrolls_with_the_selection(drive: Callable[..., Any]) -> None:
    async def steps(pilot: Any) -> None:
        await open_transcript(pilot)
        for digit in "12345678":
            await pilot.press(digit)
        await keys(pilot, "m")
        await keys(pilot, *"sista", "enter")  # the last coding gets a memo line
        await pilot.pause()
        panel = pilot.app.screen.query_one("#codings")
        assert panel.max_scroll_y > 0  # more lines than the panel has rows
        shown = on_screen(pilot)
        assert "▶" in shown and "sista" in shown  # the selected (last) coding is in view
        await keys(pilot, "c")  # the first coding: the panel goes back up
        await pilot.pause()
        assert panel.scroll_y == 0
        assert "▶" in on_screen(pilot)

    drive(steps, coder="anna")
