"""New codes reach the keyboard and the side panel; errors are Swedish and keep what was typed."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from textual.widgets import Input, Label

from qualkit.analysis import cluster
from qualkit.model import Valence
from qualkit.project import open_project
from qualkit.tui.screens.adopt import AdoptDialog, PassageList
from qualkit.tui.screens.dialogs import EditDialog, ParticipantDialog

from .conftest import keys

pytestmark = pytest.mark.tui


def plain(renderable: Any) -> str:
    console = Console(width=60, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def error_shown(screen: Any) -> str:
    return str(screen.query_one("#dialog_error", Label).render())


def test_cluster_to_code_shows_passages_sets_valence_and_gets_a_digit(
    demo_root: Path, drive: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_project(demo_root) as p:
        ids = tuple(s.id for s in p.store.segments()[2:5])
    proposal = cluster.ClusterProposal(
        1, ("kontaktlista", "rutiner"), 3, ids, ids[:1], "arbetsstruktur", 0.7
    )
    monkeypatch.setattr(cluster, "propose_categories", lambda project, **kw: [proposal])

    async def steps(pilot: Any) -> None:
        app = pilot.app
        await keys(pilot, "C")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await keys(pilot, "a")
        dialog = app.screen
        assert isinstance(dialog, AdoptDialog)
        passages = dialog.query_one(PassageList)
        assert passages.option_count == 3  # every passage, in full
        assert dialog.query_one("#adopt_key", Input).value == "kontaktlista_rutiner"
        await pilot.press("h", "down", "x", "down", "p", "p", "p")
        await keys(pilot, "ctrl+s")
        # Adopt the same cluster again: the suggested id is one the codebook takes.
        await keys(pilot, "a")
        again = app.screen
        key = again.query_one("#adopt_key", Input)
        assert key.value == "kontaktlista_rutiner_2"
        key.value = "ledning"  # taken: said in Swedish, in the dialog, text kept
        again.query_one("#adopt_parent", Input).value = "arbetsstruktur"
        await keys(pilot, "ctrl+s")
        assert app.screen is again and "finns redan" in error_shown(again)
        assert key.value == "ledning"
        key.value = "kontaktlistor"
        await keys(pilot, "ctrl+s")
        assert not isinstance(app.screen, AdoptDialog)

    drive(steps, coder="anna")
    with open_project(demo_root) as p:
        book = p.codebook("danermark")
        first, second = book.code("kontaktlista_rutiner"), book.code("kontaktlistor")
        assert (first.hotkey, second.hotkey, second.parent) == ("9", "0", "arbetsstruktur")
        got = {c.segment_id: c.valence for c in p.codings(coder="anna", code=first.key)}
    assert got == {ids[0]: Valence.HINDERING, ids[2]: Valence.PROPOSAL}  # the second left out


def test_new_code_appears_in_the_side_panel_and_codes_with_its_digit(
    demo_root: Path, drive: Callable[..., Any]
) -> None:
    with open_project(demo_root) as p:
        from qualkit.model import Code

        p.add_code(Code("danermark", "eldsjalar", "Eldsjälar", hotkey="9"))
        p.add_code(Code("danermark", "natverk", "Nätverk", hotkey="0"))

    async def steps(pilot: Any) -> None:
        app = pilot.app
        await keys(pilot, "enter")
        panel = plain(app.screen.query_one("#codebook_panel").content)
        assert "Eldsjälar" in panel and "Nätverk" in panel
        await keys(pilot, "0")

    drive(steps, coder="anna")
    with open_project(demo_root) as p:
        assert [c.code for c in p.codings(coder="anna")] == ["natverk"]


def test_naming_a_voice_keeps_the_form_and_says_the_error_in_swedish(
    demo_root: Path, drive: Callable[..., Any]
) -> None:
    async def steps(pilot: Any) -> None:
        app = pilot.app
        await keys(pilot, "S")
        await keys(pilot, "e")
        dialog = app.screen
        assert isinstance(dialog, ParticipantDialog)
        dialog.query_one("#f_pseudonym", Input).value = "Kim"
        dialog.query_one("#f_role", Input).value = "kurator"
        dialog.query_one("#f_actor", Input).value = "sjukhuset"
        await keys(pilot, "ctrl+s")
        assert app.screen is dialog
        assert "Okänd aktör 'sjukhuset'" in error_shown(dialog)
        assert dialog.query_one("#f_role", Input).value == "kurator"
        dialog.query_one("#f_actor", Input).value = "region"
        await keys(pilot, "ctrl+s")
        assert app.screen is not dialog

    drive(steps)
    with open_project(demo_root) as p:
        kim = [x for x in p.store.participants() if x.pseudonym == "Kim"]
    assert kim and kim[0].role == "kurator"


def test_codebook_dialog_refuses_a_bad_or_taken_id_in_swedish(drive: Callable[..., Any]) -> None:
    async def steps(pilot: Any) -> None:
        app = pilot.app
        await keys(pilot, "K")
        await keys(pilot, "a")
        dialog = app.screen
        await keys(pilot, *"ledning", "enter")
        assert app.screen is dialog and "finns redan" in error_shown(dialog)
        field = dialog.query_one(Input)
        field.value = "_ny"
        await keys(pilot, "enter")
        assert "får bara innehålla" in error_shown(dialog) and field.value == "_ny"

    drive(steps)


def test_an_emptied_segment_is_refused_in_the_editor(drive: Callable[..., Any]) -> None:
    from textual.widgets import TextArea

    async def steps(pilot: Any) -> None:
        app = pilot.app
        await keys(pilot, "enter")
        await keys(pilot, "e")
        editor = app.screen
        assert isinstance(editor, EditDialog)
        editor.query_one(TextArea).text = "   "
        await keys(pilot, "ctrl+s")
        assert app.screen is editor and "kan inte vara tomt" in error_shown(editor)

    drive(steps)


def test_the_coder_is_told_which_digit_a_new_code_got_or_that_none_was_left(
    drive: Callable[..., Any], notes: list[str]
) -> None:
    async def add_code(pilot: Any, key: str) -> None:
        await keys(pilot, "a")
        await keys(pilot, *key, "enter")
        await keys(pilot, *key.capitalize(), "enter")

    async def steps(pilot: Any) -> None:
        await keys(pilot, "K")
        for key in ("nio", "noll", "elva"):
            await add_code(pilot, key)

    drive(steps)
    told = [n for n in notes if "siffra" in n or "kodas med" in n]
    assert told[0].endswith("kodas med 9") and told[1].endswith("kodas med 0")
    assert "ingen siffra" in told[2]
