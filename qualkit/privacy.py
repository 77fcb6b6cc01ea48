"""What may leave the project: pseudonymised text, and no speech of withdrawn participants.

Every export and report goes through `Redactor` and `exportable_segments`, so a name or
personnummer that is known to the project never reaches a file a colleague receives.
Structured identifiers (personnummer, e-mail, phone numbers, street addresses) are
replaced by pattern even before anyone reviews them; names are replaced when they are
in the participants register or a coder has accepted a proposal from `scan`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from types import MappingProxyType

from qualkit import resolve
from qualkit.errors import InputError
from qualkit.model import Consent, Participant, Pseudonym, Segment
from qualkit.project import Project
from qualkit.pseudonymise import (
    ADDRESS,
    ADDRESS_RE,
    EMAIL,
    EMAIL_RE,
    NAME,
    PERSONNUMMER,
    PERSONNUMMER_RE,
    PHONE,
    PHONE_RE,
    PLACEHOLDERS,
    _phone_ok,
    common_words,
    detect,
    is_personnummer,
    luhn_ok,
)

__all__ = [
    "Redactor",
    "ScanResult",
    "consent_list",
    "exportable_segments",
    "is_personnummer",
    "luhn_ok",
    "pseudonym_contexts",
    "scan",
    "set_consent",
    "unreviewed",
    "withdrawn_speaker_ids",
]

_EMPTY: Mapping[str, str] = MappingProxyType({})
_Sub = Callable[[re.Match[str]], str]


@dataclass(frozen=True, slots=True)
class Redactor:
    """Applies a project's pseudonyms, participants' real names and identifier patterns."""

    table: Mapping[str, str] = field(default_factory=lambda: _EMPTY)  # casefolded -> label
    pattern: re.Pattern[str] | None = None
    keep: frozenset[str] = frozenset()  # originals a coder rejected: not personal data
    enabled: bool = True
    capital_only: frozenset[str] = frozenset()

    @classmethod
    def for_project(cls, project: Project) -> Redactor:
        pairs: dict[str, str] = {}
        for p in project.store.participants():
            if p.real_name and p.real_name.strip():
                label = f"[{p.attribution}]"
                pairs[p.real_name.strip()] = label
                for part in p.real_name.split():
                    if len(part) > 1:
                        pairs.setdefault(part, label)
        keep: set[str] = set()
        for ps in project.store.pseudonyms():
            if ps.status == "accepted" and ps.original.strip():
                pairs[ps.original] = ps.replacement
            elif ps.status == "rejected":
                keep.add(ps.original.casefold())
        return cls.from_pairs(pairs, keep)

    @classmethod
    def from_pairs(cls, pairs: Mapping[str, str], keep: Iterable[str] = ()) -> Redactor:
        table: dict[str, str] = {}
        for orig, repl in pairs.items():
            table.setdefault(orig.strip().casefold(), repl)
        table = {k: v for k, v in table.items() if k}
        pattern = None
        if table:
            # Longest first, so "Anna Svensson" wins over "Anna".
            alternatives = "|".join(re.escape(k) for k in sorted(table, key=len, reverse=True))
            pattern = re.compile(r"(?<!\w)(?:" + alternatives + r")(?!\w)", re.IGNORECASE)
        # Names that are also everyday words ("Per", "Dag", "Bo") are replaced only when
        # capitalised, so "500 kr per timme" survives an accepted pseudonym for Per.
        words = common_words()
        capital_only = frozenset(
            k
            for k, orig in ((o.strip().casefold(), o.strip()) for o in pairs)
            if k in words and orig[:1].isupper()
        )
        return cls(
            MappingProxyType(table),
            pattern,
            frozenset(k.casefold() for k in keep),
            capital_only=capital_only,
        )

    @classmethod
    def disabled(cls) -> Redactor:
        """No redaction at all: only for an export the user explicitly asked unredacted."""
        return cls(enabled=False)

    def redact(self, text: str) -> str:
        if not self.enabled or not text:
            return text
        if self.pattern is not None:
            table, capital_only = self.table, self.capital_only

            def name(m: re.Match[str]) -> str:
                found = m.group(0)
                key = found.casefold()
                if key in capital_only and not found[:1].isupper():
                    return found
                return table.get(key, found)

            text = self.pattern.sub(name, text)
        keep = self.keep

        def pnr(m: re.Match[str]) -> str:
            if m.group(0).casefold() in keep or not is_personnummer(m.group(1), m.group(2)):
                return m.group(0)
            return PLACEHOLDERS[PERSONNUMMER]

        def simple(kind: str) -> _Sub:
            def sub(m: re.Match[str]) -> str:
                if m.group(0).casefold() in keep or (kind == PHONE and not _phone_ok(m.group(0))):
                    return m.group(0)
                return PLACEHOLDERS[kind]

            return sub

        text = EMAIL_RE.sub(simple(EMAIL), text)
        text = PERSONNUMMER_RE.sub(pnr, text)
        text = PHONE_RE.sub(simple(PHONE), text)
        return ADDRESS_RE.sub(simple(ADDRESS), text)


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
    # Speaker labels typed as names ("Anna:") are exported too, so they are scanned.
    labels = [s.label for s in store.speakers() if s.recording_id in rec_ids]
    found: dict[str, int] = {}
    proposed: dict[str, int] = {}
    with project.action():
        for text in [seg.text for seg in segments] + labels:
            for f in detect(text, register):
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
    """Proposals not yet accepted or rejected, per kind. Names among them are not yet
    replaced in exports, so export commands warn about them."""
    counts: dict[str, int] = {}
    for p in project.store.pseudonyms("proposed"):
        counts[p.kind] = counts.get(p.kind, 0) + 1
    return counts


def review(
    project: Project, ids: Iterable[int], status: str, replacement: str | None = None
) -> list[Pseudonym]:
    """Accept or reject proposals by id (optionally with an edited replacement)."""
    out = []
    for pid in ids:
        out.append(project.store.update_pseudonym(pid, status=status, replacement=replacement))
    return out


def review_kind(project: Project, kind: str, status: str = "accepted") -> int:
    """Accept (or reject) every proposal of one kind; returns how many changed."""
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
