"""Copy a whole study between backends, row for row: SQLite to a server and back.

Every table of the schema is copied with its ids, in an order where a row's references
exist before it, inside one transaction on the receiving side: a copy that fails leaves
the receiver as it was. The table list comes from the SQLite side (there is always one),
so tables that other parts of qualkit add in later migrations are copied too.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from qualkit.errors import InputError
from qualkit.store.connection import StoreBase

_BATCH = 200  # rows per INSERT: few round trips to a server, far below SQLite's limits


def _sqlite_side(source: StoreBase, target: StoreBase) -> sqlite3.Connection:
    for store in (source, target):
        if store.server is None:
            return store._db
    raise InputError("One side of a study copy must be a SQLite project database.")


def table_order(db: sqlite3.Connection) -> list[tuple[str, list[str]]]:
    """(table, columns) of every table, each after the tables it refers to."""
    names = [
        str(r[0])
        for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name"
        )
    ]
    refers = {
        name: {str(r[2]) for r in db.execute(f'PRAGMA foreign_key_list("{name}")')} - {name}
        for name in names
    }
    ordered: list[str] = []
    while len(ordered) < len(names):
        ready = [n for n in names if n not in ordered and refers[n] <= set(ordered)]
        if not ready:  # a cycle of references: take the rest as they come
            ready = [n for n in names if n not in ordered]
        ordered.extend(ready)
    return [
        (name, [str(r[1]) for r in db.execute(f'PRAGMA table_info("{name}")')]) for name in ordered
    ]


def _batches(rows: list[Any]) -> Iterator[list[Any]]:
    for i in range(0, len(rows), _BATCH):
        yield rows[i : i + _BATCH]


def row_counts(store: StoreBase, tables: list[tuple[str, list[str]]]) -> dict[str, int]:
    return {name: int(store._rows(f"SELECT COUNT(*) FROM {name}")[0][0]) for name, _cols in tables}


def copy_study(source: StoreBase, target: StoreBase) -> dict[str, int]:
    """Copy every row of `source` into the empty `target`; {table: rows copied}."""
    if source.schema_version() != target.schema_version():
        raise InputError(
            f"The two databases have different schema versions ({source.schema_version()} "
            f"and {target.schema_version()}); open both with this qualkit first."
        )
    tables = table_order(_sqlite_side(source, target))
    held = {name: n for name, n in row_counts(target, tables).items() if n}
    if held:
        raise InputError(
            "The receiving database already holds a study ("
            + ", ".join(f"{n} rows in {name}" for name, n in sorted(held.items()))
            + "). Copy into an empty database."
        )
    copied: dict[str, int] = {}
    with target.transaction() as db:
        for name, columns in tables:
            cols = ", ".join(columns)
            order = "id" if "id" in columns else "1"
            rows = [tuple(r) for r in source._rows(f"SELECT {cols} FROM {name} ORDER BY {order}")]
            marks = "(" + ",".join("?" * len(columns)) + ")"
            for batch in _batches(rows):
                db.execute(
                    f"INSERT INTO {name} ({cols}) VALUES " + ",".join([marks] * len(batch)),
                    [value for row in batch for value in row],
                )
            copied[name] = len(rows)
    return copied


def study_rows(store: StoreBase) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted: what two copies of one study must share exactly."""
    tables = table_order(_sqlite_side(store, store)) if store.server is None else []
    if not tables:
        raise InputError("study_rows reads a SQLite project database.")
    out: dict[str, list[tuple[Any, ...]]] = {}
    for name, columns in tables:
        rows = store._rows(f"SELECT {', '.join(columns)} FROM {name}")
        out[name] = sorted((tuple(r) for r in rows), key=repr)
    return out


class TransferStore(StoreBase):
    """backup_to for a server study: a SQLite copy of it, which `qualkit restore` reads."""

    def backup_to(self, target: Path) -> None:
        if self.server is None:
            super().backup_to(target)
            return
        copy = StoreBase(target)
        try:
            copy_study(self, copy)
            copy.standalone()
        finally:
            copy.close()
