"""Code trees in REFI-QDA files (.qdc, or a project's CodeBook), and valence folding."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from qualkit.errors import ImportFormatError, InputError
from qualkit.export.refi import xmlread as x
from qualkit.export.refi.constants import MAX_CODE_DEPTH, VALENCE_NAME, VALENCES
from qualkit.export.refi.records import DEFAULT_LIMITS, Limits, RefiCode
from qualkit.model import Valence

_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")


def parse_codes(codes_el: Any, label: str) -> list[RefiCode]:
    """The codes in document order (parents before children), each with its parent's GUID.

    Walked with a stack, not recursion, and refused past MAX_CODE_DEPTH levels or on a GUID
    given to two codes: either would make every later step (the YAML codebook, valence
    folding, other tools) fail or mix codes up."""
    out: list[RefiCode] = []
    if codes_el is None:
        return out
    seen: set[str] = set()
    stack: list[tuple[Any, str | None, int]] = [
        (c, None, 1) for c in reversed(x.children(codes_el, "Code"))
    ]
    while stack:
        code, parent, depth = stack.pop()
        if depth > MAX_CODE_DEPTH:
            raise ImportFormatError(
                f"{label}: refused: the code tree is nested more than {MAX_CODE_DEPTH} levels "
                "deep; no codebook needs that many."
            )
        guid = x.guid(code.get("guid"))
        if guid in seen:
            raise ImportFormatError(
                f"{label}: two codes share the GUID {guid}; the file is inconsistent. "
                "Export it again from the other program."
            )
        seen.add(guid)
        colour = code.get("color")
        out.append(
            RefiCode(
                guid=guid,
                name=(code.get("name") or "").strip() or guid,
                parent=parent,
                codable=(code.get("isCodable") or "true").strip().lower() in ("true", "1"),
                colour=colour if colour and _COLOUR.match(colour) else None,
                description=x.text_of(code, "Description").strip(),
            )
        )
        stack.extend((c, guid, depth + 1) for c in reversed(x.children(code, "Code")))
    return out


def read_qdc(path: Path | str, limits: Limits = DEFAULT_LIMITS) -> tuple[str, list[RefiCode]]:
    """Parse a .qdc codebook: (origin, codes)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file.")
    if path.stat().st_size > limits.max_xml_bytes:
        raise ImportFormatError(f"{path.name}: refused: larger than {limits.max_xml_bytes} bytes.")
    root = x.parse_xml(path.read_bytes(), path.name)
    if x.local(root.tag) == "Project":
        book = x.child(root, "CodeBook")
        codes_el = x.child(book, "Codes") if book is not None else None
        return root.get("origin") or "", parse_codes(codes_el, path.name)
    if x.local(root.tag) != "CodeBook":
        raise ImportFormatError(
            f"{path.name}: the root element is <{x.local(root.tag)}>, not <CodeBook>; "
            "is this a REFI-QDA codebook (.qdc)?"
        )
    return root.get("origin") or "", parse_codes(x.child(root, "Codes"), path.name)


def _key(name: str) -> str:
    return name.strip().casefold()


def fold_target(code: RefiCode, codes: Sequence[RefiCode]) -> tuple[str, Valence] | None:
    """The (code GUID, valence) a valence sub-code stands for, or None for a real code.

    qualkit writes '<label> – hindrande' as a child of <label>. Tools that flatten code
    trees (Taguette, CSV codebooks) keep it beside <label> instead: a code named
    '<label> – hindrande' folds into a sibling named <label> as well. A bare 'hindrande'
    under a parent folds into the parent."""
    m = VALENCE_NAME.match(code.name)
    bare = _key(code.name)
    by_guid = {c.guid: c for c in codes}
    parent = by_guid.get(code.parent) if code.parent is not None else None
    if parent is not None:
        if m and _key(m.group("label")) == _key(parent.name):
            return parent.guid, Valence.parse(m.group("valence"))
        if bare in {v.value for v in VALENCES}:
            return parent.guid, Valence.parse(bare)
    if m:
        label = _key(m.group("label"))
        for other in codes:
            if (
                other.parent == code.parent
                and other.guid != code.guid
                and _key(other.name) == label
            ):
                return other.guid, Valence.parse(m.group("valence"))
    return None


def code_targets(codes: Sequence[RefiCode]) -> dict[str, tuple[str, Valence]]:
    """Each code GUID -> (GUID of the code it stands for, valence).

    Valence sub-codes fold into their code (see fold_target); every other code maps to itself."""
    out: dict[str, tuple[str, Valence]] = {}
    by_parent: dict[str | None, list[RefiCode]] = {}
    for code in codes:
        by_parent.setdefault(code.parent, []).append(code)
    by_guid = {c.guid: c for c in codes}
    for code in codes:
        # Only the code, its parent and its siblings can be the target: pass just those.
        near = list(by_parent.get(code.parent, []))
        if code.parent is not None and code.parent in by_guid:
            near.append(by_guid[code.parent])
        target = fold_target(code, near)
        out[code.guid] = target if target is not None else (code.guid, Valence.NONE)
    return out
