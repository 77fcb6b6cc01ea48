"""A team's database server that goes away while the app reads: a notice, never a crash.

The store's reads raise what qualkit.store.pg raises when the server does not answer;
moving the cursor, opening a recording and the search index's worker each meet it. The
app stays up, says it in Swedish, and the next action after the server is back works.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from qualkit.errors import ProjectError
from qualkit.store import Server, Store
from qualkit.tui.screens.overview import OverviewScreen
from qualkit.tui.screens.transcript import TranscriptScreen

from .conftest import keys, settle

pytestmark = pytest.mark.tui

AWAY = (
    "Cannot reach the project's database server dbserver/studie (connection refused). "
    "Check that it runs and that you may connect, then try again."
)
SAID = "Projektets databasserver dbserver/studie svarar inte."


class Outage:
    """Makes the named reads of a store raise AWAY while `away` is set."""

    def __init__(self, store: Any, monkeypatch: pytest.MonkeyPatch, *reads: str) -> None:
        self.away = False
        for name in reads:
            real = getattr(store, name)

            def read(*args: Any, _real: Callable[..., Any] = real, **kwargs: Any) -> Any:
                if self.away:
                    raise ProjectError(AWAY)
                return _real(*args, **kwargs)

            monkeypatch.setattr(store, name, read)


def test_moving_the_cursor_while_the_server_is_away_is_a_notice(
    drive: Callable[..., Any], notes: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}

    async def steps(pilot: Any) -> None:
        screen = await keys(pilot, "enter")
        await settle(pilot)
        assert isinstance(screen, TranscriptScreen)
        outage = Outage(pilot.app.project.store, monkeypatch, "memos")
        outage.away = True
        await keys(pilot, "down")
        seen["notes"] = list(notes)
        seen["running"] = pilot.app.is_running
        outage.away = False  # the server is back: the next move reads again
        before = screen.seglist.cursor
        await keys(pilot, "down")
        seen["moved"] = screen.seglist.cursor == before + 1
        seen["screen"] = pilot.app.screen

    app = drive(steps)
    assert seen["running"] and app.return_code in (None, 0)
    assert any(note.startswith(SAID) for note in seen["notes"]), seen["notes"]
    assert seen["moved"] and isinstance(seen["screen"], TranscriptScreen)


def test_opening_a_recording_while_the_server_is_away_is_a_notice(
    drive: Callable[..., Any], notes: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}

    async def steps(pilot: Any) -> None:
        outage = Outage(pilot.app.project.store, monkeypatch, "recording")
        outage.away = True
        screen = await keys(pilot, "enter")
        seen["first"] = screen
        seen["notes"] = list(notes)
        outage.away = False
        seen["second"] = await keys(pilot, "enter")

    app = drive(steps)
    assert app.return_code in (None, 0)
    assert isinstance(seen["first"], OverviewScreen)
    assert any(note.startswith(SAID) for note in seen["notes"]), seen["notes"]
    assert isinstance(seen["second"], TranscriptScreen)


def test_a_worker_that_meets_the_server_away_is_a_notice(
    drive: Callable[..., Any], notes: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}

    async def steps(pilot: Any) -> None:
        await settle(pilot)
        outage = Outage(pilot.app.project.store, monkeypatch, "segments", "codings")
        outage.away = True
        pilot.app.data_changed()  # rebuilds the search index in a thread worker
        await settle(pilot)
        seen["notes"] = list(notes)
        seen["running"] = pilot.app.is_running

    app = drive(steps)
    assert seen["running"] and app.return_code in (None, 0)
    assert any(note.startswith(SAID) for note in seen["notes"]), seen["notes"]


def test_the_app_waits_briefly_for_a_server_that_went_away(
    drive: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every Store the app opens is told to wait seconds, not the lock's 30 s.
    waits: list[float] = []
    monkeypatch.setattr(Store, "reconnect_within", lambda _self, s: waits.append(s))

    async def steps(pilot: Any) -> None:
        await pilot.pause()

    drive(steps)
    assert waits and all(0 < s <= 5 for s in waits)


def test_a_short_reconnect_wait_gives_up_on_a_server_that_is_down_in_seconds() -> None:
    from qualkit.store.pg import PgConnection

    down = Server.parse("postgresql://127.0.0.1:1/studie")  # nothing listens on port 1
    conn = PgConnection.__new__(PgConnection)
    conn.conninfo, conn.display, conn._password = down.conninfo, down.display, None
    conn.timeout, conn.reconnect_s = 30.0, 1.0
    start = time.monotonic()
    with pytest.raises(ProjectError, match="Cannot reach the project's database server"):
        conn._open(wait=True)
    assert time.monotonic() - start < 5
