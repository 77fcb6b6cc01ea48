"""Play part of a recording through an external player, never raising on a silent machine.

ffplay reads the clip straight from the recording. Without it, sox cuts the clip into a
pipe that paplay or aplay reads: interview audio is never written to a temporary file
(it would outlive the session in /tmp, readable by anyone on the machine). One clip
plays at a time: a new play stops the old one, and `Player.stop` ends it.

For transcribing, a clip can be paused and resumed (the player's process group is
stopped and continued, so no player needs a control channel), wound back a few seconds
and played slower or faster (ffmpeg's atempo or sox's tempo: the pitch stays). Where the
clip is now is reckoned from the clock, so winding back restarts the player from there.
Without a player or a sound device the caller gets a message key to show.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol, cast

# Speeds a transcriber steps through; atempo and sox tempo both keep the pitch.
SPEEDS = (0.5, 0.75, 1.0, 1.25, 1.5)
# Seconds a rewind goes back.
REWIND_S = 3.0


@dataclass(frozen=True, slots=True)
class PlayResult:
    """`message` is an i18n key under audio.*, or 'playing' when `ok`."""

    ok: bool
    message: str
    process: Any = None


def _tempo(speed: float) -> str:
    return f"{speed:.2f}".rstrip("0").rstrip(".")


def player_command(
    audio: Path, start: float, duration: float, speed: float = 1.0
) -> list[str] | None:
    """The command that plays [start, start+duration) of `audio`, or None without ffplay."""
    if not shutil.which("ffplay"):
        return None
    cmd = ["ffplay", "-nodisp", "-autoexit", "-loglevel", "quiet"]
    cmd += ["-ss", f"{start:.2f}", "-t", f"{duration:.2f}"]
    if speed != 1.0:
        cmd += ["-af", f"atempo={_tempo(speed)}"]
    return [*cmd, str(audio)]


def pipe_commands(
    audio: Path, start: float, duration: float, speed: float = 1.0
) -> tuple[list[str], list[str]] | None:
    """sox cutting the clip to stdout, and the player reading it from stdin; None without."""
    sox = shutil.which("sox")
    player = shutil.which("paplay") or shutil.which("aplay")
    if sox is None or player is None:
        return None
    cut = [sox, "-q", str(audio), "-t", "wav", "-", "trim", f"{start:.2f}", f"{duration:.2f}"]
    if speed != 1.0:
        cut += ["tempo", "-s", _tempo(speed)]
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


class Process(Protocol):
    """What the player needs of a started program (subprocess.Popen, or a test's fake)."""

    pid: int
    stdout: Any

    def poll(self) -> int | None: ...


class Launcher:
    """Starts, pauses, resumes and ends player programs; a test passes a fake that records."""

    def sound(self) -> bool:
        return has_sound_device()

    def commands(self, audio: Path, start: float, duration: float, speed: float) -> list[list[str]]:
        """One command (ffplay), a pipe of two (sox | paplay/aplay), or none."""
        cmd = player_command(audio, start, duration, speed)
        if cmd is not None:
            return [cmd]
        pair = pipe_commands(audio, start, duration, speed)
        return list(pair) if pair is not None else []

    def spawn(self, cmd: list[str], stdin: Any, stdout: Any) -> Process:
        # Its own process group, so stopping ends the player and anything it started.
        return subprocess.Popen(
            cmd, stdin=stdin, stdout=stdout, stderr=subprocess.DEVNULL, start_new_session=True
        )

    def signal(self, proc: Process, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)

    def end(self, proc: Process) -> None:
        popen = cast("subprocess.Popen[bytes]", proc)
        if popen.poll() is None:
            self.signal(proc, signal.SIGCONT)  # a paused player must wake to hear SIGTERM
            try:
                os.killpg(popen.pid, signal.SIGTERM)
            except (ProcessLookupError, PermissionError):
                popen.terminate()
        try:
            popen.wait(timeout=2)
        except subprocess.TimeoutExpired:
            popen.kill()
            popen.wait()


@dataclass(frozen=True, slots=True)
class Clip:
    """What plays now: a stretch of a recording, from when on the clock, at which speed."""

    audio: Path
    start: float
    end: float
    speed: float
    began: float  # clock time the player started at `start`
    paused_at: float | None = None

    def position(self, now: float) -> float:
        """Seconds into the recording the player has reached."""
        at = self.paused_at if self.paused_at is not None else now
        return min(self.end, self.start + max(0.0, at - self.began) * self.speed)


class Player:
    """Plays one clip at a time in the background."""

    def __init__(
        self, launcher: Launcher | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.launcher = launcher or Launcher()
        self.clock = clock
        self.speed = 1.0
        self.clip: Clip | None = None
        self._procs: list[Process] = []
        self._lock = threading.Lock()

    @property
    def playing(self) -> bool:
        with self._lock:
            return any(p.poll() is None for p in self._procs)

    @property
    def paused(self) -> bool:
        return self.clip is not None and self.clip.paused_at is not None and self.playing

    def position(self) -> float | None:
        """Where in the recording the clip is now; None when nothing plays."""
        clip = self.clip
        if clip is None or not self.playing:
            return None
        return clip.position(self.clock())

    def play(self, audio: Path | None, start: float | None, end: float | None) -> PlayResult:
        """Stop what plays, start this clip; returns at once with a message for the user."""
        self.stop()
        if audio is None or not audio.is_file():
            return PlayResult(False, "no_audio")
        if start is None:
            return PlayResult(False, "no_time")
        if not self.launcher.sound():
            return PlayResult(False, "no_device")
        stop_at = end if end is not None else start + 10.0
        return self._start(Clip(audio, start, max(stop_at, start + 0.5), self.speed, 0.0))

    def _start(self, clip: Clip) -> PlayResult:
        duration = max(0.1, clip.end - clip.start)
        cmds = self.launcher.commands(clip.audio, clip.start, duration, clip.speed)
        if not cmds:
            return PlayResult(False, "no_player")
        try:
            procs = self._spawn_all(cmds)
        except OSError:
            return PlayResult(False, "failed")
        with self._lock:
            self._procs = procs
        self.clip = replace(clip, began=self.clock(), paused_at=None)
        return PlayResult(True, "playing", procs[-1])

    def _spawn_all(self, cmds: list[list[str]]) -> list[Process]:
        if len(cmds) == 1:
            return [self.launcher.spawn(cmds[0], subprocess.DEVNULL, subprocess.DEVNULL)]
        cut = self.launcher.spawn(cmds[0], subprocess.DEVNULL, subprocess.PIPE)
        try:
            out = self.launcher.spawn(cmds[1], cut.stdout, subprocess.DEVNULL)
        except OSError:
            self.launcher.end(cut)
            raise
        if cut.stdout is not None:
            cut.stdout.close()  # the player holds the pipe now; sox sees it close if it stops
        return [cut, out]

    def toggle_pause(self) -> str:
        """Pause the clip or go on with it: 'paused', 'resumed' or 'idle' (nothing plays)."""
        clip = self.clip
        if clip is None or not self.playing:
            return "idle"
        now = self.clock()
        with self._lock:
            procs = list(self._procs)
        if clip.paused_at is None:
            for proc in procs:
                self.launcher.signal(proc, signal.SIGSTOP)
            self.clip = replace(clip, paused_at=now)
            return "paused"
        for proc in procs:
            self.launcher.signal(proc, signal.SIGCONT)
        self.clip = replace(clip, began=clip.began + (now - clip.paused_at), paused_at=None)
        return "resumed"

    def rewind(self, seconds: float = REWIND_S) -> PlayResult:
        """Play again from a few seconds back (never before the recording's start)."""
        at = self.position()
        clip = self.clip
        if at is None or clip is None:
            return PlayResult(False, "idle")
        self._end_procs()
        return self._start(replace(clip, start=max(0.0, at - seconds)))

    def set_speed(self, speed: float) -> PlayResult | None:
        """Play at this speed from now on; a clip that plays goes on from where it is."""
        self.speed = speed
        at = self.position()
        clip = self.clip
        if at is None or clip is None:
            return None
        paused = clip.paused_at is not None
        self._end_procs()
        result = self._start(replace(clip, start=at, speed=speed))
        if paused and result.ok:
            self.toggle_pause()
        return result

    def step_speed(self, step: int) -> float:
        """The next slower (-1) or faster (+1) of SPEEDS; returns the new speed."""
        nearest = min(range(len(SPEEDS)), key=lambda i: abs(SPEEDS[i] - self.speed))
        speed = SPEEDS[min(max(nearest + step, 0), len(SPEEDS) - 1)]
        self.set_speed(speed)
        return speed

    def _end_procs(self) -> bool:
        with self._lock:
            procs, self._procs = self._procs, []
        was_playing = any(p.poll() is None for p in procs)
        for proc in procs:
            self.launcher.end(proc)
        return was_playing

    def stop(self) -> bool:
        """Stop the clip that plays; True when one was playing."""
        self.clip = None
        return self._end_procs()


_DEFAULT = Player()


def play(audio: Path | None, start: float | None, end: float | None) -> PlayResult:
    """Play a clip on the shared player (stopping the one before)."""
    return _DEFAULT.play(audio, start, end)
