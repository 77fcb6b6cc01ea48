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

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from qualkit import spelling
from qualkit.model import Coding, Recording, Segment, Valence
from qualkit.project import Project


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
    partner: str | None = None  # the actor the passage speaks about


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


def line_by_line(
    foreign: str, segments: Sequence[Segment], start: int, end: int
) -> tuple[int, int] | None:
    """Offsets in another copy of the same transcript -> offsets in ours, when the copy has
    one line per segment, as every qualkit export has: an export replaces names and
    identifiers ("[Namn 1]", "[personnummer]"), so its text differs exactly where a coded
    passage is most likely to hold them, and the passage cannot be found by its words.
    Each end is moved along its own line by the lines' character alignment. None when the
    copy has another number of lines, or a line the span touches is no longer like ours
    (the transcript was split and joined since): then nothing is placed by guesswork."""
    lines = foreign.split("\n")
    if len(lines) != len(segments):
        return None
    bounds = segment_bounds(segments)

    def line_of(pos: int, at_end: bool) -> tuple[int, int]:
        # An end right after a line's newline ends that line, not the next one at 0.
        i, lo = 0, 0
        while i < len(lines) - 1 and pos > lo + len(lines[i]) + (1 if at_end else 0):
            lo += len(lines[i]) + 1
            i += 1
        return i, min(pos - lo, len(lines[i]))

    ends = line_of(start, at_end=False), line_of(end, at_end=True)
    for i, _ in ends:
        if difflib.SequenceMatcher(None, lines[i], segments[i].text).ratio() < _ALIKE:
            return None
    moved = tuple(
        bounds[i][1] + _aligned(lines[i], segments[i].text, offset, at_end)
        for (i, offset), at_end in zip(ends, (False, True), strict=True)
    )
    return (moved[0], moved[1]) if moved[0] < moved[1] else None


# How alike a line of the other copy and ours must be to be taken for the same turn: a
# redacted turn keeps most of its characters; another turn shares few.
_ALIKE = 0.6


def _aligned(theirs: str, ours: str, offset: int, at_end: bool) -> int:
    """An offset in `theirs` moved onto `ours`: along unchanged text one to one; inside a
    replaced piece ("[Namn 1]" for "Anna") to the start of its counterpart, or its end
    for a span's end, so the replaced words stay inside the span."""
    if theirs == ours:
        return offset
    for tag, a0, a1, b0, b1 in difflib.SequenceMatcher(
        None, theirs, ours, autojunk=False
    ).get_opcodes():
        if a0 <= offset < a1 or (offset == a1 and at_end and a1 > a0):
            if tag == "equal":
                return b0 + (offset - a0)
            return b1 if at_end else b0
    return len(ours) if offset >= len(theirs) else 0


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
    # "Anna" and "anna" are one coder: the store files them under one spelling.
    return (segment_id, codebook, code, spelling.key(coder), valence, span)


class Merger:
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
        partner: str | None = None,
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
        self.project.store.insert_coding(
            segment_id,
            codebook,
            code,
            valence=valence,
            coder=coder,
            memo=memo,
            span=span,
            partner=partner,
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


def find_recording(project: Project, name: str, sha256: str = "") -> Recording | None:
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
    merger = Merger(project)
    touched: list[str] = []
    cache: dict[str, tuple[Recording, list[Segment], str] | None] = {}
    with project.action():
        for fc in codings:
            if fc.source_name not in cache:
                rec = find_recording(project, fc.source_name)
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
                # The passage's own words first: found once, they are where it is, however
                # the transcript was split or joined since. Else the lines, where they match.
                passage = fc.source_text[fc.start : fc.end]
                first = text.find(passage) if passage else -1
                moved = line_by_line(fc.source_text, segs, start, end)
                if first >= 0 and text.find(passage, first + 1) < 0:
                    start, end = first, first + len(passage)
                elif moved is not None:
                    start, end = moved
                else:
                    merger.unmatched.append(
                        f"{where}: the source text differs and the passage is not found once"
                    )
                    continue
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
                    fc.partner,
                )
    return merger.report(dict.fromkeys(touched))
