"""Find personal data in transcript text: names, personnummer, phone numbers, e-mail, addresses.

Detection proposes; a coder accepts or rejects each proposal (`qualkit pseudo`, the TUI's
pseudonym screen). `qualkit.privacy.Redactor` replaces what detection finds in every
export unless a coder rejected that exact string, so an unreviewed finding never leaks.
Shapes live in `qualkit.identifiers`, names in `qualkit.names`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from qualkit.identifiers import (
    ADDRESS,
    ADDRESS_ANY_CASE_RE,
    ADDRESS_RE,
    APARTMENT_RE,
    EMAIL,
    EMAIL_RE,
    EMAIL_SPOKEN_RE,
    KINDS,
    NAME,
    PERSONNUMMER,
    PERSONNUMMER_RE,
    PHONE,
    PHONE_RE,
    PLACEHOLDERS,
    STREET_SUFFIXES,
    is_personnummer,
    luhn_ok,
    personnummer_date_ok,
    personnummer_like,
    phone_ok,
    plain_separators,
)
from qualkit.name_lists import common_words, name_lists
from qualkit.names import find_names

__all__ = [
    "ADDRESS",
    "ADDRESS_ANY_CASE_RE",
    "ADDRESS_RE",
    "APARTMENT_RE",
    "EMAIL",
    "EMAIL_RE",
    "EMAIL_SPOKEN_RE",
    "KINDS",
    "NAME",
    "PERSONNUMMER",
    "PERSONNUMMER_RE",
    "PHONE",
    "PHONE_RE",
    "PLACEHOLDERS",
    "STREET_SUFFIXES",
    "Finding",
    "common_words",
    "detect",
    "detect_identifiers",
    "detect_names",
    "find_names",
    "is_personnummer",
    "luhn_ok",
    "name_lists",
    "personnummer_date_ok",
    "personnummer_like",
    "phone_ok",
]

# The old private name, kept for callers written before the split.
_phone_ok = phone_ok


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of personal data at text[start:end]."""

    kind: str
    start: int
    end: int
    text: str


# ------------------------------------------------------------------ detect
class _Found:
    """Findings in one text, without overlaps: the first to claim a span keeps it."""

    def __init__(self, original: str) -> None:
        self.original = original
        self.found: list[Finding] = []

    def add(self, kind: str, a: int, b: int) -> None:
        if all(b <= f.start or a >= f.end for f in self.found):
            self.found.append(Finding(kind, a, b, self.original[a:b]))

    def ordered(self) -> list[Finding]:
        return sorted(self.found, key=lambda f: f.start)


def _identifiers(found: _Found, text: str) -> None:
    # Most specific first: e-mail holds name-like parts, personnummer looks like a phone.
    for m in EMAIL_RE.finditer(text):
        found.add(EMAIL, m.start(), m.end())
    for m in EMAIL_SPOKEN_RE.finditer(text):
        found.add(EMAIL, m.start(), m.end())
    for m in PERSONNUMMER_RE.finditer(text):
        if personnummer_like(m):
            found.add(PERSONNUMMER, m.start(), m.end())
    for m in PHONE_RE.finditer(text):
        if phone_ok(m.group(0)):
            found.add(PHONE, m.start(), m.end())
    for m in ADDRESS_RE.finditer(text):
        found.add(ADDRESS, m.start(), m.end())
    for m in ADDRESS_ANY_CASE_RE.finditer(text):
        found.add(ADDRESS, m.start(), m.end())
    for m in APARTMENT_RE.finditer(text):
        found.add(ADDRESS, m.start(), m.end())


def detect_identifiers(text: str) -> list[Finding]:
    """E-mail addresses, personnummer, phone numbers and addresses in `text` (no names),
    ordered by position, without overlaps."""
    found = _Found(text)
    _identifiers(found, plain_separators(text))  # same length: offsets hold
    return found.ordered()


def detect_names(
    text: str, register: Iterable[str] = (), places: Iterable[str] = (), *, field: bool = False
) -> list[Finding]:
    """Person names in `text` (`detect` without the identifiers), ordered by position."""
    plain = plain_separators(text)  # same length: offsets hold
    return [
        Finding(NAME, a, b, text[a:b]) for a, b in find_names(plain, register, places, field=field)
    ]


def detect(
    text: str, register: Iterable[str] = (), places: Iterable[str] = (), *, field: bool = False
) -> list[Finding]:
    """All personal data in `text`, ordered by position, without overlaps.

    `places` are words that name places or actors in this project (its kommuner), so a
    cue such as "Nacka sa" does not make them a person. `field`: `text` is a short field
    typed by a person, not a sentence (`find_names`).
    """
    found = _Found(text)
    _identifiers(found, plain_separators(text))  # same length: offsets hold
    for f in detect_names(text, register, places, field=field):
        found.add(NAME, f.start, f.end)
    return found.ordered()
