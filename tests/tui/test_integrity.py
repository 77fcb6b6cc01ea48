"""The coding app keeps each coder's work and who said what, driven key by key with Pilot."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import TextArea

from qualkit.model import Valence
from qualkit.project import open_project
from qualkit.tui.screens.dialogs import ConfirmDialog

from ..store_snapshot import snapshot
from .conftest import keys, open_transcript, settle

pytestmark = pytest.mark.tui


def state(root: Path) -> dict[str, Any]:
    with open_project(root) as p:
        return snapshot(p)


def coding_of(root: Path, coding_id: int) -> Any:
    with open_project(root) as p:
        return p.store.coding(coding_id)


def codings(root: Path, coder: str) -> list[Any]:
    with open_project(root) as p:
        return p.codings(coder=coder)


def test_keys_never_act_on_another_coders_coding(
    demo_root: Path, drive: Callable[..., Any], notes: list[str]
) -> None:
    """Coder dora codes from another program while carl works on the same segment."""

    async def steps(pilot: Any) -> None:
        screen = await open_transcript(pilot)
        seg = screen.current.id
        with open_project(demo_root) as other:  # another connection, as the CLI would
            dora1 = other.add_coding(seg, "ledning", coder="dora")
        await pilot.press("4")
        await pilot.press("h")
        with open_project(demo_root) as other:
            dora2 = other.add_coding(seg, "individ", coder="dora")
        await pilot.press("5")
        await keys(pilot, "delete")
        assert coding_of(demo_root, dora1.id) == dora1  # untouched
        assert coding_of(demo_root, dora2.id) == dora2
        mine = codings(demo_root, "carl")
        assert [(c.code, c.valence) for c in mine] == [("kunskap_respekt", Valence.HINDERING)]
        # Selecting dora's coding and pressing a valence key or Delete is refused.
        while screen.target_coding().coder != "dora":
            await pilot.press("c")
        notes.clear()
        await pilot.press("f", "delete")
        assert coding_of(demo_root, dora1.id).valence is Valence.NONE
        assert len(codings(demo_root, "dora")) == 2
        assert len(notes) == 2 and all("dora" in n for n in notes)

    drive(steps, coder="carl")


def test_valence_key_with_only_another_coders_coding_is_refused(
    demo_root: Path, drive: Callable[..., Any], notes: list[str]
) -> None:
    async def steps(pilot: Any) -> None:
        screen = await open_transcript(pilot)
        # demo codings are coder "demo"'s: find a segment that has one
        while not screen.current_codings():
            await pilot.press("j")
        before = state(demo_root)
        await pilot.press("h", "delete")
        assert state(demo_root) == before
        assert any("demo" in n for n in notes), notes

    drive(steps, coder="carl")


def test_join_asks_and_undo_redo_restore_exactly(
    demo_root: Path, drive: Callable[..., Any], notes: list[str]
) -> None:
    """Enter j×6 J u from a fresh demo: segments 7 and 8 come back as they were."""
    start = state(demo_root)

    async def steps(pilot: Any) -> None:
        app = pilot.app
        screen = await open_transcript(pilot)
        await pilot.press(*"jjjjjj")
        first, second = screen.view.segments[6], screen.view.segments[7]
        assert first.speaker_id != second.speaker_id
        await keys(pilot, "J")
        assert isinstance(app.screen, ConfirmDialog)  # two speakers: asks first
        await keys(pilot, "n")
        assert state(demo_root) == start
        await keys(pilot, "J")
        await keys(pilot, "j")
        joined = state(demo_root)
        assert len(joined["segments"]) == len(start["segments"]) - 1
        await keys(pilot, "u")
        assert state(demo_root) == start
        await pilot.press("u", "u", "u")
        for _ in range(3):
            await pilot.press("ctrl+r")
        await pilot.pause()
        assert state(demo_root) == joined
        assert not any("Fel" in n or "No segment" in n for n in notes), notes
        await pilot.press("u")
        assert state(demo_root) == start

    drive(steps, coder="carl")


def test_text_edit_keeps_span_on_its_words(
    demo_root: Path, drive: Callable[..., Any], notes: list[str]
) -> None:
    with open_project(demo_root) as p:
        seg = p.store.segments()[0]
        words = " ".join(seg.text.split()[2:5])
        at = seg.text.index(words)
        span = p.store.add_coding(seg.id, "danermark", "ledning", span=(at, at + len(words)))

    async def steps(pilot: Any) -> None:
        app = pilot.app
        await open_transcript(pilot)
        await keys(pilot, "e")
        area = app.screen.query_one(TextArea)
        area.text = "Ja, " + area.text
        await keys(pilot, "ctrl+s")

    drive(steps, coder="carl")
    with open_project(demo_root) as p:
        text = p.store.segment(seg.id).text
        moved = p.store.coding(span.id)
    assert text.startswith("Ja, ")
    assert text[moved.span_start : moved.span_end] == words


def test_merging_voices_asks_and_can_be_undone(demo_root: Path, drive: Callable[..., Any]) -> None:
    """S Down×4 v Up J: asks; yes merges; u gives the voice and its turns back."""
    start = state(demo_root)

    async def steps(pilot: Any) -> None:
        app = pilot.app
        await keys(pilot, "S")
        await keys(pilot, "down", "down", "down", "down", "v", "up", "J")
        assert isinstance(app.screen, ConfirmDialog)
        await keys(pilot, "escape")
        assert state(demo_root) == start
        await keys(pilot, "J")
        await keys(pilot, "j")
        assert len(state(demo_root)["speakers"]) == len(start["speakers"]) - 1
        await keys(pilot, "u")
        assert state(demo_root) == start

    drive(steps, coder="carl")


def test_escape_in_the_text_editor_asks_before_discarding(drive: Callable[..., Any]) -> None:
    async def steps(pilot: Any) -> None:
        app = pilot.app
        screen = await open_transcript(pilot)
        text = screen.current.text
        await keys(pilot, "e")
        editor = app.screen
        editor.query_one(TextArea).insert(" och mer")
        await keys(pilot, "escape")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")  # keep editing: nothing typed is lost
        await pilot.pause()
        assert app.screen is editor and editor.query_one(TextArea).text.endswith(" och mer")
        await keys(pilot, "escape")
        await pilot.press("j")  # yes, throw it away
        await pilot.pause()
        assert app.screen is screen and screen.current.text == text

    drive(steps, coder="carl")


def test_help_lists_every_key_once_per_screen(drive: Callable[..., Any]) -> None:
    from rich.table import Table
    from textual.widgets import Static

    async def steps(pilot: Any) -> None:
        app = pilot.app
        await keys(pilot, "question_mark")
        tables = [w.content for w in app.screen.query(Static) if isinstance(w.content, Table)]
        rows = [
            list(zip(tab.columns[0]._cells, tab.columns[1]._cells, strict=True)) for tab in tables
        ]
        assert len(rows) == 12  # everywhere, 8 screens, 3 dialogs with their own keys
        listed = [[k for cell, _d in section for k in str(cell).split(" / ")] for section in rows]
        for section in listed:
            assert len(section) == len(set(section))  # each key once per screen
        for section in listed[1:]:
            assert not set(listed[0]) & set(section)  # and not again after "everywhere"
        assert {"↓", "j", "G"} <= set(listed[0])  # every key, the vi-style ones too
        assert listed[2].count("1-8") == 1  # the digits Danermark's eight factors code with
        assert {"t", "f2", "f3", "f4", "f5"} <= {k.lower() for k in listed[2]}  # audio keys
        await pilot.press("pagedown", "j")  # the help scrolls from the keyboard
        await pilot.pause()
        assert app.screen.query_one("#help").scroll_y > 0

    drive(steps)


def test_suggestion_numbers_do_not_shift(
    demo_root: Path, drive: Callable[..., Any], fake_suggest: list[Any]
) -> None:
    async def steps(pilot: Any) -> None:
        screen = await open_transcript(pilot)
        await settle(pilot, 0.5)
        await pilot.press("x")
        assert "x: välj förslag 1-3" in str(screen.query_one("#transcript_header").render())
        await pilot.press("1")  # reject the first suggestion
        await pilot.press("a", "2")  # "2" is still the second one shown at first
        await pilot.pause()
        assert [c.code for c in codings(demo_root, "carl")] == ["individ"]
        panel = str(screen.query_one("#suggestions").render())
        assert "a3" in panel and "a1" not in panel

    drive(steps, coder="carl")


def test_a_new_code_gets_a_free_hotkey_and_is_coded_with_it(
    demo_root: Path, drive: Callable[..., Any]
) -> None:
    from qualkit.tui.screens.clusters import code_id

    assert code_id("Möten rutiner") == "moten_rutiner"

    async def steps(pilot: Any) -> None:
        app = pilot.app
        await keys(pilot, "K")
        await keys(pilot, "a")
        await pilot.press(*"Bad Key!", "enter")  # refused at once, the text kept
        await pilot.pause()
        field = app.screen.query_one("#dialog_input")
        assert field.value == "Bad Key!"
        field.value = "lokala_nätverk".replace("ä", "a")
        await keys(pilot, "enter")
        await keys(pilot, *"Lokala nätverk", "enter")
        await keys(pilot, "escape", "enter")
        await keys(pilot, "9")

    drive(steps, coder="carl")
    assert [c.code for c in codings(demo_root, "carl")] == ["lokala_natverk"]
