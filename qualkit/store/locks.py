"""Who else has the project database open: named in the message when a write has to wait."""

from __future__ import annotations

import os
from pathlib import Path

PROC = Path("/proc")


def _command(pid_dir: Path) -> str:
    """The program and its command ("python -m qualkit code"), never the rest of its
    arguments: those can hold a memo's text or a person's name."""
    try:
        argv = [a.decode(errors="replace") for a in (pid_dir / "cmdline").read_bytes().split(b"\0")]
    except OSError:
        return "?"
    argv = [a for a in argv if a]
    if not argv:
        return "?"
    shown = [Path(argv[0]).name]
    rest = argv[1:]
    if rest[:1] == ["-m"]:
        shown.append("-m")
        rest = rest[1:]
    elif rest and rest[0].startswith("-"):
        return shown[0]
    # The script or module, then its command word.
    for word in rest[:2]:
        if word.startswith("-") or any(c.isspace() for c in word):
            break
        shown.append(Path(word).name)
    return " ".join(shown)


def holders(db: Path, limit: int = 3) -> list[str]:
    """Other processes with the database or its write-ahead log open, as "process N (cmd)".

    Read from /proc where the system has one; elsewhere (or for another user's processes)
    nothing is found, and the message says less."""
    if not PROC.is_dir():
        return []
    base = str(db.resolve())
    wanted = {base, f"{base}-wal", f"{base}-shm"}
    me = str(os.getpid())
    found: list[str] = []
    try:
        entries = sorted(PROC.iterdir(), key=lambda p: p.name)
    except OSError:
        return []
    for entry in entries:
        if not entry.name.isdigit() or entry.name == me:
            continue
        try:
            fds = list((entry / "fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target in wanted:
                found.append(f"process {entry.name} ({_command(entry)})")
                break
        if len(found) >= limit:
            break
    return found
