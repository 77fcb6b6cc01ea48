"""Names known by their company: a name found once in a text is a name wherever else
that text writes it, and two unknown words joined to a found name by "och" are one too.

The finder judges each word by its neighbours, so "Jag och Osmo satt i samma grupp,
Osmo var jättebra" finds the first "Osmo" (after "jag och") and not the second (no cue,
unknown word). An export replaces only what was found, so the second would stand beside
"[Namn 1]" and give it away. Within one text the same capitalised word is the same person,
as is its genitive and the first part of a compound ("Osmos", "Osmo-gruppen"); only listed
names and words of no everyday, place, group or role shape are carried. Across texts the
finder carries nothing ("Hans", "Bo" and "Lund" are words too); a project's redactor
carries unknown words (`qualkit.redaction`).
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Callable

from qualkit.name_lists import common_words

_NAME_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def with_echoes(
    text: str,
    spans: list[tuple[int, int]],
    carried: Callable[[str], bool],
    listed: Callable[[str], bool] = lambda _: False,
) -> list[tuple[int, int]]:
    """`spans` and every other place `text` writes one of their capitalised words exactly
    so, in the genitive or without it, or as the first part of a compound ("Osmo-gruppen"),
    for the words `carried` allows (a listed name, or a word of no everyday, place, group
    or role shape: a weak finding is not spread); ordered by position, without overlaps.
    A found word ending in "s" is carried without it unless it is `listed` as a name of its
    own ("Mats" is not "Mat")."""
    if not spans:
        return spans
    # One pass over the text's words, not a search per name: a long text with many
    # names stays linear. A compound counts for its first part too ("Osmo-gruppen").
    tokens = list(_NAME_WORD.finditer(text))
    written = Counter(m.group(0) for m in tokens)
    written.update(m.group(0).split("-")[0] for m in tokens if "-" in m.group(0))
    words: set[str] = set()
    for a, b in spans:
        for w in _NAME_WORD.finditer(text, a, b):
            word = w.group(0)
            if not (word[:1].isupper() and len(word) > 1):
                continue
            # A genitive found ("Alis mamma") is its name without the "s" too ("Ali").
            stem = word[:-1] if word[-1:] == "s" and len(word) > 2 else ""
            if stem and (listed(word) or not (len(word) > 4 or stands_as_genitive(text, w.end()))):
                stem = ""
            for form in (word, stem):
                # Written once (its found place) is the common case: nothing to carry. A
                # word the same text also writes in lower case is an everyday word there
                # ("Kunskap till praktik", a programme, beside "utbyta kunskap").
                if (
                    form
                    and written[form] + written[form + "s"] + written[stem] > 1
                    and not written[form.lower()]
                    and carried(form)
                ):
                    words.add(form)
    if not words:
        return spans
    echoes = []
    ordered = sorted(spans)
    for m in tokens:
        start, token = m.start(), m.group(0)
        head, _, rest = token.partition("-")
        # "Osmo-gruppen" is the name and a word: only the name goes. "Osmo-Lisa" is a
        # double name: the whole of it goes.
        if rest and not rest[:1].isupper():
            token = head
        name = token.partition("-")[0]
        if not (
            _echo(token, words, text, start + len(token))
            or (name != token and _echo(name, words, text, start + len(name)))
        ):
            continue
        if not _overlaps(ordered, start, start + len(token)):
            echoes.append((start, start + len(token)))
    return sorted(spans + echoes)


def _echo(token: str, words: set[str], text: str, end: int) -> bool:
    """Whether `token`, ending at `end`, is one of `words` or its genitive. ":s" and "'s"
    are apart from the word already; a bare "s" makes another word of a short name ("Hu",
    "Hus är dyra"), so on a name of under four letters it counts only where a genitive
    stands: before a word that is no everyday word ("Alis mamma")."""
    if token in words:
        return True
    if token[-1:] != "s" or token[:-1] not in words:
        return False
    return len(token) > 4 or stands_as_genitive(text, end)


def stands_as_genitive(text: str, end: int) -> bool:
    """Whether the word ending at `end` stands as a genitive: a word follows it after a
    space, and that word is no everyday word ("Alis mamma", not "Hus är", "Dags att")."""
    after = _NEXT_WORD.match(text, end)
    return after is not None and after.group(1).lower() not in common_words()


_NEXT_WORD = re.compile(r" ([^\W\d_]+)")


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
