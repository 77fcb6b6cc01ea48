"""Bring another coder's work into this project: from their project folder or a REFI-QDA file.

Source text convention
----------------------
A recording's *source text* is its segments' texts joined with a single ``"\\n"``, in
segment order. Offsets (``start``/``end`` of `ForeignCoding`) are code-point offsets into
that text, end exclusive, as Python slices them. The REFI-QDA exporter writes each source as
plain text in exactly this form, so a span exported from one project lands on the same
characters in another. A span that covers a whole segment becomes a whole-segment coding;
one that crosses segment boundaries becomes one coding per segment it touches.

Merging is idempotent: a coding that already exists (same segment, code, coder, valence and
span) is not added again, so merging the same work twice adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from qualkit.errors import InputError, ProjectError
from qualkit.export.refi_qda import VALENCE_SEPARATOR
from qualkit.model import Coding, Recording, Segment, Valence
from qualkit.project import DB_NAME, Project
from qualkit.store import Store

if TYPE_CHECKING:
    from qualkit.export.refi_read import RefiProject


@dataclass(frozen=True, slots=True)
class ForeignCoding:
    """One coding from elsewhere, addressed by source name and offsets into its source text."""

    source_name: str
    source_text: str
    start: int
    end: int
    code_key: str
    coder: str
    valence: Valence = Valence.NONE
    memo: str | None = None
    codebook: str | None = None  # None: the codebook given to the merge


@dataclass(frozen=True, slots=True)
class MergeReport:
    """What a merge did. Lines in `unmatched` name recordings, positions and codes, never text."""

    added: int = 0
    already: int = 0
    coders: tuple[str, ...] = ()
    recordings: tuple[str, ...] = ()
    unmatched: tuple[str, ...] = field(default_factory=tuple)
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def unmatched_count(self) -> int:
        return len(self.unmatched)


def source_text(segments: Sequence[Segment]) -> str:
    """A recording's full text by the convention above."""
    return "\n".join(s.text for s in segments)


def segment_bounds(segments: Sequence[Segment]) -> list[tuple[Segment, int, int]]:
    """(segment, start, end) of each segment's text inside the source text."""
    out = []
    pos = 0
    for s in segments:
        out.append((s, pos, pos + len(s.text)))
        pos += len(s.text) + 1
    return out


def map_span(
    segments: Sequence[Segment], start: int, end: int
) -> list[tuple[int, tuple[int, int] | None]]:
    """Source-text offsets -> [(segment id, span within it or None for the whole segment)]."""
    out: list[tuple[int, tuple[int, int] | None]] = []
    for seg, lo, hi in segment_bounds(segments):
        a, b = max(start, lo), min(end, hi)
        if a >= b:
            continue
        span = None if (a == lo and b == hi) else (a - lo, b - lo)
        out.append((seg.id, span))
    return out


def _key(
    segment_id: int,
    codebook: str,
    code: str,
    coder: str,
    valence: Valence,
    span: tuple[int, int] | None,
    length: int,
) -> tuple[object, ...]:
    if span is not None and span == (0, length):
        span = None
    return (segment_id, codebook, code, coder, valence, span)


class _Merger:
    """Adds codings one by one, skipping those the project already has."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.lengths = {s.id: len(s.text) for s in project.store.segments()}
        self.codes = {
            cb: {c.key for c in project.codebook(cb).codes} for cb in project.codebook_ids()
        }
        self.existing = {self._coding_key(c) for c in project.store.codings()}
        self.added = 0
        self.already = 0
        self.coders: set[str] = set()
        self.unmatched: list[str] = []

    def _coding_key(self, c: Coding) -> tuple[object, ...]:
        span = None if c.span_start is None or c.span_end is None else (c.span_start, c.span_end)
        return _key(
            c.segment_id,
            c.codebook,
            c.code,
            c.coder,
            c.valence,
            span,
            self.lengths.get(c.segment_id, -1),
        )

    def add(
        self,
        segment_id: int,
        codebook: str,
        code: str,
        coder: str,
        valence: Valence,
        span: tuple[int, int] | None,
        memo: str | None,
        where: str,
    ) -> None:
        if code not in self.codes.get(codebook, set()):
            self.unmatched.append(f"{where}: code {codebook}:{code} is not in this project")
            return
        key = _key(segment_id, codebook, code, coder, valence, span, self.lengths[segment_id])
        if key in self.existing:
            self.already += 1
            return
        if span is not None and span == (0, self.lengths[segment_id]):
            span = None
        self.project.store.add_coding(
            segment_id, codebook, code, valence=valence, coder=coder, memo=memo, span=span
        )
        self.existing.add(key)
        self.added += 1
        self.coders.add(coder)

    def report(self, recordings: Iterable[str], warnings: Iterable[str] = ()) -> MergeReport:
        return MergeReport(
            added=self.added,
            already=self.already,
            coders=tuple(sorted(self.coders)),
            recordings=tuple(recordings),
            unmatched=tuple(self.unmatched),
            warnings=tuple(warnings),
        )


def _find_recording(project: Project, name: str, sha256: str = "") -> Recording | None:
    recs = project.store.recordings()
    if sha256:
        for r in recs:
            if r.sha256 == sha256:
                return r
    stem = Path(name).stem
    for r in recs:
        if r.name in (name, stem):
            return r
    return None


def merge_foreign_codings(
    project: Project,
    codings: Iterable[ForeignCoding],
    *,
    codebook: str = "danermark",
    coder_as: str | None = None,
) -> MergeReport:
    """Add codings addressed by source name and source-text offsets (e.g. from REFI-QDA).

    A source whose text differs from the local recording's text is matched passage by
    passage: the coded passage must occur exactly once in the local text."""
    merger = _Merger(project)
    touched: list[str] = []
    cache: dict[str, tuple[Recording, list[Segment], str] | None] = {}
    with project.action():
        for fc in codings:
            if fc.source_name not in cache:
                rec = _find_recording(project, fc.source_name)
                if rec is None:
                    cache[fc.source_name] = None
                else:
                    segs = project.store.segments(rec.id)
                    cache[fc.source_name] = (rec, segs, source_text(segs))
                    touched.append(rec.name)
            found = cache[fc.source_name]
            where = f"{fc.source_name} [{fc.start}:{fc.end}] {fc.code_key}"
            if found is None:
                merger.unmatched.append(f"{where}: no recording named {fc.source_name!r}")
                continue
            rec, segs, text = found
            start, end = fc.start, fc.end
            if fc.source_text != text:
                passage = fc.source_text[fc.start : fc.end]
                first = text.find(passage) if passage else -1
                if first < 0 or text.find(passage, first + 1) >= 0:
                    merger.unmatched.append(
                        f"{where}: the source text differs and the passage is not found once"
                    )
                    continue
                start, end = first, first + len(passage)
            pieces = map_span(segs, start, end)
            if not pieces:
                merger.unmatched.append(f"{where}: offsets outside the text")
                continue
            for seg_id, span in pieces:
                merger.add(
                    seg_id,
                    fc.codebook or codebook,
                    fc.code_key,
                    coder_as or fc.coder,
                    fc.valence,
                    span,
                    fc.memo,
                    where,
                )
    return merger.report(dict.fromkeys(touched))


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
    merger = _Merger(project)
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
                rec = _find_recording(project, orec.name, orec.sha256)
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
                    )
        clash = (merger.coders & local_coders) - {coder_as}
        if clash and merger.added:
            warnings.append(
                f"coder {', '.join(sorted(clash))} already had codings here; if that is another"
                " person, undo and merge again with --as NAME"
            )
    finally:
        other.close()
    return merger.report(dict.fromkeys(touched), warnings)


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
        codings, missing = foreign_codings_from_refi(project, _read_qdpx(path), codebook=codebook)
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
    valences = {v.value: v for v in Valence}

    def resolve_code(guid: str) -> tuple[str, str, Valence] | None:
        code = by_guid.get(guid)
        if code is None:
            return None
        hits = local.get(code.name.strip().casefold(), [])
        if hits:
            return hits[0][0], hits[0][1], Valence.NONE
        head, sep, tail = code.name.rpartition(VALENCE_SEPARATOR)
        if sep and tail.strip() in valences:
            parent = by_guid.get(code.parent or "")
            base = parent.name if parent is not None else head
            hits = local.get(base.strip().casefold(), [])
            if hits:
                return hits[0][0], hits[0][1], valences[tail.strip()]
        return None

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
        out.append(
            ForeignCoding(
                source_name=src.name,
                source_text=src.text,
                start=c.start,
                end=c.end,
                code_key=key,
                coder=c.user or "okänd kodare",
                valence=valence,
                memo=c.note or None,
                codebook=cb,
            )
        )
    return out, list(missing)


def _read_qdpx(path: Path) -> RefiProject:
    from qualkit.export.refi_read import read_qdpx

    return read_qdpx(path)
