"""What every transcript reader shares: turns, the parsed file, decoding and times."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from qualkit.errors import ImportFormatError
from qualkit.model import Word

TRANSCRIPT_SUFFIXES = {".txt", ".docx", ".srt", ".vtt", ".json", ".html", ".htm"}
MAX_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Turn:
    speaker: str | None
    text: str
    start: float | None = None
    end: float | None = None
    words: tuple[Word, ...] = ()


@dataclass(frozen=True, slots=True)
class ParsedTranscript:
    path: Path
    format: str
    turns: tuple[Turn, ...]
    # Parts of the file that were skipped, each naming the line: "x.vtt line 12: ...".
    warnings: tuple[str, ...] = ()

    @property
    def speakers(self) -> list[str]:
        seen: dict[str, None] = {}
        for t in self.turns:
            if t.speaker is not None:
                seen.setdefault(t.speaker)
        return list(seen)


# ------------------------------------------------------------------ decoding
def decode_text(raw: bytes, path: Path) -> str:
    """UTF-8 (with or without BOM), UTF-32 or UTF-16 with BOM, else Windows-1252."""
    # UTF-32 first: its little-endian BOM begins with UTF-16's (FF FE).
    if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        try:
            return raw.decode("utf-32")
        except UnicodeDecodeError as exc:
            raise ImportFormatError(f"{path}: broken UTF-32 text ({exc.reason}).") from exc
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ImportFormatError(f"{path}: broken UTF-16 text ({exc.reason}).") from exc
    nul = raw.find(b"\x00")
    if nul >= 0:
        line = raw[:nul].count(b"\n") + 1
        raise ImportFormatError(
            f"{path} line {line}: contains binary data; this is not a text transcript."
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ImportFormatError(
            f"{path} line {line}: unreadable characters; save the file as UTF-8."
        ) from exc


def read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise ImportFormatError(f"{path}: no such file.") from exc
    except OSError as exc:
        raise ImportFormatError(f"{path}: cannot be read ({exc.strerror}).") from exc
    if path.is_dir():
        raise ImportFormatError(f"{path}: is a folder, not a transcript file.")
    if size > MAX_BYTES:
        raise ImportFormatError(f"{path}: {size} bytes is too large for a transcript.")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ImportFormatError(f"{path}: cannot be read ({exc.strerror}).") from exc


# --------------------------------------------------------------- timestamps
TS = r"(?:(\d{1,2}):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?"
LEAD_TS = re.compile(r"^\s*[\[(]?\s*" + TS + r"\s*[\])]?\s*[-–:]?\s*")


def seconds(h: str | None, m: str, s: str, frac: str | None) -> float:
    value = int(h or 0) * 3600 + int(m) * 60 + int(s)
    if frac:
        value += int(frac) / (10 ** len(frac))
    return float(value)


# A speaker label: up to 40 characters and four words before a colon, e.g. "Anna:",


# ------------------------------------------------------------------ CSV
def csv_rows(text: str, name: str, delimiter: str = ",") -> list[list[str]]:
    """The rows of a CSV file, read strictly: a quote left open or stray text after a
    closing quote is an error naming the line, not a row silently swallowed or merged."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    try:
        return list(reader)
    except csv.Error as exc:
        raise ImportFormatError(
            f"{name} line {reader.line_num}: not valid CSV ({exc}); check the quotes "
            "(a value with a comma or a line break is written in double quotes, and a quote "
            'inside it is doubled: "a ""b"", c").'
        ) from exc
