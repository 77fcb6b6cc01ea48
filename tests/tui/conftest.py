"""Fixtures for driving the coding app with Pilot."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from textual.worker import WorkerState

from qualkit.analysis import cluster, suggest
from qualkit.errors import ModelMissingError
from qualkit.model import Valence
from qualkit.pipeline import events

REPO = Path(__file__).resolve().parents[2]


NO_MODEL = "No model here (tests run as on a bare machine)."


def no_model(*_args: Any, **_kwargs: Any) -> Any:
    raise ModelMissingError(NO_MODEL)


@pytest.fixture(autouse=True)
def quiet_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """No sound, no real models: tests see the app as on a bare machine unless they fake one."""
    monkeypatch.setenv("QUALKIT_NO_SOUND", "1")
    monkeypatch.delenv("QUALKIT_LANG", raising=False)
    monkeypatch.setattr(suggest, "suggest_for_segment", no_model)
    monkeypatch.setattr(suggest, "most_uncertain", no_model)
    monkeypatch.setattr(cluster, "propose_categories", no_model)
    monkeypatch.setattr(events, "run_pipeline", no_model)


def make_demo(root: Path, database: str | None = None) -> Path:
    from qualkit.demo import run_demo
    from qualkit.project import init_project

    init_project(root, database=database).close()
    (root / "audio" / "demo").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "audio" / "demo" / "fokusgrupp_demo.txt", root / "audio" / "demo")
    run_demo(root, say=lambda _msg: None)
    return root


@pytest.fixture
def demo_root(tmp_path: Path, study_url: str | None) -> Path:
    """A copy of the demo project (on a PostgreSQL server too, in a `both_backends` test)."""
    return make_demo(tmp_path / "demo", study_url)


@pytest.fixture
def notes() -> list[str]:
    return []


@pytest.fixture
def make_app(notes: list[str]) -> Iterator[Callable[..., Any]]:
    from qualkit.tui.app import build_app

    apps: list[Any] = []

    def factory(root: Path, **kwargs: Any) -> Any:
        app = build_app(root, **kwargs)

        def notify(message: str, **_kw: Any) -> None:
            notes.append(str(message))

        app.notify = notify  # type: ignore[method-assign]
        apps.append(app)
        return app

    yield factory


SIZE = (120, 35)


async def keys(pilot: Any, *pressed: str) -> Any:
    """Press the keys and let the app settle; returns the screen it shows then."""
    await pilot.press(*pressed)
    await pilot.pause()
    return pilot.app.screen


async def open_transcript(pilot: Any) -> Any:
    """From the overview, open the recording under the cursor; returns its screen."""
    await pilot.pause()
    return await keys(pilot, "enter")


def _busy(app: Any) -> bool:
    """Whether the app still has work under way: a worker not finished, or a one-shot
    timer (the debounced suggestions, counts, search index) not yet fired. Reads
    Textual's private timer fields: if they change, this fails loudly rather than
    letting a test race."""
    if any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers):
        return True
    nodes = [app, *app.screen_stack, *app.screen.walk_children()]
    return any(
        timer._repeat is not None  # set_timer: once; set_interval: None, for ever
        and timer._task is not None
        and not timer._task.done()
        and timer._active.is_set()  # a paused timer (the screen's redraw) waits for no one
        for node in nodes
        for timer in list(node._timers)
    )


async def settle(pilot: Any, delay: float = 0.4, timeout: float = 30.0) -> None:
    """Wait `delay`, then until no worker runs and no one-shot timer is pending
    (suggestions, clusters, the search index start from such timers), then for the
    screen to redraw. Waiting for the work itself, not a fixed time, keeps the tests
    right on a loaded machine, where a timer may fire long after its delay."""
    await pilot.pause(delay)
    deadline = time.monotonic() + timeout
    while True:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if not _busy(pilot.app) or time.monotonic() > deadline:
            return
        await pilot.pause(0.05)


@pytest.fixture
def drive(make_app: Callable[..., Any], request: pytest.FixtureRequest) -> Callable[..., Any]:
    """Start the coding app on a copy of the demo project (or `root`), at 120×35 unless
    `size`, let it settle, run `steps(pilot)`, and close it; returns the app. Options
    (coder, blind, lang, recording) go to the app."""

    def go(
        steps: Callable[[Any], Awaitable[None]],
        *,
        root: Path | None = None,
        size: tuple[int, int] = SIZE,
        **options: Any,
    ) -> Any:
        # The demo copy is made only when a test drives the app on it.
        app = make_app(root or request.getfixturevalue("demo_root"), **options)

        async def body() -> None:
            async with app.run_test(size=size) as pilot:
                await pilot.pause()
                await steps(pilot)

        asyncio.run(body())
        return app

    return go


Seen = dict[str, Any]


@pytest.fixture
def in_codebook(drive: Callable[..., Any]) -> Callable[..., Seen]:
    """Run `steps(pilot, screen, seen)` from the codebook screen, as coder anna unless
    told; returns `seen`, what the steps read, for the test to check after the app closed."""

    def go(steps: Callable[[Any, Any, Seen], Awaitable[None]], **options: Any) -> Seen:
        seen: Seen = {}

        async def body(pilot: Any) -> None:
            await steps(pilot, await keys(pilot, "K"), seen)

        drive(body, **{"coder": "anna", **options})
        return seen

    return go


@dataclass(frozen=True)
class FakeSuggestion:
    code: str
    score: float
    valence: Valence | None = None


@pytest.fixture
def fake_suggest(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """Stand-ins for the suggestion model that record feedback."""
    feedback: list[tuple[Any, ...]] = []

    def suggest_for_segment(
        project: Any, segment_id: int, codebook: str = "danermark", top: int = 3
    ) -> list[FakeSuggestion]:
        return [
            FakeSuggestion("ledning", 0.81, Valence.HINDERING),
            FakeSuggestion("individ", 0.62, None),
            FakeSuggestion("forum_beslut", 0.2, Valence.PROMOTING),
        ][:top]

    def record_feedback(
        project: Any, segment_id: int, codebook: str, code: str, accepted: bool, coder: str
    ) -> None:
        feedback.append((segment_id, codebook, code, accepted, coder))

    monkeypatch.setattr(suggest, "suggest_for_segment", suggest_for_segment)
    monkeypatch.setattr(suggest, "record_feedback", record_feedback)
    return feedback
