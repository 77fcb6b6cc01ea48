"""SubRip (.srt) and WebVTT (.vtt) subtitles, noScribe's and aTrain's included."""

from __future__ import annotations

import re
from pathlib import Path

from qualkit.errors import ImportFormatError
from qualkit.ingest_formats.base import TS, ParsedTranscript, Turn, decode_text, read_bytes, seconds
from qualkit.ingest_formats.plain import speaker_split
from qualkit.log import get_logger

log = get_logger("ingest")

# ------------------------------------------------------------------ subtitles
_CUE_TIME = re.compile(r"^\s*" + TS + r"\s*-->\s*" + TS + r"(?:\s+.*)?$")
# A cue time with a mistyped arrow ("->", "- ->", "–>"): a cue, skipped with a warning, not
# a text line, or its words would vanish without a word.
_CUE_LIKE = re.compile(
    r"^\s*(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?\s*[-–—=]*>\s*(?:\d{1,2}:)?\d"
)
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
    return speaker_split(text)


def read_subtitles(path: Path) -> ParsedTranscript:
    fmt = path.suffix.lower().lstrip(".")
    lines = decode_text(read_bytes(path), path).splitlines()
    turns: list[Turn] = []
    i = 0
    if fmt == "vtt":
        if not lines or not lines[0].lstrip("\ufeff").startswith("WEBVTT"):
            raise ImportFormatError(f"{path} line 1: a WebVTT file must start with 'WEBVTT'.")
        i = 1
    found_cue = False
    skipped: list[str] = []
    while i < len(lines):
        line = lines[i]
        if "-->" not in line and not _CUE_LIKE.match(line):
            i += 1
            continue
        problem = None
        m = _CUE_TIME.match(line)
        start = end = 0.0
        if not m:
            problem = "cannot read the cue time; expected 00:00:01,000 --> 00:00:04,000"
        else:
            g = m.groups()
            start = seconds(g[0], g[1], g[2], g[3])
            end = seconds(g[4], g[5], g[6], g[7])
            if end < start:
                problem = "the cue ends before it starts"
        cue_line = i + 1
        i += 1
        body: list[str] = []
        while i < len(lines) and lines[i].strip():
            body.append(lines[i].strip())
            i += 1
        if problem is not None:
            # One bad cue (a hand edit, a cut file) must not cost the rest of the file.
            skipped.append(f"{path} line {cue_line}: {problem}; this cue was skipped.")
            continue
        speaker, text = _cue_speaker(" ".join(body))
        found_cue = True
        if text:
            turns.append(Turn(speaker, text, start, end))
    if skipped and not found_cue:
        raise ImportFormatError(skipped[0].replace("; this cue was skipped.", "."))
    if not found_cue and any(line.strip() for line in lines[1:]):
        raise ImportFormatError(f"{path}: no subtitle cues (lines with '-->') were found.")
    for warning in skipped:
        log.warning("%s", warning)
    return ParsedTranscript(path, fmt, tuple(turns), tuple(skipped))
