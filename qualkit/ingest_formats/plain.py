"""Plain-text turns: `Speaker: text` lines with optional times, as typed or exported."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from qualkit.ingest_formats.base import LEAD_TS, TS, ParsedTranscript, Turn, seconds

# inside ("Det var så här: ...") are too long or start lower-case, so they stay text.
_SPEAKER = re.compile(
    r"^\s*(?:\*\*|__)?"
    r"(?P<label>[A-ZÅÄÖÉ0-9][\w .'()\-/&åäöÅÄÖéÉ]{0,39}?)"
    r"(?:\*\*|__)?\s*:(?:\*\*|__)?\s+(?P<text>.*)$"
)


_BRACKET_TS = re.compile(r"^\[\s*" + TS + r"\s*\]\s*")


def speaker_split(line: str, known: set[str] | None = None) -> tuple[str | None, str]:
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
        m = LEAD_TS.match(line)
        if m and (m.group(0).strip().startswith(("[", "(")) or m.group(1) is not None):
            start = seconds(m.group(1), m.group(2), m.group(3), m.group(4))
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
        speaker, text = speaker_split(line, known)
        if speaker is not None and start is None:
            # noScribe writes the time after the label: "S01: [00:00:12] Guten Tag".
            m3 = _BRACKET_TS.match(text)
            if m3:
                start = seconds(m3.group(1), m3.group(2), m3.group(3), m3.group(4))
                text = text[m3.end() :]
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
