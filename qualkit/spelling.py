"""When two names typed by people are the same name: one rule for kommuner and coders.

Pure text work (no store), so the store can apply the rule on every write and the faces
can warn about near misses before anything is written.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable


def tidy(text: str) -> str:
    """The form a name is stored in: NFC, runs of whitespace one space, none outside."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def key(text: str) -> str:
    """What two spellings of one name share: tidied and case-folded ('eksjö ' ~ 'Eksjö')."""
    return tidy(text).casefold()


def known_spelling(name: str, known: Iterable[str]) -> str | None:
    """The spelling in `known` that `name` is another way of writing (itself if exact)."""
    want = tidy(name)
    loose = None
    for candidate in known:
        if candidate == want:
            return candidate
        if loose is None and key(candidate) == key(want):
            loose = candidate
    return loose


def one_edit_apart(a: str, b: str) -> bool:
    """Whether `b` is `a` with one character added, dropped or changed, or, from four
    letters, two neighbouring characters swapped ('anan' for 'anna'; case ignored)."""
    a, b = key(a), key(b)
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    # A swap of neighbours from four letters: in "ab" and "ba" nothing else is the same.
    swapped = a[i : i + 2] == b[i : i + 2][::-1] and a[i + 2 :] == b[i + 2 :]
    if len(a) == len(b) >= 4 and swapped:
        return True
    # Past the first difference the rest must match, with b's extra or changed char skipped.
    return a[i + (len(a) == len(b)) :] == b[i + 1 :]
