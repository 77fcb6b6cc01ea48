"""Snapshots of the main screens at a fixed terminal size (update with --snapshot-update)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .conftest import settle

pytestmark = pytest.mark.tui

SIZE = (120, 35)


def test_overview(snap_compare: Any, demo_root: Path, make_app: Callable[..., Any]) -> None:
    assert snap_compare(make_app(demo_root, coder="anna"), terminal_size=SIZE)


def test_overview_80_columns(
    snap_compare: Any, demo_root: Path, make_app: Callable[..., Any]
) -> None:
    """At 80 columns every factor column shows; the recording's facts give way first."""
    assert snap_compare(make_app(demo_root, coder="anna"), terminal_size=(80, 24))


def test_transcript_coding(
    snap_compare: Any,
    demo_root: Path,
    make_app: Callable[..., Any],
    fake_suggest: list[Any],
) -> None:
    async def run_before(pilot: Any) -> None:
        await pilot.pause()
        await pilot.press("enter", "down", "down", "4", "h")
        await settle(pilot)

    assert snap_compare(
        make_app(demo_root, coder="anna"), terminal_size=SIZE, run_before=run_before
    )


def test_transcript_small_terminal_english(
    snap_compare: Any, demo_root: Path, make_app: Callable[..., Any]
) -> None:
    async def run_before(pilot: Any) -> None:
        await pilot.pause()
        await pilot.press("enter", "n")
        await settle(pilot)

    app = make_app(demo_root, coder="anna", lang="en")
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_search(snap_compare: Any, demo_root: Path, make_app: Callable[..., Any]) -> None:
    async def run_before(pilot: Any) -> None:
        await pilot.pause()
        await pilot.press("slash", *"samverkan", "down")
        await settle(pilot)

    assert snap_compare(make_app(demo_root), terminal_size=SIZE, run_before=run_before)


def test_speakers(snap_compare: Any, demo_root: Path, make_app: Callable[..., Any]) -> None:
    async def run_before(pilot: Any) -> None:
        await pilot.pause()
        await pilot.press("S")
        await settle(pilot)

    assert snap_compare(make_app(demo_root), terminal_size=SIZE, run_before=run_before)


def test_code_browser(snap_compare: Any, demo_root: Path, make_app: Callable[..., Any]) -> None:
    async def run_before(pilot: Any) -> None:
        await pilot.pause()
        await pilot.press("B", "down")
        await settle(pilot)

    assert snap_compare(make_app(demo_root), terminal_size=SIZE, run_before=run_before)


def test_help(snap_compare: Any, demo_root: Path, make_app: Callable[..., Any]) -> None:
    async def run_before(pilot: Any) -> None:
        await pilot.pause()
        await pilot.press("question_mark")
        await settle(pilot)

    assert snap_compare(make_app(demo_root), terminal_size=SIZE, run_before=run_before)


def test_codes_visible_at_a_glance(
    snap_compare: Any, demo_root: Path, make_app: Callable[..., Any]
) -> None:
    """Code colours from the codebook, a span coding underlined, the margin stripe."""
    from qualkit.project import open_project

    with open_project(demo_root) as p:
        seg = p.store.segments()[1]
        words = " ".join(seg.text.split()[3:7])
        at = seg.text.index(words)
        p.store.add_coding(seg.id, "danermark", "individ", coder="anna", span=(at, at + len(words)))

    async def run_before(pilot: Any) -> None:
        await pilot.pause()
        await pilot.press("enter", "down")
        await settle(pilot)

    assert snap_compare(
        make_app(demo_root, coder="anna"), terminal_size=SIZE, run_before=run_before
    )


def test_jump_from_search_marks_the_hit(
    snap_compare: Any, demo_root: Path, make_app: Callable[..., Any]
) -> None:
    async def run_before(pilot: Any) -> None:
        await pilot.pause()
        await pilot.press("slash", *"hospiterade", "down", "enter")
        await settle(pilot)

    assert snap_compare(make_app(demo_root), terminal_size=(80, 24), run_before=run_before)
