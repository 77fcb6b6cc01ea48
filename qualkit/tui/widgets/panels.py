"""Side panels of the transcript screen: codebook with counts, codings, suggestions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.geometry import Region
from textual.widgets import Static

from qualkit.i18n import t
from qualkit.model import Actor, Coding, Memo
from qualkit.tui.state import ACTOR_COLOURS, VALENCE_MARK, RecordingView


class CodebookPanel(Static):
    """The active codebook's hotkeys with per-valence counts (this coder's only when blind)."""

    def show(self, view: RecordingView, counts: Mapping[str, Mapping[str, int]], lang: str) -> None:
        table = Table.grid(padding=(0, 1), expand=True)
        table.add_column(width=1, style="bold #ffaf00")
        table.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        table.add_column(justify="right", style="#5fd75f", no_wrap=True)
        table.add_column(justify="right", style="#ff5f5f", no_wrap=True)
        table.add_column(justify="right", style="#5fafff", no_wrap=True)
        table.add_row("", Text(view.book.name, style="bold"), "+", "-", "!")
        for digit, code in sorted(view.keys.items()):
            n = counts.get(code.key, {})
            table.add_row(
                digit,
                code.label(lang),
                str(n.get("främjande", 0)),
                str(n.get("hindrande", 0)),
                str(n.get("förslag", 0)),
            )
        legend = Text(overflow="fold")
        for actor in Actor:
            legend.append(f"■{actor.value} ", style=ACTOR_COLOURS[actor])
        self.update(Group(table, legend))


class CodingsPanel(VerticalScroll, can_focus=False):
    """Codings and memos of the current segment; the selected coding is marked.

    A segment may carry more codings than the panel's few rows: the panel scrolls
    (mouse wheel, scrollbar) and follows the selection, so `c` always shows the coding
    that `f h p m Delete` will act on. It takes no focus: the keys stay with the list.
    """

    def compose(self) -> ComposeResult:
        yield Static(id="codings_text")

    def show(
        self,
        view: RecordingView,
        codings: Sequence[Coding],
        selected: int | None,
        memos: Sequence[Memo],
        segment_text: str,
        lang: str,
    ) -> None:
        out = Text()
        out.append(t("transcript.codings", lang) + "\n", style="bold")
        if not codings:
            out.append(t("transcript.no_codings", lang) + "\n", style="dim italic")
        chosen: tuple[int, int] | None = None  # where the selected coding's lines are
        for c in codings:
            try:
                label = view.book.code(c.code).label(lang)
            except Exception:
                label = c.code
            start = len(out)
            mark = "▶ " if c.id == selected else "  "
            out.append(mark, style="bold #5fafff")
            out.append(f"{view.code_mark(c.code)} {label} ", style="#ffaf00")
            out.append(f"[{c.valence.value} {VALENCE_MARK.get(c.valence.value, '')}]")
            out.append(f"  {c.coder}", style="dim")
            if view.from_suggestion(c):
                out.append(f"  ⚙ {t('transcript.from_suggestion', lang)}", style="dim italic")
            if c.span_start is not None and c.span_end is not None:
                excerpt = segment_text[c.span_start : c.span_end]
                out.append(f"\n    «{excerpt[:60]}»", style="italic")
            if c.memo:
                out.append(f"\n    ✎ {c.memo}", style="#d7afff")
            if c.id == selected:
                chosen = (start, len(out))
            out.append("\n")
        for m in memos:
            out.append(f"✎ {m.text}  ", style="#d7afff")
            out.append(m.coder + "\n", style="dim")
        self.query_one("#codings_text", Static).update(out)
        if chosen is None:
            self.scroll_home(animate=False)
        else:
            # Only once laid out does the panel know how the lines wrap.
            self.call_after_refresh(self._show_lines, out, *chosen)

    def _show_lines(self, out: Text, start: int, end: int) -> None:
        width = max(1, self.scrollable_content_region.width)
        # The text before the coding ends with a newline, which wrap() counts as a line.
        top = len(out[:start].wrap(self.app.console, width)) - 1
        height = len(out[start:end].wrap(self.app.console, width))
        if top <= 1:  # the first coding: show the panel's title above it too
            top, height = 0, height + top
        self.scroll_to_region(Region(0, top, width, height), animate=False, immediate=True)


class SuggestionsPanel(Static):
    """Code suggestions for the current segment, filled by a worker."""

    def show_message(self, text: str) -> None:
        out = Text()
        out.append(self.title + "\n", style="bold")
        out.append(text, style="dim italic")
        self.update(out)

    title = "Förslag"

    def show_suggestions(
        self, view: RecordingView, suggestions: Sequence[object | None], lang: str
    ) -> None:
        out = Text()
        out.append(self.title + "\n", style="bold")
        if not any(s is not None for s in suggestions):
            out.append(t("suggest.none", lang), style="dim italic")
        elif getattr(suggestions[0], "uncertain", False):
            # Calibrated scores this low are wrong more often than right: say so first.
            out.append(t("suggest.uncertain", lang) + "\n", style="bold #ffaf00")
        for i, s in enumerate(suggestions, start=1):
            if s is None:  # taken or rejected: the others keep their numbers
                continue
            code = str(getattr(s, "code", "?"))
            score = float(getattr(s, "score", 0.0))
            valence = getattr(s, "valence", None)
            try:
                label = view.book.code(code).label(lang)
            except Exception:
                label = code
            out.append(f"a{i} ", style="bold #ffaf00")
            out.append(f"{label} ")
            out.append(f"{score:.2f}", style="#5fd75f")
            if valence is not None:
                out.append(f" {getattr(valence, 'value', valence)}", style="dim")
            out.append("\n")
        self.update(out)
