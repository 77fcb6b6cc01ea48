"""Importing REFI-QDA files into a project: sources become recordings, codes a codebook.

Parsing (and all the safety checks) lives in qualkit.export.refi_read; this module maps the
parsed project onto qualkit's records in one transaction.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from qualkit import codebook as codebooks
from qualkit.atomic import sha256_file
from qualkit.errors import InputError
from qualkit.export.refi_qda import KOMMUN_SET
from qualkit.export.refi_read import (
    DEFAULT_LIMITS,
    Limits,
    RefiCode,
    RefiProject,
    folded_valence,
    read_qdc,
    read_qdpx,
)
from qualkit.model import Code, Codebook, Valence
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


# ---------------------------------------------------------------------- to project
def slug(text: str, fallback: str = "code") -> str:
    """A qualkit id from a name: ASCII, lower case, '_' between words."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")[:60].strip("_")
    return out or fallback


@dataclass(frozen=True, slots=True)
class _CodeMap:
    book: Codebook
    by_guid: dict[str, tuple[str, Valence]]  # REFI code GUID -> (qualkit key, valence)


def _build_codebook(codes: list[RefiCode], book_id: str, name: str, description: str) -> _CodeMap:
    by_guid = {c.guid: c for c in codes}
    keys: dict[str, str] = {}
    used: set[str] = set()
    out: list[Code] = []
    mapping: dict[str, tuple[str, Valence]] = {}
    folded: list[tuple[RefiCode, Valence]] = []
    for code in codes:
        valence = folded_valence(code, by_guid)
        if valence is not None:
            folded.append((code, valence))
            continue
        key = base = slug(code.name)
        n = 2
        while key in used:
            key = f"{base}_{n}"
            n += 1
        used.add(key)
        keys[code.guid] = key
        desc, label_en = code.description, ""
        m = re.search(r"\n*\(en\) (?P<en>[^\n]+)$", desc)
        if m:
            desc, label_en = desc[: m.start()].strip(), m.group("en").strip()
        out.append(
            Code(
                codebook=book_id,
                key=key,
                label_sv=code.name,
                label_en=label_en,
                description=desc,
                parent=None,  # set below, once every key is known
                colour=code.colour,
            )
        )
        mapping[code.guid] = (key, Valence.NONE)
    fixed = [
        replace(code, parent=keys.get(refi.parent) if refi.parent else None)
        for code, refi in zip(out, [c for c in codes if c.guid in mapping], strict=True)
    ]
    for code, valence in folded:
        assert code.parent is not None
        mapping[code.guid] = (keys[code.parent], valence)
    return _CodeMap(
        Codebook(id=book_id, name=name, codes=tuple(fixed), description=description), mapping
    )


# The codebook file format's rule for ids (qualkit.codebook validates the same).
_BOOK_ID = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")


def _new_codebook_id(project: Project, wanted: str | None, base: str) -> str:
    """The id for the imported codebook: the one asked for, or a free one from `base`.

    An import always makes a new codebook; writing it over an existing one (say danermark)
    would replace that file and mix two code trees in one codebook."""
    if wanted is None:
        return _free_codebook_id(project, base)
    if not _BOOK_ID.match(wanted):
        raise InputError(f"--codebook-id {wanted!r}: use lower-case letters, digits, '_' or '-'.")
    taken = set(project.codebook_ids()) | {p.stem for p in project.codebook_dir.glob("*.yaml")}
    if wanted in taken:
        raise InputError(
            f"A codebook {wanted!r} already exists; choose another --codebook-id. To bring "
            "another coder's codings onto it, use: qualkit merge-coder FILE.qdpx"
        )
    return wanted


def _free_codebook_id(project: Project, base: str) -> str:
    existing = set(project.codebook_ids())
    existing |= {p.stem for p in project.codebook_dir.glob("*.yaml")}
    book_id, n = base, 2
    while book_id in existing:
        book_id = f"{base}_{n}"
        n += 1
    return book_id


def _save_codebook(project: Project, book: Codebook) -> None:
    path = project.codebook_dir / f"{book.id}.yaml"
    codebooks.save_codebook(book, path)
    project.store.upsert_codebook(book, sha256_file(path))


@contextmanager
def _removed_on_error(path: Path) -> Iterator[None]:
    """The codebook file is written inside the import's transaction: a failed import must
    not leave it behind, or the next open would load a codebook the database rolled back."""
    try:
        yield
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _free_recording_name(project: Project, name: str) -> str:
    candidate, n = name, 2
    while project.store.recording_by_name(candidate) is not None:
        candidate = f"{name} ({n})"
        n += 1
    return candidate


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
    book_id = _new_codebook_id(project, codebook_id, f"refi_{slug(path.stem, 'projekt')}")
    label = refi.name or path.stem
    cmap = _build_codebook(
        list(refi.codes), book_id, label, f"Importerad från {path.name} ({refi.origin})".strip()
    )
    by_source: dict[str, list[Any]] = defaultdict(list)
    for coding in refi.codings:
        by_source[coding.source].append(coding)
    kommun_of = {
        m: s.name for s in refi.sets for m in s.sources if s.name and s.description == KOMMUN_SET
    }
    recordings: list[str] = []
    n_segments = n_codings = skipped = 0
    coders: set[str] = set()
    warnings = list(refi.warnings)
    turn_speakers = _turn_speakers(refi)
    with project.action(), _removed_on_error(project.codebook_dir / f"{book_id}.yaml"):
        _save_codebook(project, cmap.book)
        n_people = _import_cases(project, refi)
        people = {p.pseudonym: p.id for p in project.store.participants()}
        for source in refi.sources:
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
                kommun=kommun_of.get(source.guid),
            )
            times = dict(source.sync)
            speaker = turn_speakers.get(source.guid, {})
            project.store.replace_segments(
                rec.id,
                (
                    (
                        _speaker_of(speaker, o, o + len(text)),
                        text,
                        _seconds(times.get(o)),
                        _seconds(times.get(o + len(text))),
                        (),
                        False,
                    )
                    for o, text in lines
                ),
            )
            for note in source.notes:
                project.store.add_memo("recording", str(rec.id), note, "refi")
            segments = project.store.segments(rec.id)
            starts = [offset for offset, _ in lines]
            for voice in project.store.speakers(rec.id):
                if voice.label in people:
                    project.store.assign_speaker(voice.id, people[voice.label])
            recordings.append(name)
            n_segments += len(segments)
            for coding in by_source.get(source.guid, []):
                target = cmap.by_guid.get(coding.code)
                if target is None:
                    skipped += 1
                    continue
                key, valence = target
                coder = coding.user or "refi"
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
                    project.store.add_coding(
                        seg.id,
                        book_id,
                        key,
                        valence=valence,
                        coder=coder,
                        memo=coding.note or None,
                        span=span,
                        created=coding.created or None,
                    )
                    n_codings += 1
                    placed = True
                if placed:
                    coders.add(coder)
                else:
                    skipped += 1
        for user in refi.users:
            if user.name:
                project.store.ensure_coder(user.name)
                coders.add(user.name)
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


def _turn_speakers(refi: RefiProject) -> dict[str, dict[tuple[int, int], str]]:
    """Per source: span -> case name, from the selections each Case refers to."""
    by_guid = {s.guid: s for s in refi.selections}
    out: dict[str, dict[tuple[int, int], str]] = defaultdict(dict)
    for case in refi.cases:
        for ref in case.selections:
            sel = by_guid.get(ref)
            if sel is not None and case.name:
                out[sel.source][(sel.start, sel.end)] = case.name
    return out


def _speaker_of(spans: dict[tuple[int, int], str], start: int, end: int) -> str | None:
    """The case whose selection covers this segment (the turn), if any."""
    exact = spans.get((start, end))
    if exact is not None or not spans:
        return exact
    ordered = sorted(spans)
    i = bisect.bisect_right(ordered, (start, end))
    for a, b in reversed(ordered[max(0, i - 4) : i]):
        if a <= start and end <= b:
            return spans[(a, b)]
    return None


def _seconds(ms: int | None) -> float | None:
    return ms / 1000 if ms is not None else None


def _import_cases(project: Project, refi: RefiProject) -> int:
    """Cases become participants (pseudonym = case name); known pseudonyms are left alone."""
    from qualkit.model import Actor

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
    book_id = _new_codebook_id(project, codebook_id, f"refi_{slug(path.stem, 'kodbok')}")
    cmap = _build_codebook(
        codes, book_id, path.stem, f"Importerad från {path.name} ({origin})".strip()
    )
    with project.action():
        _save_codebook(project, cmap.book)
    return ImportSummary(path=path, codebook=book_id, codes=len(cmap.book.codes))


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
