"""Swedish first names and surnames, and the everyday words that are not names.

Name lists come from faker's sv_SE locale (the most common Swedish first names and
surnames from Statistics Sweden), so nothing here is a hand-typed list of people.
"""

from __future__ import annotations

import re
from functools import lru_cache

from qualkit.name_words import COMMON_WORDS, NICKNAMES


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


def is_first(word: str, firsts: frozenset[str]) -> bool:
    return word in firsts or ("-" in word and all(p in firsts for p in word.split("-")))


def is_listed(word: str) -> bool:
    """Whether `word`, in whatever case it is written, is a listed first name or surname."""
    firsts, lasts = name_lists()
    title = word[:1].upper() + word[1:].lower()
    return is_first(title, firsts) or title in lasts


def is_listed_name(key: str) -> bool:
    """Whether a found full name (case-folded) is made of listed first names and surnames,
    its genitive aside ("anna svenssons"): such a name is a name in any case."""
    words = [w for w in re.split(r"[\s-]+", key) if w]
    if not words:
        return False
    if words[-1].endswith("s") and not is_listed(words[-1]):
        words[-1] = words[-1][:-1]
    return all(is_listed(w) for w in words)
