"""Switching codebooks in the app: the suggestions follow the new codebook, and the coder is
told that the old codebook's codings are kept."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from qualkit.analysis import suggest
from qualkit.project import open_project
from tests.tui.conftest import FakeSuggestion, keys, open_transcript, settle


@pytest.fixture
def book_suggest(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A suggestion model that offers the first three codes of the codebook asked for,
    and records which codebooks it was asked for."""
    asked: list[str] = []

    def suggest_for_segment(
        project: Any, segment_id: int, codebook: str = "danermark", top: int = 3
    ) -> list[FakeSuggestion]:
        asked.append(codebook)
        codes = [c.key for c in project.codebook(codebook).codes][:top]
        return [FakeSuggestion(code, 0.9 - 0.1 * i) for i, code in enumerate(codes)]

    monkeypatch.setattr(suggest, "suggest_for_segment", suggest_for_segment)
    monkeypatch.setattr(suggest, "record_feedback", lambda *_a, **_k: None)
    return asked


def test_suggestions_follow_a_codebook_switch(
    demo_root: Path, drive: Callable[..., Any], book_suggest: list[str], notes: list[str]
) -> None:
    with open_project(demo_root) as p:
        danermark = {c.key for c in p.codebook("danermark").codes}
        hinder = {c.key for c in p.codebook("hinder").codes}
    assert hinder - danermark

    async def steps(pilot: Any) -> None:
        app = pilot.app
        screen = await open_transcript(pilot)
        await settle(pilot)
        before = [s.code for s in screen.suggestions if s is not None]
        assert before and set(before) <= danermark
        await keys(pilot, "K")
        await keys(pilot, "b")
        ids = app.screen.options
        await keys(pilot, *["down"] * ids.index("hinder"), "enter")
        assert app.codebook_id == "hinder"
        assert any("finns kvar" in n and "byter tillbaka" in n for n in notes), notes
        await keys(pilot, "escape")
        assert app.screen is screen
        await settle(pilot)
        after = [s.code for s in screen.suggestions if s is not None]
        assert after and set(after) <= hinder, after
        assert book_suggest[-1] == "hinder"
        panel = str(screen.query_one("#suggestions").render())
        label = app.project.codebook("hinder").code(after[0]).label_sv
        assert label in panel
        # Accepting codes the segment in the new codebook, no "not in the codebook" error.
        seg = screen.current
        await keys(pilot, "a", "1")
        await settle(pilot)
        assert not any("finns inte" in n for n in notes), notes
        codings = app.project.store.codings(segment_id=seg.id, codebook="hinder")
        assert after[0] in {c.code for c in codings}

    drive(steps, coder="anna")
