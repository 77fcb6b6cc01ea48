"""Names as people type them: "anna", "kalle svensson", "ANNA" given a capital.

Talk typed fast, file names and shouted notes do not write names as names are written;
the name finder (`qualkit.names`) reads capitals, so these are brought to that form first,
letter for letter, keeping every offset.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from qualkit.identifiers import LOWER as _LOW
from qualkit.identifiers import UPPER as _UP
from qualkit.name_lists import common_words, is_first, is_listed, name_lists
from qualkit.name_words import (
    CAPS_NOT_NAMES,
    CUE_AFTER,
    CUE_BEFORE,
    LOWER_CASE_WORDS,
    SURNAME_SHAPE,
    word_after_cue,
)

_LETTERS = re.compile(rf"[{_UP}{_LOW}]+(?:-[{_UP}{_LOW}]+)?")


def _shouted_alone(
    text: str, m: re.Match[str], prv: re.Match[str] | None, nxt: re.Match[str] | None
) -> bool:
    """Whether the word in capitals at `m` has no neighbour in capitals on its line."""
    return not any(
        w is not None
        and "\n" not in text[min(w.end(), m.end()) : max(w.start(), m.start())]
        and w.group(0).isupper()
        for w in (prv, nxt)
    )


def as_names_are_written(text: str, register: Iterable[str]) -> str:
    """`text` with listed names that are not written as names capitalised, same length.

    Talk typed fast, file names and shouted notes write names "anna", "kalle svensson",
    "ANNA": an ALL-CAPS word that is a listed name, a lower-case first name and surname
    ("anna svensson"), and a lower-case first name after a word that announces a person
    ("med anna", "kalle sa") are given a capital, so the rules below see them as names.
    A lower-case word alone stays a word ("rosa", "klara"): only its neighbours make it
    a name."""
    firsts = name_lists()[0]
    common = common_words()
    known = {w.casefold() for name in register for w in name.split() if len(w) > 1}

    def listed(word: str) -> bool:
        return word.casefold() in known or is_listed(word)

    chars = list(text)
    words = list(_LETTERS.finditer(text))
    for k, m in enumerate(words):
        word = m.group(0)
        lower = word.lower()
        if lower in common or not listed(word):
            continue
        if word.isupper() and len(word) > 2:
            # Registers and projects are written in capitals too ("LISA", "ALMA"): only a
            # full name ("SVEN SVENSSON") or a cued one ("ANNA sa") is a person.
            nxt = words[k + 1] if k + 1 < len(words) else None
            prv = words[k - 1] if k > 0 else None
            recase = (
                any(
                    w is not None
                    and w.group(0).isupper()
                    and listed(w.group(0))
                    and w.group(0).lower() not in common
                    for w in (nxt, prv)
                )
                or bool(CUE_BEFORE.search(text[max(0, m.start() - 30) : m.start()]))
                or bool(CUE_AFTER.match(text[m.end() : m.end() + 16]))
                # A name shouted in talk written in lower case ("Sen kom KARIN och ...",
                # "ANNA var där") or alone on its line; a heading or a shouted line in
                # capitals needs a cue, and registers and words are listed.
                or (lower not in CAPS_NOT_NAMES and _shouted_alone(text, m, prv, nxt))
            )
        elif word.islower():
            nxt = words[k + 1] if k + 1 < len(words) else None
            prv = words[k - 1] if k > 0 else None
            pair = (
                nxt is not None
                and text[m.end() : nxt.start()] == " "
                and nxt.group(0).islower()
                and nxt.group(0) not in common
                and listed(nxt.group(0))
                and is_first(word[:1].upper() + word[1:], firsts)
            ) or (
                prv is not None
                and text[prv.end() : m.start()] == " "
                and prv.group(0).islower()
                and is_first(prv.group(0)[:1].upper() + prv.group(0)[1:], firsts)
                and prv.group(0) not in common
            )
            before = text[max(0, m.start() - 30) : m.start()]
            cued = bool(CUE_BEFORE.search(before)) and not (
                lower not in known and word_after_cue(lower, before, text[m.end() : m.end() + 8])
            )
            cued = cued or bool(CUE_AFTER.match(text[m.end() : m.end() + 16]))
            # A listed first name that is no word is a name alone too ("sen kom anna in"),
            # and so is a surname of a shape no word has ("svensson var där").
            alone = lower not in LOWER_CASE_WORDS and len(word) > 2
            alone = alone and (is_first(word.title(), firsts) or bool(SURNAME_SHAPE.search(lower)))
            recase = pair or cued or alone
        else:
            continue
        if recase:
            chars[m.start()] = word[0].upper()
            chars[m.start() + 1 : m.end()] = list(word[1:].lower())
    return "".join(chars)
