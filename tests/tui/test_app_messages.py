"""What the app says where Textual or the core would speak English, and an empty transcript."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from qualkit.project import open_project

from .conftest import keys

pytestmark = pytest.mark.tui


def test_an_unknown_recording_at_start_is_said_in_swedish(
    drive: Callable[..., Any], notes: list[str]
) -> None:
    async def steps(pilot: Any) -> None:
        await pilot.pause()

    drive(steps, recording="nosuch")
    assert notes == ["Projektet har ingen inspelning 'nosuch' (inspelningar: fokusgrupp_demo)."]


@pytest.mark.parametrize(
    ("lang", "said"),
    [("sv", "Tryck [b]q[/b] för att avsluta."), ("en", "Press [b]q[/b] to quit the app.")],
)
def test_ctrl_c_says_how_to_quit_in_the_apps_language(
    drive: Callable[..., Any], notes: list[str], lang: str, said: str
) -> None:
    async def steps(pilot: Any) -> None:
        await keys(pilot, "enter", "ctrl+c")

    drive(steps, lang=lang)
    assert notes[-1] == said


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("sv", "Inspelningen har inget transkript än. Tryck T i översikten"),
        ("en", "This recording has no transcript yet. Press T in the overview"),
    ],
)
def test_a_recording_not_transcribed_yet_says_how_to_get_a_transcript(
    project_dir: Path, drive: Callable[..., Any], lang: str, said: str
) -> None:
    with open_project(project_dir) as p:
        p.store.add_recording("grupp 1", audio_path="audio/grupp1.wav")
    seen: dict[str, str] = {}

    async def steps(pilot: Any) -> None:
        # On a loaded machine the transcript screen may not be laid out at the first
        # look: wait (up to 10 s) until it shows something.
        for _ in range(200):
            await pilot.pause(0.05)
            seglist = getattr(pilot.app.screen, "seglist", None)
            if seglist is None:
                continue
            lines = ("".join(s.text for s in seglist.render_line(y)).strip() for y in range(10))
            seen["text"] = " ".join(line for line in lines if line)
            if seen["text"]:
                break

    drive(steps, root=project_dir, size=(60, 20), recording="grupp 1", lang=lang)
    assert said in seen["text"]
    assert "qualkit transcribe 'grupp 1'" in seen["text"]


def test_a_transcription_that_stopped_half_way_says_how_to_get_a_transcript_and_a_silent_one_not(
    project_dir: Path, drive: Callable[..., Any]
) -> None:
    with open_project(project_dir) as p:
        for name, stages in (
            ("avbruten", {"audio": "done", "transcribe": "done", "diarize": "running"}),
            ("tyst", {"audio": "done", "transcribe": "done", "diarize": "done", "align": "done"}),
        ):
            rec = p.store.add_recording(name, audio_path=f"audio/{name}.wav")
            for stage, status in stages.items():
                p.store.set_stage(rec.id, stage, status)
    seen: list[str] = []

    async def steps(pilot: Any) -> None:
        for row in (0, 1):
            table = pilot.app.screen.query_one("#recordings")
            table.move_cursor(row=row)
            screen = await keys(pilot, "enter")
            seen.append("".join(s.text for s in screen.seglist.render_line(0)))
            await keys(pilot, "escape")

    drive(steps, root=project_dir, size=(120, 20))
    assert seen[0].startswith("Inspelningen har inget transkript än.")
    assert seen[1].startswith("Transkriptet är tomt")
