"""Where coded words went when a segment's text was corrected.

A span coding marks characters [start, end) of a segment. After an edit the same
words sit elsewhere: the old and new texts are aligned (difflib) and the span is
carried to where its surviving characters now are. When none of its characters
survive, the span cannot be kept and the caller says so. Redaction is such an edit
too: `map_span` carries a span onto a text whose names became labels.
"""

from __future__ import annotations

from collections.abc import Callable
from difflib import SequenceMatcher


def follow_span(old: str, new: str, start: int, end: int) -> tuple[int, int] | None:
    """The span [start, end) of `old` carried over to `new`, or None when its words are gone."""
    if not 0 <= start < end <= len(old):
        return None
    if old == new:
        return start, end
    first: int | None = None
    last: int | None = None
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for block in matcher.get_matching_blocks():
        lo, hi = max(start, block.a), min(end, block.a + block.size)
        if lo >= hi:
            continue
        if first is None:
            first = block.b + (lo - block.a)
        last = block.b + (hi - block.a)
    if first is None or last is None or first >= last:
        return None
    # A word edited at the span's edge keeps the span over the whole new word.
    while first > 0 and new[first - 1].isalnum() and new[first].isalnum():
        first -= 1
    while last < len(new) and new[last - 1].isalnum() and new[last].isalnum():
        last += 1
    return first, last


def map_span(original: str, span: tuple[int, int], redact: Callable[[str], str]) -> tuple[int, int]:
    """Move a span on the original text onto the redacted text.

    Redaction replaces names with labels of another length; the span keeps its context on
    both sides, so its start is the redacted length of what precedes it and its end is
    measured back from the end of the redacted text."""
    start, end = span
    redacted_len = len(redact(original))
    new_start = len(redact(original[:start]))
    new_end = redacted_len - len(redact(original[end:]))
    new_start = max(0, min(new_start, redacted_len))
    new_end = max(0, min(new_end, redacted_len))
    if new_end <= new_start:
        return (min(new_start, max(redacted_len - 1, 0)), redacted_len) if redacted_len else (0, 0)
    return new_start, new_end
