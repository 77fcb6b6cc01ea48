"""The transcript: every segment of a recording with time, speaker and codes, virtualised."""

from __future__ import annotations

import textwrap

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


class SegmentList(CursorList):
    """Segments laid out over wrapped rows; only the rows on screen are drawn."""

    def __init__(self, lang: str = "sv", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lang = lang
        self.view: RecordingView | None = None
        self._wrapped: dict[int, list[str]] = {}
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
        return max(8, width - TIME_W - self._speaker_width(width) - self._codes_width(width) - 1)

    def _lines(self, index: int, width: int) -> list[str]:
        if width != self._wrap_width:
            self._wrapped = {}
            self._wrap_width = width
        lines = self._wrapped.get(index)
        if lines is None:
            assert self.view is not None
            text = self.view.segments[index].text
            lines = textwrap.wrap(text, self._text_width(width)) or [""]
            self._wrapped[index] = lines
        return lines

    def item_height(self, index: int, width: int) -> int:
        return len(self._lines(index, width))

    def render_empty(self, width: int) -> Strip:
        return Strip([RichSegment(t("transcript.empty", self.lang), Style(italic=True))])

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
            parts.append(RichSegment(" " + name[: sw - 2].ljust(sw - 1), style + bg))
            marks = "".join(
                self.view.code_mark(c.code) + VALENCE_MARK.get(c.valence.value, "·")
                for c in self.view.codings.get(seg.id, ())
            )
            cw = self._codes_width(width)
            if len(marks) > cw - 1:
                marks = marks[: cw - 2] + "…"
            parts.append(RichSegment(marks.ljust(cw), CODE_STYLE + bg))
        else:
            parts.append(RichSegment(" " * (TIME_W + sw + self._codes_width(width)), bg))
        lines = self._lines(index, self._laid_width)
        text = lines[min(line, len(lines) - 1)]
        parts.append(RichSegment(text, Style(bold=selected) + bg))
        used = sum(len(p.text) for p in parts)
        if selected and used < width:
            parts.append(RichSegment(" " * (width - used), bg))
        return Strip(parts)
