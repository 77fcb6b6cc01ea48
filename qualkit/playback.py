"""Play part of a recording through an external player, never raising on a silent machine.

ffplay reads the clip straight from the recording. Without it, sox cuts the clip into a
pipe that paplay or aplay reads: interview audio is never written to a temporary file
(it would outlive the session in /tmp, readable by anyone on the machine). One clip
plays at a time: a new play stops the old one, and `Player.stop` ends it. Without a
player or a sound device the caller gets a message to show.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class PlayResult:
    ok: bool
    message: str
    process: subprocess.Popen[bytes] | None = None


def player_command(audio: Path, start: float, duration: float) -> list[str] | None:
    """The command that plays [start, start+duration) of `audio`, or None without ffplay."""
    if shutil.which("ffplay"):
        return [
            "ffplay",
            "-nodisp",
            "-autoexit",
            "-loglevel",
            "quiet",
            "-ss",
            f"{start:.2f}",
            "-t",
            f"{duration:.2f}",
            str(audio),
        ]
    return None


def pipe_commands(audio: Path, start: float, duration: float) -> tuple[list[str], list[str]] | None:
    """sox cutting the clip to stdout, and the player reading it from stdin; None without."""
    sox = shutil.which("sox")
    player = shutil.which("paplay") or shutil.which("aplay")
    if sox is None or player is None:
        return None
    cut = [sox, "-q", str(audio), "-t", "wav", "-", "trim", f"{start:.2f}", f"{duration:.2f}"]
    return cut, [player]  # both read the clip from stdin when given no file


def has_sound_device() -> bool:
    """A best guess that sound can come out: a PulseAudio/PipeWire socket or an ALSA card."""
    if os.environ.get("QUALKIT_NO_SOUND"):
        return False
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime and (Path(runtime) / "pulse" / "native").exists():
        return True
    if os.environ.get("PULSE_SERVER"):
        return True
    cards = Path("/proc/asound/cards")
    try:
        return cards.exists() and "no soundcards" not in cards.read_text()
    except OSError:
        return False


def _check(audio: Path | None, start: float | None) -> PlayResult | None:
    if audio is None or not audio.is_file():
        return PlayResult(False, "no_audio")
    if start is None:
        return PlayResult(False, "no_time")
    if not has_sound_device():
        return PlayResult(False, "Ingen ljudenhet hittades (no sound device found).")
    return None


class Player:
    """Plays one clip at a time in the background."""

    def __init__(self) -> None:
        self._procs: list[subprocess.Popen[bytes]] = []
        self._lock = threading.Lock()

    @property
    def playing(self) -> bool:
        with self._lock:
            return any(p.poll() is None for p in self._procs)

    def play(self, audio: Path | None, start: float | None, end: float | None) -> PlayResult:
        """Stop what plays, start this clip; returns at once with a message for the user."""
        self.stop()
        problem = _check(audio, start)
        if problem is not None:
            return problem
        assert audio is not None and start is not None
        duration = max(0.5, (end if end is not None else start + 10.0) - start)
        try:
            procs = self._start(audio, start, duration)
        except OSError as exc:
            return PlayResult(False, f"Uppspelningen kunde inte starta: {exc.strerror}")
        if not procs:
            return PlayResult(
                False, "Ingen ljudspelare hittades: installera ffmpeg (ffplay) eller sox."
            )
        with self._lock:
            self._procs = procs
        return PlayResult(True, "playing", procs[-1])

    def _start(self, audio: Path, start: float, duration: float) -> list[subprocess.Popen[bytes]]:
        cmd = player_command(audio, start, duration)
        if cmd is not None:
            return [_spawn(cmd, subprocess.DEVNULL, subprocess.DEVNULL)]
        pair = pipe_commands(audio, start, duration)
        if pair is None:
            return []
        cut = _spawn(pair[0], subprocess.DEVNULL, subprocess.PIPE)
        try:
            out = _spawn(pair[1], cut.stdout, subprocess.DEVNULL)
        except OSError:
            _end(cut)
            raise
        assert cut.stdout is not None
        cut.stdout.close()  # the player holds the pipe now; sox sees it close if it stops
        return [cut, out]

    def stop(self) -> bool:
        """Stop the clip that plays; True when one was playing."""
        with self._lock:
            procs, self._procs = self._procs, []
        was_playing = any(p.poll() is None for p in procs)
        for proc in procs:
            _end(proc)
        return was_playing


def _spawn(cmd: list[str], stdin: Any, stdout: Any) -> subprocess.Popen[bytes]:
    # Its own process group, so stopping ends the player and anything it started.
    return subprocess.Popen(
        cmd, stdin=stdin, stdout=stdout, stderr=subprocess.DEVNULL, start_new_session=True
    )


def _end(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            proc.terminate()
    try:
        proc.wait(timeout=2)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


_DEFAULT = Player()


def play(audio: Path | None, start: float | None, end: float | None) -> PlayResult:
    """Play a clip on the shared player (stopping the one before)."""
    return _DEFAULT.play(audio, start, end)
