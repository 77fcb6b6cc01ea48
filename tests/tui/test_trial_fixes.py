"""Small defects a day-long coding trial found: each test fails without its fix."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .conftest import keys, open_transcript, settle

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


# ------------------------------------------- J takes the digit shown on screen
def test_merging_a_code_takes_the_digit_the_list_shows(
    demo_root: Path, drive: Callable[..., Any]
) -> None:
    from qualkit.project import open_project

    with open_project(demo_root) as p:
        book = p.codebook("danermark")
        by_digit = {c.hotkey: c.key for c in book.codes if c.hotkey}
        before = len(p.codings(code=by_digit["1"])) + len(p.codings(code=by_digit["2"]))

    async def steps(pilot: Any) -> None:
        await keys(pilot, "K")  # the first row is the code coded with 1
        listed = str(pilot.app.screen.query_one("OptionList").get_option_at_index(1).prompt)
        assert listed.lstrip().startswith("2 ")  # the digit a coder reads off the list
        await keys(pilot, "J")
        await keys(pilot, "2", "enter")  # the digit, not the id
        await keys(pilot, "j")  # yes, merge (it asks first)

    drive(steps)
    with open_project(demo_root) as p:
        keys_left = {c.key for c in p.codebook("danermark").codes}
        assert by_digit["1"] not in keys_left
        assert len(p.codings(code=by_digit["2"])) == before


def test_merging_a_code_still_takes_its_id(demo_root: Path, drive: Callable[..., Any]) -> None:
    from qualkit.project import open_project

    with open_project(demo_root) as p:
        by_digit = {c.hotkey: c.key for c in p.codebook("danermark").codes if c.hotkey}
        moving = {c.id for c in p.codings(code=by_digit["1"])}
        staying = {c.id for c in p.codings(code=by_digit["3"])}

    async def steps(pilot: Any) -> None:
        await keys(pilot, "K")
        await keys(pilot, "J")
        await keys(pilot, *by_digit["3"], "enter")
        await keys(pilot, "j")  # yes, merge

    drive(steps)
    with open_project(demo_root) as p:
        assert by_digit["1"] not in {c.key for c in p.codebook("danermark").codes}
        # The codings went to the code with that id, every one of them.
        assert {c.id for c in p.codings(code=by_digit["3"])} == moving | staying


# ------------------------------------------- A writes nothing into memos
def test_taking_all_suggestions_leaves_memos_to_the_coder(
    demo_root: Path, drive: Callable[..., Any], fake_suggest: list[tuple[Any, ...]]
) -> None:
    from qualkit.project import open_project

    async def steps(pilot: Any) -> None:
        await open_transcript(pilot)
        await settle(pilot)
        await pilot.press("1", "h")  # the first suggestion's code and valence, by hand
        await keys(pilot, "m")
        await keys(pilot, *"mitt citat", "enter")
        await pilot.press("A")  # ledning 0.81 and individ 0.62 are above the threshold
        await pilot.pause()

    drive(steps, coder="anna")
    with open_project(demo_root) as p:
        memos = {c.code: c.memo for c in p.codings(coder="anna")}
    assert memos == {"ledning": "mitt citat", "individ": None}
    assert [f[2:] for f in fake_suggest] == [("ledning", True, "anna"), ("individ", True, "anna")]


# ------------------------------------------------- j/k move in the pickers
def test_j_and_k_move_in_the_speaker_picker(drive: Callable[..., Any]) -> None:
    async def steps(pilot: Any) -> None:
        await open_transcript(pilot)
        picker = await keys(pilot, "r")
        options = picker.query_one("#dialog_options")
        assert options.option_count > 2 and options.highlighted == 0
        await keys(pilot, "j", "j")
        assert options.highlighted == 2
        await keys(pilot, "k")
        assert options.highlighted == 1
        await keys(pilot, "G")
        assert options.highlighted == options.option_count - 1
        await keys(pilot, "g")
        assert options.highlighted == 0

    drive(steps, coder="anna")


def test_j_and_k_move_in_the_codebook_picker(drive: Callable[..., Any]) -> None:
    async def steps(pilot: Any) -> None:
        await keys(pilot, "K")
        picker = await keys(pilot, "b")
        options = picker.query_one("#dialog_options")
        assert options.option_count > 1 and options.highlighted == 0
        await keys(pilot, "j")
        assert options.highlighted == 1

    drive(steps)


# ------------------------------------------- the overview at 80 columns
def test_overview_at_80_columns_shows_every_factor_column(drive: Callable[..., Any]) -> None:
    async def steps(pilot: Any) -> None:
        table = pilot.app.screen.query_one("#recordings")
        labels = [str(c.label) for c in table.columns.values()]
        factors = [label for label in labels if label.isdigit()]
        assert len(factors) >= 8
        assert "Inspelning" in labels and "Kodade" in labels
        widths = sum(c.get_render_width(table) for c in table.columns.values())
        assert widths <= 80  # nothing beyond the right edge
        await pilot.resize_terminal(140, 30)  # wider: the recording's facts come back
        await pilot.pause()
        labels = [str(c.label) for c in table.columns.values()]
        assert "Längd" in labels and "Steg" in labels

    drive(steps, size=(80, 24))


# ------------------------------------------- without --coder, say who you are
def test_without_coder_the_app_says_who_you_are_and_how_to_change_it(
    drive: Callable[..., Any], notes: list[str]
) -> None:
    async def steps(pilot: Any) -> None:
        header = str(pilot.app.screen.query_one("#overview_header").render())
        assert "default" in header and "--coder" in header
        screen = await open_transcript(pilot)
        assert "--coder" in str(screen.query_one("#transcript_header").render())
        coded = next(i for i, s in enumerate(screen.view.segments) if screen.view.codings.get(s.id))
        screen.seglist.move_to(coded)
        await keys(pilot, "f")  # a demo coder's coding: refused, and told how to be yourself
        assert any("--coder" in n for n in notes), notes

    drive(steps)


def test_a_named_coder_sees_just_the_name(drive: Callable[..., Any]) -> None:
    async def steps(pilot: Any) -> None:
        header = str(pilot.app.screen.query_one("#overview_header").render())
        assert "anna" in header and "--coder" not in header

    drive(steps, coder="anna")
