"""Fixtures for driving the coding app with Pilot."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

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


async def settle(pilot: Any, delay: float = 0.4) -> None:
    """Wait `delay` for background work to start (suggestions, clusters, the search
    index), then until every worker is done, then for the screen to redraw."""
    await pilot.pause(delay)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


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
