"""The analyst's part of a delrapport, kept in the project: texts, pinned quotes, partners.

The CLI and the coding app both come here, so a section is named, checked and stored
one way whichever face the analyst uses.
"""

from __future__ import annotations

from dataclasses import dataclass

from qualkit.errors import InputError, NotFoundError
from qualkit.export.report_model import (
    META_AUTHOR,
    META_CLIENT,
    META_STUDY,
    ReportKind,
    resolve_actor,
    scope_key,
)
from qualkit.export.report_records import FACTOR_SECTIONS, REPORT_SECTIONS
from qualkit.project import DEFAULT_CODEBOOK, Project


@dataclass(frozen=True, slots=True)
class TextKey:
    """Where one analyst text belongs: a report (kind, scope), a section, maybe a factor."""

    kind: str
    scope: str
    section: str
    factor: str = ""


def text_key(
    project: Project,
    kind: ReportKind | str,
    scope: str,
    section: str,
    factor: str = "",
    codebook: str = DEFAULT_CODEBOOK,
) -> TextKey:
    """Check the section (and factor) as the user typed them; raises with the valid ones."""
    kind_key, scope = scope_key(project, kind, scope)
    section = section.strip().casefold().replace("å", "a").replace("ä", "a")
    if factor:
        keys = [c.key for c in project.codebook(codebook).codes]
        if factor not in keys:
            listed = ", ".join(keys)
            raise NotFoundError(f"No factor {factor!r} in {codebook!r}; factors: {listed}.")
        if section not in FACTOR_SECTIONS:
            raise InputError(
                f"A factor has the sections {', '.join(FACTOR_SECTIONS)}, not {section!r}."
            )
    elif section not in REPORT_SECTIONS:
        if section in FACTOR_SECTIONS:
            raise InputError(f"Section {section!r} belongs to a factor: add --factor KEY.")
        raise InputError(
            f"Unknown section {section!r}; choose {', '.join(REPORT_SECTIONS)}, "
            f"or {', '.join(FACTOR_SECTIONS)} with --factor KEY."
        )
    return TextKey(kind_key, scope, section, factor)


def read_text(project: Project, key: TextKey) -> str:
    return project.store.report_text(key.kind, key.scope, key.section, key.factor)


def write_text(project: Project, key: TextKey, text: str) -> bool:
    """Store the analyst's Markdown for one section; an empty text removes it. False, and
    nothing written, when the text is what is stored already (its date would move)."""
    if text.strip() == read_text(project, key).strip():
        return False
    project.store.set_report_text(key.kind, key.scope, key.section, text.strip(), key.factor)
    return True


def set_title_info(
    project: Project, *, study: str | None, client: str | None, author: str | None
) -> None:
    for meta, value in ((META_STUDY, study), (META_CLIENT, client), (META_AUTHOR, author)):
        if value is not None:
            project.store.set_meta(meta, value.strip())


def pin_quote(project: Project, coding_id: int, pinned: bool = True) -> None:
    """Pin (or unpin) a coded passage as a quote for every report that covers it."""
    project.store.set_pinned(coding_id, pinned)


def set_partner(project: Project, coding_id: int, actor: str | None) -> str | None:
    """Name the actor a coded passage speaks about ('vi når aldrig FK' -> FK); None clears."""
    value = resolve_actor(actor).value if actor else None
    project.store.set_partner_actor(coding_id, value)
    return value
