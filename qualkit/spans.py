"""Where coded words went when a segment's text was corrected.

A span coding marks characters [start, end) of a segment. After an edit the same
words sit elsewhere: the old and new texts are aligned (difflib) and the span is
carried to where its surviving characters now are. When none of its characters
survive, the span cannot be kept and the caller says so.
"""

from __future__ import annotations

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
