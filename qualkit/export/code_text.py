"""Code labels, descriptions and codebook names as they leave the project.

A label or description someone typed, or one cluster adoption made from the words of the
passages, may hold a name ("Jannes idé (Janne Lindqvist)"), so it goes through the
project's Redactor like every other text of an export. The text qualkit ships in
qualkit/codebooks/*.yaml is nobody's personal data, and the name finder has taken words of
it for names before ("Kunskap"): a value equal to shipped text passes unchanged, so a
finder that errs can never rewrite Danermark's factors in a report.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache

from qualkit.codebook import parse_codebook, shipped_codebooks
from qualkit.model import Code, Codebook
from qualkit.redaction import Redactor

__all__ = ["code_key", "code_text", "redact_code", "redact_codebook", "shipped_texts"]


def _plain(text: str) -> str:
    # A project's copy of a shipped codebook went through the YAML writer: compare words.
    return " ".join(text.split())


@cache
def shipped_texts() -> frozenset[str]:
    """Every name, label and description of the codebooks qualkit ships."""
    out: set[str] = set()
    for source in shipped_codebooks():
        book = parse_codebook(source.read_text(encoding="utf-8"), source.name)
        out.update((book.name, book.name_en, book.description))
        for code in book.codes:
            out.update((code.label_sv, code.label_en, code.description))
    return frozenset(p for p in map(_plain, out) if p)


@cache
def shipped_keys() -> frozenset[str]:
    """Every codebook id and code key of the codebooks qualkit ships."""
    out: set[str] = set()
    for source in shipped_codebooks():
        book = parse_codebook(source.read_text(encoding="utf-8"), source.name)
        out.add(book.id)
        out.update(code.key for code in book.codes)
    return frozenset(out)


def code_key(key: str, red: Redactor) -> str:
    """A code's key or a codebook's id as a table shows it: one someone typed can hold a
    name ("samtal_med_karin", a codebook "intervjuer_karin"), so it is redacted as a
    field; a shipped key passes as it is.
    Only the tables that show keys call this: GUIDs in .qdc/.qdpx are made from the key
    as stored, so an exchange file still reads back into its project."""
    if not key or key in shipped_keys():
        return key
    redacted = red.redact_field(key)  # counted as a replacement made without review
    # The project's keys were fixed once, each distinct (Redactor.code_keys).
    return red.shown_keys.get(key, redacted)


def code_text(text: str, red: Redactor) -> str:
    """A label, description or codebook name fit for an export: shipped text as it is,
    anything else through the redactor."""
    if not text.strip() or _plain(text) in shipped_texts():
        return text
    return red.redact(text)


def redact_code(code: Code, red: Redactor) -> Code:
    return replace(
        code,
        label_sv=code_text(code.label_sv, red),
        label_en=code_text(code.label_en, red),
        description=code_text(code.description, red),
    )


def redact_codebook(book: Codebook, red: Redactor) -> Codebook:
    """The codebook with every text an export shows redacted; keys and colours kept."""
    return replace(
        book,
        name=code_text(book.name, red),
        name_en=code_text(book.name_en, red),
        description=code_text(book.description, red),
        codes=tuple(redact_code(c, red) for c in book.codes),
    )
