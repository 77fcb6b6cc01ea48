"""Shared console helpers for command modules."""

from __future__ import annotations

import io
import sys
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from qualkit.privacy import unreviewed, unreviewed_replacements
from qualkit.project import Project

console = Console(highlight=False)


def warn(text: str | None) -> None:
    """A warning that is not an error, on stderr so a script's output stays clean."""
    if text:
        print(f"qualkit: warning: {text}", file=sys.stderr)


def tolerant_streams() -> None:
    """Let output that the terminal's encoding cannot show ("å" under
    PYTHONIOENCODING=ascii) come out escaped instead of ending the command."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            stream.reconfigure(errors="backslashreplace")


_MIN_WRAP = 6
_WORD_CAP = 12


def table(
    title: str | None,
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    wrap: str | Sequence[str] | None = None,
) -> None:
    """Print a table; only `wrap` columns (default: the widest that is not all numbers)
    wrap; ids and numbers stay whole. A wrap column with no room is printed below it."""
    t = Table(title=title, show_lines=False)
    numeric = {
        col
        for i, col in enumerate(columns)
        if rows and all(i >= len(r) or _is_number(r[i]) for r in rows)
    }
    # A cell's width is its longest line: a cell may hold several ("...\nvoiceprint 0.93").
    widest = [
        max([len(line) for r in rows if i < len(r) for line in str(r[i]).split("\n")] + [len(col)])
        for i, col in enumerate(columns)
    ]
    if wrap is None:  # the longest text gives way; the first names the row, so it stays
        text = [(w, i) for i, w in enumerate(widest) if columns[i] not in numeric and i > 0]
        if not text and columns[0] not in numeric:
            text = [(widest[0], 0)]  # the only text there is
        wrap = [columns[max(text)[1]]] if text else []
    # A number is never the column that gives way: it is short, and cut it would lie.
    wrapping = ({wrap} if isinstance(wrap, str) else set(wrap)) - numeric
    # Ids and numbers are never cut; long free text is the wrap columns' job. They share
    # what is left of the terminal (the other columns at their full width: they do not
    # wrap); one that cannot get room for its longest word (up to _WORD_CAP characters)
    # goes below the table, row by row, rather than a few letters per line in it.
    fixed = sum(w + 3 for col, w in zip(columns, widest, strict=True) if col not in wrapping)
    n_wrap = sum(1 for col in columns if col in wrapping)
    share = (console.width - fixed - 1) // max(n_wrap, 1) - 3

    def longest_word(i: int) -> int:
        words = [w for r in rows if i < len(r) for w in str(r[i] or "").split()]
        return max([len(w) for w in words] + [len(columns[i]), _MIN_WRAP])

    need = {i: min(longest_word(i), _WORD_CAP) for i, c in enumerate(columns) if c in wrapping}
    shown = [i for i, col in enumerate(columns) if col not in wrapping or share >= need[i]]
    for i in shown:
        col = columns[i]
        if col in wrapping:
            t.add_column(col, overflow="fold", ratio=1, min_width=need[i])
        else:
            t.add_column(col, no_wrap=True, min_width=widest[i])
    for row in rows:
        t.add_row(*("" if row[i] is None else str(row[i]) for i in shown if i < len(row)))
    console.print(t)
    for i, col in enumerate(columns):
        if i not in shown:
            # Each moved cell is keyed by its row's first cell, or by its row number when
            # the first column is the one moved.
            keyed = [(r[0] if i else n, r[i]) for n, r in enumerate(rows, 1) if i < len(r)]
            _below(col, keyed, columns[0] if i else "row")


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _below(column: str, cells: Sequence[tuple[object, object]], key: str) -> None:
    """A column too wide for the terminal, under the table: each row's text after the
    row's first cell, so nothing is left out silently."""
    console.print(f"{column} (too wide for {console.width} columns; by {key}):", markup=False)
    for first, cell in cells:
        lines = [line for line in ("" if cell is None else str(cell)).split("\n") if line]
        if lines:
            text = Text(f"  {first}: " + "\n    ".join(lines))
            console.print(text)


def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return ""
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def warn_unreviewed(project: Project, unredacted: bool = False) -> None:
    """Say how many replacements this command made without anyone's review.

    Everything the detector finds is replaced whether or not it was reviewed (the labels
    may still be generic, and a false find is replaced too until a coder rejects it).
    """
    if unredacted:
        console.print(
            "Unredacted export: real names and identifiers are in the files marked "
            "UNREDACTED. Do not send them."
        )
        return
    made = sum(unreviewed_replacements(project).values())
    waiting = sum(unreviewed(project).values())
    listing = "qualkit pseudo list --status proposed --context"
    replaced = plural(made, "name or identifier", "names or identifiers")
    if made and not waiting:
        console.print(
            f"Privacy: this export replaced {replaced} that nobody has reviewed. "
            f"To check them: qualkit pseudo scan, then {listing}"
        )
    elif made or waiting:
        console.print(
            f"Privacy: this export replaced {replaced} that nobody has reviewed; "
            f"{plural(waiting, 'finding', 'findings')} of the last scan wait for review "
            f"(replaced until a coder rejects them). To review: {listing}"
        )
