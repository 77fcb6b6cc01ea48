"""Splitting a turn with `s`: every coder's codings code both parts, undo, redo and join
give back exactly what was there, and a split refused is said in the dialog, which stays."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Label, TextArea

from qualkit.model import Coding, Valence
from qualkit.project import open_project
from qualkit.tui.screens.dialogs import SplitDialog

from .conftest import keys, open_transcript

pytestmark = pytest.mark.tui


def error_shown(screen: Any) -> str:
    line = screen.query_one("#dialog_error", Label)
    return str(line.render()) if line.display else ""


def _codings(root: Path) -> list[Coding]:
    with open_project(root) as p:
        return p.codings()


def _first_turn(root: Path) -> tuple[int, str]:
    with open_project(root) as p:
        seg = p.store.segments()[0]
        return seg.id, seg.text


def test_split_in_the_app_keeps_every_coders_codings_on_both_parts(
    demo_root: Path, drive: Callable[..., Any]
) -> None:
    seg_id, text = _first_turn(demo_root)
    with open_project(demo_root) as p:  # anna codes in the app; bo's work is there too
        p.add_coding(seg_id, "ledning", coder="anna", valence=Valence.PROMOTING, memo="Ja.")
        p.add_coding(seg_id, "ledning", coder="bo")
        p.add_coding(seg_id, "individ", coder="bo", span=(0, len(text)))
    before = _codings(demo_root)
    mine = {
        (c.coder, c.code, c.valence, c.memo, c.created) for c in before if c.segment_id == seg_id
    }

    async def steps(pilot: Any) -> None:
        screen = await open_transcript(pilot)
        n = len(screen.view.segments)
        assert screen.current.id == seg_id
        await keys(pilot, "s")
        at = text.index(" ", 10)  # at a space, so the join gives back the same text
        await keys(pilot, *["right"] * at, "ctrl+s")
        assert len(screen.view.segments) == n + 1
        left, right = screen.view.segments[0], screen.view.segments[1]
        after = _codings(demo_root)
        for part in (left, right):
            on = [c for c in after if c.segment_id == part.id]
            assert {(c.coder, c.code, c.valence, c.memo, c.created) for c in on} == mine
            spans = [c for c in on if c.code == "individ"]
            assert [(c.span_start, c.span_end) for c in spans] == [(0, len(part.text))]
        await keys(pilot, "u")
        assert _codings(demo_root) == before  # exactly as it was, ids and all
        await keys(pilot, "ctrl+r")
        assert _codings(demo_root) == after
        await keys(pilot, "J")  # the halves joined again: one coding each, no duplicates
        assert len(screen.view.segments) == n
        assert screen.view.segments[0].text == text
        assert _codings(demo_root) == before

    drive(steps, coder="anna")


def test_a_refused_split_is_said_in_the_dialog_which_stays_open(
    demo_root: Path, drive: Callable[..., Any], notes: list[str]
) -> None:
    async def steps(pilot: Any) -> None:
        app = pilot.app
        screen = await open_transcript(pilot)
        n = len(screen.view.segments)
        await keys(pilot, "s")
        dialog = app.screen
        assert isinstance(dialog, SplitDialog)
        assert error_shown(dialog) == ""
        await keys(pilot, "ctrl+s")  # the cursor at the very start: nothing to split off
        assert app.screen is dialog
        assert "Sätt markören inne i texten" in error_shown(dialog)
        assert dialog.query_one(TextArea).cursor_location == (0, 0)  # where it was
        await keys(pilot, "ctrl+end", "ctrl+s")  # the very end: refused too, still open
        assert app.screen is dialog and "båda delarna" in error_shown(dialog)
        assert len(screen.view.segments) == n
        await keys(pilot, "ctrl+home", *["right"] * 10, "ctrl+s")
        assert app.screen is screen
        assert len(screen.view.segments) == n + 1
        assert not any("Sätt markören" in note for note in notes)  # not a toast instead

    drive(steps, coder="anna")
