"""A player launcher that records what it is told instead of making sound."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

from qualkit import playback


class FakeProcess:
    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.stdout: Any = None
        self.ended = False

    def poll(self) -> int | None:
        return 0 if self.ended else None


class FakeLauncher(playback.Launcher):
    """Records ('play', start, duration, speed), ('pause',), ('resume',) and ('end',)."""

    def __init__(self) -> None:
        self.log: list[tuple[Any, ...]] = []
        self._next_pid = 1000

    def sound(self) -> bool:
        return True

    def commands(self, audio: Path, start: float, duration: float, speed: float) -> list[list[str]]:
        self.log.append(("play", round(start, 2), round(duration, 2), speed))
        return [["fake-player", str(audio)]]

    def spawn(self, cmd: list[str], stdin: Any, stdout: Any) -> FakeProcess:
        self._next_pid += 1
        return FakeProcess(self._next_pid)

    def signal(self, proc: Any, sig: int) -> None:
        self.log.append(("pause",) if sig == signal.SIGSTOP else ("resume",))

    def end(self, proc: Any) -> None:
        if not proc.ended:
            self.log.append(("end",))
        proc.ended = True

    def commands_only(self) -> list[tuple[Any, ...]]:
        return [entry for entry in self.log if entry[0] != "end"]


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now
