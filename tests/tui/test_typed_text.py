"""Typed text is text: letters typed in the search hits go to the query, and quitting
asks before it throws away unsaved text in a dialog."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Label, TextArea

from qualkit.project import open_project
from qualkit.tui.screens.dialogs import ConfirmDialog, EditDialog, InputDialog
from qualkit.tui.screens.search import SearchScreen
from qualkit.tui.widgets.virtual_list import RowList

from .conftest import keys, open_transcript

pytestmark = pytest.mark.tui


def coding_count(root: Path, coder: str) -> int:
    with open_project(root) as p:
        return len(p.codings(coder=coder))


def question(screen: Any) -> str:
    return str(screen.query_one(".dialog-title", Label).render())


def test_letters_typed_in_the_hits_go_to_the_query_not_to_key_bindings(
    demo_root: Path, drive: Callable[..., Any]
) -> None:
    async def steps(pilot: Any) -> None:
        app = pilot.app
        await open_transcript(pilot)
        await keys(pilot, "1")
        coded = coding_count(demo_root, "anna")
        assert coded >= 1
        search = await keys(pilot, "slash", *"samverkan", "down")
        assert isinstance(search, SearchScreen)
        assert isinstance(app.focused, RowList)
        # `K` opened the codebook, `u` undid the coding; `q` would have quit.
        await keys(pilot, "space", *"Kommun", "q")
        assert app.screen is search and app.is_running
        assert coding_count(demo_root, "anna") == coded
        field = search.query_one(Input)
        assert field.value == "samverkan Kommunq"
        assert app.focused is field
        # The list still moves and opens with the arrows and Enter.
        await keys(pilot, "ctrl+u", *"samverkan", "down")
        assert isinstance(app.focused, RowList) and search.positions
        await keys(pilot, "down")
        assert search.query_one(RowList).cursor == 1
        opened = await keys(pilot, "enter")
        assert type(opened).__name__ == "TranscriptScreen"

    drive(steps, coder="anna")


def test_enter_on_an_empty_query_then_letters_still_type_into_it(
    drive: Callable[..., Any],
) -> None:
    async def steps(pilot: Any) -> None:
        search = await keys(pilot, "slash", "enter")
        assert isinstance(pilot.app.focused, RowList)
        await keys(pilot, *"uKq")
        assert pilot.app.screen is search
        assert search.query_one(Input).value == "uKq"

    drive(steps)


def test_quitting_with_unsaved_text_in_the_editor_asks_first(
    drive: Callable[..., Any],
) -> None:
    async def steps(pilot: Any) -> None:
        app = pilot.app
        await open_transcript(pilot)
        editor = await keys(pilot, "e")
        assert isinstance(editor, EditDialog)
        before = editor.query_one(TextArea).text
        await keys(pilot, *" tillagt")
        asked = await keys(pilot, "ctrl+q")
        assert app.is_running and isinstance(asked, ConfirmDialog)
        assert question(asked) == "Kasta ändringarna i texten? (j/n)"
        back = await keys(pilot, "n")  # no: the editor, text as typed
        assert back is editor and app.is_running
        assert editor.query_one(TextArea).text == before + " tillagt"
        await keys(pilot, "ctrl+q")
        await keys(pilot, "j")  # yes: quits
        assert not app.is_running

    drive(steps)


def test_quitting_with_an_unsaved_memo_asks_and_an_untouched_dialog_does_not(
    drive: Callable[..., Any],
) -> None:
    async def steps(pilot: Any) -> None:
        app = pilot.app
        await open_transcript(pilot)
        memo = await keys(pilot, "M")
        assert isinstance(memo, InputDialog)
        await keys(pilot, *"halvfärdig")
        asked = await keys(pilot, "ctrl+q")
        assert app.is_running and isinstance(asked, ConfirmDialog)
        assert await keys(pilot, "n") is memo
        assert memo.query_one(Input).value == "halvfärdig"
        await keys(pilot, "escape")
        editor = await keys(pilot, "e")  # opened, nothing typed: quits at once
        assert isinstance(editor, EditDialog)
        await keys(pilot, "ctrl+q")
        assert not app.is_running

    drive(steps)


def test_a_thread_that_fails_on_the_closed_project_after_exit_is_no_error(
    drive: Callable[..., Any],
) -> None:
    import sqlite3

    from textual.worker import WorkerFailed

    async def steps(pilot: Any) -> None:
        await pilot.pause()

    app = drive(steps)
    # After exit the project is closed; a search index or suggestion thread still reading
    # fails on it. That is no error of the user's work, and must not end in a traceback.
    late = WorkerFailed(sqlite3.ProgrammingError("Cannot operate on a closed database."))
    app._handle_exception(late)
    assert app._exit_renderables == [] and app.return_code in (None, 0)
