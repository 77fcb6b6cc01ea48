"""Person names in Swedish talk: the rules that find them.

The lists they read are in `qualkit.name_lists` (people's names) and `qualkit.name_words`
(words and cues); names typed in lower case or capitals are first brought to how names
are written by `qualkit.name_case`; a name found once is found again by
`qualkit.name_echoes`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from qualkit.identifiers import LOWER as _LOW
from qualkit.identifiers import UPPER as _UP
from qualkit.name_case import as_names_are_written
from qualkit.name_echoes import with_echoes, with_partners
from qualkit.name_lists import common_words, is_first, is_listed, name_lists
from qualkit.name_words import (
    ACTOR_SHAPE,
    BEING_AFTER,
    CUE_AFTER,
    CUE_BEFORE,
    GROUP_WORDS,
    NAME_PART_NEVER,
    PLACE_WORDS,
    WORD_SHAPE,
    WORKPLACE_OF_A_NAME,
    cited_author,
    towns,
)

_WORD = re.compile(rf"[{_UP}][{_LOW}]+(?:-[{_UP}][{_LOW}]+)?(?:[’']s|:s)?(?!\w)")
_SURNAME_SHAPE = re.compile(
    r"(?:sson|son|berg|ström|qvist|kvist|gren|lund|holm|dahl|blad|lin|ell|quist|stedt|"
    r"stam|gård|by|fors|mark|ling|ander|ér|én|man)$"
)
# Words after which a capitalised word is a person: "doktor Berg", "kollegan Holm".
_TITLE_BEFORE = re.compile(
    r"(?:doktor|dr\.?|syster|handläggaren|handläggare|kollegan|kollega|chefen|chef|"
    r"kuratorn|läkaren|herr|fru|fröken|mamma|pappa|sonen|dottern|brodern|systern)\s$",
    re.IGNORECASE,
)


def _sentence_start(text: str, pos: int) -> bool:
    i = pos - 1
    while i >= 0 and text[i] in " \t\"'«»”“(-–—":
        i -= 1
    return i < 0 or text[i] in ".!?:;\n…"


def _workplace_of_a_name(word: str, firsts: frozenset[str]) -> bool:
    """'Annagårdens', 'Eriksgården': a listed first name (not a word: 'Solgården') and a
    workplace."""
    m = WORKPLACE_OF_A_NAME.match(word)
    name = m.group("name") if m else ""
    # "Eriksgården" is Erik's; "Rosengården" is no Rose's: only a genitive s comes off.
    bases = (name, name[:-1]) if name.endswith("s") else (name,)
    return any(b in firsts and b.lower() not in common_words() for b in bases)


_NEVER_ALONE = frozenset({"alla", "hej", "inga", "mina"})


def _single_name(
    text: str,
    m: re.Match[str],
    first: bool,
    registered: bool,
    surname: bool,
    start_of_sentence: bool,
    lower: str,
) -> bool:
    """Whether one capitalised word on its own is a name."""
    if registered:
        return True
    common = common_words()
    if first:
        # Inside a sentence capitalisation marks a name even for "Per" or "Dag"; so
        # does a verb of speech after it at a sentence's start ("Maj sa ingenting").
        return lower not in common or (
            lower not in _NEVER_ALONE
            and (not start_of_sentence or bool(CUE_AFTER.match(text[m.end() : m.end() + 16])))
        )
    if surname:
        after_title = _TITLE_BEFORE.search(text[max(0, m.start() - 20) : m.start()])
        spoke = _acts_after(text, m.end())  # "Svensson sa att", "Lindqvist har haft"
        return bool(after_title) or (lower not in common and (not start_of_sentence or spoke))
    return False


# Words that say what a person is called: they make even a place's name a person's.
_NAMED = re.compile(r"(?<!\w)(?:heter|hette|kallas|kallad|kallade)\s$", re.IGNORECASE)


def _acts_after(text: str, end: int) -> bool:
    after = text[end : end + 16]
    return bool(CUE_AFTER.match(after) or BEING_AFTER.match(after))


# Definite nouns open sentences and speak too ("Ledningen sa", "Handläggarna sa").
# So do roles ("Mentorn sa", "Navigatorn", "Koordinatorn", "Rektorn"), in "-torn": names
# in "-orn" are names ("Bjorn", "Osborn").
_DEFINITE = re.compile(r"(?:en|et|na|rna|in|an|torn)$")


# At a sentence's start, words of these shapes before a verb of speech are groups of
# people too ("Anhöriga berättar", "Boende säger"), as are the listed `GROUP_WORDS`.
_GROUP_SHAPE = re.compile(r"(?:are|iga|ande|ende)$")


def _group_of_people(lower: str) -> bool:
    return bool(_DEFINITE.search(lower) or _GROUP_SHAPE.search(lower)) or lower in GROUP_WORDS


def _genitive_base(word: str, names: Iterable[frozenset[str] | set[str]]) -> str:
    """'Karins' -> 'Karin', 'Lindqvists' -> 'Lindqvist' when the base is a known name and
    not also an everyday word ('Dags' stays); otherwise the word itself."""
    for ending in ("s", "’s", "'s", ":s"):
        if word.endswith(ending) and len(word) > len(ending) + 1:
            base = word[: -len(ending)]
            if base.lower() in common_words():
                return word
            if any(base in group for group in names) and not any(word in g for g in names):
                return base
    return word


# Every name has a vowel; "Sthlm", "Gbg" are short forms of places.
_VOWEL = re.compile(r"[aeiouyøæœı]")


def _has_vowel(lower: str) -> bool:
    """Whether a word has a vowel, with or without its marks ("Trần", "Jørn", "Yılmaz")."""
    return bool(_VOWEL.search(unicodedata.normalize("NFD", lower)))


def _unknown_name_word(word: str, common: frozenset[str], not_people: set[str]) -> bool:
    lower = word.lower()
    return not (
        lower in common
        or not _has_vowel(lower)
        or lower in not_people
        or ACTOR_SHAPE.search(lower)
        or WORD_SHAPE.search(lower)
    )


def find_names(
    text: str, register: Iterable[str] = (), places: Iterable[str] = (), *, field: bool = False
) -> list[tuple[int, int]]:
    """Spans of person names.

    A first name from the list counts when it is capitalised inside a sentence, when a
    surname follows it, or when it opens a sentence and is not also a common word
    ("Alla", "Per", "Dag"). A surname alone counts inside a sentence or after a title.
    Any capitalised word after a word that announces a person ("Hej", "doktor", "hette")
    counts, and so does an unknown word followed by a listed surname ("Ossi Nilsson") or
    by a verb of speech inside a sentence ("när Ossi sa"), unless it is shaped like an
    organisation or is one of `places` (the project's kommuner) or a known town.
    Genitives count as their name ("Karins", "Lindqvists"). Names in `register` (the
    participants' real names) always count. A `field` (a role, a pseudonym, a voice's
    label typed by a person) opens with no sentence: a surname at its start counts
    ("Lindqvists assistent").
    """
    firsts, lasts = name_lists()
    common = common_words()
    text = as_names_are_written(text, register)
    known = {w for name in register for w in name.split() if len(w) > 1}
    own_places = {p.casefold() for place in places for p in place.split()}
    not_people = _not_people(places)
    groups = (firsts, lasts, known)
    words = list(_WORD.finditer(text))
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        m = words[i]
        w = _genitive_base(m.group(0), groups)
        lower = w.lower()
        start_of_sentence = _sentence_start(text, m.start())
        # The project's own kommuner ("Vilhelmina", "Nora") are places, listed names or
        # not, unless someone is said to be called so ("jag heter Vilhelmina").
        named = bool(_NAMED.search(text[max(0, m.start() - 12) : m.start()]))
        named = (
            named
            or (  # "Nora Lund" is a person, "Nora kommun" a place
                i + 1 < len(words)
                and text[m.end() : words[i + 1].start()] == " "
                and _genitive_base(words[i + 1].group(0), groups) in lasts
            )
        )
        first = (is_first(w, firsts) and (lower not in own_places or named)) or w in known
        place_like = lower in not_people or bool(ACTOR_SHAPE.search(lower))
        cued = (
            lower not in common
            and (not place_like or named)
            and bool(CUE_BEFORE.search(text[max(0, m.start() - 30) : m.start()]))
        )
        cued = cued or (
            not place_like
            and lower not in common
            and not _group_of_people(lower)
            and cited_author(text, m.start(), m.end())
        )
        cued = cued or (
            not place_like
            and lower not in common
            and w not in lasts
            and not (start_of_sentence and _group_of_people(lower))
            and bool(CUE_AFTER.match(text[m.end() : m.end() + 16]))
        )
        # Surnames that follow: "Anna Svensson", "Eva Lind Berg", "Leevi Turpeinen"; after an
        # unknown word inside a sentence, another unknown word ("har varit Homan Amani").
        pairable = (
            lower not in common
            and lower not in NAME_PART_NEVER
            and not place_like
            and not WORD_SHAPE.search(lower)
            and _has_vowel(lower)
            # "Pappa Seppo Kosonen": a cue's own word is no part of the name it announces.
            and not CUE_BEFORE.search(w + " ")
        )
        j = i + 1
        while j < len(words) and j - i <= 2 and text[words[j - 1].end() : words[j].start()] == " ":
            nxt = _genitive_base(words[j].group(0), groups)
            if not (
                nxt in lasts
                or nxt in known
                or bool(_SURNAME_SHAPE.search(nxt))
                or ((first or cued) and nxt.lower() not in common)
                or (
                    # Up to three words: "Previa Ossi Lähteenmäki" is replaced whole
                    # rather than leave the last of them standing.
                    pairable
                    and _unknown_name_word(nxt, common, not_people)
                    and nxt.lower() not in NAME_PART_NEVER
                    and not text.startswith("-", words[j].end())  # "Hälso- och sjukvård"
                )
            ):
                break
            j += 1
        # Two capitalised words inside a sentence, neither a word, place nor organisation:
        # "Ossi Lähteenmäki", "Seppo Kosonen och ..." ("Region Jönköping" is a place). At a
        # sentence's start, where every word is capitalised, only before a verb of speech
        # or being ("Homan Amani var där"; a heading or a firm in a colophon has none).
        unknown_then_surname = (
            j >= i + 2
            and pairable
            and (
                _genitive_base(words[i + 1].group(0), groups) in lasts
                or _unknown_name_word(words[i + 1].group(0), common, not_people)
            )
            and (
                not start_of_sentence
                # ("Homan" ends like a definite noun: the plurals list alone rules here).
                or (lower not in GROUP_WORDS and _acts_after(text, words[j - 1].end()))
            )
        )
        if (first or cued or unknown_then_surname) and j > i + 1:
            spans.append((m.start(), words[j - 1].end()))
            i = j
            continue
        opens = start_of_sentence and not (field and m.start() == 0)
        if (
            cued
            or _single_name(text, m, first, w in known, w in lasts, opens, lower)
            or _workplace_of_a_name(w, firsts)
        ):
            spans.append((m.start(), m.end()))
        i += 1
    spans = with_partners(
        text,
        spans,
        lambda w: _unknown_name_word(w, common, not_people) and w.lower() not in NAME_PART_NEVER,
    )
    return with_echoes(
        text,
        spans,
        lambda w: _carried(w, firsts, groups, common, not_people),
        lambda w: is_first(w, firsts) or w in lasts,
    )


def _carried(
    word: str,
    firsts: frozenset[str],
    names: tuple[frozenset[str] | set[str], ...],
    common: frozenset[str],
    others: set[str],
) -> bool:
    """Whether a found word is a name wherever its text writes it again (`with_echoes`):
    a listed name that is no everyday word, or an unknown word of no group, role or cue
    shape ("Deltagarna", "Handläggare", "Mamma" found once stay found once)."""
    lower = word.lower()
    if lower in others:
        return False
    # A listed name is carried even when it is a word too ("Per", "Bo"): found as a name
    # once, its text means the person; a text that also writes it in lower case keeps it.
    if is_first(word, firsts) or any(word in g for g in names):
        return True
    return (
        lower not in common
        and _unknown_name_word(word, common, others)
        and not _group_of_people(lower)
        and lower not in NAME_PART_NEVER
        and not CUE_BEFORE.search(word + " ")
    )


def carried_alone(word: str, places: Iterable[str] = ()) -> bool:
    """Whether a single word found as a name in one text of a project is a name wherever
    another of its texts writes it capitalised ("Jag och Osmo satt där" in one turn, "Det
    tyckte Osmo också" in the next): an unknown word that `with_echoes` would carry. Not a
    listed name ("Hans", "Bo" and "Klara" are words too; the finder finds the others in
    any text), an everyday word, one of `places` or a word of group or role shape."""
    firsts, lasts = name_lists()
    if is_listed(word) or not word[:1].isupper():
        return False
    others = _not_people_of(tuple(places))
    return _carried(word, firsts, (firsts, lasts), common_words(), others)


def genitive_carried(word: str, places: Iterable[str] = ()) -> bool:
    """Whether a listed first name found in one text of a project is a name in every other
    where a genitive stands ("Jag pratade med Ali" in one turn, "Alis mamma ringde" in the
    next, where the finder reads "Ali" as a word at a sentence's start); not a place."""
    return is_first(word, name_lists()[0]) and word.lower() not in _not_people_of(tuple(places))


def _not_people(places: Iterable[str]) -> set[str]:
    return {p.casefold() for place in places for p in place.split()} | towns() | PLACE_WORDS


# A redactor asks for every name it found, with the same places: the union once.
_not_people_of = lru_cache(maxsize=8)(_not_people)
