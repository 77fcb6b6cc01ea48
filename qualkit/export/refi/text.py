"""Text inside REFI-QDA files: decoding, .docx paragraphs, and UTF-16 offsets (NVivo)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from qualkit.errors import ImportFormatError
from qualkit.export.refi.archive import open_zip
from qualkit.export.refi.records import DEFAULT_LIMITS, Limits


def decode_text(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def docx_text(data: bytes, label: str, limits: Limits = DEFAULT_LIMITS) -> str:
    """The paragraphs of a .docx, one per line (for sources with rich text only)."""
    # A .docx is a zip too: check its names and declared sizes before python-docx unpacks
    # it (Python's zipfile never inflates a member beyond its declared size).
    with open_zip(io.BytesIO(data), label, ".docx source (zip)") as inner:
        infos = inner.infolist()
    if len(infos) > limits.max_entries or sum(i.file_size for i in infos) > limits.max_text_bytes:
        raise ImportFormatError(f"{label}: refused: a .docx source unpacks to too much data.")
    # Imported here: python-docx and lxml take a fifth of a second, which every command
    # would pay at start-up for the few REFI-QDA files with .docx sources.
    import docx

    try:
        # python-docx reads XML with lxml, which does not expand external entities.
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # a broken docx is one bad source, not a failed import
        raise ImportFormatError(f"{label}: a .docx source cannot be read ({exc}).") from exc
    return "\n".join(p.text for p in document.paragraphs)


def utf16_index(text: str) -> list[int]:
    """For each UTF-16 unit offset, the code point offset (astral characters take two units)."""
    out: list[int] = []
    for i, ch in enumerate(text):
        out.append(i)
        if ord(ch) > 0xFFFF:
            out.append(i)
    out.append(len(text))
    return out


def _boundary_score(text: str, spans: list[tuple[int, int]]) -> int:
    score = 0
    n = len(text)
    for start, end in spans:
        if 0 <= start <= n and (start == 0 or not text[start - 1].isalnum()):
            score += 1
        if 0 <= end <= n and (end == n or not text[end].isalnum()):
            score += 1
    return score


def prefers_utf16(text: str, spans: list[tuple[int, int]]) -> bool:
    """Whether offsets look like UTF-16 units: only possible when the text has astral chars."""
    if not spans or not any(ord(ch) > 0xFFFF for ch in text):
        return False
    units = utf16_index(text)
    if max(e for _, e in spans) > len(text):
        return True
    as_units = [(units[min(s, len(units) - 1)], units[min(e, len(units) - 1)]) for s, e in spans]
    return _boundary_score(text, as_units) > _boundary_score(text, spans)


_TURN_ROW = re.compile(
    r"^\d+\t(?P<t0>[\d:-]+)–(?P<t1>[\d:-]+)\t(?P<start>\d+)–(?P<end>\d+)\t(?P<who>.*)$"
)


@dataclass(frozen=True, slots=True)
class Turn:
    """One row of qualkit's turn table: where a turn is in the text, when, and who spoke."""

    start: int
    end: int
    start_s: float | None
    end_s: float | None
    speaker: str  # "pseudonym (role, actor)", "Röst 2" or ""


def _seconds(hms: str) -> float | None:
    parts = hms.split(":")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    return float(int(parts[0]) * 3600 + int(parts[1]) * 60 + int(parts[2]))


def turn_table(text: str) -> list[Turn]:
    """The rows of a turn table ('Tur\tTid\tTecken\tTalare'), [] when `text` is none."""
    out = []
    for line in text.splitlines():
        m = _TURN_ROW.match(line)
        if m:
            out.append(
                Turn(
                    int(m["start"]),
                    int(m["end"]),
                    _seconds(m["t0"]),
                    _seconds(m["t1"]),
                    m["who"].strip(),
                )
            )
    return out
