"""A project folder's records moved to a team's study database on a server, and back.

- attach: the folder's records go to the server (or the folder joins a study already
  there) and the folder names the server from then on; its own qualkit.db is kept as a
  backup;
- push: copy the folder's records to an empty server database, nothing else changes;
- pull: the server's records into a SQLite file: the folder's own qualkit.db (the folder
  is a single-user project again) or any file.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from pathlib import Path

from qualkit.backup import backup_dir, backup_store
from qualkit.errors import InputError, ProjectError
from qualkit.layout import DB_NAME
from qualkit.project import server_of, set_server
from qualkit.store import Server, Store
from qualkit.store.transfer import copy_study

# Tables that hold a study's work (a fresh project has only its codebooks).
_WORK = ("recordings", "participants", "codings", "rounds", "memos")


def has_work(store: Store) -> bool:
    return any(int(store._rows(f"SELECT COUNT(*) FROM {t}")[0][0]) for t in _WORK)


def _folder_store(root: Path) -> Store:
    db = root / DB_NAME
    if not db.exists():
        raise ProjectError(f"{root} has no {DB_NAME} of its own to copy.")
    return Store(db)


def push(root: Path, target: str) -> dict[str, int]:
    """Copy the folder's records into an empty study database; {table: rows}."""
    root = Path(root).resolve()
    local = _folder_store(root)
    try:
        remote = Store(root / DB_NAME, server=Server.parse(target))
        try:
            return copy_study(local, remote)
        finally:
            remote.close()
    finally:
        local.close()


def attach(
    root: Path, target: str, *, replace_local: bool = False
) -> tuple[Server, dict[str, int]]:
    """Make the folder use a study database on a server; {table: rows copied there}.

    When both hold a study, `replace_local` lets the server's replace the folder's (the
    way back after `db pull`): the folder's qualkit.db is kept in the backups, not copied."""
    root = Path(root).resolve()
    if server_of(root) is not None:
        raise InputError(
            f"{root} already uses a study database on a server; to move it, pull it back "
            "first (qualkit db pull) and attach again."
        )
    server = Server.parse(target)
    db = root / DB_NAME
    copied: dict[str, int] = {}
    remote = Store(db, server=server)
    try:
        if db.exists():
            local = Store(db)
            try:
                both = has_work(local) and has_work(remote)
                if both and not replace_local:
                    raise InputError(
                        f"Both this folder and {server.display} hold a study; attach a folder "
                        "without records to join the server's study, or use an empty database. "
                        "To go back to the server's study after `db pull`, add --replace-local: "
                        f"the folder's {DB_NAME} then goes to .qualkit/backups/ (work done in "
                        "it since stays only there)."
                    )
                if has_work(local) and not both:
                    copied = copy_study(local, remote)
                backup_store(
                    local, backup_dir(root) / f"before-attach-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.db"
                )
            finally:
                local.close()
    finally:
        remote.close()
    set_server(root, server)
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            (root / f"{DB_NAME}{suffix}").unlink()
    return server, copied


def pull(root: Path, output: Path | None = None) -> Path:
    """The server's records into a SQLite file (default: the folder's own, detaching it)."""
    root = Path(root).resolve()
    server = server_of(root)
    if server is None:
        raise InputError(f"{root} keeps its records in its own {DB_NAME}; nothing to pull.")
    target = output if output is not None else root / DB_NAME
    if target.exists():
        raise InputError(f"{target} exists; give another file with --output.")
    remote = Store(root / DB_NAME, server=server)
    try:
        backup_store(remote, target)
    finally:
        remote.close()
    if output is None:
        set_server(root, None)
    return target
