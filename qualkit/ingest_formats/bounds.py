"""Bounded pieces of text: no segment, and no text sent to a model, grows without limit.

A typed transcript without speaker labels is one turn for the whole file; stored as one
segment of megabytes it freezes the coding app and every per-segment computation.
Long turns are split at import at sentence ends (else at spaces) into segments of at
most `MAX_SEGMENT_CHARS`; `text_window` gives analysis a bounded piece of any text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from qualkit.ingest_formats.base import Turn

MAX_SEGMENT_CHARS = 2000
WINDOW_CHARS = 2000
_SENTENCE_END = re.compile(r"[.!?…]\s+")


def _cut(text: str, limit: int) -> int:
    """Where to cut `text` so the first piece is at most `limit` characters."""
    if len(text) <= limit:
        return len(text)
    ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, limit + 1) if m.end() <= limit]
    if ends and ends[-1] >= limit // 4:
        return ends[-1]
    space = text.rfind(" ", limit // 4, limit)
    return space + 1 if space > 0 else limit


def split_text(text: str, limit: int = MAX_SEGMENT_CHARS) -> list[str]:
    """`text` in pieces of at most `limit` characters, cut at sentence ends where possible."""
    pieces: list[str] = []
    rest = text.strip()
    while rest:
        at = _cut(rest, limit)
        pieces.append(rest[:at].strip())
        rest = rest[at:].strip()
    return [p for p in pieces if p]


def split_long_turns(turns: Iterable[Turn], limit: int = MAX_SEGMENT_CHARS) -> Iterator[Turn]:
    """Each turn as it is, or, when longer than `limit`, as several turns of one speaker.

    Times are shared out in proportion to the characters of each piece; word timings go
    to the piece their start falls in.
    """
    for turn in turns:
        if len(turn.text) <= limit:
            yield turn
            continue
        pieces = split_text(turn.text, limit)
        total = sum(len(p) for p in pieces) or 1
        timed = turn.start is not None and turn.end is not None and turn.end >= turn.start
        offset = 0
        for i, piece in enumerate(pieces):
            start = end = None
            if timed and turn.start is not None and turn.end is not None:
                span = turn.end - turn.start
                start = turn.start + span * offset / total
                end = turn.start + span * (offset + len(piece)) / total
            elif i == 0:
                start = turn.start
            last = i == len(pieces) - 1
            words = tuple(
                w
                for w in turn.words
                if start is not None
                and end is not None
                and start <= w.start
                and (w.start < end or last)
            )
            yield Turn(turn.speaker, piece, start, end if timed else None, words)
            offset += len(piece)


def text_window(text: str, limit: int = WINDOW_CHARS) -> str:
    """At most `limit` characters of `text`, cut at a sentence end or space, for models
    whose cost grows with the input (embeddings, suggestions)."""
    if len(text) <= limit:
        return text
    return text[: _cut(text, limit)].strip()
