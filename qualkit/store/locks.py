"""Who else has the project database open: named in the message when a write has to wait."""

from __future__ import annotations

import os
import socket
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


def _start_ticks(pid: int) -> str:
    """When process `pid` started (clock ticks since boot), so a pid the system has given
    to a new process since is not taken for the old one; '' where /proc cannot tell."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return ""
    # The command name (field 2) may hold spaces and brackets: count from its end.
    fields = stat[stat.rfind(")") + 2 :].split()
    return fields[19] if len(fields) > 19 else ""


def _machine() -> str:
    """This machine: its host name and, where the system has one, its machine id, so two
    machines cloned from one image (both called "ubuntu") are not taken for each other."""
    for path in ("/etc/machine-id", "/var/lib/dbus/machine-id"):
        try:
            ident = Path(path).read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            continue
        if ident.isalnum():
            return f"{socket.gethostname()}-{ident[:16]}"
    return socket.gethostname()


def this_process() -> str:
    """This process as 'machine:pid:start', written with a stage that is running."""
    pid = os.getpid()
    return f"{_machine().replace(':', '-')}:{pid}:{_start_ticks(pid)}"


def process_gone(owner: str) -> bool:
    """Whether the process `owner` (from `this_process`) has certainly ended.

    Only a process on this machine can be checked; one elsewhere (a team database) is
    taken to live. No owner at all is a stage marked running by a qualkit from before
    owners were written: that process cannot still be running this stage."""
    if not owner:
        return True
    host, _, rest = owner.partition(":")
    pid_text, _, start = rest.partition(":")
    if host != _machine().replace(":", "-") or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # it exists, and belongs to someone else
    return bool(start) and _start_ticks(pid) not in ("", start)
