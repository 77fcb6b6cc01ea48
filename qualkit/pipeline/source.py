"""Whether a recording's audio file is still the one its transcript was made from.

Artefacts are named by the audio's sha256, taken at import; a file replaced since (copied
again after a transfer cut it short, or overwritten by mistake) must not reuse the old
transcript. Hashing an hour of audio on every run would cost seconds per recording, so
the file's size and modification time are remembered beside the artefacts, and it is
hashed again only when they changed or this machine has not seen the file yet. They are
kept per machine, not in the project database: each coder's copy of the audio has its
own modification times.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from qualkit.atomic import sha256_file
from qualkit.pipeline.artefacts import write_json


def current_sha(artefacts_root: Path, src: Path) -> str:
    """The sha256 of `src` as it is now: remembered while its size and time are unchanged."""
    stat = src.stat()
    path = str(src.resolve())
    seen: dict[str, object] = {"path": path, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    record = artefacts_root / "sources" / f"{_name(path)}.json"
    try:
        known = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    if isinstance(known, dict) and all(known.get(k) == v for k, v in seen.items()):
        sha = known.get("sha256")
        if isinstance(sha, str) and sha:
            return sha
    sha = sha256_file(src)
    write_json(record, {**seen, "sha256": sha})
    return sha


def _name(path: str) -> str:
    return hashlib.sha256(path.encode("utf-8", "surrogateescape")).hexdigest()[:24]
