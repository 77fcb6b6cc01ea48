"""What the overview's and the codebook screen's headings say: the codebook's name in the
app's language, and which codings the per-factor counts are (a new-user trial read the
overview's 6 against a report's 4 for one factor: codings of every coder against passages)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.widgets import Static

from tests.tui.conftest import keys


def heading(screen: Any, widget_id: str) -> str:
    return str(screen.query_one(widget_id, Static).render())


def test_english_shows_the_codebooks_english_name(drive: Callable[..., Any]) -> None:
    seen: dict[str, str] = {}

    async def steps(pilot: Any) -> None:
        seen["overview"] = str(pilot.app.screen.query_one("#factor_progress", Static).render())
        seen["codebook"] = heading(await keys(pilot, "K"), "#codebook_header")

    drive(steps, lang="en", coder="anna")
    assert "Codings per factor, all coders" in seen["overview"]
    assert "(Danermark's eight success factors for collaboration)" in seen["overview"]
    assert "Danermark's eight success factors for collaboration" in seen["codebook"]
    assert "Danermarks" not in seen["overview"] + seen["codebook"]


def test_blind_coding_counts_only_your_own(drive: Callable[..., Any]) -> None:
    seen: list[str] = []

    async def steps(pilot: Any) -> None:
        seen.append(str(pilot.app.screen.query_one("#factor_progress", Static).render()))

    drive(steps, coder="anna", blind=True)
    assert seen[0].startswith("Dina kodningar per faktor")


def test_a_narrow_terminal_leaves_the_codebooks_name_out(drive: Callable[..., Any]) -> None:
    seen: list[str] = []

    async def steps(pilot: Any) -> None:
        seen.append(str(pilot.app.screen.query_one("#factor_progress", Static).render()))

    drive(steps, size=(80, 24))
    assert seen[0].splitlines()[0] == "Kodningar per faktor, alla kodare"
