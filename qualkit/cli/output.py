"""Shared console helpers for command modules."""

from __future__ import annotations

import io
import sys
import textwrap
from collections.abc import Iterable, Sequence
from pathlib import Path

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from qualkit.privacy import unreviewed, unreviewed_in
from qualkit.project import Project

console = Console(highlight=False)


def warn(text: str | None) -> None:
    """A warning that is not an error, on stderr so a script's output stays clean."""
    if text:
        print(f"qualkit: warning: {text}", file=sys.stderr)


def warn_pseudonym(pseudonym: str, looks: list[str]) -> None:
    """Warn that a participant's new pseudonym reads as a person's name (found by
    resolve.pseudonym_names); the pseudonym is kept: an invented name is allowed."""
    if looks:
        warn(
            f"pseudonym {pseudonym!r} looks like a person's name ({', '.join(looks)}). If it "
            "is the participant's real name, choose another, such as 'Deltagare N': exports "
            "replace the names they find, but the project keeps it as typed."
        )


def tolerant_streams() -> None:
    """Let output that the terminal's encoding cannot show ("å" under
    PYTHONIOENCODING=ascii) come out escaped instead of ending the command."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            stream.reconfigure(errors="backslashreplace")


_MIN_WRAP = 6
_WORD_CAP = 12
# A number column's header folds to no fewer letters than this ("hindr" / "ande").
_HEADER_LEAST = 5
# Rich draws a border left of every column and one at the end, and pads each cell by one
# on either side: a table of n columns needs 3n + 1 characters besides its text.
_PER_COLUMN = 3


def table(
    title: str | None,
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    wrap: str | Sequence[str] | None = None,
) -> None:
    """Print a table; only `wrap` columns (default: the widest free text) wrap, and only at
    spaces: a word, id or number is never split. A wrap column with no room goes below."""
    # A title holds typed names ("Voices in g2 [x]"): text, never markup.
    t = Table(title=None if title is None else Text(title, style="table.title"), show_lines=False)
    numeric = {
        col
        for i, col in enumerate(columns)
        if rows and all(i >= len(r) or _is_number(r[i]) for r in rows)
    }
    cells = [
        [str(r[i]) if i < len(r) and r[i] is not None else "" for r in rows]
        for i in range(len(columns))
    ]
    # A cell's width is its longest line: a cell may hold several ("...\nvoiceprint 0.93").
    # Widths are screen cells, not characters: "日本" takes four.
    widest = [
        max([cell_len(line) for c in cells[i] for line in c.split("\n")] + [cell_len(col)])
        for i, col in enumerate(columns)
    ]
    # What a column needs when it wraps at spaces: its longest word (the header's too).
    longest_word = [
        max([cell_len(w) for c in [*cells[i], col] for w in c.split()] + [1])
        for i, col in enumerate(columns)
    ]
    if wrap is None:  # the longest text gives way; the first names the row, so it stays
        text = [
            (longest_word[i] < w, w, i)
            for i, w in enumerate(widest)
            if columns[i] not in numeric and i > 0
        ]
        if not text and columns[0] not in numeric:
            text = [(True, widest[0], 0)]  # the only text there is
        wrap = [columns[max(text)[2]]] if text else []
    # A number is never the column that gives way: it is short, and cut it would lie.
    wrapping = ({wrap} if isinstance(wrap, str) else set(wrap)) - numeric
    # A column of ids ("danermark:kunskap_samverkan", no spaces) needs its whole width: cut
    # or folded, two ids could read alike, so without room it goes below the table.
    need = {
        i: (
            min(max(longest_word[i], _MIN_WRAP), _WORD_CAP, widest[i])
            if longest_word[i] < widest[i]
            else widest[i]
        )
        for i, c in enumerate(columns)
        if c in wrapping
    }
    # A number column is as wide as its header ("hindrande") but needs only its numbers:
    # on a narrow terminal the header folds before an id beside it is cut.
    figures = {
        i: max([cell_len(c) for c in cells[i]] + [min(cell_len(columns[i]), _HEADER_LEAST)])
        for i, col in enumerate(columns)
        if col in numeric
    }

    def fixed(ids_only: bool) -> int:
        # What the other columns take: numbers at their folded width only to keep ids in
        # the table; free text goes below rather than fold every header.
        return sum(
            (figures.get(i, w) if ids_only else w) + _PER_COLUMN
            for i, (col, w) in enumerate(zip(columns, widest, strict=True))
            if col not in wrapping
        )

    # The other columns keep their full width. The wrap columns take what is left; those
    # that cannot get room for their longest word (up to _WORD_CAP characters) go below the
    # table, row by row, rather than a few letters per line in it. The neediest go first.
    below: set[int] = set()
    while (left := need.keys() - below) and fixed(
        all(need[i] == widest[i] for i in left)
    ) + 1 + sum(need[i] + _PER_COLUMN for i in left) > console.width:
        below.add(max(left, key=lambda i: (need[i], i)))
    shown = [i for i in range(len(columns)) if i not in below]
    while True:
        room = console.width - 1 - _PER_COLUMN * len(shown)
        widths = _fit(
            {i: widest[i] for i in shown},
            {
                i: max(need[i], min(longest_word[i], widest[i]))
                for i in shown
                if columns[i] in wrapping
            },
            {i: need[i] for i in shown if columns[i] in wrapping},
            {i: figures[i] for i in shown if i in figures},
            room,
        )
        # Still too wide (ids and numbers are never cut below a few letters): the last
        # column goes below the table too, rather than the terminal squeezing them all.
        if sum(widths.values()) <= room or len(shown) < 2:
            break
        shown.pop()
    for i in shown:
        # A text column folds a word longer than itself ("samverkansöverenskommelse")
        # onto the next line, every letter kept; an id too wide for a narrow terminal is
        # cut with "…".
        # A number column folds only its header: it is never narrower than its numbers,
        # which stand right-aligned so that their digits line up.
        folds = columns[i] in wrapping or i in figures
        t.add_column(
            columns[i],
            width=widths[i],
            no_wrap=not folds,
            overflow="fold" if folds else "ellipsis",
            justify="right" if i in figures else "left",
        )
    for n in range(len(rows)):
        # Text, not markup: "[ohörbart]" in a transcript is a word, "[/b]" no error.
        t.add_row(*(Text(cells[i][n]) for i in shown))
    console.print(t)
    for i, col in enumerate(columns):
        if i not in shown:
            # Each moved cell is keyed by its row's first cell, or by its row number when
            # the first column is the one moved.
            keyed = [(r[0] if i else n, r[i]) for n, r in enumerate(rows, 1) if i < len(r)]
            _below(col, keyed, columns[0] if i else "row")


def _fit(
    full: dict[int, int],
    whole_words: dict[int, int],
    least: dict[int, int],
    figures: dict[int, int],
    room: int,
) -> dict[int, int]:
    """Column widths that fit `room`: every column at `full` width if they fit; else the
    wrap columns narrow to their longest word (`whole_words`), then the number columns to
    their numbers (`figures`: the header folds); only then are the widest columns cut (a
    wrap column down to `least`), numbers never."""
    widths = dict(full)
    numbers = set(figures)

    def narrow(limit: dict[int, int], keep: set[int]) -> None:
        # Take a character at a time from the widest column that may still give one, so
        # the columns end up as even as their limits allow.
        while sum(widths.values()) > room:
            able = [i for i in widths if i not in keep and widths[i] > limit.get(i, 0)]
            if not able:
                return
            widths[max(able, key=lambda i: (widths[i], i))] -= 1

    wrapping = set(whole_words)
    narrow(whole_words, set(widths) - wrapping)
    narrow(figures, set(widths) - numbers)
    # Too narrow for whole words, ids and names: cut the widest first, to a useful few
    # letters (a wrap column to what it was given room for); the first column, which names
    # the row, only when cutting the others was not enough.
    cut = {i: least.get(i, _MIN_WRAP) for i in widths}
    narrow(cut, numbers | {0})
    narrow(cut, numbers)
    return widths


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _below(column: str, cells: Sequence[tuple[object, object]], key: str) -> None:
    """A column too wide for the terminal, under the table: each row's text after the
    row's first cell, so nothing is left out silently."""
    if not any(str(cell).strip() for _, cell in cells if cell is not None):
        return  # an empty column leaves nothing out
    console.print(f"{column} (too wide for {console.width} columns; by {key}):", markup=False)
    for first, cell in cells:
        lines = [line for line in ("" if cell is None else str(cell)).split("\n") if line]
        if not lines:
            continue
        # Wrapped at spaces under its own text, not under its key. A word or id is never
        # split: when the longest does not fit beside the key, the text starts on the next
        # line, indented less (or not at all).
        head = f"  {first}: "
        longest = max(cell_len(w) for line in lines for w in line.split())
        room = console.width - longest
        indent = " " * (len(head) if room >= len(head) else max(0, min(4, room)))
        wrapped = [] if indent == " " * len(head) else [head.rstrip()]
        for line in lines:
            wrapped.append(
                textwrap.fill(
                    line,
                    width=console.width,
                    initial_indent=head if not wrapped else indent,
                    subsequent_indent=indent,
                    break_long_words=False,
                    break_on_hyphens=False,
                )
            )
        console.print(Text("\n".join(wrapped)), soft_wrap=True)


def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return ""
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def warn_unreviewed(project: Project, paths: Iterable[Path], unredacted: bool = False) -> None:
    """Say how many replacements that nobody reviewed the files just written hold.

    Everything the detector finds is replaced whether or not it was reviewed (the labels
    may still be generic, and a false find is replaced too until a coder rejects it).
    """
    if unredacted:
        console.print(
            "Unredacted export: real names and identifiers are in the files marked "
            "UNREDACTED. Do not send them."
        )
        return
    made = unreviewed_in(project, paths)
    waiting = sum(unreviewed(project).values())
    listing = "qualkit pseudo list --status proposed --context"
    replaced = plural(made, "name or identifier", "names or identifiers")
    if made and not waiting:
        console.print(
            f"Privacy: this export replaced {replaced} that nobody has reviewed. "
            f"To check them: qualkit pseudo scan, then {listing}"
        )
    elif waiting:
        verb, them = ("waits", "it") if waiting == 1 else ("wait", "them")
        made_text = (
            f"replaced {replaced} that nobody has reviewed"
            if made
            else "replaced nothing without review"
        )
        console.print(
            f"Privacy: this export {made_text}; "
            f"{plural(waiting, 'finding', 'findings')} of the last scan {verb} for review "
            f"(replaced until a coder rejects {them}). To review: {listing}"
        )
