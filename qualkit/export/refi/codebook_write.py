"""Writing code trees: a .qdc codebook, and the CodeBook of a .qdpx project.

Labels and descriptions are typed text and may hold names: `choose_books` hands both
writers the codebooks already through the project's redactor.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from qualkit import atomic
from qualkit.errors import InputError
from qualkit.export.code_text import code_key, redact_codebook
from qualkit.export.refi.constants import CODEBOOK_NS, ORIGIN, VALENCES, valence_code_name
from qualkit.export.refi.guids import Guids, code_guid
from qualkit.export.refi.xmlwrite import el, root_element, serialise, text_el
from qualkit.model import Code, Codebook, Valence
from qualkit.privacy import Redactor
from qualkit.project import DEFAULT_CODEBOOK, Project


def valence_books(project: Project, books: Sequence[Codebook]) -> set[str]:
    """Codebooks whose codes get valence sub-codes: Danermark always, others when used."""
    out = {b.id for b in books if b.id == DEFAULT_CODEBOOK}
    for book in books:
        if any(c.valence is not Valence.NONE for c in project.store.codings(codebook=book.id)):
            out.add(book.id)
    return out


def add_codes(
    parent: ET.Element,
    ns: str,
    books: Sequence[Codebook],
    guids: Guids,
    with_valence: set[str],
    note_refs: dict[str, list[str]] | None = None,
) -> None:
    codes = el(parent, ns, "Codes")
    folders = len(books) > 1

    def add(node: ET.Element, book: Codebook, code: Code) -> None:
        guid = code_guid(guids, code)
        code_el = el(node, ns, "Code", guid=guid, name=code.label_sv, isCodable="true")
        if code.colour:
            code_el.set("color", code.colour)
        description = code.description
        if code.label_en:
            description = f"{description}\n\n(en) {code.label_en}".strip()
        if description:
            text_el(code_el, ns, "Description", description)
        for note in (note_refs or {}).get(guid, []):
            el(code_el, ns, "NoteRef", targetGUID=note)
        if book.id in with_valence:
            for valence in VALENCES:
                sub = el(
                    code_el,
                    ns,
                    "Code",
                    guid=code_guid(guids, code, valence),
                    name=valence_code_name(code.label_sv, valence),
                    isCodable="true",
                )
                if code.colour:
                    sub.set("color", code.colour)
        for child in book.children(code.key):
            add(code_el, book, child)

    for book in books:
        node = codes
        if folders:
            # Several codebooks in one file: each becomes a folder that cannot be applied.
            node = el(codes, ns, "Code", guid=guids("codebook", book.id), name=book.name)
            node.set("isCodable", "false")
            if book.description:
                text_el(node, ns, "Description", book.description)
        for code in book.children(None):
            add(node, book, code)


def choose_books(
    project: Project, codebook_ids: Sequence[str] | None, red: Redactor | None = None
) -> list[Codebook]:
    """The codebooks an export writes (those asked for, else those in use), their names,
    labels and descriptions redacted as every exported text is (shipped text passes)."""
    red = red or Redactor.for_project(project)
    if not codebook_ids:
        used = {c.codebook for c in project.store.codings()}
        codebook_ids = [cb for cb in project.codebook_ids() if cb in used] or [DEFAULT_CODEBOOK]
    return [redact_codebook(project.codebook(cb), red) for cb in codebook_ids]


def export_qdc(
    project: Project, path: Path | str | None = None, codebook_ids: Sequence[str] | None = None
) -> Path:
    """Write the codebook(s) as a REFI-QDA .qdc file and return its path."""
    red = Redactor.for_project(project)
    books = choose_books(project, codebook_ids, red)
    guids = Guids.for_project(project)
    root = root_element(CODEBOOK_NS, "CodeBook", origin=ORIGIN)
    add_codes(root, CODEBOOK_NS, books, guids, valence_books(project, books))
    # A codebook id or project folder a person named can hold a name ("intervjuer_karin").
    name = code_key(books[0].id, red) if len(books) == 1 else red.redact_field(project.root.name)
    target = Path(path) if path is not None else project.exports_dir / f"{name}.qdc"
    return atomic.write_bytes(target, serialise(root))


def check_codebooks(project: Project, codebook_ids: Sequence[str]) -> None:
    known = set(project.codebook_ids())
    missing = [c for c in codebook_ids if c not in known]
    if missing:
        raise InputError(
            f"No codebook {', '.join(missing)} in this project "
            f"(codebooks: {', '.join(sorted(known))})."
        )
