"""Every file qualkit produces is written atomically (temp file, fsync, rename).

A scan of the source: a write to a real path must go through qualkit.atomic or write into
an in-memory buffer that atomic then stores. New write paths that do neither fail this
test, so a crash can never leave half a file that looks whole. The temporary-file-and-
rename dance itself is written once, in qualkit.atomic.
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
# atomic.py is the writer; a model is a folder, swapped in whole, which no file writer fits.
OWN_RENAMES = {"atomic.py", "models.py"}
BUFFER = re.compile(r"buf|io\.|BytesIO|StringIO|fh\b|f\b|out\b|stream")


def offenders() -> list[str]:
    found: list[str] = []
    for path in sorted((REPO / "qualkit").rglob("*.py")):
        if path.name in OWN_RENAMES:
            continue
        text = path.read_text(encoding="utf-8")
        for n, line in enumerate(text.splitlines(), 1):
            stripped = line.strip()
            if stripped.startswith("#"):
                continue
            if "zf.open(" in line:
                continue  # a member of an archive that atomic writes whole
            m = WRITES.search(line)
            if not m:
                continue
            target = m.group("target") if m.group("target") is not None else m.group("np_target")
            if target is not None and (not target.strip() or BUFFER.search(target)):
                # No argument (returns a string) or into memory, stored atomically afterwards.
                continue
            found.append(f"{path.relative_to(REPO)}:{n}: {stripped}")
    return found


def test_every_write_is_atomic() -> None:
    assert offenders() == []


def test_the_atomic_writer_is_written_once() -> None:
    copies = [
        str(path.relative_to(REPO))
        for path in sorted((REPO / "qualkit").rglob("*.py"))
        if path.name not in OWN_RENAMES
        and re.search(r"os\.replace\(|\.fsync\(", path.read_text(encoding="utf-8"))
    ]
    assert copies == []


def test_one_file_hash() -> None:
    hashers = [
        str(path.relative_to(REPO))
        for path in sorted((REPO / "qualkit").rglob("*.py"))
        if re.search(r"def \w*sha256\w*\(path", path.read_text(encoding="utf-8"))
    ]
    assert hashers == ["qualkit/atomic.py"]


def test_copy_file_is_atomic(tmp_path: Path) -> None:
    src = tmp_path / "a.bin"
    src.write_bytes(b"x" * 3_000_000)
    dest = atomic.copy_file(src, tmp_path / "sub" / "b.bin")
    assert dest.read_bytes() == src.read_bytes()
    assert not list((tmp_path / "sub").glob("*.tmp"))
