"""Merging from another coder's project folder, opened read-only."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from qualkit import spelling
from qualkit.errors import InputError, ProjectError
from qualkit.merge.core import Merger, MergeReport, find_recording
from qualkit.model import Segment
from qualkit.project import DB_NAME, Project
from qualkit.store import Store


def _match_segments(local: Sequence[Segment], other: Sequence[Segment]) -> dict[int, Segment]:
    """other segment id -> local segment, by position and text, else by unique text."""
    by_pos = {(s.idx, s.text): s for s in local}
    by_text: dict[str, list[Segment]] = {}
    for s in local:
        by_text.setdefault(s.text, []).append(s)
    out: dict[int, Segment] = {}
    for s in other:
        hit = by_pos.get((s.idx, s.text))
        if hit is None and len(by_text.get(s.text, [])) == 1:
            hit = by_text[s.text][0]
        if hit is not None:
            out[s.id] = hit
    return out


def merge_project(
    project: Project,
    other_root: Path | str,
    *,
    coders: Sequence[str] | None = None,
    coder_as: str | None = None,
) -> MergeReport:
    """Bring codings from another project folder (opened read-only) into this one."""
    other_root = Path(other_root)
    db = other_root / DB_NAME if other_root.is_dir() else other_root
    if not db.is_file():
        raise InputError(f"{other_root} is not a qualkit project folder (no {DB_NAME}).")
    if db.resolve() == (project.root / DB_NAME).resolve():
        raise InputError("That is this project; give the other coder's project folder.")
    with db.open("rb") as fh:
        # SQLite opens any file lazily and fails on the first query; check the header
        # so a stray file gives one line instead of a database error.
        if fh.read(16) != b"SQLite format 3\x00":
            raise InputError(
                f"{other_root} is neither a qualkit project folder nor a .qdpx file; "
                "give the other coder's project folder or their REFI-QDA export."
            )
    try:
        other = Store(db, read_only=True)
    except ProjectError as exc:
        raise InputError(f"Cannot read {db}: {exc}") from exc
    merger = Merger(project)
    touched: list[str] = []
    warnings: list[str] = []
    wanted = set(coders) if coders else None
    try:
        other_coders = {c.name for c in other.coders()}
        if wanted is not None and not wanted & other_coders:
            raise InputError(
                f"No coder {', '.join(sorted(wanted))} in {other_root} "
                f"(coders there: {', '.join(sorted(other_coders)) or 'none'})."
            )
        if coder_as is not None and wanted is not None and len(wanted) > 1:
            raise InputError("--as renames one coder; choose that coder with --coder.")
        local_coders = {c.name for c in project.store.coders()}
        with project.action():
            for orec in other.recordings():
                ocodings = [
                    c
                    for c in other.codings(recording_id=orec.id)
                    if wanted is None or c.coder in wanted
                ]
                if not ocodings:
                    continue
                rec = find_recording(project, orec.name, orec.sha256)
                if rec is None:
                    merger.unmatched.append(
                        f"recording {orec.name!r}: not in this project ({len(ocodings)} codings)"
                    )
                    continue
                touched.append(rec.name)
                osegs = other.segments(orec.id)
                pos = {s.id: i + 1 for i, s in enumerate(osegs)}
                matched = _match_segments(project.store.segments(rec.id), osegs)
                for c in ocodings:
                    where = f"{orec.name}:{pos.get(c.segment_id, '?')} {c.codebook}:{c.code}"
                    seg = matched.get(c.segment_id)
                    if seg is None:
                        merger.unmatched.append(f"{where}: segment text differs here")
                        continue
                    span = (
                        None
                        if c.span_start is None or c.span_end is None
                        else (c.span_start, c.span_end)
                    )
                    merger.add(
                        seg.id,
                        c.codebook,
                        c.code,
                        coder_as or c.coder,
                        c.valence,
                        span,
                        c.memo,
                        where,
                        c.partner_actor,
                    )
        here = {spelling.key(name) for name in local_coders}
        clash = {c for c in merger.coders if spelling.key(c) in here} - {coder_as}
        if clash and merger.added:
            warnings.append(
                f"coder {', '.join(sorted(clash))} already had codings here; if that is another"
                " person, undo and merge again with --as NAME"
            )
    finally:
        other.close()
    return merger.report(dict.fromkeys(touched), warnings)
