"""Read transcripts that already exist: .txt, .docx, .srt, .vtt, Whisper-style JSON, and the
files noScribe (.html, .vtt, .txt) and aTrain (.txt, .srt, .json) write.

Every reader returns a `ParsedTranscript` of turns. Files that cannot be read raise an
ImportFormatError naming the file and, where it helps, the line. The shared pieces and
the per-tool readers live in `qualkit.ingest_formats`; this module picks a reader and
bounds what it returns (no turn longer than `MAX_SEGMENT_CHARS`, no pause-only turns).
"""

from __future__ import annotations

import io
import json
import math
import re
from pathlib import Path
from typing import Any

from qualkit.errors import ImportFormatError
from qualkit.ingest_formats.atrain import is_atrain_txt, parse_atrain_lines
from qualkit.ingest_formats.base import (
    MAX_BYTES,
    TRANSCRIPT_SUFFIXES,
    ParsedTranscript,
    Turn,
    decode_text,
    read_bytes,
)
from qualkit.ingest_formats.bounds import (
    MAX_SEGMENT_CHARS,
    split_long_turns,
    split_text,
    text_window,
)
from qualkit.ingest_formats.noscribe import read_noscribe_html, strip_noscribe_header
from qualkit.ingest_formats.plain import parse_plain_lines
from qualkit.ingest_formats.subtitles import read_subtitles
from qualkit.model import Word

__all__ = [
    "MAX_BYTES",
    "MAX_SEGMENT_CHARS",
    "READERS",
    "TRANSCRIPT_SUFFIXES",
    "ParsedTranscript",
    "Turn",
    "decode_text",
    "parse_plain_lines",
    "read_transcript",
    "role_actor_from_label",
    "split_text",
    "text_window",
]

_read = read_bytes
# noScribe marks pauses as their own pieces: "(12 seconds pause)", "(..)".
_PAUSE_ONLY = re.compile(r"^\((?:\d+[^()]{0,30}|\.+)\)$")


def read_txt(path: Path) -> ParsedTranscript:
    lines = decode_text(_read(path), path).splitlines()
    if is_atrain_txt(lines):
        return parse_atrain_lines(lines, path)
    return parse_plain_lines(strip_noscribe_header(lines), path, "txt")


def read_docx(path: Path) -> ParsedTranscript:
    import zipfile

    from docx import Document

    raw = _read(path)
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            unpacked = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ImportFormatError(
            f"{path}: not a readable Word .docx file (not a zip archive). Save it again as .docx."
        ) from exc
    if unpacked > MAX_BYTES:
        # A small archive that unpacks to gigabytes (a zip bomb) is refused before parsing.
        raise ImportFormatError(f"{path}: unpacks to {unpacked} bytes, too large for a transcript.")
    try:
        doc = Document(str(path))
        lines = [p.text for p in doc.paragraphs]
        # Some transcribers type turns into a table: [time,] speaker, text.
        for table in doc.tables:
            for row in table.rows:
                cells = [c.text.strip() for c in row.cells]
                if len(cells) >= 2 and cells[-1]:
                    time = cells[0] if len(cells) >= 3 else ""
                    lines.append(f"{('[' + time + '] ') if time else ''}{cells[-2]}: {cells[-1]}")
    except Exception as exc:
        # python-docx and lxml raise many types on malformed parts (XMLSyntaxError,
        # KeyError, AttributeError on missing elements ...); to the user they all mean
        # the same. Only the type is named: the message could quote document text.
        raise ImportFormatError(
            f"{path}: not a readable Word .docx file ({type(exc).__name__}). "
            "Save it again as .docx."
        ) from exc
    return parse_plain_lines(lines, path, "docx")


# ----------------------------------------------------------------------- json
def _num(value: Any, path: Path, where: str) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ImportFormatError(f"{path}: {where} has a time that is not a number.") from exc
    if not math.isfinite(number):
        raise ImportFormatError(f"{path}: {where} has a time that is not a finite number.")
    return number


def read_json(path: Path) -> ParsedTranscript:
    """WhisperX, faster-whisper or qualkit JSON: a segment list or {'segments': [...]}."""
    text = decode_text(_read(path), path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFormatError(f"{path} line {exc.lineno}: not valid JSON ({exc.msg}).") from exc
    except RecursionError as exc:
        raise ImportFormatError(f"{path}: JSON nested too deeply to be a transcript.") from exc
    except ValueError as exc:
        # Python refuses integers of more than 4,300 digits (CVE-2020-10735); no time is.
        raise ImportFormatError(
            f"{path}: a number in the JSON is too long to be a time or a count."
        ) from exc
    segments = data.get("segments") if isinstance(data, dict) else data
    if not isinstance(segments, list):
        raise ImportFormatError(
            f"{path}: expected a list of segments or an object with 'segments'."
        )
    turns: list[Turn] = []
    for n, seg in enumerate(segments):
        where = f"segment {n + 1}"
        if not isinstance(seg, dict) or not isinstance(seg.get("text", ""), str):
            raise ImportFormatError(f"{path}: {where} is not an object with 'text'.")
        words: list[Word] = []
        raw_words = seg.get("words") or []
        if not isinstance(raw_words, list):
            raise ImportFormatError(f"{path}: {where} has 'words' that is not a list.")
        for w in raw_words:
            if not isinstance(w, dict):
                continue
            wtext = w.get("word", w.get("text", ""))
            ws, we = _num(w.get("start"), path, where), _num(w.get("end"), path, where)
            if ws is None or we is None or not isinstance(wtext, str):
                continue  # WhisperX leaves numbers without times; keep the segment text
            prob = _num(w.get("probability", w.get("score", 1.0)), path, where)
            words.append(Word(ws, we, wtext, 1.0 if prob is None else prob))
        speaker = seg.get("speaker")
        stext = str(seg.get("text", "")).strip()
        if stext:
            turns.append(
                Turn(
                    str(speaker) if speaker is not None else None,
                    stext,
                    _num(seg.get("start"), path, where),
                    _num(seg.get("end"), path, where),
                    tuple(words),
                )
            )
    return ParsedTranscript(path, "json", tuple(turns))


_ROLE_ACTOR = re.compile(r"^(?P<role>[^()]+?)\s*\((?P<actor>[^()]+)\)\s*$")


def role_actor_from_label(label: str) -> tuple[str, str | None]:
    """'Handläggare (FK)' -> ('handläggare', 'FK'); 'Moderator' -> ('moderator', None)."""
    m = _ROLE_ACTOR.match(label.strip())
    if m:
        return m.group("role").strip().lower(), m.group("actor").strip()
    return label.strip().lower(), None


READERS = {
    ".txt": read_txt,
    ".docx": read_docx,
    ".srt": read_subtitles,
    ".vtt": read_subtitles,
    ".json": read_json,
    ".html": read_noscribe_html,
    ".htm": read_noscribe_html,
}


def read_transcript(path: Path | str) -> ParsedTranscript:
    """Read any supported transcript file."""
    path = Path(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise ImportFormatError(
            f"{path}: unknown transcript type {path.suffix or '(none)'}; "
            f"use one of {', '.join(sorted(READERS))}."
        )
    parsed = reader(path)
    turns = tuple(split_long_turns(t for t in parsed.turns if not _PAUSE_ONLY.match(t.text)))
    if not turns:
        raise ImportFormatError(f"{path}: no transcript text was found in the file.")
    return ParsedTranscript(parsed.path, parsed.format, turns, parsed.warnings)
