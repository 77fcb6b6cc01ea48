"""Names known by their company: a name found once in a text is a name wherever else
that text writes it, and two unknown words joined to a found name by "och" are one too.

The finder judges each word by its neighbours, so "Jag och Osmo satt i samma grupp,
Osmo var jättebra" finds the first "Osmo" (after "jag och") and not the second (no cue,
unknown word). An export replaces only what was found, so the second would stand beside
"[Namn 1]" and give it away. Within one text the same capitalised word is the same person;
across texts it is not carried ("Hans", "Bo" and "Lund" are words too), and here only
listed names and words of no everyday, place, group or role shape are.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Callable

_NAME_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def with_echoes(
    text: str, spans: list[tuple[int, int]], carried: Callable[[str], bool]
) -> list[tuple[int, int]]:
    """`spans` and every other place `text` writes one of their capitalised words (or its
    genitive) exactly so, for the words `carried` allows (a listed name, or a word of no
    everyday, place, group or role shape: a weak finding is not spread); ordered by
    position, without overlaps."""
    if not spans:
        return spans
    # One pass over the text's words, not a search per name: a long text with many
    # names stays linear.
    written = Counter(_NAME_WORD.findall(text))
    words = {
        w.group(0)
        for a, b in spans
        for w in _NAME_WORD.finditer(text, a, b)
        # Written once (its found place) is the common case: nothing to carry.
        if w.group(0)[:1].isupper()
        and len(w.group(0)) > 1
        and written[w.group(0)] + written[w.group(0) + "s"] > 1
        # A word the same text also writes in lower case is an everyday word there
        # ("Kunskap till praktik", a programme, beside "utbyta kunskap").
        and not written[w.group(0).lower()]
        and carried(w.group(0))
    }
    if not words:
        return spans
    # ":s" and "'s" are apart from the word already; a bare "s" makes another word of a
    # short name ("Hu", "Hus"), so it counts only from four letters.
    echoes = []
    ordered = sorted(spans)
    for m in _NAME_WORD.finditer(text):
        token = m.group(0)
        if not (token in words or (token[-1:] == "s" and len(token) > 4 and token[:-1] in words)):
            continue
        if not _overlaps(ordered, m.start(), m.end()):
            echoes.append((m.start(), m.end()))
    return sorted(spans + echoes)


def _overlaps(ordered: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether `start:end` overlaps one of `ordered`, spans sorted and apart."""
    i = bisect.bisect_right(ordered, (end, end)) - 1  # the last span starting before `end`
    return i >= 0 and ordered[i][1] > start


_PAIR = r"[^\W\d_][^\W\d_]+(?:-[^\W\d_]+)? [^\W\d_][^\W\d_]+(?:-[^\W\d_]+)?"
_PAIR_BEFORE = re.compile(rf"(?<![\w-])(?P<pair>{_PAIR}) och $")
_PAIR_AFTER = re.compile(rf"^ och (?P<pair>{_PAIR})(?![\w-])")


def with_partners(
    text: str, spans: list[tuple[int, int]], unknown: Callable[[str], bool]
) -> list[tuple[int, int]]:
    """`spans` and the two-word names listed beside them: "Seppo Kosonen och Christer
    Malmström från Arbetsförmedlingen var med" finds the listed name; at a sentence's start
    with no verb after it, the unknown pair before it is found by its company. Both words
    must be capitalised and `unknown` (no everyday word, place or organisation)."""
    found = list(spans)
    for a, b in spans:
        before = _PAIR_BEFORE.search(text, max(0, a - 60), a)
        after = _PAIR_AFTER.match(text[b : b + 60])
        for start, pair in (
            (before.start("pair"), before.group("pair")) if before else (-1, ""),
            (b + after.start("pair"), after.group("pair")) if after else (-1, ""),
        ):
            words = pair.split()
            if start < 0 or not all(w[:1].isupper() and unknown(w) for w in words):
                continue
            if not any(start < y and x < start + len(pair) for x, y in found):
                found.append((start, start + len(pair)))
    return sorted(found)
