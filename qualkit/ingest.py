"""Read transcripts that already exist: .txt, .docx, .srt, .vtt and Whisper-style JSON.

Every reader returns a `ParsedTranscript` of turns. Files that cannot be read raise an
ImportFormatError naming the file and, where it helps, the line.
"""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qualkit.errors import ImportFormatError
from qualkit.model import Word

TRANSCRIPT_SUFFIXES = {".txt", ".docx", ".srt", ".vtt", ".json"}
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

    @property
    def speakers(self) -> list[str]:
        seen: dict[str, None] = {}
        for t in self.turns:
            if t.speaker is not None:
                seen.setdefault(t.speaker)
        return list(seen)


# ------------------------------------------------------------------ decoding
def decode_text(raw: bytes, path: Path) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
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


def _read(path: Path) -> bytes:
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
_TS = r"(?:(\d{1,2}):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?"
_LEAD_TS = re.compile(r"^\s*[\[(]?\s*" + _TS + r"\s*[\])]?\s*[-–:]?\s*")


def _seconds(h: str | None, m: str, s: str, frac: str | None) -> float:
    value = int(h or 0) * 3600 + int(m) * 60 + int(s)
    if frac:
        value += int(frac) / (10 ** len(frac))
    return float(value)


# A speaker label: up to 40 characters and four words before a colon, e.g. "Anna:",
# "Talare 2:", "IP1:", "Handläggare (FK):", "**Moderator:**". Sentences with a colon
# inside ("Det var så här: ...") are too long or start lower-case, so they stay text.
_SPEAKER = re.compile(
    r"^\s*(?:\*\*|__)?"
    r"(?P<label>[A-ZÅÄÖÉ0-9][\w .'()\-/&åäöÅÄÖéÉ]{0,39}?)"
    r"(?:\*\*|__)?\s*:(?:\*\*|__)?\s+(?P<text>.*)$"
)


def _speaker_split(line: str, known: set[str] | None = None) -> tuple[str | None, str]:
    """Split 'Label: text'. Labels of three or four words count only when `known`
    (seen on two or more lines), so a sentence like 'Det var så här: ...' stays text."""
    m = _SPEAKER.match(line)
    if m:
        label = m.group("label").strip()
        n_words = len(label.split())
        plausible = n_words <= 4 and not label.endswith((".", ","))
        if plausible and (n_words <= 2 or "(" in label or known is None or label in known):
            return label, m.group("text").strip()
    return None, line.strip()


def parse_plain_lines(lines: Iterable[str], path: Path, fmt: str = "txt") -> ParsedTranscript:
    """`Speaker: text` turns with optional leading [hh:mm:ss]; other lines continue a turn."""
    turns: list[Turn] = []
    cur_speaker: str | None = None
    cur_text: list[str] = []
    cur_start: float | None = None

    def flush() -> None:
        nonlocal cur_text
        text = " ".join(t for t in cur_text if t).strip()
        if text:
            turns.append(Turn(cur_speaker, text, cur_start))
        cur_text = []

    cleaned: list[tuple[float | None, str]] = []
    for raw_line in lines:
        line = raw_line.replace("\u00a0", " ").rstrip()
        if not line.strip():
            continue
        start: float | None = None
        m = _LEAD_TS.match(line)
        if m and (m.group(0).strip().startswith(("[", "(")) or m.group(1) is not None):
            start = _seconds(m.group(1), m.group(2), m.group(3), m.group(4))
            line = line[m.end() :]
        cleaned.append((start, line))
    counts: dict[str, int] = {}
    for _, line in cleaned:
        m2 = _SPEAKER.match(line)
        if m2:
            label = m2.group("label").strip()
            counts[label] = counts.get(label, 0) + 1
    known = {label for label, n in counts.items() if n >= 2}
    for start, line in cleaned:
        speaker, text = _speaker_split(line, known)
        if speaker is not None or start is not None:
            flush()
            if speaker is not None:
                cur_speaker = speaker
            cur_start = start
            cur_text = [text]
        else:
            cur_text.append(text)
    flush()
    # Fill end times from the next turn's start, as typed transcripts rarely give ends.
    filled: list[Turn] = []
    for i, t in enumerate(turns):
        nxt = turns[i + 1].start if i + 1 < len(turns) else None
        end = nxt if (t.start is not None and nxt is not None and nxt >= t.start) else None
        filled.append(Turn(t.speaker, t.text, t.start, end))
    return ParsedTranscript(path, fmt, tuple(filled))


def read_txt(path: Path) -> ParsedTranscript:
    return parse_plain_lines(decode_text(_read(path), path).splitlines(), path, "txt")


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


# ------------------------------------------------------------------ subtitles
_CUE_TIME = re.compile(r"^\s*" + _TS + r"\s*-->\s*" + _TS + r"(?:\s+.*)?$")
_VTT_VOICE = re.compile(r"^<v(?:\.[\w.]+)?\s+([^>]+)>(.*?)(?:</v>)?$", re.S)
_BRACKET_SPEAKER = re.compile(r"^\[([^\]]{1,40})\]\s*(.*)$", re.S)
_TAGS = re.compile(r"<[^>]+>")


def _cue_speaker(text: str) -> tuple[str | None, str]:
    m = _VTT_VOICE.match(text)
    if m:
        return m.group(1).strip(), _TAGS.sub("", m.group(2)).strip()
    text = _TAGS.sub("", text).strip()
    m2 = _BRACKET_SPEAKER.match(text)
    if m2:
        return m2.group(1).strip(), m2.group(2).strip()
    return _speaker_split(text)


def read_subtitles(path: Path) -> ParsedTranscript:
    fmt = path.suffix.lower().lstrip(".")
    lines = decode_text(_read(path), path).splitlines()
    turns: list[Turn] = []
    i = 0
    if fmt == "vtt":
        if not lines or not lines[0].lstrip("\ufeff").startswith("WEBVTT"):
            raise ImportFormatError(f"{path} line 1: a WebVTT file must start with 'WEBVTT'.")
        i = 1
    found_cue = False
    while i < len(lines):
        line = lines[i]
        if "-->" in line:
            m = _CUE_TIME.match(line)
            if not m:
                raise ImportFormatError(
                    f"{path} line {i + 1}: cannot read the cue time; "
                    "expected 00:00:01,000 --> 00:00:04,000."
                )
            g = m.groups()
            start = _seconds(g[0], g[1], g[2], g[3])
            end = _seconds(g[4], g[5], g[6], g[7])
            if end < start:
                raise ImportFormatError(f"{path} line {i + 1}: the cue ends before it starts.")
            i += 1
            body: list[str] = []
            while i < len(lines) and lines[i].strip():
                body.append(lines[i].strip())
                i += 1
            speaker, text = _cue_speaker(" ".join(body))
            found_cue = True
            if text:
                turns.append(Turn(speaker, text, start, end))
        else:
            i += 1
    if not found_cue and any(line.strip() for line in lines[1:]):
        raise ImportFormatError(f"{path}: no subtitle cues (lines with '-->') were found.")
    return ParsedTranscript(path, fmt, tuple(turns))


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
    if not parsed.turns:
        raise ImportFormatError(f"{path}: no transcript text was found in the file.")
    return parsed
