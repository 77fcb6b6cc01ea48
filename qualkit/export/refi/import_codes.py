"""An imported code tree becomes a new qualkit codebook: ids, folding, the YAML file."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from qualkit import codebook as codebooks
from qualkit.atomic import sha256_file
from qualkit.errors import ImportFormatError, InputError
from qualkit.export.refi.constants import MAX_CODE_DEPTH, PEER_DEFAULT_TAGS
from qualkit.export.refi.read_codes import code_targets
from qualkit.export.refi.records import RefiCode
from qualkit.model import Code, Codebook, Valence
from qualkit.project import Project


def slug(text: str, fallback: str = "code") -> str:
    """A qualkit id from a name: ASCII, lower case, '_' between words."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")[:60].strip("_")
    return out or fallback


@dataclass(frozen=True, slots=True)
class CodeMap:
    book: Codebook
    by_guid: dict[str, tuple[str, Valence]]  # REFI code GUID -> (qualkit key, valence)
    warnings: tuple[str, ...] = ()


def from_peer_with_default_tags(origin: str) -> bool:
    """Whether a file comes from a tool that puts default tags into every project."""
    return origin.strip().casefold().startswith("taguette")


def peer_defaults(codes: Sequence[RefiCode], used: set[str]) -> set[str]:
    """GUIDs of a peer's own default tags ('interesting' in Taguette) left unused and bare."""
    parents = {c.parent for c in codes}
    return {
        c.guid
        for c in codes
        if c.name.strip().casefold() in PEER_DEFAULT_TAGS
        and c.guid not in used
        and c.guid not in parents
    }


def build_codebook(
    codes: Sequence[RefiCode],
    book_id: str,
    name: str,
    description: str,
    used: set[str] | None = None,
) -> CodeMap:
    """Codes (valence sub-codes folded) -> a codebook.

    `used` (the GUIDs codings refer to) is given for files from a peer that adds default
    tags of its own: those left unused are named in the warnings and not added."""
    skip = peer_defaults(codes, used) if used is not None else set()
    warnings = [
        f"tag {c.name!r} is the other program's default tag and was never used; not added"
        for c in codes
        if c.guid in skip
    ]
    kept = [c for c in codes if c.guid not in skip]
    targets = code_targets(kept)
    keys: dict[str, str] = {}
    used_keys: set[str] = set()
    real: list[tuple[RefiCode, Code]] = []
    for code in kept:
        if targets[code.guid][0] != code.guid:
            continue  # a valence sub-code: folded below
        key = base = slug(code.name)
        n = 2
        while key in used_keys:
            key = f"{base}_{n}"
            n += 1
        used_keys.add(key)
        keys[code.guid] = key
        desc, label_en = code.description, ""
        m = re.search(r"\n*\(en\) (?P<en>[^\n]+)$", desc)
        if m:
            desc, label_en = desc[: m.start()].strip(), m.group("en").strip()
        real.append(
            (
                code,
                Code(
                    codebook=book_id,
                    key=key,
                    label_sv=code.name,
                    label_en=label_en,
                    description=desc,
                    parent=None,  # set below, once every key is known
                    colour=code.colour,
                ),
            )
        )
    fixed = tuple(
        replace(code, parent=keys.get(refi.parent) if refi.parent else None) for refi, code in real
    )
    mapping = {
        guid: (keys[target], valence)
        for guid, (target, valence) in targets.items()
        if target in keys
    }
    book = Codebook(id=book_id, name=name, codes=fixed, description=description)
    return CodeMap(book, mapping, tuple(warnings))


def check_depth(codes: Sequence[RefiCode], label: str) -> None:
    """Refuse trees deeper than MAX_CODE_DEPTH, whatever built them (a CSV's parent column
    can chain as deep as it has rows): the YAML codebook is written recursively."""
    depth: dict[str, int] = {}
    for code in codes:  # parents come before their children
        depth[code.guid] = depth.get(code.parent, 0) + 1 if code.parent is not None else 1
        if depth[code.guid] > MAX_CODE_DEPTH:
            raise ImportFormatError(
                f"{label}: refused: the code tree is nested more than {MAX_CODE_DEPTH} levels "
                "deep; no codebook needs that many."
            )


# The codebook file format's rule for ids (qualkit.codebook validates the same).
_BOOK_ID = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")


def new_codebook_id(project: Project, wanted: str | None, base: str) -> str:
    """The id for the imported codebook: the one asked for, or a free one from `base`.

    An import always makes a new codebook; writing it over an existing one (say danermark)
    would replace that file and mix two code trees in one codebook."""
    taken = set(project.codebook_ids()) | {p.stem for p in project.codebook_dir.glob("*.yaml")}
    if wanted is None:
        book_id, n = base, 2
        while book_id in taken:
            book_id = f"{base}_{n}"
            n += 1
        return book_id
    if not _BOOK_ID.match(wanted):
        raise InputError(f"--codebook-id {wanted!r}: use lower-case letters, digits, '_' or '-'.")
    if wanted in taken:
        raise InputError(
            f"A codebook {wanted!r} already exists; choose another --codebook-id. To bring "
            "another coder's codings onto it, use: qualkit merge-coder FILE.qdpx"
        )
    return wanted


def save_codebook(project: Project, book: Codebook) -> None:
    path = project.codebook_dir / f"{book.id}.yaml"
    codebooks.save_codebook(book, path)
    project.store.upsert_codebook(book, sha256_file(path))


@contextmanager
def removed_on_error(path: Path) -> Iterator[None]:
    """The codebook file is written inside the import's transaction: a failed import must
    not leave it behind, or the next open would load a codebook the database rolled back."""
    try:
        yield
    except BaseException:
        path.unlink(missing_ok=True)
        raise
