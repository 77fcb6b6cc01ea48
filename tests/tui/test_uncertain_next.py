"""N on the transcript screen: go to the uncoded segment the model is least sure of."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from qualkit.analysis import suggest

from .conftest import NO_MODEL, open_transcript, settle


def test_n_goes_to_the_segment_the_model_is_least_sure_of(
    drive: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[dict[str, Any]] = []

    async def steps(pilot: Any) -> None:
        screen = await open_transcript(pilot)
        await settle(pilot)
        target = screen.view.segments[3]

        def most_uncertain(_project: Any, codebook: str, **kw: Any) -> list[tuple[int, float]]:
            asked.append({"codebook": codebook, **kw})
            return [(target.id, 0.91)]

        monkeypatch.setattr(suggest, "most_uncertain", most_uncertain)
        assert screen.seglist.cursor == 0
        await pilot.press("N")
        await settle(pilot)
        assert screen.seglist.cursor == 3
        # Only this recording's segments, one answer.
        assert asked == [
            {"codebook": screen.view.codebook_id, "limit": 1, "recording": screen.recording.id}
        ]

    drive(steps)


def test_n_when_every_segment_is_coded_or_no_model(
    drive: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, notes: list[str]
) -> None:
    async def steps(pilot: Any) -> None:
        screen = await open_transcript(pilot)
        await settle(pilot)
        await pilot.press("N")  # no model on this machine: said, cursor stays
        await settle(pilot)
        assert screen.seglist.cursor == 0
        assert any(NO_MODEL in n for n in notes)
        monkeypatch.setattr(suggest, "most_uncertain", lambda *_a, **_k: [])
        await pilot.press("N")
        await settle(pilot)
        assert screen.seglist.cursor == 0
        assert notes[-1] == "Inga okodade segment kvar (moderatorns inlägg räknas inte)."

    drive(steps)
