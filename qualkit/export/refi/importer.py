"""Importing REFI-QDA files into a project: sources become recordings, codes a codebook.

Parsing (and all the safety checks) lives in qualkit.export.refi.read; this module maps the
parsed project onto qualkit's records in one transaction. What peers flatten is folded back:
valence codes beside their code, a transcript exported twice, speakers kept only in the
turn table.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from qualkit.errors import InputError
from qualkit.export.refi.constants import (
    KOMMUN_SET,
    KOMMUN_VARIABLE,
    TURN_TABLE_TITLE,
    memo_and_partner,
)
from qualkit.export.refi.facts import recording_fields
from qualkit.export.refi.import_codes import (
    build_codebook,
    from_peer_with_default_tags,
    new_codebook_id,
    removed_on_error,
    save_codebook,
    slug,
)
from qualkit.export.refi.read import read_qdpx
from qualkit.export.refi.read_codes import read_qdc
from qualkit.export.refi.records import DEFAULT_LIMITS, Limits, RefiCoding, RefiProject, RefiSource
from qualkit.export.refi.text import turn_table
from qualkit.model import Actor
from qualkit.project import Project


@dataclass(frozen=True, slots=True)
class ImportSummary:
    path: Path
    codebook: str
    codes: int
    recordings: tuple[str, ...] = ()
    segments: int = 0
    codings: int = 0
    skipped_codings: int = 0
    coders: tuple[str, ...] = ()
    participants: int = 0
    warnings: tuple[str, ...] = field(default_factory=tuple)


def split_segments(text: str) -> list[tuple[int, str]]:
    """Non-empty lines of a text as (offset, stripped line): each becomes one segment."""
    out: list[tuple[int, str]] = []
    pos = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            out.append((pos + (len(line) - len(line.lstrip())), stripped))
        pos += len(line) + 1
    return out


def _facts_of(refi: RefiProject) -> dict[str, dict[str, str]]:
    """Source GUID -> the recording's facts by variable name (facts.py); the kommun from
    our Sets first, else from the source's kommun variable."""
    out = {source.guid: dict(source.values) for source in refi.sources}
    for s in refi.sets:
        if s.name and s.description == KOMMUN_SET:
            for member in s.sources:
                out.setdefault(member, {})[KOMMUN_VARIABLE] = s.name
    return out


def _transcript_copies(refi: RefiProject) -> dict[str, str]:
    """Source GUID -> GUID of the source it repeats.

    A tool that turns an audio transcript into a text source of its own exports the same
    text twice: QualCoder names the copy after the audio file ('x.ogg.txt') and drops the
    Transcript element, others keep the Transcript. A text source is such a copy when an
    earlier one has the same text and it is a transcript's text or named after a recording."""
    transcripts = set(refi.transcripts)
    media = {m.casefold() for m in refi.media}
    first: dict[str, str] = {}
    out: dict[str, str] = {}
    for source in refi.sources:
        if not source.text.strip():
            continue
        stem = source.name.casefold().removesuffix(".txt").removesuffix(".transcribed")
        copy_like = source.text in transcripts or stem in media
        if source.text in first and copy_like:
            out[source.guid] = first[source.text]
        else:
            first.setdefault(source.text, source.guid)
    return out


_TABLE_STARTS = ("Tur\t", TURN_TABLE_TITLE)


class _Speakers:
    """Per source: span -> case name, from the Cases' SelectionRefs or else the turn table."""

    def __init__(self, refi: RefiProject) -> None:
        by_guid = {s.guid: s for s in refi.selections}
        self.spans: dict[str, dict[tuple[int, int], str]] = defaultdict(dict)
        self.times: dict[str, dict[int, float]] = defaultdict(dict)
        for case in refi.cases:
            for ref in case.selections:
                sel = by_guid.get(ref)
                if sel is not None and case.name:
                    self.spans[sel.source][(sel.start, sel.end)] = case.name
        names = sorted((c.name for c in refi.cases if c.name), key=len, reverse=True)
        for source in refi.sources:
            table = next(
                (t for t in (source.description, *source.notes) if t.startswith(_TABLE_STARTS)),
                "",
            )
            for turn in turn_table(table):
                if turn.start_s is not None:
                    self.times[source.guid].setdefault(turn.start, turn.start_s)
                if turn.end_s is not None:
                    self.times[source.guid].setdefault(turn.end, turn.end_s)
                who = next((n for n in names if turn.speaker.startswith(f"{n} (")), None)
                if who is not None:
                    self.spans[source.guid].setdefault((turn.start, turn.end), who)

    def speaker(self, source: str, start: int, end: int) -> str | None:
        """The case whose selection covers this segment (the turn), if any."""
        spans = self.spans.get(source, {})
        exact = spans.get((start, end))
        if exact is not None or not spans:
            return exact
        ordered = sorted(spans)
        i = bisect.bisect_right(ordered, (start, end))
        for a, b in reversed(ordered[max(0, i - 4) : i]):
            if a <= start and end <= b:
                return spans[(a, b)]
        return None


def import_qdpx(
    project: Project,
    path: Path | str,
    *,
    codebook_id: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> ImportSummary:
    """Sources become recordings (one segment per line), codes a codebook, users coders."""
    path = Path(path)
    refi = read_qdpx(path, limits)
    book_id = new_codebook_id(project, codebook_id, f"refi_{slug(path.stem, 'projekt')}")
    cmap = build_codebook(
        refi.codes,
        book_id,
        refi.name or path.stem,
        f"Importerad från {path.name} ({refi.origin})".strip(),
        used={c.code for c in refi.codings} if from_peer_with_default_tags(refi.origin) else None,
    )
    copies = _transcript_copies(refi)
    by_source: dict[str, list[RefiCoding]] = defaultdict(list)
    for coding in refi.codings:
        by_source[copies.get(coding.source, coding.source)].append(coding)
    facts_of = _facts_of(refi)
    for copy, kept in copies.items():
        # A fact only the audio source (or the text copy) carries still reaches the recording.
        for name, value in facts_of.get(copy, {}).items():
            facts_of.setdefault(kept, {}).setdefault(name, value)
    speakers = _Speakers(refi)
    recordings: list[str] = []
    n_segments = n_codings = skipped = 0
    coders: set[str] = set()
    warnings = [*refi.warnings, *cmap.warnings]
    names = {s.guid: s.name for s in refi.sources}
    warnings.extend(
        f"source {names[g]!r} repeats the transcript of {names[o]!r}; imported once"
        for g, o in copies.items()
    )
    with project.action(), removed_on_error(project.codebook_dir / f"{book_id}.yaml"):
        save_codebook(project, cmap.book)
        n_people = _import_cases(project, refi)
        people = {p.pseudonym: p.id for p in project.store.participants()}
        for source in refi.sources:
            if source.guid in copies:
                continue
            lines = split_segments(source.text)
            if not lines:
                skipped += len(by_source.get(source.guid, []))
                if not source.missing:
                    warnings.append(f"source {source.name!r} has no text; not imported")
                continue
            name = _free_recording_name(project, source.name)
            rec = project.store.add_recording(
                name,
                transcript_path=f"{path.name}#{source.guid}",
                **recording_fields(facts_of.get(source.guid, {}), source.name, warnings),
            )
            times = {p: ms / 1000 for p, ms in source.sync} or speakers.times.get(source.guid, {})
            project.store.replace_segments(
                rec.id,
                (
                    (
                        speakers.speaker(source.guid, o, o + len(text)),
                        text,
                        times.get(o),
                        times.get(o + len(text)),
                        (),
                        False,
                    )
                    for o, text in lines
                ),
            )
            for note in _memos(source):
                project.store.add_memo("recording", str(rec.id), note, "refi")
            segments = project.store.segments(rec.id)
            for voice in project.store.speakers(rec.id):
                if voice.label in people:
                    project.store.assign_speaker(voice.id, people[voice.label])
            recordings.append(name)
            n_segments += len(segments)
            starts = [offset for offset, _ in lines]
            for coding in by_source.get(source.guid, []):
                target = cmap.by_guid.get(coding.code)
                if target is None:
                    skipped += 1
                    continue
                key, valence = target
                coder = coding.user or "refi"
                memo, partner = memo_and_partner(coding.note or "")
                placed = False
                first = max(bisect.bisect_right(starts, coding.start) - 1, 0)
                for (offset, text), seg in zip(lines[first:], segments[first:], strict=True):
                    if offset >= coding.end:
                        break
                    a, b = max(coding.start, offset), min(coding.end, offset + len(text))
                    if a >= b:
                        continue
                    span = (
                        None if (a, b) == (offset, offset + len(text)) else (a - offset, b - offset)
                    )
                    write = project.store.insert_coding(
                        seg.id,
                        book_id,
                        key,
                        valence=valence,
                        coder=coder,
                        memo=memo or None,
                        span=span,
                        created=coding.created or None,
                        partner=partner,
                    )
                    # Two quotations of one passage by one user are one coding here: both
                    # notes are kept, and it is counted once.
                    earlier = write.old_memo
                    if "memo" in write.changed and earlier and memo and memo not in earlier:
                        project.store.update_coding(write.coding.id, memo=f"{earlier}\n\n{memo}")
                    n_codings += write.new
                    placed = True
                if placed:
                    coders.add(coder)
                else:
                    skipped += 1
        # Every user of the file is kept as a coder of the project, but the summary
        # names those whose codings were placed: an exporting tool's own user ("qualkit")
        # did not code anything.
        for user in refi.users:
            if user.name:
                project.store.ensure_coder(user.name)
        for note in refi.notes:
            project.store.add_memo("project", "", note, "refi")
    if skipped:
        warnings.append(f"{skipped} codings could not be placed on any text")
    return ImportSummary(
        path=path,
        codebook=book_id,
        codes=len(cmap.book.codes),
        recordings=tuple(recordings),
        segments=n_segments,
        codings=n_codings,
        skipped_codings=skipped,
        coders=tuple(sorted(coders)),
        participants=n_people,
        warnings=tuple(warnings),
    )


def _memos(source: RefiSource) -> list[str]:
    """A source's notes, and its description unless that only repeats the turn table."""
    out = list(source.notes)
    described = source.description
    if described and not described.startswith(TURN_TABLE_TITLE) and described not in out:
        out.append(described)
    return out


def _free_recording_name(project: Project, name: str) -> str:
    candidate, n = name, 2
    while project.store.recording_by_name(candidate) is not None:
        candidate = f"{name} ({n})"
        n += 1
    return candidate


def _import_cases(project: Project, refi: RefiProject) -> int:
    """Cases become participants (pseudonym = case name); known pseudonyms are left alone."""
    known = {p.pseudonym for p in project.store.participants()}
    n = 0
    for case in refi.cases:
        if not case.name or case.name in known:
            continue
        values = dict(case.values)
        actor = None
        actor_text = values.pop("aktör", values.pop("actor", ""))
        if actor_text:
            try:
                actor = Actor.parse(actor_text)
            except InputError:
                values["aktör"] = actor_text
        project.store.add_participant(
            case.name,
            role=values.pop("roll", values.pop("role", "")),
            actor=actor,
            kommun=values.pop("kommun", None) or None,
            attributes=values,
        )
        known.add(case.name)
        n += 1
    return n


def import_qdc(
    project: Project,
    path: Path | str,
    *,
    codebook_id: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> ImportSummary:
    """A .qdc codebook becomes a qualkit codebook (YAML in codebook/ and in the store)."""
    path = Path(path)
    origin, codes = read_qdc(path, limits)
    book_id = new_codebook_id(project, codebook_id, f"refi_{slug(path.stem, 'kodbok')}")
    cmap = build_codebook(
        codes,
        book_id,
        path.stem,
        f"Importerad från {path.name} ({origin})".strip(),
        used=set() if from_peer_with_default_tags(origin) else None,
    )
    with project.action(), removed_on_error(project.codebook_dir / f"{book_id}.yaml"):
        save_codebook(project, cmap.book)
    return ImportSummary(
        path=path, codebook=book_id, codes=len(cmap.book.codes), warnings=cmap.warnings
    )


REFI_SUFFIXES = (".qdpx", ".qdc", ".qde")


def import_refi(
    project: Project, path: Path | str, *, codebook_id: str | None = None
) -> ImportSummary:
    """Import a .qdpx/.qde project or a .qdc codebook, chosen by the file's suffix."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".qdc":
        return import_qdc(project, path, codebook_id=codebook_id)
    if suffix in (".qdpx", ".qde", ".zip"):
        return import_qdpx(project, path, codebook_id=codebook_id)
    raise InputError(
        f"{path}: expected a .qdpx project or a .qdc codebook, not "
        f"{suffix or 'a file without suffix'}."
    )
