"""Correcting with audio: the keys drive a fake player that records what it is told."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Label, TextArea

from qualkit import playback
from qualkit.project import open_project
from qualkit.tui.screens.dialogs import ConfirmDialog, SpanDialog
from qualkit.tui.screens.transcribe import TranscribeDialog

from ..playback_fakes import FakeClock, FakeLauncher
from .conftest import keys

pytestmark = pytest.mark.tui


@pytest.fixture
def with_audio(demo_root: Path) -> Path:
    (demo_root / "audio" / "fg.wav").write_bytes(b"RIFF")
    with open_project(demo_root) as p:
        rec = p.store.recordings()[0]
        p.store.update_recording(rec.id, audio_path="audio/fg.wav")
        # The demo transcript is text without times: give each turn ten seconds.
        with p.store.transaction() as db:
            for i, seg in enumerate(p.store.segments_light(rec.id)):
                db.execute(
                    "UPDATE segments SET start_s = ?, end_s = ? WHERE id = ?",
                    (10.0 * i, 10.0 * i + 9.5, seg.id),
                )
    return demo_root


def fake_player(app: Any) -> tuple[FakeLauncher, FakeClock]:
    launcher, clock = FakeLauncher(), FakeClock()
    app.player = playback.Player(launcher, clock)
    app.audio.player = app.player
    return launcher, clock


def test_transcript_audio_keys(
    with_audio: Path, drive: Callable[..., Any], notes: list[str]
) -> None:
    async def steps(pilot: Any) -> None:
        app = pilot.app
        launcher, clock = fake_player(app)
        await keys(pilot, "enter")
        seg = app.screen.current
        await pilot.press("space")  # plays the segment
        clock.now += 2.0
        await pilot.press("f2")  # pause
        await pilot.press("f2")  # and on
        await pilot.press("f4")  # slower, from where it is
        clock.now += 4.0
        await pilot.press("f3")  # back three seconds
        await pilot.press("f5", "f5")  # faster, faster
        await pilot.press("space")  # stops
        await pilot.pause()
        assert not app.player.playing
        whole = ("play", round(seg.start, 2), round(seg.end - seg.start, 2))
        later = ("play", round(seg.start + 2.0, 2), round(seg.end - seg.start - 2.0, 2))
        assert launcher.commands_only() == [
            (*whole, 1.0),
            ("pause",),
            ("resume",),
            (*later, 0.75),  # slower from 2 s in
            (*later, 0.75),  # 4 s later at 0.75x is 3 s on: back 3 s is 2 s in again
            (*later, 1.0),
            (*later, 1.25),
        ]
        assert any("1.25x" in n for n in notes)

    drive(steps, root=with_audio)


def test_transcription_mode_plays_each_segment_while_typing(
    with_audio: Path, drive: Callable[..., Any]
) -> None:
    async def steps(pilot: Any) -> None:
        app = pilot.app
        launcher, clock = fake_player(app)
        await keys(pilot, "enter")
        screen = app.screen
        first, second = screen.view.segments[0], screen.view.segments[1]
        await keys(pilot, "t")
        editor = app.screen
        assert isinstance(editor, TranscribeDialog)
        assert launcher.log[-1][:2] == ("play", round(first.start, 2))
        clock.now += 1.5
        await pilot.press("f2")  # pause while typing
        await pilot.press(*" ja")
        status = str(editor.query_one("#transcribe_status", Label).render())
        assert status.startswith("⏸")
        assert editor.query_one(TextArea).text.endswith(" ja")
        await pilot.press("f2", "f3")  # on, and back three seconds
        await pilot.press("ctrl+s")  # saves, goes on to the next segment and plays it
        await pilot.pause()
        assert isinstance(app.screen, TranscribeDialog) and app.screen is not editor
        assert screen.current.id == second.id
        assert launcher.log[-1][:2] == ("play", round(second.start, 2))
        await pilot.press("x")
        await pilot.press("escape")  # changed: asks first
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await keys(pilot, "j")
        assert app.screen is screen and not app.player.playing

    drive(steps, root=with_audio, coder="carl")
    with open_project(with_audio) as p:
        texts = {s.id: s.text for s in p.store.segments()}
    assert texts[first_id(with_audio)].endswith(" ja")


def first_id(root: Path) -> int:
    with open_project(root) as p:
        return p.store.segments()[0].id


def test_a_span_is_selected_with_the_mouse(demo_root: Path, drive: Callable[..., Any]) -> None:
    async def steps(pilot: Any) -> None:
        app = pilot.app
        await keys(pilot, "enter")
        text = app.screen.current.text
        await keys(pilot, "v")
        assert isinstance(app.screen, SpanDialog)
        area = app.screen.query_one(TextArea)
        # Drag over the first line, from its 3rd to its 12th character.
        x = area.content_region.x - area.region.x + area.gutter_width
        y = area.content_region.y - area.region.y
        await pilot.mouse_down(area, offset=(x + 2, y))
        await pilot.hover(area, offset=(x + 11, y))
        await pilot.mouse_up(area, offset=(x + 11, y))
        await pilot.pause()
        assert area.selected_text == text[2:11]
        await keys(pilot, "1")

    drive(steps, coder="carl")
    with open_project(demo_root) as p:
        coding = p.codings(coder="carl")[0]
        text = p.store.segment(coding.segment_id).text
    assert (coding.span_start, coding.span_end) == (2, 11), text
