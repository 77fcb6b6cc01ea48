"""Copies of the project database: on request, and automatically.

Backups are taken with SQLite's online backup API (consistent even while the project is
in use), written to a temporary file and renamed into .qualkit/backups/, so a crash
never leaves half a backup that looks whole. Each is one self-contained file (no
write-ahead log), so checking or restoring it leaves nothing beside it.

Automatic backups are taken when a project is opened, at most once an interval, and when
it is closed after new material came in (recordings or segments: an import, a
transcription), whatever the interval, because that is the work that costs most to redo.
A database with no recordings and no codings is never backed up automatically: restoring
such a copy would only empty a project, and it would push real backups out of rotation.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from qualkit import atomic
from qualkit.atomic import copy_file
from qualkit.errors import InputError, ProjectError
from qualkit.layout import DB_NAME, SERVER_FILE
from qualkit.store import Store, lacks_schema

BACKUP_DIR = Path(".qualkit") / "backups"
AUTO_PREFIX = "auto-"
# Automatic backups: at most one per interval, the newest KEEP kept.
AUTO_INTERVAL_S = float(os.environ.get("QUALKIT_BACKUP_INTERVAL_S", 3600))
AUTO_KEEP = int(os.environ.get("QUALKIT_BACKUP_KEEP", 10))


class Project(Protocol):
    """What a backup needs of a project: its folder and its open store."""

    @property
    def root(self) -> Path: ...

    @property
    def store(self) -> Store: ...


def backup_dir(root: Path) -> Path:
    return Path(root) / BACKUP_DIR


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def backup_store(store: Store, target: Path) -> Path:
    """Write a consistent copy of `store` to `target`, atomically."""
    target = Path(target)
    with atomic.replacing(target) as tmp:
        store.backup_to(tmp)
    return target


def backup(project: Project, target: Path | None = None) -> Path:
    """A manual backup (default: .qualkit/backups/qualkit-<time>.db)."""
    if target is None:
        target = backup_dir(project.root) / f"qualkit-{_stamp()}.db"
    elif target.is_dir():
        target = target / f"qualkit-{_stamp()}.db"
    return backup_store(project.store, target)


def list_backups(root: Path) -> list[Path]:
    """Backups in the project, oldest first."""
    folder = backup_dir(root)
    if not folder.is_dir():
        return []
    return sorted(folder.glob("*.db"), key=lambda p: (p.stat().st_mtime, p.name))


def holds_work(counts: dict[str, int]) -> bool:
    return bool(counts.get("recordings") or counts.get("codings"))


def auto_backup(
    project: Project,
    *,
    interval_s: float | None = None,
    keep: int | None = None,
    force: bool = False,
) -> Path | None:
    """Rotate automatic backups: write one unless the newest is younger than the interval
    (force: whatever its age), or the database holds nothing worth restoring."""
    interval = AUTO_INTERVAL_S if interval_s is None else interval_s
    limit = AUTO_KEEP if keep is None else keep
    if limit <= 0 or not holds_work(project.store.content_counts()):
        return None
    autos = [p for p in list_backups(project.root) if p.name.startswith(AUTO_PREFIX)]
    if not force and autos and time.time() - autos[-1].stat().st_mtime < interval:
        return None
    path = backup_store(project.store, backup_dir(project.root) / f"{AUTO_PREFIX}{_stamp()}.db")
    autos.append(path)
    for old in autos[:-limit]:
        with contextlib.suppress(FileNotFoundError):
            old.unlink()
    return path


def latest_backup(root: Path) -> Path | None:
    found = list_backups(root)
    return found[-1] if found else None


@contextlib.contextmanager
def _reading(path: Path) -> Iterator[Store]:
    """A backup opened read-only; a -wal/-shm that opening it made (a backup taken before
    backups left write-ahead logging) is removed again: nothing ever writes to a backup."""
    sides = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]
    before = {p for p in sides if p.exists()}
    store = Store(path, read_only=True)
    try:
        yield store
    finally:
        store.close()
        for side in sides:
            if side not in before:
                with contextlib.suppress(FileNotFoundError):
                    side.unlink()


def _contents(path: Path) -> dict[str, int] | None:
    """The backup's counts, or None when it cannot be read."""
    try:
        with _reading(path) as store:
            return store.content_counts() if store.quick_check() == "ok" else None
    except (ProjectError, OSError):
        return None


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def describe_backup(path: Path, counts: dict[str, int] | None) -> str:
    """'auto-….db (2026-12-03 09:14): 3 recordings, 41 codings'."""
    when = datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
    if counts is None:
        what = f"{path.stat().st_size / 1e6:.1f} MB, cannot be read"
    else:
        what = (
            f"{_plural(counts['recordings'], 'recording')}, {_plural(counts['codings'], 'coding')}"
        )
    return f"{path.name} ({when}): {what}"


def restore_hint(root: Path) -> str:
    """Which backup to restore, with its date and what it holds; never an empty one
    without saying that it is empty."""
    found = list(reversed(list_backups(root)))
    if not found:
        return "No backup was found in .qualkit/backups/."
    # Opened newest first, only until one holds work: quick_check reads a whole file.
    described = ((p, _contents(p)) for p in found)
    newest = next(described)
    usable = next(
        ((p, c) for p, c in itertools.chain([newest], described) if c and holds_work(c)), None
    )
    if usable is None:
        return (
            f"No backup in .qualkit/backups/ holds any recordings or codings (newest: "
            f"{describe_backup(*newest)}); restoring one would leave an empty project. "
            "Keep the damaged file for rescue, or import the material again."
        )
    path, counts = usable
    hint = f"Newest backup with work in it: {describe_backup(path, counts)}."
    if path != newest[0]:
        hint += f" (Newer, but nothing to restore: {describe_backup(*newest)}.)"
    return f"{hint} Restore it with: qualkit restore {path} -p {root}"


def check_backup(path: Path) -> None:
    """Refuse a file that is not a sound qualkit database."""
    if not path.is_file():
        raise InputError(f"{path}: no such backup file.")
    try:
        with _reading(path) as store:
            status = store.quick_check()
            version = store.schema_version() if status == "ok" else 0
    except ProjectError as exc:
        raise InputError(f"{path} is not a qualkit database backup.") from exc
    if status != "ok" or version == 0:
        raise InputError(f"{path} is damaged or not a qualkit backup ({status}).")


def restore(root: Path | str, source: Path | str) -> Path:
    """Replace the project database with a backup. Close the project everywhere first.

    The current database, if readable, is kept as a backup named before-restore-*.db.
    """
    root = Path(root).resolve()
    source = Path(source)
    if (root / SERVER_FILE).exists():
        raise InputError(
            f"{root} keeps its records on a server: a backup put into the folder would not "
            "be used. Push it into an empty study database instead: qualkit db push URL "
            "from a folder holding the backup as its qualkit.db."
        )
    check_backup(source)
    db = root / DB_NAME
    if db.exists():
        try:
            # An emptied file is not opened: opening would make a new database of it.
            current = None if lacks_schema(db) else Store(db)
        except ProjectError:
            current = None
        if current is None:
            # Unreadable: keep the raw file anyway, someone may want to rescue it.
            copy_file(db, backup_dir(root) / f"damaged-{_stamp()}.db")
        else:
            try:
                backup_store(current, backup_dir(root) / f"before-restore-{_stamp()}.db")
            finally:
                current.close()
    with atomic.replacing(db) as tmp:
        with _reading(source) as source_store:
            source_store.backup_to(tmp)
        # The old write-ahead log belongs to the old file: it must not be replayed
        # over the restored one.
        for suffix in ("-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                (root / f"{DB_NAME}{suffix}").unlink()
    return db
