"""aTrain's text exports (github.com/JuergenFleiss/aTrain, writer in aTrain_core/outputs.py).

aTrain writes three .txt files next to its .json and .srt: `transcription.txt`,
`transcription_timestamps.txt` and `transcription_maxqda.txt`. Each opens with
"Transcription for <file id>"; with speaker detection a speaker's name ("SPEAKER_00")
stands alone on a line before what they said. Lines carry "[HH:MM:SS] - " before the
text when timestamps are on; the MAXQDA variant puts all of a speaker's timed pieces on
one line. Its .json ({"segments": [...]}) and .srt are read by the general readers.
"""

from __future__ import annotations

import re
from pathlib import Path

from qualkit.ingest_formats.base import ParsedTranscript, Turn

_HEADER = re.compile(r"^\s*\ufeff?Transcription for \S")
_SPEAKER_LINE = re.compile(r"^(SPEAKER_\d{1,3}|Speaker undefined)\s*$")
_PIECE = re.compile(r"\[(\d{2}):(\d{2}):(\d{2})\] - ")


def is_atrain_txt(lines: list[str]) -> bool:
    return bool(lines) and bool(_HEADER.match(lines[0]))


def parse_atrain_lines(lines: list[str], path: Path) -> ParsedTranscript:
    """Turns from aTrain's .txt exports: one per timed piece, or per line without times."""
    turns: list[Turn] = []
    speaker: str | None = None
    for line in lines[1:]:
        line = line.strip()
        if not line:
            continue
        m = _SPEAKER_LINE.match(line)
        if m:
            speaker = m.group(1)
            continue
        pieces = list(_PIECE.finditer(line))
        if not pieces:
            turns.append(Turn(speaker, line))
            continue
        if pieces[0].start() > 0 and line[: pieces[0].start()].strip():
            turns.append(Turn(speaker, line[: pieces[0].start()].strip()))
        for i, p in enumerate(pieces):
            stop = pieces[i + 1].start() if i + 1 < len(pieces) else len(line)
            text = line[p.end() : stop].strip()
            start = int(p.group(1)) * 3600 + int(p.group(2)) * 60 + int(p.group(3))
            if text:
                turns.append(Turn(speaker, text, float(start)))
    # End times from the next piece's start; aTrain's .txt writes only starts.
    filled: list[Turn] = []
    for i, t in enumerate(turns):
        nxt = turns[i + 1].start if i + 1 < len(turns) else None
        end = nxt if (t.start is not None and nxt is not None and nxt >= t.start) else None
        filled.append(Turn(t.speaker, t.text, t.start, end))
    return ParsedTranscript(path, "atrain-txt", tuple(filled))
