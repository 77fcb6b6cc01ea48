"""The coding app's report keys: I pins a quote (P stays the pseudonyms screen), o names
the partner actor."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from qualkit.project import open_project
from tests.tui.conftest import open_transcript
from tests.tui.test_tui_app import codings


def test_pin_and_partner_keys(demo_root: Path, drive: Callable[..., Any]) -> None:
    async def steps(pilot: Any) -> None:
        await open_transcript(pilot)
        await pilot.press("1", "h")  # code ledning, hindrande
        coding = codings(demo_root, "anna")[-1]
        await pilot.press("I")
        with open_project(demo_root) as project:
            assert coding.id in project.store.pinned_codings()
        await pilot.press("o", "o", "o")  # kommun -> vård -> FK
        with open_project(demo_root) as project:
            assert project.store.partner_actor(coding.id) == "FK"
        await pilot.press("I", "o", "o")  # unpin; AF, then none
        with open_project(demo_root) as project:
            assert coding.id not in project.store.pinned_codings()
            assert project.store.partner_actor(coding.id) is None

    drive(steps, coder="anna")
