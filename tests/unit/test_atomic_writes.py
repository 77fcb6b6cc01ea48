"""Every file qualkit produces is written atomically (temp file, fsync, rename).

A scan of the source: a write to a real path must go through qualkit.atomic, write into
an in-memory buffer that atomic then stores, or live in a module that renames a
temporary file into place itself (os.replace). New write paths that do none of these
fail this test, so a crash can never leave half a file that looks whole.
"""

from __future__ import annotations

import re
from pathlib import Path

from qualkit import atomic

REPO = Path(__file__).resolve().parents[2]

WRITES = re.compile(
    r"(?<!atomic)\.write_(?:text|bytes)\("
    r"|\bopen\([^)]*[\"'](?:w|a|x|wb|ab|xb|w\+|r\+b?)[\"']"
    r"|shutil\.copy(?:file|2|tree)?\("
    r"|\.(?:save|savefig|to_csv|to_excel|to_parquet|to_json)\((?P<target>[^,)]*)"
    r"|\bnp\.save[z]?\((?P<np_target>[^,)]*)"
)
BUFFER = re.compile(r"buf|io\.|BytesIO|StringIO|fh\b|f\b|out\b|stream")


def offenders() -> list[str]:
    found: list[str] = []
    for path in sorted((REPO / "qualkit").rglob("*.py")):
        if path.name == "atomic.py":
            continue
        text = path.read_text(encoding="utf-8")
        renames_itself = "os.replace(" in text
        for n, line in enumerate(text.splitlines(), 1):
            stripped = line.strip()
            if stripped.startswith("#"):
                continue
            m = WRITES.search(line)
            if not m:
                continue
            target = m.group("target") if m.group("target") is not None else m.group("np_target")
            if target is not None and (not target.strip() or BUFFER.search(target)):
                # No argument (returns a string) or into memory, stored atomically afterwards.
                continue
            if renames_itself:
                continue  # the module writes a temp file and renames it into place
            found.append(f"{path.relative_to(REPO)}:{n}: {stripped}")
    return found


def test_every_write_is_atomic() -> None:
    assert offenders() == []


def test_copy_file_is_atomic(tmp_path: Path) -> None:
    src = tmp_path / "a.bin"
    src.write_bytes(b"x" * 3_000_000)
    dest = atomic.copy_file(src, tmp_path / "sub" / "b.bin")
    assert dest.read_bytes() == src.read_bytes()
    assert not list((tmp_path / "sub").glob("*.tmp"))
