"""Where every coder's codings go when a segment is split, and back when halves are joined.

As NVivo, ATLAS.ti and QualCoder place them (coding is of text, not of a row): a split
loses nothing coded from either part, and joining the parts again gives back one coding
where the split made two. Runs inside the split's or join's own transaction.

A copy is the same coding act on the other part: same code, valence, memo, coder, round,
partner actor and time (`created`); only its segment and span differ. A team's server
lets any coder write such a copy onto the next segment, and take it away again (undo,
join), whoever coded it (the own-rows rule in qualkit.store.roles).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

# What makes two codings one: the store's rule in insert_coding (with the span apart).
_SAME = ("code_pk", "coder_id", "valence", "round_id")
# What a copy carries over unchanged; equal in both, nothing is lost by keeping one.
_CARRIED = ("created", "memo", "partner_actor")


def _rows(db: sqlite3.Connection, seg_id: int) -> list[dict[str, Any]]:
    columns = ("id", "span_start", "span_end", *_SAME, *_CARRIED)
    sql = f"SELECT {', '.join(columns)} FROM codings WHERE segment_id = ? ORDER BY id"
    return [dict(zip(columns, r, strict=True)) for r in db.execute(sql, (seg_id,)).fetchall()]


def _copy(
    db: sqlite3.Connection, coding_id: int, seg_id: int, span: tuple[int, int] | None
) -> None:
    db.execute(
        "INSERT INTO codings(segment_id, code_pk, valence, coder_id, created, memo, span_start,"
        " span_end, round_id, partner_actor) SELECT ?, code_pk, valence, coder_id, created,"
        " memo, ?, ?, round_id, partner_actor FROM codings WHERE id = ?",
        (seg_id, span[0] if span else None, span[1] if span else None, coding_id),
    )


def split_codings(
    db: sqlite3.Connection, seg_id: int, new_id: int, left_len: int, shift: int, right_len: int
) -> None:
    """Place the codings of `seg_id`, just split: its text kept [0, left_len), and the new
    segment `new_id` holds the old text from `shift` on (right_len characters). The
    spaces between (left_len..shift) are in neither part."""
    placed: set[tuple[Any, ...]] = set()  # what the right part has, so no copy is made twice
    for c in _rows(db, seg_id):
        same = tuple(c[k] for k in _SAME)
        start, end = c["span_start"], c["span_end"]
        if start is None or end is None:  # the whole segment: both parts, whoever coded it
            if (*same, None) not in placed:
                _copy(db, c["id"], new_id, None)
                placed.add((*same, None))
            continue
        if end <= left_len:
            continue  # wholly in the first part
        if start < left_len:  # across the split (or to the end of the first part's words)
            db.execute("UPDATE codings SET span_end = ? WHERE id = ?", (left_len, c["id"]))
            if end > shift:  # it codes words of the second part too: they get their own
                span = (0, min(end - shift, right_len))
                if (*same, span) not in placed:
                    _copy(db, c["id"], new_id, span)
                    placed.add((*same, span))
            continue
        # Starts in the second part, or in the spaces at the split (then it keeps a word).
        span = (max(start - shift, 0), min(max(end - shift, 1), right_len))
        db.execute(
            "UPDATE codings SET segment_id = ?, span_start = ?, span_end = ? WHERE id = ?",
            (new_id, *span, c["id"]),
        )
        placed.add((*same, span))


def join_codings(
    db: sqlite3.Connection,
    first_id: int,
    second_id: int,
    offset: int,
    mine: Callable[[int], bool] = lambda _coder_id: True,
) -> None:
    """Before the second segment's codings move onto the first (its text after `offset`
    characters), take away those that would repeat one the first has: a coding of the
    whole of both, and a span ending where the first text ends that the second part's
    coding from its start continues (that one is extended over both). A coding whose memo
    or partner actor differs from its twin's is kept, so nothing written is lost.

    `mine(coder_id)`: whether the one joining may take away that coder's coding outright
    (on a team's server, their own, or the lead); else only a copy a split made (the same
    time too) is taken away, which is what the server allows."""
    first = _rows(db, first_id)
    first_len = offset - 1
    for c in _rows(db, second_id):
        for a in first:
            if any(a[k] != c[k] for k in _SAME) or any(
                c[k] is not None and a[k] != c[k] for k in ("memo", "partner_actor")
            ):
                continue
            if a["created"] != c["created"] and not mine(c["coder_id"]):
                continue
            whole = a["span_start"] is None and c["span_start"] is None
            joins = (
                a["span_start"] is not None and c["span_start"] == 0 and a["span_end"] == first_len
            )
            if not (whole or joins):
                continue
            db.execute("DELETE FROM codings WHERE id = ?", (c["id"],))
            if joins:
                a["span_end"] = c["span_end"] + offset
                db.execute("UPDATE codings SET span_end = ? WHERE id = ?", (a["span_end"], a["id"]))
            break
