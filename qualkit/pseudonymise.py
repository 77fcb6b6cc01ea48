"""Find personal data in transcript text: names, personnummer, phone numbers, e-mail, addresses.

Detection only proposes; a coder accepts or rejects each proposal (`qualkit pseudo`, the
TUI's pseudonym screen) and `qualkit.privacy.Redactor` applies the accepted ones. Name lists
come from faker's sv_SE locale (the most common Swedish first names and surnames from
Statistics Sweden), so nothing here is a hand-typed list of people.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

# Kinds of personal data and the neutral replacement each gets.
NAME = "name"
PERSONNUMMER = "personnummer"
PHONE = "phone"
EMAIL = "email"
ADDRESS = "address"
KINDS = (NAME, PERSONNUMMER, PHONE, EMAIL, ADDRESS)
PLACEHOLDERS: Mapping[str, str] = {
    PERSONNUMMER: "[personnummer]",
    PHONE: "[telefonnummer]",
    EMAIL: "[e-post]",
    ADDRESS: "[adress]",
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of personal data at text[start:end]."""

    kind: str
    start: int
    end: int
    text: str


# ------------------------------------------------------------------ numbers
# 6 or 8 digit date, optional separator, 4 digits: ÅÅMMDD-NNNN / ÅÅÅÅMMDDNNNN, also '+'.
PERSONNUMMER_RE = re.compile(r"(?<![\d\w])((?:19|20)?\d{6})[-+ ]?(\d{4})(?![\d\w])")


def luhn_ok(digits: str) -> bool:
    """The check digit rule of Swedish personnummer (on the 10-digit form)."""
    total = 0
    for i, ch in enumerate(digits):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def is_personnummer(date_part: str, serial: str) -> bool:
    """A valid personnummer or samordningsnummer (day + 60), check digit included."""
    ten = date_part[-6:] + serial
    month, day = int(ten[2:4]), int(ten[4:6])
    if day > 60:  # samordningsnummer
        day -= 60
    return 1 <= month <= 12 and 1 <= day <= 31 and luhn_ok(ten)


EMAIL_RE = re.compile(
    r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9åäöÅÄÖ](?:[A-Za-z0-9åäöÅÄÖ-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])"
)

# Swedish numbers: +46/0046 or a trunk 0, area code (1-3 digits after 0), then digit
# groups split by spaces or hyphens. Validated on the digit count below.
PHONE_RE = re.compile(
    r"(?<![\w+])"
    r"(?:(?:\+|00)46[\s-]?(?:\(0\)\s?)?[1-9]\d{0,2}|\(?0[1-9]\d{0,2}\)?)"
    r"(?:[\s-]?\d{2,4}){1,4}"
    r"(?![\w-]|\d)"
)


def _phone_ok(text: str) -> bool:
    digits = re.sub(r"\D", "", text)
    if digits.startswith("0046"):
        digits = "0" + digits[4:]
    elif digits.startswith("46") and text.lstrip().startswith("+"):
        digits = "0" + digits[2:]
    # National numbers are 8-10 digits with the trunk 0; 11 for a few mobile ranges.
    return digits.startswith("0") and 8 <= len(digits) <= 11


# ---------------------------------------------------------------- addresses
STREET_SUFFIXES = (
    "gatan",
    "gata",
    "vägen",
    "väg",
    "gränd",
    "gränden",
    "torget",
    "torg",
    "stigen",
    "stig",
    "allén",
    "allé",
    "backen",
    "backe",
    "plan",
    "planen",
    "leden",
    "led",
    "platsen",
    "plats",
    "parken",
    "kajen",
    "stranden",
    "strand",
    "esplanaden",
    "promenaden",
    "slingan",
    "ringen",
    "vallen",
    "liden",
    "höjden",
    "udden",
    "hagen",
    "gärdet",
    "vången",
)
_SUFFIX_ALT = "|".join(sorted(STREET_SUFFIXES, key=len, reverse=True))
_UP = "A-ZÅÄÖÉÜ"
_LOW = "a-zåäöéüè"
_SEPARATE = "väg|gata|gränd|torg|allé|plats|plan|backe|stig"
ADDRESS_RE = re.compile(
    # A compound street word ("Storgatan", "Norrbyvägen", "Stora Nygatan") or one to
    # two capitalised words and a separate street word ("Drottning Kristinas väg").
    rf"(?<![\w])(?:(?:[{_UP}][{_LOW}]+\s)?[{_UP}][{_LOW}]*(?:{_SUFFIX_ALT})"
    rf"|(?:[{_UP}][{_LOW}]+\s){{1,2}}(?:{_SEPARATE}))"
    # House number with optional letter and entrance: 12, 3B, 14 A, 5-7.
    rf"\s\d{{1,4}}(?:\s?[A-Ha-h](?![\w]))?(?:-\d{{1,4}})?(?![\d\w])"
)


# -------------------------------------------------------------------- names
@lru_cache(maxsize=1)
def name_lists() -> tuple[frozenset[str], frozenset[str]]:
    """Swedish first names and surnames (faker sv_SE, after Statistics Sweden)."""
    from faker.providers.person.sv_SE import Provider

    firsts = frozenset(Provider.first_names_female) | frozenset(Provider.first_names_male)
    lasts = frozenset(Provider.last_names)
    return firsts, lasts


# Names that are also ordinary Swedish words: at the start of a sentence (where every
# word is capitalised) they are read as the word, not the name. Extends the Swedish
# stop-word list from stopwordsiso with frequent nouns and verbs that are names too.
_COMMON_WORDS = frozenset(
    {
        "alla",
        "hej",
        "per",
        "bo",
        "dag",
        "liv",
        "stig",
        "sten",
        "maj",
        "mark",
        "rut",
        "love",
        "edit",
        "my",
        "vide",
        "hans",
        "inga",
        "mina",
        "del",
        "ask",
        "sol",
        "ros",
        "lo",
        "tor",
        "ek",
        "berg",
        "lund",
        "holm",
        "ström",
        "strand",
        "sand",
        "vik",
        "dahl",
        "hall",
        "falk",
        "nord",
        "björk",
        "lind",
        "alm",
        "ali",
        "max",
        "kim",
        "gun",
        "signe",
        "ebbe",
    }
)


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Lower-case Swedish words that must not be taken for names at a sentence start."""
    try:
        import stopwordsiso

        stop = frozenset(str(w) for w in stopwordsiso.stopwords("sv"))
    except ImportError:  # the hand list alone still guards the frequent cases
        stop = frozenset()
    return stop | _COMMON_WORDS


_WORD = re.compile(rf"[{_UP}][{_LOW}]+(?:-[{_UP}][{_LOW}]+)?")
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
        # Inside a sentence capitalisation marks a name even for "Per" or "Dag".
        return lower not in common or (not start_of_sentence and lower not in _NEVER_ALONE)
    if surname:
        after_title = _TITLE_BEFORE.search(text[max(0, m.start() - 20) : m.start()])
        return bool(after_title) or (not start_of_sentence and lower not in common)
    return False


# Words that announce a person: "Hej Leevi", "doktor Turpeinen", "kalla honom Krista",
# "hette Satu". Any capitalised word after them is taken as a name, in the lists or not.
_CUE_BEFORE = re.compile(
    r"(?<!\w)(?:hej|hejsan|hallå|tack|fråga|frågade|doktor|dr\.?|syster|handläggaren|"
    r"kollegan|kollega|chefen|kuratorn|läkaren|herr|fru|fröken|mamma|pappa|sonen|son|"
    r"dottern|dotter|brodern|systern|hette|heter|kallas|kallad|kallade|"
    r"(?:kalla|kallar|kallade) (?:honom|henne|hen))[,:]?\s$",
    re.IGNORECASE,
)


def find_names(text: str, register: Iterable[str] = ()) -> list[tuple[int, int]]:
    """Spans of person names.

    A first name from the list counts when it is capitalised inside a sentence, when a
    surname follows it, or when it opens a sentence and is not also a common word
    ("Alla", "Per", "Dag"). A surname alone counts inside a sentence or after a title.
    Any capitalised word after a word that announces a person ("Hej", "doktor", "hette")
    counts, and so does an unknown word followed by a listed surname ("Ossi Nilsson").
    Names in `register` (the participants' real names) always count.
    """
    firsts, lasts = name_lists()
    common = common_words()
    known = {w for name in register for w in name.split() if len(w) > 1}
    words = list(_WORD.finditer(text))
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        m = words[i]
        w = m.group(0)
        lower = w.lower()
        start_of_sentence = _sentence_start(text, m.start())
        first = _is_first(w, firsts) or w in known
        cued = lower not in common and bool(
            _CUE_BEFORE.search(text[max(0, m.start() - 30) : m.start()])
        )
        # Surnames that follow: "Anna Svensson", "Eva Lind Berg", "Leevi Turpeinen".
        j = i + 1
        while (
            j < len(words)
            and j - i <= 2
            and text[words[j - 1].end() : words[j].start()] == " "
            and (
                words[j].group(0) in lasts
                or words[j].group(0) in known
                or bool(_SURNAME_SHAPE.search(words[j].group(0)))
                or ((first or cued) and words[j].group(0).lower() not in common)
            )
        ):
            j += 1
        unknown_then_surname = (
            j == i + 2
            and not start_of_sentence
            and lower not in common
            and words[i + 1].group(0) in lasts
        )
        if (first or cued or unknown_then_surname) and j > i + 1:
            spans.append((m.start(), words[j - 1].end()))
            i = j
            continue
        if cued or _single_name(text, m, first, w in known, w in lasts, start_of_sentence, lower):
            spans.append((m.start(), m.end()))
        i += 1
    return spans


# ------------------------------------------------------------------ detect
def detect(text: str, register: Iterable[str] = ()) -> list[Finding]:
    """All personal data in `text`, ordered by position, without overlaps."""
    found: list[Finding] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    def add(kind: str, a: int, b: int) -> None:
        if free(a, b):
            taken.append((a, b))
            found.append(Finding(kind, a, b, text[a:b]))

    # Most specific first: e-mail holds name-like parts, personnummer looks like a phone.
    for m in EMAIL_RE.finditer(text):
        add(EMAIL, m.start(), m.end())
    for m in PERSONNUMMER_RE.finditer(text):
        if is_personnummer(m.group(1), m.group(2)):
            add(PERSONNUMMER, m.start(), m.end())
    for m in PHONE_RE.finditer(text):
        if _phone_ok(m.group(0)):
            add(PHONE, m.start(), m.end())
    for m in ADDRESS_RE.finditer(text):
        add(ADDRESS, m.start(), m.end())
    for a, b in find_names(text, register):
        add(NAME, a, b)
    return sorted(found, key=lambda f: f.start)
