"""Codebooks as CSV, the format Taguette imports and exports (a tag/name/path column).

Written: one row per code with `tag` (the Swedish label), `description`, and qualkit's own
columns `key`, `parent`, `valence`, `label_en`, `colour` that other tools ignore. A codebook
that uses valence gets a row per valence sub-code, "<label> – hindrande", as in a .qdc, so
a Taguette user can tag valence too. UTF-8 with a byte order mark: Taguette guesses the
encoding, and the mark makes å, ä and ö unambiguous (Excel reads it too).

Read: Taguette's rule for the name column (exactly one of tag, name, path) and an optional
description; valence codes beside their code fold back into it, and the peer's own default
tag ("interesting") is left out when it was never used.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from qualkit import atomic
from qualkit.errors import ImportFormatError, InputError
from qualkit.export.code_text import code_key, redact_codebook
from qualkit.export.refi.codebook_write import valence_books
from qualkit.export.refi.constants import VALENCES, valence_code_name
from qualkit.export.refi.import_codes import (
    build_codebook,
    check_depth,
    new_codebook_id,
    removed_on_error,
    save_codebook,
    slug,
)
from qualkit.export.refi.importer import ImportSummary
from qualkit.export.refi.records import RefiCode
from qualkit.export.refi.text import decode_text
from qualkit.ingest_formats.base import csv_rows
from qualkit.privacy import Redactor
from qualkit.project import Project

COLUMNS = ("tag", "description", "key", "parent", "valence", "label_en", "colour")
NAME_COLUMNS = ("tag", "name", "path")
MAX_CSV_BYTES = 16 * 2**20
# The column Taguette's codebook export counts each tag's use in.
TAGUETTE_COUNTS = "number of highlights"


def export_codebook_csv(project: Project, codebook_id: str, path: Path | str | None = None) -> Path:
    """Write one codebook as CSV and return its path (default exports/<codebook>.csv);
    labels and descriptions redacted as every exported text is (shipped text passes)."""
    red = Redactor.for_project(project)
    book = redact_codebook(project.codebook(codebook_id), red)
    with_valence = book.id in valence_books(project, [book])
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(COLUMNS)

    def add(key: str | None) -> None:
        for code in book.children(key):
            writer.writerow(
                (
                    code.label_sv,
                    code.description,
                    code_key(code.key, red),
                    code_key(code.parent or "", red),
                    "",
                    code.label_en,
                    code.colour or "",
                )
            )
            if with_valence:
                for valence in VALENCES:
                    name = valence_code_name(code.label_sv, valence)
                    writer.writerow((name, "", "", code_key(code.key, red), valence.value, "", ""))
            add(code.key)

    add(None)
    # A codebook id a person typed can hold a name ("intervjuer_karin"), and so the file's.
    shown = code_key(book.id, red)
    target = Path(path) if path is not None else project.exports_dir / f"{shown}.csv"
    return atomic.write_bytes(target, buf.getvalue().encode("utf-8-sig"))


def read_codebook_csv(path: Path) -> tuple[list[RefiCode], set[str] | None]:
    """(codes in file order, GUIDs of codes in use): use is known from Taguette's count
    column; None for other CSVs, whose codes are all the sender's own."""
    if not path.is_file():
        raise InputError(f"{path}: no such file.")
    if path.stat().st_size > MAX_CSV_BYTES:
        raise ImportFormatError(f"{path.name}: refused: larger than {MAX_CSV_BYTES} bytes.")
    rows = csv_rows(decode_text(path.read_bytes()), path.name)
    if not rows:
        raise ImportFormatError(f"{path.name}: empty; a codebook CSV has a header row.")
    header = [cell.strip().lower() for cell in rows[0]]
    names = [c for c in NAME_COLUMNS if c in header]
    if len(names) != 1:
        raise ImportFormatError(
            f"{path.name}: needs exactly one of the columns tag, name or path "
            f"(found {', '.join(names) or 'none'})."
        )
    col = {name: header.index(name) for name in header}
    name_col = col[names[0]]

    def cell(row: list[str], name: str) -> str:
        i = col.get(name)
        return row[i].strip() if i is not None and i < len(row) else ""

    codes: list[RefiCode] = []
    used: set[str] = set()
    by_key: dict[str, str] = {}
    for n, row in enumerate(rows[1:], 2):
        if not any(c.strip() for c in row):
            continue
        name = row[name_col].strip() if name_col < len(row) else ""
        if not name:
            raise ImportFormatError(f"{path.name}: row {n} has no code name.")
        guid = f"ROW{n}"
        if cell(row, "key"):
            by_key[cell(row, "key")] = guid
        parent = by_key.get(cell(row, "parent")) if cell(row, "parent") else None
        colour = cell(row, "colour") or cell(row, "color") or None
        description = cell(row, "description")
        if cell(row, "label_en"):
            description = f"{description}\n\n(en) {cell(row, 'label_en')}".strip()
        codes.append(RefiCode(guid, name, parent, True, colour, description))
        count = cell(row, TAGUETTE_COUNTS)
        if not count.isdigit() or int(count) > 0:
            used.add(guid)
    check_depth(codes, path.name)
    return codes, used if TAGUETTE_COUNTS in col else None


def import_codebook_csv(
    project: Project, path: Path | str, *, codebook_id: str | None = None
) -> ImportSummary:
    """A CSV codebook (Taguette's or qualkit's) becomes a new qualkit codebook."""
    path = Path(path)
    codes, used = read_codebook_csv(path)
    book_id = new_codebook_id(project, codebook_id, f"csv_{slug(path.stem, 'kodbok')}")
    cmap = build_codebook(codes, book_id, path.stem, f"Importerad från {path.name}", used=used)
    with project.action(), removed_on_error(project.codebook_dir / f"{book_id}.yaml"):
        save_codebook(project, cmap.book)
    return ImportSummary(
        path=path, codebook=book_id, codes=len(cmap.book.codes), warnings=cmap.warnings
    )
