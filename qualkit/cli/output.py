"""Shared console helpers for command modules."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

console = Console(highlight=False)


def table(
    title: str | None,
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    wrap: str | None = None,
) -> None:
    """Print a table; only the `wrap` column (default: the last) wraps, so numbers stay whole."""
    t = Table(title=title, show_lines=False)
    wrap = wrap or columns[-1]
    for col in columns:
        if col == wrap:
            t.add_column(col, overflow="fold", ratio=1)
        else:
            t.add_column(col, no_wrap=True, min_width=min(len(col), 9))
    for row in rows:
        t.add_row(*("" if v is None else str(v) for v in row))
    console.print(t)


def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return ""
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"
