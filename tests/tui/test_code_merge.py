"""Merging a code (J on the codebook screen) asks first, naming both codes; a digit that
is also another code's id is asked about, not guessed; the ids show in the list."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from qualkit.model import Code
from qualkit.project import open_project
from qualkit.tui.screens.dialogs import ConfirmDialog, InputDialog

from .conftest import keys

pytestmark = pytest.mark.tui


def on_screen(pilot: Any) -> str:
    return str(pilot.app.export_screenshot().replace("&#160;", " "))


def by_digit(root: Path) -> dict[str, str]:
    with open_project(root) as p:
        return {c.hotkey: c.key for c in p.codebook("danermark").codes if c.hotkey}


def coded(root: Path, key: str) -> set[int]:
    with open_project(root) as p:
        return {c.id for c in p.codings(code=key)}


def labels(root: Path) -> dict[str, str]:
    with open_project(root) as p:
        return {c.key: c.label_sv for c in p.codebook("danermark").codes}


def test_merge_asks_first_naming_both_codes_and_no_keeps_everything(
    demo_root: Path, drive: Callable[..., Any]
) -> None:
    digits = by_digit(demo_root)
    source, target = digits["1"], digits["3"]
    names = labels(demo_root)
    moving, staying = coded(demo_root, source), coded(demo_root, target)
    assert moving  # the demo has codings to lose

    async def steps(pilot: Any) -> None:
        dialog = await keys(pilot, "K", "J")  # the first row: the code coded with 1
        assert isinstance(dialog, InputDialog)
        assert names[source] in dialog.prompt and source in dialog.prompt
        question = await keys(pilot, "3", "enter")
        assert isinstance(question, ConfirmDialog)
        n = len(moving)
        assert f"«{names[source]}» ({n} kodning" in question.prompt
        assert f"3 «{names[target]}»" in question.prompt
        assert "Går att ångra med u" in question.prompt
        assert source in labels(demo_root)  # nothing merged while it asks
        await keys(pilot, "n")
        assert source in labels(demo_root) and coded(demo_root, source) == moving
        await keys(pilot, "J", "3", "enter", "j")

    drive(steps)
    assert source not in labels(demo_root)
    assert coded(demo_root, target) == moving | staying


def test_escape_in_the_question_merges_nothing(demo_root: Path, drive: Callable[..., Any]) -> None:
    source = by_digit(demo_root)["1"]

    async def steps(pilot: Any) -> None:
        await keys(pilot, "K", "J", "2", "enter", "escape")

    drive(steps)
    assert source in labels(demo_root)


def test_code_ids_show_in_the_list_and_the_header(
    demo_root: Path, drive: Callable[..., Any]
) -> None:
    source = by_digit(demo_root)["1"]

    async def steps(pilot: Any) -> None:
        await keys(pilot, "K")
        shown = on_screen(pilot)
        assert f"[{source}]" in shown
        assert "[danermark]" in shown

    drive(steps)


def add_code_named_2(root: Path) -> None:
    """A code whose id is a digit the list shows beside another code."""
    with open_project(root) as p:
        p.add_code(Code(codebook="danermark", key="2", label_sv="Tvåan"))


def test_a_digit_that_is_another_codes_id_is_asked_not_guessed(
    demo_root: Path, drive: Callable[..., Any]
) -> None:
    add_code_named_2(demo_root)
    digits = by_digit(demo_root)
    source, shown_with_2 = digits["1"], digits["2"]
    names = labels(demo_root)
    moving = coded(demo_root, source)

    async def steps(pilot: Any) -> None:
        await keys(pilot, "K", "J", "2", "enter")
        dialog = pilot.app.screen
        assert isinstance(dialog, InputDialog)  # still open, the 2 still typed
        error = str(dialog.query_one("#dialog_error").render())
        assert f"2 är siffran för «{names[shown_with_2]}»" in error
        assert "«Tvåan»" in error and "=2" in error
        assert source in labels(demo_root)
        question = await keys(pilot, "ctrl+u", "=", "2", "enter")
        assert isinstance(question, ConfirmDialog)
        assert "«Tvåan»" in question.prompt
        await keys(pilot, "j")

    drive(steps)
    assert source not in labels(demo_root)
    assert coded(demo_root, "2") == moving  # the code with the id, not the digit's
    assert not moving & coded(demo_root, shown_with_2)


def test_moving_under_a_digit_that_is_another_codes_id_is_asked(
    demo_root: Path, drive: Callable[..., Any]
) -> None:
    add_code_named_2(demo_root)
    source = by_digit(demo_root)["1"]

    async def steps(pilot: Any) -> None:
        dialog = await keys(pilot, "K", "F", "2", "enter")
        assert isinstance(dialog, InputDialog)
        assert "=2" in str(dialog.query_one("#dialog_error").render())
        await keys(pilot, "ctrl+u", "=", "2", "enter")

    drive(steps)
    with open_project(demo_root) as p:
        assert p.codebook("danermark").code(source).parent == "2"


def test_the_code_with_the_digit_as_id_merges_into_the_code_shown_with_it(
    demo_root: Path, drive: Callable[..., Any]
) -> None:
    add_code_named_2(demo_root)  # not into itself: the 2 can only mean the shown code
    shown_with_2 = by_digit(demo_root)["2"]

    async def steps(pilot: Any) -> None:
        await keys(pilot, "K", "G")  # the new code is the last row
        assert pilot.app.screen.selected().key == "2"
        question = await keys(pilot, "J", "2", "enter")
        assert isinstance(question, ConfirmDialog)
        assert f"2 «{labels(demo_root)[shown_with_2]}»" in question.prompt
        await keys(pilot, "j")

    drive(steps)
    assert "2" not in labels(demo_root)


def test_u_takes_a_merge_back_and_ctrl_r_does_it_again(
    demo_root: Path, drive: Callable[..., Any], notes: list[str]
) -> None:
    digits = by_digit(demo_root)
    source, target = digits["1"], digits["3"]
    names = labels(demo_root)
    moving, staying = coded(demo_root, source), coded(demo_root, target)

    async def steps(pilot: Any) -> None:
        await keys(pilot, "K", "J", "3", "enter", "j")
        assert source not in labels(demo_root)
        await keys(pilot, "u")
        assert labels(demo_root) == names
        assert (coded(demo_root, source), coded(demo_root, target)) == (moving, staying)
        assert any(f"sammanslagning av {names[source]}" in n for n in notes)
        assert f"[{source}]" in on_screen(pilot)  # back in the list
        await keys(pilot, "U")
        assert source not in labels(demo_root)

    drive(steps)
    assert coded(demo_root, target) == moving | staying
