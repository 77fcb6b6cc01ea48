"""Play part of a recording through an external player, never raising on a silent machine.

ffplay plays any format directly; otherwise sox cuts a temporary wav that paplay or
aplay plays. Without a player or a sound device the caller gets a message to show.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class PlayResult:
    ok: bool
    message: str
    process: subprocess.Popen[bytes] | None = None


def player_command(audio: Path, start: float, duration: float) -> list[str] | None:
    """The command that plays [start, start+duration) of `audio`, or None without a player."""
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


def play(audio: Path | None, start: float | None, end: float | None) -> PlayResult:
    """Start playing in the background; returns at once with a message for the user."""
    if audio is None or not audio.is_file():
        return PlayResult(False, "no_audio")
    if start is None:
        return PlayResult(False, "no_time")
    duration = max(0.5, (end if end is not None else start + 10.0) - start)
    if not has_sound_device():
        return PlayResult(False, "Ingen ljudenhet hittades (no sound device found).")
    cmd = player_command(audio, start, duration)
    if cmd is None:
        cut = _cut_with_sox(audio, start, duration)
        player = shutil.which("paplay") or shutil.which("aplay")
        if cut is None or player is None:
            return PlayResult(
                False, "Ingen ljudspelare hittades: installera ffmpeg (ffplay) eller sox."
            )
        cmd = [player, str(cut)]
    try:
        proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
    except OSError as exc:
        return PlayResult(False, f"Uppspelningen kunde inte starta: {exc.strerror}")
    return PlayResult(True, "playing", proc)


def _cut_with_sox(audio: Path, start: float, duration: float) -> Path | None:
    if not shutil.which("sox"):
        return None
    fd, name = tempfile.mkstemp(prefix="qualkit-play-", suffix=".wav")
    os.close(fd)
    res = subprocess.run(
        ["sox", str(audio), name, "trim", f"{start:.2f}", f"{duration:.2f}"],
        capture_output=True,
        check=False,
    )
    return Path(name) if res.returncode == 0 else None
