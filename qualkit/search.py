"""Search every transcript: keyword in context, filtered by code, valence, speaker, actor, kommun.

The index is built once from light segment reads (about 25,000 rows for a whole
study) and searched in memory, so each keystroke stays well under a frame.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from qualkit.errors import InputError, QualkitError
from qualkit.model import Actor, Coding, Participant, Recording, Segment, Valence
from qualkit.project import DEFAULT_CODEBOOK, Project

FILTER_NAMES = {
    "kod": "code",
    "code": "code",
    "valens": "valence",
    "valence": "valence",
    "talare": "speaker",
    "speaker": "speaker",
    "aktör": "actor",
    "aktor": "actor",
    "actor": "actor",
    "kommun": "kommun",
    "inspelning": "recording",
    "recording": "recording",
}


# A word, a filter or a quoted phrase: `talare:"Deltagare 1"` and `"ett ord"` keep their
# spaces (an unclosed quote, as while typing, runs to the end).
_TOKEN = re.compile(r'(?:[^\s"]+|"[^"]*(?:"|$))+')

VALENCE_NAMES = ", ".join(v.value for v in Valence)


class QueryError(InputError):
    """A search filter with a value it cannot use: said, not dropped silently."""


def _valence(value: str) -> Valence:
    """'h', 'hindrande', 'hind', 'promoting' -> the valence; anything else is an error."""
    try:
        return Valence.parse(value)
    except QualkitError:
        pass
    want = value.strip().casefold()
    starts = {v for v in Valence for name in (v.value, v.name) if name.casefold().startswith(want)}
    if len(starts) == 1:
        return starts.pop()
    raise QueryError(f"okänd valens {value!r}: {VALENCE_NAMES}")


def tokens(text: str) -> list[str]:
    """The query's words and filters, quotes removed: 'talare:"Deltagare 1" x' -> two."""
    return [m.group(0).replace('"', "") for m in _TOKEN.finditer(text)]


# More hits than any study has: a result this long may have been cut off.
LIMIT = 100_000


@dataclass(frozen=True, slots=True)
class Query:
    words: tuple[str, ...] = ()
    code: str | None = None
    valence: Valence | None = None
    speaker: str | None = None
    actor: str | None = None
    kommun: str | None = None
    recording: str | None = None

    @classmethod
    def parse(cls, text: str) -> Query:
        """'samverkan kod:ledning valens:h aktör:FK' -> words and filters.

        Raises QueryError for a valence it does not know ('valens:xyz'), rather than
        dropping the filter and finding every passage."""
        words: list[str] = []
        filters: dict[str, str] = {}
        for token in tokens(text):
            name, sep, value = token.partition(":")
            key = FILTER_NAMES.get(name.casefold()) if sep else None
            if key and value.strip():
                filters[key] = value.strip()
            elif token.strip():
                words.append(token.casefold())
        valence = _valence(filters["valence"]) if "valence" in filters else None
        return cls(
            words=tuple(words),
            code=filters.get("code"),
            valence=valence,
            speaker=filters.get("speaker"),
            actor=filters.get("actor"),
            kommun=filters.get("kommun"),
            recording=filters.get("recording"),
        )

    def narrows(self, earlier: Query) -> bool:
        """Whether every passage this query finds is one `earlier` found too: the same
        filters, and each earlier word inside a word of this one ('sam' -> 'samverkan r')."""
        same_filters = (
            self.code,
            self.valence,
            self.speaker,
            self.actor,
            self.kommun,
            self.recording,
        ) == (
            earlier.code,
            earlier.valence,
            earlier.speaker,
            earlier.actor,
            earlier.kommun,
            earlier.recording,
        )
        return (
            same_filters
            and bool(earlier.words or earlier.code or earlier.valence)
            and all(any(old in new for new in self.words) for old in earlier.words)
        )


def _actor(name: str) -> str:
    """'kommunen', 'Försäkringskassan', 'fk' -> the actor's value, casefolded."""
    try:
        return Actor.parse(name).value.casefold()
    except QualkitError:
        return name.casefold()


@dataclass(frozen=True, slots=True)
class Hit:
    segment: Segment
    recording: Recording
    speaker: str
    attribution: str
    actor: str
    kommun: str
    codings: tuple[Coding, ...]
    position: int  # where the first word matched, -1 without words
    match: str = ""  # the first search word, case-folded

    def context(self, width: int) -> tuple[str, str, str]:
        """(left, match, right) around the first match, fitted to about `width` characters."""
        text = " ".join(self.segment.text.split())
        if self.position < 0:
            return "", "", text[:width]
        lowered = text.casefold()
        pos = lowered.find(self.match) if self.match else -1
        if pos < 0:
            return "", "", text[:width]
        end = pos + len(self.match)
        side = max(4, (width - (end - pos)) // 2)
        left = text[max(0, pos - side) : pos]
        right = text[end : end + side]
        # Whole words only at the edges: "ef backar upp" reads worse than "backar upp".
        if pos - side > 0 and " " in left:
            left = left[left.index(" ") + 1 :]
        if end + side < len(text) and " " in right:
            right = right[: right.rindex(" ")]
        return left.rjust(side), text[pos:end], right


@dataclass
class SearchIndex:
    """All segments of a project with what the filters need, in memory."""

    project: Project
    codebook: str = DEFAULT_CODEBOOK
    segments: list[Segment] = field(default_factory=list)
    folded: list[str] = field(default_factory=list)
    position_of: dict[int, int] = field(default_factory=dict)
    recordings: dict[int, Recording] = field(default_factory=dict)
    codings: dict[int, list[Coding]] = field(default_factory=lambda: defaultdict(list))
    speaker_person: dict[int, Participant | None] = field(default_factory=dict)
    speaker_label: dict[int, str] = field(default_factory=dict)
    named_codes: dict[str, frozenset[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.reload()

    def code_keys(self, name: str) -> frozenset[str]:
        """The codes a `kod:` filter names, as the app names them: the hotkey digit ('1'),
        the code id ('ledning'), or a word of its label ('Ledning', 'ledn'), any case."""
        if name not in self.named_codes:
            self.named_codes[name] = self._code_keys(name)
        return self.named_codes[name]

    def _code_keys(self, name: str) -> frozenset[str]:
        book = self.project.codebook(self.codebook)
        want = name.casefold().replace("_", " ")
        by_hotkey = {c.key for c in book.codes if c.hotkey and c.hotkey == name}
        if not by_hotkey and name.isdigit():
            top = [c for c in book.codes if c.parent is None]
            if 1 <= int(name) <= len(top) and not any(c.hotkey for c in book.codes):
                by_hotkey = {top[int(name) - 1].key}
        if by_hotkey:
            return frozenset(by_hotkey)
        exact = {c.key for c in book.codes if c.key.casefold() == name.casefold()}
        if exact:
            return frozenset(exact)
        word = re.compile(r"\b" + re.escape(want))
        return frozenset(
            c.key
            for c in book.codes
            if any(word.search(label.casefold()) for label in (c.label_sv, c.label_en) if label)
            or c.key.casefold().replace("_", " ").startswith(want)
        )

    def reload(self) -> None:
        store = self.project.store
        self.segments = store.segments_light()
        self.folded = [s.text.casefold() for s in self.segments]
        self.position_of = {s.id: i for i, s in enumerate(self.segments)}
        self.recordings = {r.id: r for r in store.recordings()}
        self.reload_codings()
        people = {p.id: p for p in store.participants()}
        self.speaker_person = {}
        self.speaker_label = {}
        for sp in store.speakers():
            self.speaker_label[sp.id] = sp.label
            self.speaker_person[sp.id] = (
                people.get(sp.participant_id) if sp.participant_id is not None else None
            )

    def reload_codings(self, coder: str | None = None) -> None:
        self.codings = defaultdict(list)
        for c in self.project.store.codings(codebook=self.codebook, coder=coder):
            self.codings[c.segment_id].append(c)

    def reload_segment_codings(self, segment_ids: set[int], coder: str | None = None) -> None:
        """Re-read the codings of a few segments (after coding them), not of the whole study."""
        for sid in segment_ids:
            fresh = self.project.store.codings(segment_id=sid, codebook=self.codebook, coder=coder)
            if fresh:
                self.codings[sid] = fresh
            else:
                self.codings.pop(sid, None)

    def _hit(self, seg: Segment, position: int, first_word: str) -> Hit:
        rec = self.recordings[seg.recording_id]
        person = self.speaker_person.get(seg.speaker_id) if seg.speaker_id is not None else None
        label = self.speaker_label.get(seg.speaker_id, "") if seg.speaker_id is not None else ""
        hit = Hit(
            segment=seg,
            recording=rec,
            speaker=person.pseudonym if person else label,
            attribution=person.attribution if person else label,
            actor=person.actor.value if person and person.actor else "",
            kommun=(person.kommun if person and person.kommun else rec.kommun) or "",
            codings=tuple(self.codings.get(seg.id, ())),
            position=position,
            match=first_word,
        )
        return hit

    def search(self, query: Query | str, limit: int = LIMIT) -> list[Hit]:
        q = Query.parse(query) if isinstance(query, str) else query
        return [self.hit(i, q) for i in self.positions(q, limit)]

    def hit(self, position: int, query: Query | str = "") -> Hit:
        """The hit for segment number `position` (from positions()), built when shown."""
        q = Query.parse(query) if isinstance(query, str) else query
        first = q.words[0] if q.words else ""
        seg = self.segments[position]
        return self._hit(seg, self.folded[position].find(first) if first else -1, first)

    def positions(
        self, query: Query | str, limit: int = LIMIT, among: Sequence[int] | None = None
    ) -> list[int]:
        """Indexes into `segments` of every match: cheap enough to run on each keystroke.

        `among`: the positions an earlier query found that this one narrows (`Query.narrows`):
        only those are looked at, so typing on costs less with every letter."""
        q = Query.parse(query) if isinstance(query, str) else query
        out: list[int] = []
        codes = self.code_keys(q.code) if q.code else None
        want_actor = _actor(q.actor) if q.actor else None
        want_kommun = q.kommun.casefold() if q.kommun else None
        want_speaker = q.speaker.casefold() if q.speaker else None
        folded_all = self.folded
        candidates: Sequence[int] = range(len(folded_all)) if among is None else among
        if q.words:
            # One tight comprehension per word: ~2 ms over a whole study.
            first, *rest = q.words
            if among is None:
                candidates = [i for i, text in enumerate(folded_all) if first in text]
            else:
                candidates = [i for i in among if first in folded_all[i]]
            for word in rest:
                candidates = [i for i in candidates if word in folded_all[i]]
        elif among is None and (q.code or q.valence):
            candidates = sorted(
                self.position_of[sid] for sid in self.codings if sid in self.position_of
            )
        if not (q.code or q.valence or q.recording or want_actor or want_kommun or want_speaker):
            return list(candidates[:limit])
        for i in candidates:
            seg = self.segments[i]
            if q.code or q.valence:
                codings = self.codings.get(seg.id, ())
                if not any(
                    (codes is None or c.code in codes)
                    and (q.valence is None or c.valence == q.valence)
                    for c in codings
                ):
                    continue
            if q.recording and self.recordings[seg.recording_id].name != q.recording:
                continue
            if want_actor or want_kommun or want_speaker:
                person = (
                    self.speaker_person.get(seg.speaker_id) if seg.speaker_id is not None else None
                )
                if want_actor and not (
                    person and person.actor and person.actor.value.casefold() == want_actor
                ):
                    continue
                if want_kommun:
                    kommun = (person.kommun if person and person.kommun else None) or (
                        self.recordings[seg.recording_id].kommun or ""
                    )
                    if kommun.casefold() != want_kommun:
                        continue
                if want_speaker and not self._speaker_matches(seg, person, want_speaker):
                    continue
            out.append(i)
            if len(out) >= limit:
                break
        return out

    def _speaker_matches(self, seg: Segment, person: Participant | None, want: str) -> bool:
        """`talare:` as the app shows speakers: any part of the pseudonym, role, quote
        attribution or voice label ('Deltagare 1'), any case ('moderator', 'deltagare')."""
        label = self.speaker_label.get(seg.speaker_id, "") if seg.speaker_id is not None else ""
        names = [label]
        if person:
            names += [person.pseudonym, person.role, person.attribution]
        return any(want in name.casefold() for name in names if name)

    def passages(self, code: str, group_by: str = "kommun") -> list[tuple[str, list[Hit]]]:
        """Every passage coded with `code`, grouped by kommun or actor (sorted by group)."""
        groups: dict[str, list[Hit]] = defaultdict(list)
        for hit in self.search(Query(code=code)):
            key = hit.kommun if group_by == "kommun" else hit.actor
            groups[key or "-"].append(hit)
        return sorted(groups.items())
