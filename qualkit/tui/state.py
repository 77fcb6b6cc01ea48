"""What the transcript screen shows of one recording, read through the Project API.

Kept free of widgets so it can be tested and measured on its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from qualkit.model import Actor, Code, Codebook, Coding, Consent, Participant, Recording, Segment
from qualkit.project import Project

ACTOR_COLOURS: dict[Actor | None, str] = {
    Actor.KOMMUN: "#5fd75f",
    Actor.VARD: "#ff87af",
    Actor.FK: "#5fafff",
    Actor.AF: "#ffd75f",
    Actor.ANNAN: "#a8a8a8",
    None: "#d0d0d0",
}

VALENCE_MARK = {"främjande": "+", "hindrande": "-", "förslag": "!", "ingen": "·"}


@dataclass(frozen=True, slots=True)
class SpeakerInfo:
    id: int
    label: str
    name: str  # pseudonym, or the diarised label while the voice is unnamed
    role_and_actor: str  # empty when unnamed, or named with a pseudonym alone
    named: bool  # linked to a participant
    actor: Actor | None
    kommun: str | None
    withdrawn: bool

    @property
    def colour(self) -> str:
        return ACTOR_COLOURS.get(self.actor, ACTOR_COLOURS[None])


def digit_span(digits: Iterable[str]) -> str:
    """How the coding digits are shown: '1-8' for a run from 1, else each ('1-3, 5, 0')."""
    ordered = sorted(set(digits), key=lambda d: int(d) or 10)  # 0 comes after 9, as on keys
    if not ordered:
        return "–"  # a codebook without codes: no digit codes anything
    run = 0
    while run < len(ordered) and ordered[run] == str(run + 1):
        run += 1
    head = [f"1-{run}"] if run > 1 else ordered[:run]
    return ", ".join([*head, *ordered[run:]])


def hotkeys(book: Codebook) -> dict[str, Code]:
    """Digit -> code: the codebook's own hotkeys, else its top-level codes in order."""
    keys = {c.hotkey: c for c in book.codes if c.hotkey and c.hotkey.isdigit()}
    if keys:
        return keys
    top = [c for c in book.codes if c.parent is None] or list(book.codes)
    return {str(i): c for i, c in enumerate(top[:9], start=1)}


# The digits that code, in the order a new code is given one.
HOTKEY_DIGITS = "1234567890"


def new_code_hotkey(book: Codebook) -> str | None:
    """The first free digit for a new code in a codebook that sets its own hotkeys.

    None when the codebook numbers its top-level codes instead (a new top-level code is
    numbered with them; giving one code a hotkey would take the others' digits away) or
    when all ten digits are taken."""
    if not any(c.hotkey for c in book.codes):
        return None
    taken = set(hotkeys(book))
    return next((d for d in HOTKEY_DIGITS if d not in taken), None)


def digit_of(book: Codebook, key: str) -> str | None:
    """The digit that codes with `key`, or None when it has none."""
    return next((d for d, c in hotkeys(book).items() if c.key == key), None)


@dataclass(frozen=True, slots=True)
class TwoCodes:
    """What was typed is the digit shown beside one code and the id of another."""

    typed: str
    shown: Code  # the code the list shows with the digit
    named: Code  # the code whose id it is


def code_key_typed(book: Codebook, typed: str) -> str | TwoCodes:
    """The code id meant by what was typed in a dialog: the digit the screens show beside
    the code (what a coder reads off the list), else the id itself; `=` before an id means
    the id alone ('=2'). A digit that is one code's digit and another code's id is not
    guessed at (a guess merges into the wrong code): TwoCodes, for the dialog to ask."""
    typed = typed.strip()
    if typed.startswith("="):
        return typed[1:].strip()
    shown = hotkeys(book).get(typed)
    if shown is None:
        return typed
    named = next((c for c in book.codes if c.key == typed), None)
    if named is not None and named.key != shown.key:
        return TwoCodes(typed, shown, named)
    return shown.key


def speaker_infos(project: Project, rec_id: int | None = None) -> dict[int, SpeakerInfo]:
    people: dict[int, Participant] = {p.id: p for p in project.store.participants()}
    out: dict[int, SpeakerInfo] = {}
    for sp in project.store.speakers(rec_id):
        person = people.get(sp.participant_id) if sp.participant_id is not None else None
        out[sp.id] = SpeakerInfo(
            id=sp.id,
            label=sp.label,
            name=person.pseudonym if person else sp.label,
            role_and_actor=person.role_and_actor if person else "",
            named=person is not None,
            actor=person.actor if person else None,
            kommun=person.kommun if person else None,
            withdrawn=bool(person and person.consent == Consent.WITHDRAWN),
        )
    return out


class RecordingView:
    """Segments, codings and voices of one recording, kept in step with the database."""

    def __init__(
        self,
        project: Project,
        recording: Recording,
        codebook: str,
        coder: str,
        blind: bool = False,
    ) -> None:
        self.project = project
        self.recording = recording
        self.codebook_id = codebook
        self.coder = coder
        self.blind = blind
        self.segments: list[Segment] = []
        self.codings: dict[int, list[Coding]] = defaultdict(list)
        self.suggested: dict[tuple[int, str, str], str] = {}
        self.speakers: dict[int, SpeakerInfo] = {}
        self.book: Codebook = project.codebook(codebook)
        self.keys: dict[str, Code] = hotkeys(self.book)
        self.colours = {c.key: c.colour for c in self.book.codes if c.colour}
        self.reload()

    def reload(self) -> None:
        self.segments = self.project.store.segments_light(self.recording.id)
        self.speakers = speaker_infos(self.project, self.recording.id)
        self.reload_codings()

    def reload_codings(self) -> None:
        self.codings = defaultdict(list)
        for c in self.project.store.codings(
            recording_id=self.recording.id,
            codebook=self.codebook_id,
            coder=self.coder if self.blind else None,
        ):
            self.codings[c.segment_id].append(c)
        self.suggested = self.project.store.suggested_codings(
            self.codebook_id, recording_id=self.recording.id
        )

    def reload_segment_codings(self, segment_id: int) -> None:
        self.codings[segment_id] = self.project.store.codings(
            segment_id=segment_id,
            codebook=self.codebook_id,
            coder=self.coder if self.blind else None,
        )
        self.suggested = {k: v for k, v in self.suggested.items() if k[0] != segment_id}
        self.suggested.update(
            self.project.store.suggested_codings(self.codebook_id, segment_id=segment_id)
        )

    def from_suggestion(self, coding: Coding) -> bool:
        """Whether the coder took this coding from the suggestions (shown in the panel, so
        a reviewer sees which codings the model proposed)."""
        taken = self.suggested.get((coding.segment_id, coding.code, coding.coder))
        return taken is not None and coding.created <= taken

    def switch_codebook(self, codebook: str) -> None:
        self.codebook_id = codebook
        self.book = self.project.codebook(codebook)
        self.keys = hotkeys(self.book)
        self.colours = {c.key: c.colour for c in self.book.codes if c.colour}
        self.reload_codings()

    def counts(self) -> dict[str, dict[str, int]]:
        """Codings per code and valence in the whole project (this coder's only when blind)."""
        return self.project.store.coding_counts(
            self.codebook_id, coder=self.coder if self.blind else None
        )

    def code_mark(self, code: str) -> str:
        for digit, c in self.keys.items():
            if c.key == code:
                return digit
        return code[:2]

    def index_of(self, segment_id: int) -> int | None:
        for i, seg in enumerate(self.segments):
            if seg.id == segment_id:
                return i
        return None

    def next_uncoded(self, start: int) -> int | None:
        n = len(self.segments)
        for step in range(1, n + 1):
            i = (start + step) % n
            if not self.codings.get(self.segments[i].id):
                return i
        return None


def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    s = int(seconds)
    if s >= 3600:
        return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"
    return f"{s // 60:02d}:{s % 60:02d}"
