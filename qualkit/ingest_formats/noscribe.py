"""noScribe's files: its default HTML, and the header of its TXT export.

noScribe (github.com/kaixxx/noScribe) writes each stretch of speech as an anchor
`<a name="ts_<start ms>_<end ms>_<speaker>">S01: <span>[00:00:12]</span> text</a>`
inside one `<p>` per speaker turn; overlapping speech is marked inline ("//S02: ...
//") and carries a speaker "//S02". Its TXT export opens with the title, "Transcribed
with noScribe vers. N", "Audio file: ..." and "(Language: ... )" lines, which are no
speaker turns.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

from qualkit.errors import ImportFormatError
from qualkit.ingest_formats.base import ParsedTranscript, Turn, decode_text, read_bytes

_ANCHOR = re.compile(r"^ts_(\d{1,10})_(\d{1,10})_(.{0,40})$")
_LABEL = re.compile(r"^\s*(?://)?\s*([^\s:]{1,40}):\s*(?:\[\s*[\d:.,]{4,12}\s*\])?\s*")
_HEADER_MARK = re.compile(r"^\s*Transcribed with noScribe\b|^\s*Transkribiert mit noScribe\b")
_HEADER_END = re.compile(r"^\s*\(.*\|.*\)\s*$")  # "(Language: ... | Speaker detection: ...)"


class _Reader(HTMLParser):
    """Collects paragraphs of (start ms, end ms, speaker, text) pieces from the body."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.in_body = False
        self.paragraphs: list[list[list[str]]] = []
        self.piece: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self.in_body = True
        elif tag == "p" and self.in_body:
            self.paragraphs.append([])
        elif tag == "a" and self.in_body and self.paragraphs:
            name = dict(attrs).get("name") or ""
            m = _ANCHOR.match(name)
            if m:
                self.piece = [m.group(1), m.group(2), m.group(3).lstrip("/"), ""]
                self.paragraphs[-1].append(self.piece)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self.piece = None

    def handle_data(self, data: str) -> None:
        if self.piece is not None:
            self.piece[3] += data


def is_noscribe_html(text: str) -> bool:
    return 'name="ts_' in text or "name='ts_" in text


def read_noscribe_html(path: Path) -> ParsedTranscript:
    """One turn per paragraph: its first speaker, first start, last end, all its text."""
    text = decode_text(read_bytes(path), path)
    if not is_noscribe_html(text):
        raise ImportFormatError(
            f'{path}: an HTML file without noScribe\'s time anchors (<a name="ts_...">); '
            "save the transcript as .txt or .docx instead."
        )
    reader = _Reader()
    try:
        reader.feed(text)
        reader.close()
    except (ValueError, AssertionError) as exc:  # html.parser on broken markup
        raise ImportFormatError(f"{path}: not readable HTML ({type(exc).__name__}).") from exc
    turns: list[Turn] = []
    for pieces in reader.paragraphs:
        if not pieces:
            continue
        parts = []
        for i, (_, _, _, body) in enumerate(pieces):
            body = html.unescape(body).replace("\u00a0", " ")
            if i == 0:
                body = _LABEL.sub("", body, count=1)
            parts.append(body.strip())
        joined = re.sub(r"\s+", " ", " ".join(p for p in parts if p)).strip()
        if not joined:
            continue
        speaker = next((p[2] for p in pieces if p[2]), "") or None
        start, end = int(pieces[0][0]) / 1000, int(pieces[-1][1]) / 1000
        turns.append(Turn(speaker, joined, start, end if end >= start else None))
    return ParsedTranscript(path, "noscribe-html", tuple(turns))


def strip_noscribe_header(lines: list[str]) -> list[str]:
    """Drop noScribe's TXT header (title, version, audio file, settings); else unchanged."""
    head = lines[:8]
    mark = next((i for i, line in enumerate(head) if _HEADER_MARK.match(line)), None)
    if mark is None:
        return lines
    end = mark
    for i in range(mark, min(len(lines), mark + 4)):
        if _HEADER_END.match(lines[i]) or lines[i].lstrip().startswith(("Audio file:", "Audio")):
            end = i
    return lines[end + 1 :]
