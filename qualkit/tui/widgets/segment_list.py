"""The transcript: every segment of a recording with time, speaker and codes, virtualised."""

from __future__ import annotations

import re
import shlex

from rich.segment import Segment as RichSegment
from rich.style import Style
from textual.strip import Strip

from qualkit.i18n import t
from qualkit.tui.state import VALENCE_MARK, RecordingView, fmt_time
from qualkit.tui.widgets.virtual_list import CursorList

TIME_W = 6
CODES_W = 9
SELECTED_BG = "#2a3550"
DIM = Style(color="#808080")
CODE_STYLE = Style(color="#ffaf00", bold=True)
WITHDRAWN = Style(color="#ff5f5f", bold=True, strike=True)
MATCH = Style(color="#000000", bgcolor="#ffd75f", bold=True)
STRIPE_W = 3  # bars in the right margin, one per code on the segment


def wrap_offsets(text: str, width: int) -> list[tuple[int, int]]:
    """Greedy word wrap that keeps offsets, so spans and hits can be drawn on the lines."""
    lines: list[tuple[int, int]] = []
    start = end = -1
    for word in re.finditer(r"\S+", text):
        a, b = word.span()
        while b - a > width:  # a word longer than the line is cut
            if start >= 0:
                lines.append((start, end))
                start = -1
            lines.append((a, a + width))
            a += width
        if start < 0:
            start, end = a, b
        elif b - start <= width:
            end = b
        else:
            lines.append((start, end))
            start, end = a, b
    if start >= 0:
        lines.append((start, end))
    return lines or [(0, 0)]


def fit_name(name: str, room: int) -> str:
    """A voice's name in `room` cells: cut in the middle, so the number that tells
    'Deltagare 3' from 'Deltagare 4' stays ('Delta… 3')."""
    if len(name) <= room:
        return name
    head, _, tail = name.rpartition(" ")
    if head and tail and len(tail) + 3 <= room:
        return f"{head[: room - len(tail) - 2]}… {tail}"
    return name[: room - 1] + "…"


class SegmentList(CursorList):
    """Segments laid out over wrapped rows; only the rows on screen are drawn."""

    def __init__(self, lang: str = "sv", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lang = lang
        self.view: RecordingView | None = None
        self.highlight = ""  # a searched word, marked wherever it occurs
        self._wrapped: dict[int, list[tuple[int, int]]] = {}
        self._wrap_width = -1

    def set_view(self, view: RecordingView | None, cursor: int = 0) -> None:
        self.view = view
        self._wrapped = {}
        self.cursor = cursor
        self.relayout()
        self.scroll_to_cursor()

    def data_changed(self) -> None:
        """Segments were split, merged or edited: lay out again, keep the cursor."""
        self._wrapped = {}
        self.relayout()
        self.scroll_to_cursor()

    def data_count(self) -> int:
        return len(self.view.segments) if self.view else 0

    def _speaker_width(self, width: int) -> int:
        return 10 if width < 70 else 16

    def _codes_width(self, width: int) -> int:
        return 6 if width < 70 else CODES_W

    def _text_width(self, width: int) -> int:
        used = TIME_W + self._speaker_width(width) + self._codes_width(width) + STRIPE_W + 1
        return max(8, width - used)

    def _lines(self, index: int, width: int) -> list[tuple[int, int]]:
        """(start, end) offsets of each wrapped line in the segment's text."""
        if width != self._wrap_width:
            self._wrapped = {}
            self._wrap_width = width
        lines = self._wrapped.get(index)
        if lines is None:
            assert self.view is not None
            lines = wrap_offsets(self.view.segments[index].text, self._text_width(width))
            self._wrapped[index] = lines
        return lines

    def item_height(self, index: int, width: int) -> int:
        return len(self._lines(index, width))

    def _marked(self, text: str, style: Style) -> list[RichSegment]:
        """The line with the searched word marked (so a jump from search shows the hit)."""
        word = self.highlight.casefold()
        if not word:
            return [RichSegment(text, style)]
        out: list[RichSegment] = []
        folded = text.casefold()
        at = 0
        while (found := folded.find(word, at)) >= 0:
            out.append(RichSegment(text[at:found], style))
            out.append(RichSegment(text[found : found + len(word)], style + MATCH))
            at = found + len(word)
        out.append(RichSegment(text[at:], style))
        return out

    def empty_text(self) -> str:
        """Why there is nothing to show: a recording whose pipeline has not run to the end
        (never started, or stopped half-way) says how to get its transcript."""
        rec = self.view.recording if self.view else None
        if (
            rec is not None
            and rec.audio_path
            and not rec.transcript_path
            and rec.pipeline_state != "done"
        ):
            return t("transcript.not_transcribed", self.lang).format(name=shlex.quote(rec.name))
        return t("transcript.empty", self.lang)

    def render_empty(self, row: int, width: int) -> Strip:
        text = self.empty_text()
        lines = wrap_offsets(text, max(width, 8))
        if row >= len(lines):
            return Strip.blank(width)
        start, end = lines[row]
        return Strip([RichSegment(text[start:end], Style(italic=True))])

    def render_item_line(self, index: int, line: int, width: int, selected: bool) -> Strip:
        assert self.view is not None
        seg = self.view.segments[index]
        bg = Style(bgcolor=SELECTED_BG) if selected else Style()
        sw = self._speaker_width(width)
        parts: list[RichSegment] = []
        if line == 0:
            marker = "▌" if selected else " "
            parts.append(RichSegment(marker, Style(color="#5fafff", bold=True) + bg))
            parts.append(RichSegment(fmt_time(seg.start).rjust(TIME_W - 1)[: TIME_W - 1], DIM + bg))
            info = self.view.speakers.get(seg.speaker_id) if seg.speaker_id is not None else None
            if info is None:
                name, style = t("transcript.unknown_speaker", self.lang), DIM
            elif info.withdrawn:
                name, style = "⊘" + info.name, WITHDRAWN
            else:
                name, style = info.name, Style(color=info.colour, bold=True)
            parts.append(RichSegment(" " + fit_name(name, sw - 2).ljust(sw - 1), style + bg))
            parts.extend(self._code_marks(seg.id, self._codes_width(width), bg))
        else:
            parts.append(RichSegment(" " * (TIME_W + sw + self._codes_width(width)), bg))
        lines = self._lines(index, self._laid_width)
        start, end = lines[min(line, len(lines) - 1)]
        text_w = self._text_width(self._laid_width)
        parts.extend(self._text(seg.id, seg.text, start, end, Style(bold=selected) + bg))
        parts.append(RichSegment(" " * max(0, text_w - (end - start)) + " ", bg))
        parts.extend(self._stripe(seg.id, bg))
        return Strip(parts)

    def _code_marks(self, segment_id: int, cw: int, bg: Style) -> list[RichSegment]:
        """Each coding's hotkey and valence mark, in its code's colour from the codebook."""
        assert self.view is not None
        out: list[RichSegment] = []
        room = cw - 1
        for c in self.view.codings.get(segment_id, ()):
            mark = self.view.code_mark(c.code) + VALENCE_MARK.get(c.valence.value, "·")
            if len(mark) > room:
                out.append(RichSegment("…", CODE_STYLE + bg))
                room = 0
                break
            out.append(RichSegment(mark, self._code_style(c.code) + bg))
            room -= len(mark)
        out.append(RichSegment(" " * (room + 1), bg))
        return out

    def _code_style(self, code: str) -> Style:
        assert self.view is not None
        return Style(color=self.view.colours.get(code) or CODE_STYLE.color, bold=True)

    def _stripe(self, segment_id: int, bg: Style) -> list[RichSegment]:
        """The margin stripe: one bar per code on the segment, as coders scan NVivo's."""
        assert self.view is not None
        codes = list(dict.fromkeys(c.code for c in self.view.codings.get(segment_id, ())))
        out = [RichSegment("▐", self._code_style(code) + bg) for code in codes[:STRIPE_W]]
        if len(codes) > STRIPE_W:
            out[-1] = RichSegment("+", CODE_STYLE + bg)
        out.append(RichSegment(" " * (STRIPE_W - len(out)), bg))
        return out

    def _text(
        self, segment_id: int, text: str, start: int, end: int, style: Style
    ) -> list[RichSegment]:
        """One wrapped line: coded spans underlined in their code's colour, hits marked."""
        assert self.view is not None
        spans = [
            (c.span_start, c.span_end, c.code)
            for c in self.view.codings.get(segment_id, ())
            if c.span_start is not None and c.span_end is not None
        ]
        if not spans:
            return self._marked(text[start:end], style)
        out: list[RichSegment] = []
        for i in range(start, end):
            covering = [code for a, b, code in spans if a <= i < b]
            extra = (
                Style(underline=True, color=self._code_style(covering[0]).color)
                if covering
                else Style()
            )
            out.append(RichSegment(text[i], style + extra))
        return out
