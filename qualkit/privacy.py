"""What may leave the project: pseudonymised text, and no speech of withdrawn participants.

Every export and report goes through `Redactor` (`qualkit.redaction`) and
`exportable_segments`. The redactor is fail-safe: whatever the detector finds is replaced
whether or not a coder reviewed it, unless a coder rejected that exact string. Review
(`scan`, accept, reject) chooses labels and keeps false finds in; it is not what makes
an export safe.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from types import MappingProxyType

from qualkit import resolve
from qualkit.errors import InputError
from qualkit.model import Consent, Participant, Pseudonym, Segment
from qualkit.project import Project
from qualkit.pseudonymise import NAME, PLACEHOLDERS, Finding, detect, is_personnummer, luhn_ok
from qualkit.redaction import Redactor, unreviewed_replacements

__all__ = [
    "Redactor",
    "ScanResult",
    "add_name",
    "consent_list",
    "exportable_segments",
    "is_personnummer",
    "luhn_ok",
    "pseudonym_contexts",
    "scan",
    "set_consent",
    "unreviewed",
    "unreviewed_in",
    "unreviewed_replacements",
    "withdrawn_speaker_ids",
]


def withdrawn_speaker_ids(project: Project) -> set[int]:
    withdrawn = {p.id for p in project.store.participants() if p.consent is Consent.WITHDRAWN}
    return {s.id for s in project.store.speakers() if s.participant_id in withdrawn}


def exportable_segments(
    project: Project, segments: Sequence[Segment], redactor: Redactor | None = None
) -> list[Segment]:
    """Segments fit to leave the project: withdrawn speakers left out, text pseudonymised."""
    red = redactor or Redactor.for_project(project)
    gone = withdrawn_speaker_ids(project)
    return [
        replace(s, text=red.redact(s.text), words=())
        for s in segments
        if s.speaker_id is None or s.speaker_id not in gone
    ]


def unreviewed_in(project: Project, paths: Iterable[Path]) -> int:
    """How many names and identifiers replaced without review these exported files hold.

    The redactor counts what it replaced in every text an export reads, and an export
    reads more than it writes (all passages, quotes it did not pick): the summary line
    counts only the replacements whose label the files hold, each person (one label) or
    identifier once, however often it is repeated."""
    text = "\n".join(_file_text(p) for p in paths)
    return len({who for label, who in unreviewed_replacements(project) if label in text})


def _file_text(path: Path) -> str:
    """The text of an export: a plain file, or the text parts of a docx, xlsx or qdpx
    (audio and images in them are skipped)."""
    if not path.is_file():
        return ""
    if not zipfile.is_zipfile(path):
        return path.read_text(encoding="utf-8", errors="ignore")
    parts = []
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.endswith((".xml", ".qde", ".txt", ".rels", ".html")):
                parts.append(z.read(name).decode("utf-8", errors="ignore"))
    return "\n".join(parts)


# -------------------------------------------------------------------- scanning
@dataclass(frozen=True, slots=True)
class ScanResult:
    """What a scan found: findings per kind, and how many new proposals it stored."""

    segments: int
    found: Mapping[str, int]
    proposed: Mapping[str, int]


_NAME_LABEL = re.compile(r"^\[Namn (\d+)\]$")


def _register_names(participants: Iterable[Participant]) -> list[str]:
    return [p.real_name for p in participants if p.real_name and p.real_name.strip()]


def scan(project: Project, recording: str | int | None = None) -> ScanResult:
    """Detect personal data in transcripts and store new proposals ('proposed').

    The same original always gets the same replacement, across recordings and runs;
    proposals a coder already accepted or rejected are left as they are.
    """
    store = project.store
    register = _register_names(store.participants())
    register_words = {w.casefold() for name in register for w in name.split()}
    existing = {(p.kind, p.original): p for p in store.pseudonyms()}
    by_text: dict[str, str] = {
        p.original.casefold(): p.replacement for p in existing.values() if p.kind == NAME
    }
    numbers = [
        int(m.group(1)) for p in existing.values() if (m := _NAME_LABEL.match(p.replacement))
    ]
    next_number = max(numbers, default=0) + 1
    segments = project.segments(recording)
    rec_ids = {s.recording_id for s in segments}
    # Speaker labels typed as names ("Anna:") and recording names ("intervju Karin
    # Lindqvist") are exported too, so they are scanned.
    labels = [s.label for s in store.speakers() if s.recording_id in rec_ids]
    labels += [r.name for r in store.recordings() if r.id in rec_ids]
    places = [k for k in (r.kommun for r in store.recordings()) if k]
    places += [k for k in (p.kommun for p in store.participants()) if k]
    found: dict[str, int] = {}
    proposed: dict[str, int] = {}
    with project.action():
        for text in [seg.text for seg in segments] + labels:
            for f in detect(text, register, places):
                found[f.kind] = found.get(f.kind, 0) + 1
                if f.kind == NAME and all(w.casefold() in register_words for w in f.text.split()):
                    continue  # the register already maps this person to a role label
                if (f.kind, f.text) in existing:
                    continue
                if f.kind == NAME:
                    label = by_text.get(f.text.casefold())
                    if label is None:
                        first = f.text.split()[0].casefold()
                        # A first name alone reuses its full name's label when only one
                        # person with that first name has been seen.
                        matches = {
                            v for k, v in by_text.items() if k.split()[0] == first and " " in k
                        }
                        if " " not in f.text and len(matches) == 1:
                            label = matches.pop()
                        else:
                            label = f"[Namn {next_number}]"
                            next_number += 1
                        by_text[f.text.casefold()] = label
                else:
                    label = PLACEHOLDERS[f.kind]
                existing[(f.kind, f.text)] = store.set_pseudonym(f.kind, f.text, label, "proposed")
                proposed[f.kind] = proposed.get(f.kind, 0) + 1
    return ScanResult(len(segments), MappingProxyType(found), MappingProxyType(proposed))


def pseudonym_contexts(
    project: Project, original: str, width: int = 30, limit: int = 3
) -> list[str]:
    """Up to `limit` snippets of transcript text around `original`, for review."""
    return contexts_for(project, [original], width, limit).get(original, [])


def contexts_for(
    project: Project, originals: Iterable[str], width: int = 30, limit: int = 3
) -> dict[str, list[str]]:
    """Snippets around each original, found in one pass over the transcripts."""
    wanted = {o.casefold(): o for o in originals if o.strip()}
    out: dict[str, list[str]] = {o: [] for o in wanted.values()}
    if not wanted:
        return out
    alternatives = "|".join(re.escape(k) for k in sorted(wanted, key=len, reverse=True))
    pattern = re.compile(r"(?<!\w)(?:" + alternatives + r")(?!\w)", re.IGNORECASE)
    open_ = set(wanted)
    for seg in project.store.segments():
        if not open_:
            break
        for m in pattern.finditer(seg.text):
            key = m.group(0).casefold()
            if key not in open_:
                continue
            a, b = max(0, m.start() - width), min(len(seg.text), m.end() + width)
            snippet = seg.text[a:b].replace("\n", " ")
            out[wanted[key]].append(
                ("…" if a else "") + snippet + ("…" if b < len(seg.text) else "")
            )
            if len(out[wanted[key]]) >= limit:
                open_.discard(key)
    return out


def unreviewed(project: Project) -> dict[str, int]:
    """Proposals not yet accepted or rejected, per kind. Exports replace them all the
    same (with the label the scan proposed); review decides labels and false finds."""
    counts: dict[str, int] = {}
    for p in project.store.pseudonyms("proposed"):
        counts[p.kind] = counts.get(p.kind, 0) + 1
    return counts


def _check_replacement(project: Project, replacement: str) -> str:
    """A replacement must not be personal data itself: no number, e-mail or address, and
    no name of someone in this project ("Anna S." for Anna Svensson). An invented name
    ("Lisa" where no Lisa is spoken of) is the field's usual pseudonym and is allowed."""
    text = replacement.strip()
    if not text:
        raise InputError('The replacement is empty; give a label such as "[Namn 3]".')
    probe = re.sub(r"\[[^\]]*\]", " ", text)  # labels such as "[Namn 3]" aside
    found = [f for f in detect(probe) if f.kind != NAME]
    names = [f.text for f in detect(probe) if f.kind == NAME]
    if names:
        said = [s.text for s in project.store.segments_light()]
        said += [p.real_name or "" for p in project.store.participants()]
        for name in names:
            pattern = re.compile(rf"(?<!\w){re.escape(name.split()[0])}(?!\w)", re.IGNORECASE)
            if any(pattern.search(t) for t in said):
                found.append(Finding(NAME, 0, 0, name))
                break
    if found:
        raise InputError(
            f"The replacement {text!r} holds personal data from this project "
            f'({found[0].text!r}): use a neutral label such as "[Namn 3]", "Deltagare 2", '
            "or an invented name nobody in the material has."
        )
    return text


def review(
    project: Project, ids: Iterable[int], status: str, replacement: str | None = None
) -> list[Pseudonym]:
    """Accept or reject proposals by id (optionally with an edited replacement)."""
    if replacement is not None:
        replacement = _check_replacement(project, replacement)
    out = []
    for pid in ids:
        out.append(project.store.update_pseudonym(pid, status=status, replacement=replacement))
    return out


def add_name(project: Project, name: str, replacement: str | None = None) -> Pseudonym:
    """A name the finder missed ("Bosse", "Homan Amani"), replaced in every export from
    now on, in any case and genitive, as a reviewed name."""
    original = " ".join(name.split())
    if not original:
        raise InputError('Give the name to replace: qualkit pseudo add "Homan Amani".')
    if any(ch.isdigit() for ch in original) or "@" in original:
        raise InputError(
            f"{original!r} is not a name: numbers and e-mail addresses are found by their "
            "shape and replaced in every export already."
        )
    if replacement is None:
        taken = [
            int(m.group(1))
            for p in project.store.pseudonyms()
            if (m := _NAME_LABEL.match(p.replacement))
        ]
        label = f"[Namn {max(taken, default=0) + 1}]"
    else:
        label = _check_replacement(project, replacement)
    return project.store.set_pseudonym(NAME, original, label, "accepted")


def review_kind(project: Project, kind: str, status: str = "accepted") -> int:
    """Accept (or reject) every proposal of one kind; returns how many changed."""
    if kind not in PLACEHOLDERS:
        raise InputError(f"Unknown kind {kind!r}; use one of {', '.join(PLACEHOLDERS)}.")
    with project.action():
        todo = [p for p in project.store.pseudonyms("proposed") if p.kind == kind]
        for p in todo:
            project.store.update_pseudonym(p.id, status=status)
    return len(todo)


# --------------------------------------------------------------------- consent
def find_participant(project: Project, ref: str | int) -> Participant:
    """A participant by id or pseudonym ('Deltagare 3')."""
    return resolve.participant(project.store, ref)


def set_consent(
    project: Project, ref: str | int, consent: Consent | str, when: str | None = None
) -> Participant:
    """Record consent given or withdrawn, with a date (default today)."""
    if not isinstance(consent, Consent):
        text = str(consent).strip().casefold()
        aliases = {
            "given": Consent.GIVEN,
            "givet": Consent.GIVEN,
            "withdrawn": Consent.WITHDRAWN,
            "återkallat": Consent.WITHDRAWN,
            "unknown": Consent.UNKNOWN,
            "okänt": Consent.UNKNOWN,
        }
        if text not in aliases:
            raise InputError(f"Consent {consent!r}: use given or withdrawn.")
        consent = aliases[text]
    when = when or date.today().isoformat()
    try:
        date.fromisoformat(when)
    except ValueError as exc:
        raise InputError(f"Date {when!r}: use YYYY-MM-DD.") from exc
    person = find_participant(project, ref)
    return project.store.update_participant(person.id, consent=consent, consent_date=when)


def consent_list(project: Project) -> list[Participant]:
    return project.store.participants()
