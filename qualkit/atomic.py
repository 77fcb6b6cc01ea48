"""Atomic file writes and the file hash: a reader sees the old file or the new one, never half.

Every file qualkit writes goes through `replacing`: a temporary file beside the target,
flushed to disk, renamed over it, and the folder flushed so the rename itself survives a
power cut. The other writers here are shapes of that one.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from qualkit.errors import ProjectError

BLOCK = 1 << 20


@contextlib.contextmanager
def replacing(path: Path | str) -> Iterator[Path]:
    """A temporary path beside `path`; when the block ends, it is flushed and renamed over
    `path`. When the block raises, the temporary file goes and `path` is left as it was.

    For writers that need a path rather than an open file (SQLite's backup API)."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            raise ProjectError(
                f"Cannot write {target.name}: the folder {target.parent} is read-only. "
                "Write to another folder (most commands take --output)."
            ) from None
        raise
    # mkstemp makes the file private (0600); give it the mode open() would, so an export
    # is readable by whoever the user's umask lets read it (a report on a team drive).
    os.fchmod(fd, _mode())
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with tmp.open("rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    fsync_dir(target.parent)


@contextlib.contextmanager
def open_for_write(path: Path | str) -> Iterator[IO[bytes]]:
    """A binary file to write `path` through; it replaces `path` whole when the block ends."""
    with replacing(path) as tmp, tmp.open("wb") as fh:
        yield fh
        fh.flush()


def write_bytes(path: Path | str, data: bytes) -> Path:
    """Write `data` to `path` atomically."""
    with open_for_write(path) as fh:
        fh.write(data)
    return Path(path)


def write_text(path: Path | str, text: str, encoding: str = "utf-8") -> Path:
    return write_bytes(path, text.encode(encoding))


def copy_file(source: Path | str, path: Path | str) -> Path:
    """Copy a (possibly large) file in blocks to `path`, atomically."""
    with open_for_write(path) as fh, Path(source).open("rb") as src:
        shutil.copyfileobj(src, fh, BLOCK)
    return Path(path)


def _mode() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entries: a rename is durable only once its directory is."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def sha256_file(path: Path | str) -> str:
    """The SHA-256 of a file's bytes, read in blocks (audio files can be gigabytes)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while block := fh.read(BLOCK):
            digest.update(block)
    return digest.hexdigest()
