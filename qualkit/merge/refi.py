"""Merging from a REFI-QDA file: codes matched by key or label, valence sub-codes folded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from qualkit.errors import InputError
from qualkit.export.refi.constants import memo_and_partner
from qualkit.export.refi.read import read_qdpx
from qualkit.export.refi.read_codes import code_targets
from qualkit.export.refi.records import RefiProject
from qualkit.merge.core import ForeignCoding, MergeReport, merge_foreign_codings
from qualkit.merge.folder import merge_project
from qualkit.model import Valence
from qualkit.project import Project


def merge_coder(
    project: Project,
    path: Path | str,
    *,
    coders: Sequence[str] | None = None,
    coder_as: str | None = None,
    codebook: str = "danermark",
) -> MergeReport:
    """Merge from a project folder (or its qualkit.db) or a REFI-QDA .qdpx file."""
    path = Path(path)
    if path.suffix.lower() == ".qdpx":
        if not path.is_file():
            raise InputError(f"{path}: no such file.")
        codings, missing = foreign_codings_from_refi(project, read_qdpx(path), codebook=codebook)
        if coders:
            codings = [c for c in codings if c.coder in set(coders)]
        report = merge_foreign_codings(project, codings, codebook=codebook, coder_as=coder_as)
        return replace(report, unmatched=(*missing, *report.unmatched))
    return merge_project(project, path, coders=coders, coder_as=coder_as)


def foreign_codings_from_refi(
    project: Project, refi: RefiProject, *, codebook: str = "danermark"
) -> tuple[list[ForeignCoding], list[str]]:
    """REFI-QDA codings -> ForeignCoding, codes matched by key or label (GUIDs differ per
    project). Returns the codings and a line for each code that has no match here."""
    local: dict[str, list[tuple[str, str]]] = {}
    for cb in [codebook, *(c for c in project.codebook_ids() if c != codebook)]:
        if cb not in project.codebook_ids():
            continue
        for code in project.codebook(cb).codes:
            for name in {code.key, code.label_sv, code.label_en}:
                if name:
                    local.setdefault(name.casefold(), []).append((cb, code.key))
    by_guid = {c.guid: c for c in refi.codes}
    targets = code_targets(refi.codes)

    def resolve_code(guid: str) -> tuple[str, str, Valence] | None:
        code = by_guid.get(guid)
        if code is None:
            return None
        hits = local.get(code.name.strip().casefold(), [])
        if hits:
            return hits[0][0], hits[0][1], Valence.NONE
        # A valence sub-code ('<label> – hindrande', nested or beside its code) folds.
        target, valence = targets.get(guid, (guid, Valence.NONE))
        base = by_guid.get(target)
        if valence is Valence.NONE or base is None:
            return None
        hits = local.get(base.name.strip().casefold(), [])
        return (hits[0][0], hits[0][1], valence) if hits else None

    sources = {s.guid: s for s in refi.sources}
    out: list[ForeignCoding] = []
    missing: dict[str, None] = {}
    for c in refi.codings:
        src = sources.get(c.source)
        target = resolve_code(c.code)
        if src is None:
            continue
        if target is None:
            name = by_guid[c.code].name if c.code in by_guid else c.code
            missing.setdefault(f"code {name!r} has no match in this project", None)
            continue
        cb, key, valence = target
        memo, partner = memo_and_partner(c.note or "")
        out.append(
            ForeignCoding(
                source_name=src.name,
                source_text=src.text,
                start=c.start,
                end=c.end,
                code_key=key,
                coder=c.user or "okänd kodare",
                valence=valence,
                memo=memo or None,
                codebook=cb,
                partner=partner,
            )
        )
    return out, list(missing)
