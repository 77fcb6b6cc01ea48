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
    wrap: str | Sequence[str] | None = None,
) -> None:
    """Print a table; only `wrap` columns (default: the last) wrap; ids and numbers stay whole."""
    t = Table(title=title, show_lines=False)
    wrapping = {wrap} if isinstance(wrap, str) else set(wrap or [columns[-1]])
    for i, col in enumerate(columns):
        if col in wrapping:
            t.add_column(col, overflow="fold", ratio=1)
        else:
            # Ids and numbers are never cut; long free text is the wrap column's job.
            widest = max([len(str(r[i])) for r in rows if i < len(r)] + [len(col)])
            t.add_column(col, no_wrap=True, min_width=min(widest, 30))
    for row in rows:
        t.add_row(*("" if v is None else str(v) for v in row))
    console.print(t)


def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return ""
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"
