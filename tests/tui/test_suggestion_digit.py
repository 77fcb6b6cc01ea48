"""`a` and `x` wait for a suggestion's digit: the header says so, Esc cancels, and a digit
with no suggestion under it is said, with nothing written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from qualkit.project import open_project
from qualkit.tui.screens.transcript import TranscriptScreen

from .conftest import keys, open_transcript, settle

pytestmark = pytest.mark.tui


def header(screen: Any) -> str:
    return str(screen.query_one("#transcript_header").render())


def mine(root: Path) -> list[Any]:
    with open_project(root) as p:
        return p.codings(coder="anna")


@pytest.mark.parametrize("size", [(120, 35), (80, 24)])
def test_the_header_says_a_digit_is_awaited_and_esc_cancels(
    demo_root: Path,
    drive: Callable[..., Any],
    fake_suggest: list[Any],
    notes: list[str],
    size: tuple[int, int],
) -> None:
    async def steps(pilot: Any) -> None:
        screen = await open_transcript(pilot)
        await settle(pilot)
        await keys(pilot, "a")
        # First in the header, so an 80-column terminal shows it too.
        assert header(screen).startswith(" a: välj förslag 1-3 att godta, Esc avbryter ")
        await keys(pilot, "escape")
        assert isinstance(pilot.app.screen, TranscriptScreen)  # Esc only cancelled
        assert screen.pending is None and "välj förslag" not in header(screen)
        assert notes[-1] == "Inget förslag valt."
        await keys(pilot, "x")
        assert header(screen).startswith(" x: välj förslag 1-3 att avvisa, Esc avbryter ")

    drive(steps, coder="anna", size=size)
    assert mine(demo_root) == [] and fake_suggest == []


def test_a_digit_with_no_suggestion_is_said_and_nothing_is_written(
    demo_root: Path, drive: Callable[..., Any], fake_suggest: list[Any], notes: list[str]
) -> None:
    async def steps(pilot: Any) -> None:
        screen = await open_transcript(pilot)
        await settle(pilot)
        await keys(pilot, "a", "7")
        assert notes[-1] == "Det finns inget förslag 7 (1-3 finns). Inget ändrades."
        assert screen.pending is None and "välj förslag" not in header(screen)
        assert mine(demo_root) == [] and fake_suggest == []
        await keys(pilot, "x", "1")  # the first one rejected: numbers do not shift
        await keys(pilot, "a")
        assert header(screen).startswith(" a: välj förslag 2-3")
        await keys(pilot, "1")
        assert notes[-1] == (
            "Förslag 1 är redan godtaget eller avvisat (2-3 finns kvar). Inget ändrades."
        )
        assert len(fake_suggest) == 1  # only the rejection

    drive(steps, coder="anna")
    assert mine(demo_root) == []
