"""Find personal data in transcript text: names, personnummer, phone numbers, e-mail, addresses.

Detection proposes; a coder accepts or rejects each proposal (`qualkit pseudo`, the TUI's
pseudonym screen). `qualkit.privacy.Redactor` replaces what detection finds in every
export unless a coder rejected that exact string, so an unreviewed finding never leaks.
Shapes live in `qualkit.identifiers`, names in `qualkit.names`.
"""

from __future__ import annotations

import bisect
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
        # Kept in order of position: the claimed spans do not overlap, so a new span
        # need only be checked against its two neighbours (a long text with thousands of
        # findings stays fast).
        self.found: list[Finding] = []
        self.starts: list[int] = []

    def add(self, kind: str, a: int, b: int) -> None:
        i = bisect.bisect_right(self.starts, a)
        if i and self.found[i - 1].end > a:
            return
        if i < len(self.found) and self.found[i].start < b:
            return
        self.found.insert(i, Finding(kind, a, b, self.original[a:b]))
        self.starts.insert(i, a)

    def ordered(self) -> list[Finding]:
        return list(self.found)


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
