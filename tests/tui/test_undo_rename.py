"""Renaming a code in the codebook screen is one undoable step, as a new code is.

`u` gives the code its old name and the codebook file its old bytes, `U` renames it again;
a new code renamed afterwards is undone in order (the rename, then the code); a code that
another coder renamed since is left as theirs, and the message says so.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from qualkit.project import open_project
from qualkit.tui.screens.codebook import CodebookScreen

from ..undo_state import BOOK, state
from .conftest import Seen, keys

pytestmark = [pytest.mark.tui, pytest.mark.both_backends]


async def rename(pilot: Any, label: str) -> None:
    """`e` on the selected code, the new label, Enter: back on the codebook screen."""
    await keys(pilot, "e")
    pilot.app.screen.query_one(Input).value = label
    await keys(pilot, "enter")
    assert isinstance(pilot.app.screen, CodebookScreen)


def test_u_gives_a_renamed_code_its_old_name_and_U_renames_it_again(
    in_codebook: Callable[..., Seen], notes: list[str]
) -> None:
    async def steps(pilot: Any, screen: CodebookScreen, seen: Seen) -> None:
        app = pilot.app
        code = screen.selected()
        seen["code"] = code
        seen["before"] = state(app.project)
        await rename(pilot, "Styrning")
        seen["renamed"] = state(app.project)
        seen["shown"] = str(screen.query_one("#codebook_codes").get_option_at_index(0).prompt)
        await keys(pilot, "u")
        seen["undone"] = state(app.project)
        seen["shown_undone"] = str(
            screen.query_one("#codebook_codes").get_option_at_index(0).prompt
        )
        await keys(pilot, "U")
        seen["redone"] = state(app.project)

    seen = in_codebook(steps)
    code = seen["code"]
    assert seen["renamed"]["codebook"].code(code.key).label_sv == "Styrning"
    assert "Styrning" in seen["shown"]
    assert seen["undone"] == seen["before"]  # the store, the codebook and the file's bytes
    assert code.label_sv in seen["shown_undone"] and "Styrning" not in seen["shown_undone"]
    assert seen["redone"] == seen["renamed"]
    said = f"namnbyte av koden {code.key} ({code.label_sv} → Styrning)"
    assert f"Ångrat: {said}" in notes
    assert f"Gjort om: {said}" in notes


def test_a_new_code_renamed_afterwards_is_undone_rename_first_then_the_code(
    in_codebook: Callable[..., Seen], notes: list[str]
) -> None:
    async def steps(pilot: Any, screen: CodebookScreen, seen: Seen) -> None:
        app = pilot.app
        seen["before"] = state(app.project)
        await keys(pilot, "a")
        app.screen.query_one(Input).value = "eldsjalar"
        await keys(pilot, "enter")
        app.screen.query_one(Input).value = "Eldsjälar"
        await keys(pilot, "enter")
        assert screen.selected().key == "eldsjalar"
        seen["added"] = state(app.project)
        await rename(pilot, "Entusiaster")
        await keys(pilot, "u")
        seen["rename_undone"] = state(app.project)
        await keys(pilot, "u")
        seen["code_undone"] = state(app.project)

    seen = in_codebook(steps)
    assert seen["rename_undone"] == seen["added"]
    assert seen["code_undone"] == seen["before"]
    assert "Ångrat: namnbyte av koden eldsjalar (Eldsjälar → Entusiaster)" in notes
    assert "Ångrat: ny kod Eldsjälar" in notes
    assert not any("annan kodare" in n for n in notes)


def test_a_rename_another_coder_changed_since_is_not_undone(
    demo_root: Path, in_codebook: Callable[..., Seen], notes: list[str]
) -> None:
    async def steps(pilot: Any, screen: CodebookScreen, seen: Seen) -> None:
        app = pilot.app
        key = screen.selected().key
        await rename(pilot, "Styrning")
        with open_project(demo_root) as other:  # another coder renames it again meanwhile
            other.rename_code(BOOK, key, label_sv="Ledarskap")
        seen["theirs"] = state(app.project)
        await keys(pilot, "u")
        seen["after_u"] = state(app.project)
        seen["key"] = key

    seen = in_codebook(steps)
    assert seen["after_u"] == seen["theirs"]  # nothing of theirs overwritten
    assert seen["after_u"]["codebook"].code(seen["key"]).label_sv == "Ledarskap"
    assert any(
        n.startswith("Kan inte ångra eller göra om namnbytet: koden " + seen["key"]) for n in notes
    ), notes
