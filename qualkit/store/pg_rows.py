"""What a PostgreSQL statement gives back, in sqlite3's face: rows by position and by
column name (like sqlite3.Row) and a finished cursor (fetchone, fetchall, rowcount,
lastrowid); NUMERIC read as SQLite gives it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cache
from typing import Any


class Row(tuple[Any, ...]):
    """A result row: by position, by column name, keys(); like sqlite3.Row."""

    _index: dict[str, int]

    def __new__(cls, values: Sequence[Any], index: dict[str, int]) -> Row:
        row = super().__new__(cls, values)
        row._index = index
        return row

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            try:
                return tuple.__getitem__(self, self._index[key.lower()])
            except KeyError:
                raise IndexError(f"No column named {key}") from None
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._index)


def row_factory(cursor: Any) -> Any:
    names = [c.name for c in cursor.description or ()]
    index: dict[str, int] = {}
    for i, name in enumerate(names):
        index.setdefault(name.lower(), i)

    def make(values: Sequence[Any]) -> Row:
        return Row(values, index)

    return make


@cache
def numeric_loader() -> type[Any]:
    from psycopg.adapt import Loader

    class NumericLoader(Loader):
        """NUMERIC (what SUM over integers gives) as int when whole, else float, as SQLite."""

        def load(self, data: Any) -> Any:
            text = bytes(data).decode()
            return float(text) if any(c in text for c in ".eEN") else int(text)

    return NumericLoader


class PgCursor:
    """The finished result of one statement."""

    def __init__(
        self, rows: list[Row], rowcount: int, lastrowid: int | None, names: Sequence[str] = ()
    ) -> None:
        # DB-API's description: one 7-tuple per column, the name first.
        self.description = tuple((n, None, None, None, None, None, None) for n in names)
        self._rows = rows
        self._next = 0
        self.rowcount = rowcount
        self.lastrowid = lastrowid

    def fetchone(self) -> Row | None:
        if self._next >= len(self._rows):
            return None
        self._next += 1
        return self._rows[self._next - 1]

    def fetchall(self) -> list[Row]:
        rest = self._rows[self._next :]
        self._next = len(self._rows)
        return rest

    def __iter__(self) -> Iterator[Row]:
        return iter(self.fetchall())
