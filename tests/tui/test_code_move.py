"""Moving a code (F on the codebook screen) is one undoable step, as a rename or a merge:
the toast names the code and, by digit and label, the parent it went under, and says that
u undoes it; `u` puts it back, `U` moves it again. A code under itself or its own sub-code
is refused in the dialog, with nothing written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from qualkit.model import Code
from qualkit.project import open_project
from qualkit.tui.screens.codebook import CodebookScreen
from qualkit.tui.screens.dialogs import InputDialog

from ..undo_state import BOOK
from .conftest import Seen, keys
from .test_code_merge import by_digit, labels
from .test_undo_codes import saved_state

pytestmark = [pytest.mark.tui, pytest.mark.both_backends]


def parent(root: Path, key: str) -> str | None:
    with open_project(root) as p:
        return p.codebook(BOOK).code(key).parent


def test_a_move_names_the_parent_and_u_takes_it_back_U_does_it_again(
    demo_root: Path, in_codebook: Callable[..., Seen], notes: list[str]
) -> None:
    names, before = labels(demo_root), saved_state(demo_root)
    moving, under = (by_digit(demo_root)[digit] for digit in "13")

    async def steps(pilot: Any, screen: CodebookScreen, seen: Seen) -> None:
        await keys(pilot, "F", "ctrl+u", "3")  # the first row: the code coded with 1
        assert await keys(pilot, "enter") is screen
        assert screen.selected().key == moving  # the cursor stays on the moved code
        seen["moved"] = saved_state(demo_root)
        await keys(pilot, "u")
        seen["undone"] = saved_state(demo_root)
        await keys(pilot, "U")

    seen = in_codebook(steps)
    assert seen["moved"]["codebook"].code(moving).parent == under
    assert f"«{names[moving]}» flyttades under 3 «{names[under]}». Ångra med u." in notes
    assert seen["undone"] == before  # the store, the codebook and the file's bytes
    said = f"flytt av {names[moving]} under {names[under]}"
    assert f"Ångrat: {said}" in notes and f"Gjort om: {said}" in notes
    assert saved_state(demo_root) == seen["moved"]


def test_a_sub_code_moved_to_the_top_level_goes_back_under_its_parent(
    demo_root: Path, drive: Callable[..., Any], notes: list[str]
) -> None:
    with open_project(demo_root) as p:
        p.add_code(Code(codebook=BOOK, key="mandat", label_sv="Mandat", parent="ledning"))

    async def steps(pilot: Any) -> None:
        await keys(pilot, "K")
        screen = await keys(pilot, "down")  # sub-codes are listed under their parent
        assert screen.selected().key == "mandat"
        await keys(pilot, "F", "ctrl+u", "enter")
        assert parent(demo_root, "mandat") is None
        await keys(pilot, "u")

    drive(steps)
    assert "«Mandat» flyttades till toppnivån. Ångra med u." in notes
    assert parent(demo_root, "mandat") == "ledning"


@pytest.mark.parametrize("typed", ["1", "mandat"])
def test_a_code_under_itself_or_its_sub_code_is_refused_with_nothing_written(
    demo_root: Path, drive: Callable[..., Any], notes: list[str], typed: str
) -> None:
    with open_project(demo_root) as p:
        p.add_code(Code(codebook=BOOK, key="mandat", label_sv="Mandat", parent="ledning"))
    before = saved_state(demo_root)
    moving = by_digit(demo_root)["1"]

    async def steps(pilot: Any) -> None:
        await keys(pilot, "K", "F", "ctrl+u", *typed)
        dialog = await keys(pilot, "enter")
        assert isinstance(dialog, InputDialog)  # still open, what was typed still there
        error = str(dialog.query_one("#dialog_error").render())
        assert f"'{moving}' kan inte ligga under" in error
        assert "Inget flyttades" in error
        await keys(pilot, "escape", "u")  # nothing of the move's to undo

    drive(steps)
    assert saved_state(demo_root) == before
    assert not any("flyttades" in n for n in notes)


def test_enter_on_the_parent_the_code_has_moves_nothing_and_leaves_nothing_to_undo(
    demo_root: Path, drive: Callable[..., Any], notes: list[str]
) -> None:
    before = saved_state(demo_root)
    name = labels(demo_root)[by_digit(demo_root)["1"]]

    async def steps(pilot: Any) -> None:
        await keys(pilot, "K", "F", "enter", "u")  # the dialog offers the parent it has

    drive(steps)
    assert f"«{name}» ligger redan där" in notes
    assert "Inget att ångra." in notes
    assert saved_state(demo_root) == before
