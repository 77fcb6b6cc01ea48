"""The blocks a report is laid out in, and the numbering of its figures and tables.

One layout (report_layout.py) turns the report model into a sequence of blocks; Markdown,
HTML and Word each draw the same sequence, so headings, captions and their numbers agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from qualkit.export.report_texts import Texts


@dataclass(frozen=True, slots=True)
class Block:
    """One piece of a report; `kind` says which fields matter.

    title: text, items (lines under it) · toc: items ((level, text, anchor)) ·
    heading: level, text, anchor · para · muted (the analyst has not written this yet,
    or nothing to show) · analyst (the analyst's Markdown) · definition · table: text
    (caption), header, rows, numeric (column indexes) · figure: text (caption), chart ·
    quote: text, attribution, style (valence) · bullets: items · pagebreak (Word only)
    """

    kind: str
    text: str = ""
    level: int = 0
    anchor: str = ""
    items: tuple[str, ...] = ()
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    numeric: tuple[int, ...] = ()
    chart: str = ""
    attribution: str = ""
    style: str = ""
    toc: tuple[tuple[int, str, str], ...] = ()


class Captions:
    """Numbers figures and tables in the order they are laid out: 'Figur 1. ... (n = 15)'."""

    def __init__(self, t: Texts) -> None:
        self.t = t
        self.figures = 0
        self.tables = 0

    def figure(self, text: str, n: int | None = None) -> str:
        self.figures += 1
        return self._caption("figure", self.figures, text, n)

    def table(self, text: str, n: int | None = None) -> str:
        self.tables += 1
        return self._caption("table", self.tables, text, n)

    def _caption(self, kind: str, number: int, text: str, n: int | None) -> str:
        label = self.t(f"caption_{kind}", number=number)
        tail = f" ({self.t('caption_n', n=n)})" if n is not None else ""
        return f"{label}. {text}{tail}"


def number(value: float | None, lang: str, digits: int = 2) -> str:
    """A decimal as the report's language writes it (0,71 in Swedish), rounded half away
    from zero as readers round (0,25 -> 0,3; Python's format gives 0.2, half to even)."""
    if value is None:
        return "–"
    step = Decimal(1).scaleb(-digits)
    rounded = Decimal(repr(float(value))).quantize(step, rounding=ROUND_HALF_UP)
    text = str(abs(rounded) if rounded == 0 else rounded)  # no "-0,00"
    return text.replace(".", ",") if lang == "sv" else text


_ATX = re.compile(r"^( {0,3})(#{1,6})(?=\s|$)")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)\s*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")


def demote_headings(text: str, below: int) -> str:
    """The analyst's Markdown with every heading `below` levels lower (at most six): a
    "# Sammanfattning" written under the report's "## Sammanfattning" becomes
    "### Sammanfattning", so the report keeps one title and one outline. Setext headings
    become ATX ones; fenced code stays as it is."""
    lines = text.split("\n")
    out: list[str] = []
    fenced = False
    for i, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
        if fenced:
            out.append(line)
            continue
        m = _ATX.match(line)
        if m:
            hashes = "#" * min(6, len(m.group(2)) + below)
            out.append(m.group(1) + hashes + line[m.end() :])
            continue
        s = _SETEXT.match(line)
        if s and i > 0 and _paragraph_line(out[-1]):
            level = 1 if s.group(1)[0] == "=" else 2
            out[-1] = "#" * min(6, level + below) + " " + out[-1].strip()
            continue
        out.append(line)
    return "\n".join(out)


def _paragraph_line(line: str) -> bool:
    """A line a setext underline makes a heading of (not a list item, quote, table or heading)."""
    text = line.strip()
    return bool(text) and not (
        _ATX.match(line) or text[0] in "-*+>|" or re.match(r"\d+[.)]\s", text)
    )
