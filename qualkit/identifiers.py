"""Identifiers found by their shape: personnummer, phone numbers, e-mail, street addresses.

Pure text patterns with no project behind them, so the logger (below every other
module) can strip them from log records as well as the exporters from files.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date

# Kinds of personal data and the neutral replacement each gets.
NAME = "name"
PERSONNUMMER = "personnummer"
PHONE = "phone"
EMAIL = "email"
ADDRESS = "address"
KINDS = (NAME, PERSONNUMMER, PHONE, EMAIL, ADDRESS)
PLACEHOLDERS: Mapping[str, str] = {
    NAME: "[Namn]",
    PERSONNUMMER: "[personnummer]",
    PHONE: "[telefonnummer]",
    EMAIL: "[e-post]",
    ADDRESS: "[adress]",
}

# ------------------------------------------------------------- separators
# Word processors type en dashes, phones and PDFs bring other dashes, and file names join
# words with underscores: "850709–1234", "intervju_anna_svensson". Every shape below is
# matched on a copy with these made plain, which keeps every offset (one character for
# one), and the original text is cut at the same places.
_PLAIN = str.maketrans(
    {
        "_": " ",
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\ufe63": "-",
        "\uff0d": "-",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
    }
)


def plain_separators(text: str) -> str:
    """`text` with underscores as spaces and every dash as '-', of the same length."""
    return text.translate(_PLAIN)


# ------------------------------------------------------------------ numbers
# 6 or 8 digit date, optional separator, 4 digits: ÅÅMMDD-NNNN / ÅÅÅÅMMDDNNNN, also '+'.
# Also as people type them: "850709 - 1234", "850709-12 34", "85 07 09-1234",
# "1985-07-09-1234" (a date split by spaces or hyphens must be followed by '-' or '+').
# These looser forms are also how dates and times are written ("2021-03-15 - 1030",
# "211015 - 1300"), so they count only with a valid check digit (`personnummer_like`),
# and never when a date goes on after them ("2018-01-01 - 2018-12-31").
PERSONNUMMER_RE = re.compile(
    r"(?<![\d\w])"
    r"(?:((?:19|20)?\d{6})(?:\s?[-+]\s?|\s)?"
    r"|((?:19|20)?\d{2}([- ])\d{2}\3\d{2})\s?[-+]\s?)"
    r"(\d{2}\s?\d{2})(?![\d\w])(?!-\d)"
)
_LOOSE = re.compile(r"\s[-+]|[-+]\s")


def personnummer_parts(match: re.Match[str]) -> tuple[str, str]:
    """(date digits, serial digits) of a PERSONNUMMER_RE match, separators dropped."""
    date_part = match.group(1) or re.sub(r"\D", "", match.group(2))
    return date_part, re.sub(r"\D", "", match.group(4))


def luhn_ok(digits: str) -> bool:
    """The check digit rule of Swedish personnummer (on the 10-digit form)."""
    total = 0
    for i, ch in enumerate(digits):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def personnummer_date_ok(date_part: str) -> bool:
    """Whether YYMMDD or YYYYMMDD is a calendar date; samordningsnummer add 60 to the day."""
    if len(date_part) == 8:
        year, rest = int(date_part[:4]), date_part[4:]
    else:
        year, rest = 2000, date_part[-4:]  # century unknown: a leap year admits 29 February
    month, day = int(rest[:2]), int(rest[2:])
    if day > 60:
        day -= 60
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def is_personnummer(date_part: str, serial: str) -> bool:
    """A valid personnummer or samordningsnummer (day + 60), check digit included."""
    return personnummer_date_ok(date_part) and luhn_ok(date_part[-6:] + serial)


def personnummer_like(match: re.Match[str]) -> bool:
    """A date-valid number of personnummer shape, whatever its check digit.

    A misheard or misspoken number identifies a person as well as a valid one. Ten bare
    digits that start with 0 and fail the check digit are read as a phone number
    (0701234567), which is replaced all the same.
    """
    date_part, serial = personnummer_parts(match)
    if not personnummer_date_ok(date_part):
        return False
    loose = match.group(2) or _LOOSE.search(match.group(0)) or " " in match.group(4)
    if loose and not luhn_ok(date_part[-6:] + serial):
        return False  # a loose shape needs the check digit: "2021-03-15 - 1030" is a time
    bare = match.group(0).isdigit() and len(match.group(0)) == 10
    if bare and date_part.startswith("0") and not luhn_ok(date_part + serial):
        return not phone_ok(match.group(0))
    return True


EMAIL_RE = re.compile(
    r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9åäöÅÄÖ](?:[A-Za-z0-9åäöÅÄÖ-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])"
)

# An address said aloud, as a transcript writes it: "anna punkt svensson snabel-a kommun
# punkt se", or typed to dodge harvesters: "ebba.gron(at)fk.se". The domain needs a dot
# or "punkt", so "titta at home" is nothing.
_PART = r"[A-Za-z0-9åäöÅÄÖéü_+-]+"
_DOT = r"(?:\.|\s+(?:punkt|dot)\s+)"
_AT = r"(?:\s+snabel[\s-]?a\s+|\s*[(\[{]\s*(?:at|snabel-?a)\s*[)\]}]\s*|\s+at\s+)"
EMAIL_SPOKEN_RE = re.compile(
    # Bounded repeats: a long run of "x punkt y punkt ..." is read in linear time. Up to
    # ten parts before the "snabel-a": with five, the first of six was left standing.
    rf"(?<![\w.@]){_PART}(?:{_DOT}{_PART}){{0,9}}{_AT}{_PART}(?:{_DOT}{_PART}){{0,3}}{_DOT}"
    r"[A-Za-zåäö]{2,}(?![\w])",
    re.IGNORECASE,
)

# Swedish numbers: +46/0046 or a trunk 0, area code (1-3 digits after 0), then digit
# groups split by spaces or hyphens; a hyphen with spaces around it only after the area
# code ("070 - 123 45 67": between other groups it is a range, "05 - 10 - 15"). No
# slash: "040/2019/123" is a case number. Validated on the digit count below.
PHONE_RE = re.compile(
    r"(?<![\w+])"
    r"(?:(?:\+|00)46[\s-]?(?:\(0\)\s?)?[1-9]\d{0,2}|\(?0[1-9]\d{0,2}\)?)"
    r"(?:\s-\s|[\s-])?\d{2,4}(?:[\s-]?\d{2,4}){0,3}"
    r"(?![\w-]|\d)"
)


def phone_ok(text: str) -> bool:
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


def _latin(case: str) -> str:
    """The Latin letters with diacritics of one case (Latin-1, Extended-A and -B, and
    Extended Additional), for character classes: names in a Swedish study are not all
    Swedish ("María", "Ayşe Yılmaz", "Jørn", "Trần", "Łukasz", "Jovanović")."""
    ranges = (range(0xC0, 0x250), range(0x1E00, 0x1F00))
    return "".join(
        c for r in ranges for c in map(chr, r) if c.isalpha() and getattr(c, f"is{case}")()
    )


UPPER = "A-Z" + _latin("upper")
LOWER = "a-z" + _latin("lower")
_SEPARATE = "väg|gata|gränd|torg|allé|plats|plan|backe|stig"
# Document words that end like a street but are none: "Handlingsplan 2014".
_NOT_STREETS = r"(?!(?:[A-ZÅÄÖ][a-zåäö]*)?(?:plan|planen|led|leden|plats|platsen)\s\d{4}(?!\d))"
ADDRESS_RE = re.compile(
    # A compound street word ("Storgatan", "Norrbyvägen", "Stora Nygatan") or one to
    # two capitalised words and a separate street word ("Drottning Kristinas väg").
    rf"(?<![\w]){_NOT_STREETS}(?:(?:[{UPPER}][{LOWER}]+\s)?[{UPPER}][{LOWER}]*(?:{_SUFFIX_ALT})"
    rf"|(?:[{UPPER}][{LOWER}]+\s){{1,2}}(?:{_SEPARATE}))"
    # House number with optional letter and entrance: 12, 3B, 14 A, 5-7.
    rf"\s\d{{1,4}}(?:\s?[A-Ha-h](?![\w]))?(?:-\d{{1,4}})?(?![\d\w])"
)
# Street names typed in lower case or in capitals ("storgatan 12", "KUNGSGATAN 4 B"): only
# the street words no document or everyday word ends in, so "vårdplan 2" and "handlings-
# plan 2014" stay, and never before a unit ("halvvägen 3 gånger").
ADDRESS_ANY_CASE_RE = re.compile(
    # Not the everyday "-vägen" words ("halvvägen 2019", "omvägen 2 ggr"), nor a year.
    r"(?<![\w])(?!(?:halv|om|gen|mellan|hem|bort|till|från|upp|ned|ner)vägen\b)"
    rf"[{UPPER}{LOWER}]{{2,}}(?:gatan|vägen|gränden|gränd|allén|torget)"
    rf"\s(?!(?:19|20)\d\d(?!\d))\d{{1,4}}(?:\s?[A-Ha-h](?![\w]))?(?:-\d{{1,4}})?(?![\d\w])"
    r"(?!\s?(?:%|kr|år|gång|min|tim|dag|veck|mån|km|mil|meter|st\b|procent))",
    re.IGNORECASE,
)
# Swedish flats carry a four-digit number (lägenhetsnummer): "lgh 1102", "lägenhet 1102".
APARTMENT_RE = re.compile(
    r"(?<!\w)(?:lgh\.?|lägenhets?(?:nummer|nr\.?)?|lägenhet nr\.?)\s?(?:nr\.?\s?)?"
    r"\d{4}(?![\d\w])",
    re.IGNORECASE,
)


def redact_identifiers(text: str) -> str:
    """Replace every e-mail, personnummer-shaped number and phone number in `text`.

    The logger's last line of defence: no project, no review, shapes only.
    """
    text = _replace(text, EMAIL_RE, lambda m: True, PLACEHOLDERS[EMAIL])
    text = _replace(text, EMAIL_SPOKEN_RE, lambda m: True, PLACEHOLDERS[EMAIL])
    text = _replace(text, PERSONNUMMER_RE, personnummer_like, PLACEHOLDERS[PERSONNUMMER])
    return _replace(text, PHONE_RE, lambda m: phone_ok(m.group(0)), PLACEHOLDERS[PHONE])


def _replace(
    text: str, pattern: re.Pattern[str], wanted: Callable[[re.Match[str]], bool], label: str
) -> str:
    """`text` with `pattern`'s wanted matches (found on plain separators) replaced."""
    out: list[str] = []
    pos = 0
    for m in pattern.finditer(plain_separators(text)):
        if wanted(m):
            out.append(text[pos : m.start()])
            out.append(label)
            pos = m.end()
    out.append(text[pos:])
    return "".join(out)
