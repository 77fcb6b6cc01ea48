"""Full garbage collections wait for a quiet moment while the app runs, and only then."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from qualkit.tui import collector
from qualkit.tui.collector import QuietCollector


@pytest.fixture
def thresholds() -> Iterator[tuple[int, int, int]]:
    saved = gc.get_threshold()
    yield saved
    gc.set_threshold(*saved)


def make_due() -> None:
    """Enough young collections that a full one is due."""
    for _ in range(collector.DUE_AFTER + 1):
        gc.collect(1)


def test_hold_keeps_young_collections_and_release_gives_the_thresholds_back(
    thresholds: tuple[int, int, int],
) -> None:
    quiet = QuietCollector()
    quiet.hold()
    young, middle, full = gc.get_threshold()
    assert (young, middle) == thresholds[:2] and full == collector.HELD
    quiet.hold()  # twice: the saved thresholds are still Python's own
    quiet.release()
    assert gc.get_threshold() == thresholds


def test_a_due_full_collection_runs_only_when_no_key_came_lately(
    thresholds: tuple[int, int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [100.0]
    monkeypatch.setattr(collector.time, "monotonic", lambda: clock[0])
    quiet = QuietCollector()
    assert not quiet.tick()  # not held: Python collects as usual
    quiet.hold()
    make_due()
    quiet.input_seen()
    clock[0] += collector.QUIET_S / 2
    assert not quiet.tick()  # typing: wait
    clock[0] += collector.QUIET_S
    assert quiet.tick() and quiet.collections == 1
    assert gc.get_count()[2] == 0
    assert not quiet.tick()  # nothing due any more
    quiet.release()


def test_non_stop_typing_postpones_a_full_collection_only_so_long(
    thresholds: tuple[int, int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(collector.time, "monotonic", lambda: 100.0)
    quiet = QuietCollector()
    quiet.hold()
    quiet.input_seen()  # a key just now, and always
    make_due()
    assert not quiet.tick()
    while gc.get_count()[2] < collector.OVERDUE_AFTER:
        gc.collect(1)
    assert quiet.tick()
    quiet.release()


def test_the_app_holds_full_collections_while_it_runs(
    thresholds: tuple[int, int, int], drive: object
) -> None:
    seen: list[int] = []

    async def steps(pilot: object) -> None:
        seen.append(gc.get_threshold()[2])

    assert callable(drive)
    drive(steps)
    assert seen == [collector.HELD]
    assert gc.get_threshold() == thresholds  # and gives them back when it closes
