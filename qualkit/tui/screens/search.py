"""Search all transcripts (keyword in context) and browse every passage of a code."""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment as RichSegment
from rich.style import Style
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.strip import Strip
from textual.widgets import Footer, Input, OptionList, Static

from qualkit.i18n import t
from qualkit.search import LIMIT, Hit, Query, QueryError, SearchIndex
from qualkit.tui.host import Host, HostScreen
from qualkit.tui.state import VALENCE_MARK, fmt_time
from qualkit.tui.widgets.nav import NavList
from qualkit.tui.widgets.virtual_list import CursorList, RowList

SEL = Style(bgcolor="#2a3550")
DIM = Style(color="#808080")
META = Style(color="#87afd7")
MATCH = Style(color="#ffd75f", bold=True, underline=True)
CODES = Style(color="#ffaf00")


class SearchScreen(HostScreen):
    """Type to search; Down to the hits; Enter opens the passage in its transcript."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "key.back", id="search_back"),
        Binding("ctrl+f", "focus_input", "key.search", id="search_focus"),
        Binding("enter", "goto", "key.goto", show=False, id="search_goto"),
    ]

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self.initial = query
        self.positions: list[int] = []
        self.query_text = ""
        self._cache: dict[int, Hit] = {}
        # The last search (index, query, positions): a query that only grows looks among
        # its hits instead of the whole study.
        self._last: tuple[SearchIndex, Query, list[int]] | None = None

    def compose(self) -> ComposeResult:
        self.compose_bindings()
        # Focus does not select the query: a character typed in the hits is added to it.
        yield Input(
            self.initial,
            placeholder=t("search.placeholder", self.lang),
            id="q",
            select_on_focus=False,
        )
        yield Static(id="search_status")
        yield RowList(self.render_hit, 0, id="hits")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self.host.refresh_search_codings()
        self.run_search(self.initial)

    def on_screen_resume(self) -> None:
        # The screen is reused: codings and texts may have changed since it was last shown.
        self.host.refresh_search_codings()
        self._last = None
        field = self.query_one(Input)
        self.run_search(field.value)
        field.focus()
        field.select_all()  # typing replaces the last query; arrows keep it

    @property
    def hits(self) -> list[Hit]:
        """Every hit as a record (built on demand; the list itself renders lazily)."""
        return [self.hit(i) for i in range(len(self.positions))]

    def hit(self, index: int) -> Hit:
        hit = self._cache.get(index)
        if hit is None:
            hit = self.host.search_index().hit(self.positions[index], self.query_text)
            self._cache[index] = hit
        return hit

    @on(Input.Changed, "#q")
    def _changed(self, event: Input.Changed) -> None:
        self.run_search(event.value)

    @on(Input.Submitted, "#q")
    def _submitted(self, _event: Input.Submitted) -> None:
        self.query_one(RowList).focus()

    def run_search(self, text: str) -> None:
        index = self.host.search_index()
        self.query_text = text
        self._cache = {}
        try:
            query = Query.parse(text)
        except QueryError as error:
            # Said where the hit count stands, not dropped: 'valens:xyz' finds nothing.
            self._last = None
            self.positions = []
            self.query_one("#search_status", Static).update(str(error))
            self.query_one(RowList).set_count(0)
            return
        last, self._last = self._last, None
        among = None
        if last and last[0] is index and len(last[2]) < LIMIT and query.narrows(last[1]):
            among = last[2]
        self.positions = index.positions(query, among=among) if text.strip() else []
        if text.strip():
            self._last = (index, query, self.positions)
        self.query_one("#search_status", Static).update(
            f"{len(self.positions)} {t('search.hits', self.lang)}"
        )
        self.query_one(RowList).set_count(len(self.positions))

    def render_hit(self, index: int, width: int, selected: bool) -> Strip:
        return hit_strip(self.hit(index), width, selected, self.host)

    def key_down(self, event: events.Key) -> None:
        if self.focused is self.query_one(Input):
            event.prevent_default()
            event.stop()
            self.query_one(RowList).focus()

    def on_key(self, event: events.Key) -> None:
        """A character typed in the hits goes to the query, never to a key binding: the
        field still looks as if it takes the typing, and a stray `K`, `u` or `q` there
        would open the codebook, undo a coding or quit. Arrows and Enter still move and
        open in the list. (The field stops the characters typed in it itself.)"""
        if not event.is_printable or event.character is None:
            return
        event.prevent_default()
        event.stop()
        field = self.query_one(Input)
        field.focus()
        field.insert_text_at_cursor(event.character)

    def action_focus_input(self) -> None:
        field = self.query_one(Input)
        field.focus()
        field.select_all()  # typing replaces the query; arrows keep it

    @on(CursorList.Chosen)
    def _chosen(self, event: CursorList.Chosen) -> None:
        self._open(event.index)

    def action_goto(self) -> None:
        self._open(self.query_one(RowList).cursor)

    def _open(self, index: int) -> None:
        if 0 <= index < len(self.positions):
            hit = self.hit(index)
            self.host.open_transcript(hit.recording.id, hit.segment.id, hit.match)

    def action_back(self) -> None:
        self.app.pop_screen()


def hit_strip(hit: Hit, width: int, selected: bool, qapp: Host) -> Strip:
    bg = SEL if selected else Style()
    keys = qapp.code_marks()
    marks = "".join(
        keys.get(c.code, c.code[:2]) + VALENCE_MARK.get(c.valence.value, "") for c in hit.codings
    )
    if width >= 100:
        meta = f"{hit.kommun[:10]:<10} {hit.recording.name[:14]:<14} {fmt_time(hit.segment.start)} "
        who = f"{hit.attribution[:16]:<16} "
        marks = f"{marks[:6]:<6} "
    else:  # 80 columns: the words around the match matter most
        meta = f"{hit.kommun[:7]:<7} {fmt_time(hit.segment.start)} "
        who = f"{hit.attribution[:10]:<10} "
        marks = f"{marks[:4]:<4} "
    rest = max(10, width - len(meta) - len(who) - len(marks))
    left, match, right = hit.context(rest)
    parts = [
        RichSegment(meta, META + bg),
        RichSegment(who, DIM + bg),
        RichSegment(marks, CODES + bg),
        RichSegment(left, bg),
        RichSegment(match, MATCH + bg),
        RichSegment(right, bg),
    ]
    return Strip(parts)


class CodeBrowserScreen(HostScreen):
    """Pick a code on the left; every passage coded with it, grouped by kommun or actor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "key.back", id="browser_back"),
        Binding("ctrl+g", "toggle_group", "key.group", id="browser_group"),
        Binding("tab", "switch_focus", "key.goto", show=False, id="browser_focus"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.group_by = "kommun"
        self.rows: list[str | Hit] = []
        self.codes: list[str] = []

    def compose(self) -> ComposeResult:
        self.compose_bindings()
        yield Static(id="browser_header")
        with Horizontal():
            yield NavList(id="browser_codes")
            yield RowList(self.render_row, 0, id="browser_passages")
        yield Footer()

    def on_mount(self) -> None:
        self.host.refresh_search_codings()
        book = self.host.project.codebook(self.host.codebook_id)
        options = self.query_one(OptionList)
        self.codes = [c.key for c in book.codes]
        for c in book.codes:
            indent = "  " if c.parent else ""
            options.add_option(f"{indent}{c.hotkey or ' '} {c.label(self.lang)}")
        options.focus()
        if self.codes:
            options.highlighted = 0
            self.show_code(0)

    @on(OptionList.OptionHighlighted, "#browser_codes")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.show_code(event.option_index)

    @on(OptionList.OptionSelected, "#browser_codes")
    def _selected(self, _event: OptionList.OptionSelected) -> None:
        self.query_one(RowList).focus()

    def show_code(self, index: int) -> None:
        if not 0 <= index < len(self.codes):
            return
        lang = self.lang
        code = self.codes[index]
        self.rows = []
        total = 0
        for group, hits in self.host.search_index().passages(code, self.group_by):
            self.rows.append(f"{group} ({len(hits)})")
            self.rows.extend(hits)
            total += len(hits)
        by = t("browser.by_kommun" if self.group_by == "kommun" else "browser.by_actor", lang)
        self.query_one("#browser_header", Static).update(
            f"[b]{t('browser.title', lang)}[/b]  {code}  ·  {total}  ·  {by}"
        )
        self.query_one(RowList).set_count(len(self.rows))

    def render_row(self, index: int, width: int, selected: bool) -> Strip:
        row = self.rows[index]
        if isinstance(row, str):
            style = Style(bold=True, color="#d7afff") + (SEL if selected else Style())
            mark = "▶ " if selected else "  "
            return Strip([RichSegment(f"{mark}{row}".ljust(width), style)])
        return hit_strip(row, width, selected, self.host)

    def action_toggle_group(self) -> None:
        self.group_by = "actor" if self.group_by == "kommun" else "kommun"
        self.show_code(self.query_one(OptionList).highlighted or 0)

    def action_switch_focus(self) -> None:
        if self.focused is self.query_one(OptionList):
            self.query_one(RowList).focus()
        else:
            self.query_one(OptionList).focus()

    @on(CursorList.Chosen)
    def _chosen(self, event: CursorList.Chosen) -> None:
        row = self.rows[event.index] if 0 <= event.index < len(self.rows) else None
        if isinstance(row, Hit):
            self.host.open_transcript(row.recording.id, row.segment.id)

    def action_back(self) -> None:
        self.app.pop_screen()
