"""`u` undoes what was done on the screen it is pressed on, and says what it undid.

The Talare screen names voices, takes back a voiceprint's name and merges voices; the
transcript codes. One history keeps them in order, but a screen's `u` never reaches an
action of another screen: it says where that one is undone instead.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from qualkit.project import open_project

from .conftest import keys, open_transcript
from .test_voice_scores import name_by_voiceprint

pytestmark = [pytest.mark.tui, pytest.mark.both_backends]


def memos(root: Path) -> list[str | None]:
    with open_project(root) as p:
        return [c.memo for c in p.store.codings(coder="anna") if c.memo]


def person(root: Path, pid: int) -> tuple[str, str]:
    with open_project(root) as p:
        found = p.store.participant(pid)
        return found.pseudonym, found.role


async def name_in_dialog(pilot: Any, pseudonym: str, role: str | None = None) -> None:
    await keys(pilot, "e")
    dialog = pilot.app.screen
    dialog.query_one("#f_pseudonym").value = pseudonym
    if role is not None:
        dialog.query_one("#f_role").value = role
    await keys(pilot, "ctrl+s")


def test_u_on_talare_undoes_the_naming_and_leaves_the_transcript_memo(
    demo_root: Path, drive: Callable[..., Any], notes: list[str]
) -> None:
    """The new-user trial: a memo on the transcript, a voice named, `u` on Talare."""
    seen: dict[str, Any] = {}

    async def steps(pilot: Any) -> None:
        await open_transcript(pilot)
        await keys(pilot, "down", "4", "m")
        await keys(pilot, *"viktigt citat", "enter")
        assert memos(demo_root) == ["viktigt citat"]
        talare = await keys(pilot, "S")
        await keys(pilot, "down")
        voice = talare.selected()
        assert voice.label == "Handläggare (FK)"
        await name_in_dialog(pilot, "Kalle")
        with open_project(demo_root) as p:
            pid = p.store.speaker(voice.id).participant_id
        assert person(demo_root, pid)[0] == "Kalle"

        await keys(pilot, "u")
        seen["after_u"] = (memos(demo_root), person(demo_root, pid))
        seen["note_u"] = notes[-1]
        await keys(pilot, "u")  # the newest left is the memo: not this screen's
        seen["after_second_u"] = memos(demo_root)
        seen["note_second_u"] = notes[-1]
        await keys(pilot, "ctrl+r")  # the naming again
        seen["after_redo"] = person(demo_root, pid)
        seen["note_redo"] = notes[-1]
        await keys(pilot, "u", "escape")
        await keys(pilot, "u")  # on the transcript: the memo
        seen["after_transcript_u"] = memos(demo_root)
        seen["note_transcript_u"] = notes[-1]

    drive(steps, coder="anna")
    assert seen["after_u"] == (["viktigt citat"], ("Deltagare 2", "handläggare"))
    assert seen["note_u"] == "Ångrat: namn på Handläggare (FK)"
    assert seen["after_second_u"] == ["viktigt citat"]
    assert seen["note_second_u"].startswith("Inget att ångra här")
    assert "memo på segment 2 i fokusgrupp_demo" in seen["note_second_u"]
    assert "i transkriptet" in seen["note_second_u"]
    assert seen["after_redo"] == ("Kalle", "handläggare")
    assert seen["note_redo"] == "Gjort om: namn på Handläggare (FK)"
    assert seen["after_transcript_u"] == []
    assert seen["note_transcript_u"] == "Ångrat: memo på segment 2 i fokusgrupp_demo"


def test_naming_an_unnamed_voice_is_undone_and_redone_with_the_same_participant(
    demo_root: Path, drive: Callable[..., Any], notes: list[str]
) -> None:
    with open_project(demo_root) as p:
        p.store.assign_speaker(3, None)  # 'Handläggare (FK)' unnamed; Deltagare 2 stays
        before = len(p.store.participants())
    seen: dict[str, Any] = {}

    async def steps(pilot: Any) -> None:
        await keys(pilot, "S", "down")
        await name_in_dialog(pilot, "Lisa", role="")
        with open_project(demo_root) as p:
            seen["named"] = p.store.speaker(3).participant_id
            seen["cell"] = str(pilot.app.screen.query_one("#speakers_table").get_row("3")[1])
        await keys(pilot, "u")
        with open_project(demo_root) as p:
            seen["undone"] = (p.store.speaker(3).participant_id, len(p.store.participants()))
        await keys(pilot, "ctrl+r")
        with open_project(demo_root) as p:
            seen["redone"] = p.store.speaker(3).participant_id
            seen["lisa"] = p.store.participant(seen["redone"]).pseudonym

    drive(steps, coder="anna")
    assert seen["named"] is not None
    assert seen["cell"].strip() == "Lisa"  # the pseudonym alone, not "Lisa  Lisa"
    assert seen["undone"] == (None, before)
    assert seen["redone"] == seen["named"] and seen["lisa"] == "Lisa"


def test_x_is_undone_on_talare_and_merging_there_is_not_undone_on_the_transcript(
    demo_root: Path, drive: Callable[..., Any], notes: list[str]
) -> None:
    spk, _other = name_by_voiceprint(demo_root)
    seen: dict[str, Any] = {}

    async def steps(pilot: Any) -> None:
        app = pilot.app
        screen = await keys(pilot, "S")
        table = screen.query_one("#speakers_table")
        table.move_cursor(row=[i.id for i in screen.infos].index(spk.id))
        await keys(pilot, "x")
        assert app.project.store.speaker(spk.id).participant_id is None
        await keys(pilot, "u")
        seen["x_undone"] = app.project.store.speaker(spk.id).participant_id
        seen["x_note"] = notes[-1]
        seen["score"] = str(table.get_row(str(spk.id))[1])
        # A merge made here is the newest action: the transcript's `u` leaves it alone.
        n = len(screen.infos)
        await keys(pilot, "home", "v", "down", "J")
        await keys(pilot, "j")  # yes, merge
        assert len(screen.infos) == n - 1
        await keys(pilot, "escape", "enter")
        await keys(pilot, "u")
        seen["transcript_note"] = notes[-1]
        seen["voices_after_transcript_u"] = len(app.project.store.speakers())
        await keys(pilot, "escape", "S")
        await keys(pilot, "u")
        seen["merge_note"] = notes[-1]
        seen["voices_after_talare_u"] = len(app.project.store.speakers())

    drive(steps, coder="anna")
    assert seen["x_undone"] == spk.participant_id
    assert seen["x_note"] == f"Ångrat: borttaget röstavtrycksnamn på {spk.label}"
    assert "röstavtryck 1.00" in seen["score"]
    assert seen["transcript_note"].startswith("Inget att ångra här")
    assert "Talare-skärmen för fokusgrupp_demo" in seen["transcript_note"]
    assert seen["voices_after_transcript_u"] == 4
    assert seen["merge_note"].startswith("Ångrat: sammanslagning av")
    assert seen["voices_after_talare_u"] == 5


def test_u_on_talare_with_nothing_done_there_says_so(
    drive: Callable[..., Any], notes: list[str]
) -> None:
    async def steps(pilot: Any) -> None:
        await keys(pilot, "S", "u")

    drive(steps, coder="anna")
    assert notes[-1] == "Inget att ångra."
