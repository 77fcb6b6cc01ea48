"""Person names in Swedish talk: name lists, capitalisation, cues and the register.

Name lists come from faker's sv_SE locale (the most common Swedish first names and
surnames from Statistics Sweden), so nothing here is a hand-typed list of people.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from qualkit.identifiers import LOWER as _LOW
from qualkit.identifiers import UPPER as _UP
from qualkit.name_echoes import with_echoes, with_partners
from qualkit.name_words import (
    ACTOR_SHAPE,
    BEING_AFTER,
    CAPS_NOT_NAMES,
    COMMON_WORDS,
    GROUP_WORDS,
    LOWER_CASE_WORDS,
    NAME_PART_NEVER,
    NICKNAMES,
    PLACE_WORDS,
    SURNAME_SHAPE,
    WORD_SHAPE,
    WORKPLACE_OF_A_NAME,
    cited_author,
    towns,
    word_after_cue,
)


@lru_cache(maxsize=1)
def name_lists() -> tuple[frozenset[str], frozenset[str]]:
    """Swedish first names and surnames (faker sv_SE, after Statistics Sweden)."""
    from faker.providers.person.sv_SE import Provider

    firsts = frozenset(Provider.first_names_female) | frozenset(Provider.first_names_male)
    lasts = frozenset(Provider.last_names)
    return firsts | NICKNAMES, lasts


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Lower-case Swedish words that must not be taken for names at a sentence start."""
    try:
        import stopwordsiso

        stop = frozenset(str(w) for w in stopwordsiso.stopwords("sv"))
    except ImportError:  # the hand list alone still guards the frequent cases
        stop = frozenset()
    return stop | COMMON_WORDS


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


def _is_first(word: str, firsts: frozenset[str]) -> bool:
    return word in firsts or ("-" in word and all(p in firsts for p in word.split("-")))


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
            and (not start_of_sentence or bool(_CUE_AFTER.match(text[m.end() : m.end() + 16])))
        )
    if surname:
        after_title = _TITLE_BEFORE.search(text[max(0, m.start() - 20) : m.start()])
        spoke = _acts_after(text, m.end())  # "Svensson sa att", "Lindqvist har haft"
        return bool(after_title) or (lower not in common and (not start_of_sentence or spoke))
    return False


# Words that announce a person: "Hej Leevi", "doktor Turpeinen", "kalla honom Krista",
# "hette Satu", "klienten Olle". Any capitalised word after them is taken as a name, in
# the lists or not.
_CUE_BEFORE = re.compile(
    r"(?<!\w)(?:hej|hejsan|hallå|tack|fråga|frågade|doktor|dr\.?|syster|handläggaren|"
    r"kollegan|kollega|chefen|kuratorn|läkaren|herr|fru|fröken|mamma|pappa|sonen|son|"
    r"dottern|dotter|brodern|systern|hette|heter|kallas|kallad|kallade|"
    r"socialsekreteraren|handledaren|samordnaren|koordinatorn|arbetsförmedlaren|"
    r"sjuksköterskan|psykologen|terapeuten|rektorn|rektor|enhetschefen|professor|docent|"
    r"grannen|kompisen|vännen|klienten|patienten|brukaren|deltagaren|maken|sambon|"
    r"det var|jag och|ring|ringde|ringer|mejla|mejlade|träffade|pratade med|"
    r"(?:kalla|kallar|kallade) (?:honom|henne|hen))[,:]?\s$",
    re.IGNORECASE,
)
# Words that say what a person is called: they make even a place's name a person's.
_NAMED = re.compile(r"(?<!\w)(?:heter|hette|kallas|kallad|kallade)\s$", re.IGNORECASE)
# A verb of speech after an unknown capitalised word inside a sentence: "... när Ossi sa".
# Present tense too: focus-group talk retells what others say now ("Nguyen håller med").
_CUE_AFTER = re.compile(
    r"^,?\s(?:sa|sade|berättade|svarade|frågade|tyckte|menade|förklarade|skrev|ringde|"
    r"mejlade|hade sagt|säger|berättar|svarar|frågar|tycker|menar|förklarar|undrar|"
    r"påpekar|instämmer|håller med)(?!\w)"
)


def _acts_after(text: str, end: int) -> bool:
    after = text[end : end + 16]
    return bool(_CUE_AFTER.match(after) or BEING_AFTER.match(after))


# Definite nouns open sentences and speak too ("Ledningen sa", "Handläggarna sa").
_DEFINITE = re.compile(r"(?:en|et|na|rna|in|an)$")


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


def _unknown_name_word(word: str, common: frozenset[str], not_people: set[str]) -> bool:
    lower = word.lower()
    return not (
        lower in common
        or lower in not_people
        or ACTOR_SHAPE.search(lower)
        or WORD_SHAPE.search(lower)
    )


def is_listed(word: str) -> bool:
    """Whether `word`, in whatever case it is written, is a listed first name or surname."""
    firsts, lasts = name_lists()
    title = word[:1].upper() + word[1:].lower()
    return _is_first(title, firsts) or title in lasts


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


def _as_names_are_written(text: str, register: Iterable[str]) -> str:
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
                or bool(_CUE_BEFORE.search(text[max(0, m.start() - 30) : m.start()]))
                or bool(_CUE_AFTER.match(text[m.end() : m.end() + 16]))
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
                and _is_first(word[:1].upper() + word[1:], firsts)
            ) or (
                prv is not None
                and text[prv.end() : m.start()] == " "
                and prv.group(0).islower()
                and _is_first(prv.group(0)[:1].upper() + prv.group(0)[1:], firsts)
                and prv.group(0) not in common
            )
            before = text[max(0, m.start() - 30) : m.start()]
            cued = bool(_CUE_BEFORE.search(before)) and not (
                lower not in known and word_after_cue(lower, before, text[m.end() : m.end() + 8])
            )
            cued = cued or bool(_CUE_AFTER.match(text[m.end() : m.end() + 16]))
            # A listed first name that is no word is a name alone too ("sen kom anna in"),
            # and so is a surname of a shape no word has ("svensson var där").
            alone = lower not in LOWER_CASE_WORDS and len(word) > 2
            alone = alone and (_is_first(word.title(), firsts) or bool(SURNAME_SHAPE.search(lower)))
            recase = pair or cued or alone
        else:
            continue
        if recase:
            chars[m.start()] = word[0].upper()
            chars[m.start() + 1 : m.end()] = list(word[1:].lower())
    return "".join(chars)


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
    text = _as_names_are_written(text, register)
    known = {w for name in register for w in name.split() if len(w) > 1}
    own_places = {p.casefold() for place in places for p in place.split()}
    not_people = own_places | towns() | PLACE_WORDS
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
        first = (_is_first(w, firsts) and (lower not in own_places or named)) or w in known
        place_like = lower in not_people or bool(ACTOR_SHAPE.search(lower))
        cued = (
            lower not in common
            and (not place_like or named)
            and bool(_CUE_BEFORE.search(text[max(0, m.start() - 30) : m.start()]))
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
            and bool(_CUE_AFTER.match(text[m.end() : m.end() + 16]))
        )
        # Surnames that follow: "Anna Svensson", "Eva Lind Berg", "Leevi Turpeinen"; after an
        # unknown word inside a sentence, another unknown word ("har varit Homan Amani").
        pairable = (
            lower not in common
            and lower not in NAME_PART_NEVER
            and not place_like
            and not WORD_SHAPE.search(lower)
            # "Pappa Seppo Kosonen": a cue's own word is no part of the name it announces.
            and not _CUE_BEFORE.search(w + " ")
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
    return with_echoes(text, spans, lambda w: _carried(w, firsts, groups, common, not_people))


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
    if _is_first(word, firsts) or any(word in g for g in names):
        return True
    return (
        lower not in common
        and _unknown_name_word(word, common, others)
        and not _group_of_people(lower)
        and lower not in NAME_PART_NEVER
        and not _CUE_BEFORE.search(word + " ")
    )
