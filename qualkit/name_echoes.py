"""Names known by their company: a name found once in a text is a name wherever else
that text writes it, and two unknown words joined to a found name by "och" are one too.

The finder judges each word by its neighbours, so "Jag och Osmo satt i samma grupp,
Osmo var jättebra" finds the first "Osmo" (after "jag och") and not the second (no cue,
unknown word). An export replaces only what was found, so the second would stand beside
"[Namn 1]" and give it away. Within one text the same capitalised word is the same person;
across texts it is not carried ("Hans", "Bo" and "Lund" are words too), and here only
words that are no everyday word or place are.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_NAME_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def with_echoes(
    text: str, spans: list[tuple[int, int]], is_word: Callable[[str], bool]
) -> list[tuple[int, int]]:
    """`spans` and every other place `text` writes one of their capitalised words (or its
    genitive) exactly so, unless `is_word` says the word, in lower case, is an ordinary
    word or a place; ordered by position, without overlaps."""
    words = {
        w.group(0)
        for a, b in spans
        for w in _NAME_WORD.finditer(text, a, b)
        if w.group(0)[:1].isupper() and len(w.group(0)) > 1 and not is_word(w.group(0).lower())
    }
    # A word the same text also writes in lower case is an everyday word there ("Kunskap
    # till praktik", a programme, beside "utbyta kunskap"): only its found place counts.
    words = {w for w in words if not re.search(rf"(?<![\w-]){re.escape(w.lower())}(?![\w-])", text)}
    if not words:
        return spans
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w-])(?:{alternatives})(?:s|:s|’s|'s)?(?![\w-])")
    echoes = [
        (m.start(), m.end())
        for m in pattern.finditer(text)
        if not any(m.start() < b and a < m.end() for a, b in spans)
    ]
    return sorted(spans + echoes)


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
