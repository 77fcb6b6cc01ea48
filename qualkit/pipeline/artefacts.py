"""Immutable stage artefacts on disk: atomic writes and option-keyed names.

Each artefact is named by the recording's sha256 and a hash of everything that
produced it (stage options plus the key of the artefact it was built from), so a
changed option gives a new name and reruns only the stages that depend on it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import asdict, fields, is_dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt

from qualkit import atomic


def atomic_writer(dest: Path) -> AbstractContextManager[IO[bytes]]:
    """Write to a temp file beside `dest`, fsync, then os.replace: all or nothing."""
    return atomic.open_for_write(dest)


def write_text(dest: Path, text: str) -> None:
    with atomic_writer(dest) as f:
        f.write(text.encode("utf-8"))


def write_json(dest: Path, obj: Any) -> None:
    write_text(dest, json.dumps(to_jsonable(obj), ensure_ascii=False, indent=1) + "\n")


def read_json(path: Path) -> Any:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def write_npy(dest: Path, array: npt.NDArray[Any]) -> None:
    with atomic_writer(dest) as f:
        np.save(f, array, allow_pickle=False)


def read_npy(path: Path) -> npt.NDArray[Any]:
    arr: npt.NDArray[Any] = np.load(path, allow_pickle=False)
    return arr


def to_jsonable(obj: Any) -> Any:
    """Dataclasses, tuples, mappings and numpy scalars to plain JSON values."""
    if is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in fields(obj)}
    if isinstance(obj, Mapping):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, float):
        return round(obj, 4)
    return obj


def options_key(*parts: Any) -> str:
    """A short stable hash of options (dataclasses or plain values) and upstream keys."""
    blob = json.dumps(
        [asdict(p) if is_dataclass(p) and not isinstance(p, type) else p for p in parts],
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


class ArtefactStore:
    """`<project>/.qualkit/artefacts/<sha256[:16]>/<stage>-<key>.<ext>`."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str, stage: str, key: str, ext: str) -> Path:
        return self.root / sha256[:16] / f"{stage}-{key}.{ext}"
