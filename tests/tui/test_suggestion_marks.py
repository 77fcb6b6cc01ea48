"""A coding taken from the suggestions says so in the codings panel ("från förslag"), for
the coder who took it only, so a reviewer can tell the model's proposals from a coder's
own reading; a code typed by hand carries no mark."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from qualkit.analysis import suggest
from qualkit.model import Valence

from .conftest import FakeSuggestion, keys, open_transcript, settle

pytestmark = pytest.mark.tui


@pytest.fixture
def suggestions(monkeypatch: pytest.MonkeyPatch) -> None:
    """The model's place taken by two fixed suggestions; feedback goes to the store."""

    def suggest_for_segment(*_args: Any, top: int = 3, **_kwargs: Any) -> list[FakeSuggestion]:
        return [FakeSuggestion("ledning", 0.81, Valence.HINDERING), FakeSuggestion("individ", 0.62)]

    monkeypatch.setattr(suggest, "suggest_for_segment", suggest_for_segment)


def panel(screen: Any) -> str:
    return str(screen.query_one("#codings_text").render())


def test_a_taken_suggestion_is_marked_and_a_typed_code_is_not(
    drive: Callable[..., Any], suggestions: None
) -> None:
    seen: dict[str, str] = {}

    async def steps(pilot: Any) -> None:
        screen = await open_transcript(pilot)
        await settle(pilot)
        await keys(pilot, "a", "1")  # ledning, taken from the suggestions
        await keys(pilot, "7")  # individ, typed by hand
        await settle(pilot)
        seen["panel"] = panel(screen)

    drive(steps, coder="anna")
    lines = seen["panel"].splitlines()
    taken = next(line for line in lines if "ledning" in line)
    typed = next(line for line in lines if "individs behov" in line)
    assert "från förslag" in taken
    assert "från förslag" not in typed


def test_the_mark_is_the_coders_own(
    drive: Callable[..., Any], suggestions: None, demo_root: Any
) -> None:
    seen: dict[str, str] = {}

    async def take(pilot: Any) -> None:
        await open_transcript(pilot)
        await settle(pilot)
        await keys(pilot, "a", "1")

    async def look(pilot: Any) -> None:
        screen = await open_transcript(pilot)
        await settle(pilot)
        await keys(pilot, "1")  # bob codes ledning himself on the same segment
        await settle(pilot)
        seen["panel"] = panel(screen)

    drive(take, coder="anna")
    drive(look, coder="bob")
    lines = [line for line in seen["panel"].splitlines() if "ledning" in line]
    assert any("anna" in line and "från förslag" in line for line in lines)
    assert any("bob" in line and "från förslag" not in line for line in lines)
