"""What the user typed -> the record it names: one resolver per kind, one way of matching.

A reference is matched after Unicode NFC normalisation (a name typed on one system and
a file name from another can spell "ö" as one character or as "o" plus a combining
diaeresis) and, when no exact match exists, without regard to case, provided exactly one
record matches. An id in digits names a record by id first.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from qualkit import spelling
from qualkit.errors import InputError, NotFoundError
from qualkit.model import Participant, Recording, Round, Segment, Speaker
from qualkit.pseudonymise import detect_names
from qualkit.store import Store
from qualkit.store.roles import writer

T = TypeVar("T")


def normal(text: str) -> str:
    """The form names are compared and stored in: NFC, outer spaces gone."""
    return unicodedata.normalize("NFC", text).strip()


def folded(text: str) -> str:
    return normal(text).casefold()


def _by_name(items: Sequence[T], ref: str, *names: Callable[[T], str | None]) -> T | None:
    """The one item with a name equal to `ref`; exact before case-insensitive."""
    want = normal(ref)
    for name in names:
        exact = [i for i in items if (n := name(i)) is not None and normal(n) == want]
        if len(exact) == 1:
            return exact[0]
    for name in names:
        loose = [i for i in items if (n := name(i)) is not None and folded(n) == want.casefold()]
        if len(loose) == 1:
            return loose[0]
    return None


def recording(store: Store, ref: str | int) -> Recording:
    """A recording by id (12) or name ('Fokusgrupp Kiruna', any case)."""
    if isinstance(ref, int) or normal(ref).isdigit():
        try:
            return store.recording(int(ref))
        except NotFoundError:
            if isinstance(ref, int):
                raise
    recs = store.recordings()
    found = _by_name(recs, str(ref), lambda r: r.name)
    if found is None:
        names = ", ".join(r.name for r in recs) or "none yet"
        raise NotFoundError(f"No recording {ref!r} in this project (recordings: {names}).")
    return found


def segment(store: Store, ref: str | int) -> Segment:
    """A segment by global id ('12') or by recording and position ('demo:5', 1-based)."""
    if isinstance(ref, int) or normal(ref).isdigit():
        return store.segment(int(ref))
    rec_ref, sep, idx = normal(ref).rpartition(":")
    if not sep or not idx.strip().isdigit():
        raise InputError(f"Segment {ref!r}: give a segment id (12) or RECORDING:NUMBER (demo:5).")
    segs = store.segments(recording(store, rec_ref).id)
    n = int(idx)
    if not 1 <= n <= len(segs):
        raise NotFoundError(f"Recording {rec_ref!r} has segments 1-{len(segs)}, not {n}.")
    return segs[n - 1]


def participant(store: Store, ref: str | int, *, real_names: bool = False) -> Participant:
    """A participant by id (3) or pseudonym ('Deltagare 3', any case).

    With real_names, also by the real name kept for them (a written-answers file names
    people as they signed). A real name never appears in the error's list of people."""
    people = store.participants()
    if isinstance(ref, int) or normal(ref).isdigit():
        for p in people:
            if p.id == int(ref):
                return p
    names: list[Callable[[Participant], str | None]] = [lambda p: p.pseudonym]
    if real_names:
        names.append(lambda p: p.real_name)
    found = _by_name(people, str(ref), *names)
    if found is None:
        known = ", ".join(p.pseudonym for p in people) or "none yet"
        how = "a pseudonym, id or full name" if real_names else "a pseudonym or id"
        # The reference is not echoed: it may be a real name, and errors end up in logs.
        raise NotFoundError(
            f"No participant with that id or name (participants: {known}); give {how}."
        )
    return found


def speaker(store: Store, rec_id: int, ref: str) -> Speaker:
    """A voice of a recording by label ('Talare 2'), number ('2'), speaker id ('#17') or
    the pseudonym of the participant it was named as."""
    voices = store.speakers(rec_id)
    key = folded(ref)
    found = _by_name(voices, ref, lambda s: s.label)
    if found is not None:
        return found
    if key.isdigit():
        aliases = {f"talare {key}", f"speaker {key}", f"speaker_{int(key):02d}"}
        for spk in voices:
            if folded(spk.label) in aliases:
                return spk
    if key.startswith("#") and key[1:].isdigit():
        for spk in voices:
            if spk.id == int(key[1:]):
                return spk
    named = [s for s in voices if s.participant_id is not None]
    people = {p.id: p for p in store.participants()}
    found = _by_name(named, ref, lambda s: people[s.participant_id or 0].pseudonym)
    if found is not None:
        return found
    rec = store.recording(rec_id)
    if rec.stages.get("diarize") == "skipped":
        why = "none, because it was transcribed without telling voices apart (--no-diarize)"
    elif rec.pipeline_state == "done":
        why = "none, because no speech was found in it"
    else:
        why = "none (transcribe it first)"
    labels = ", ".join(s.label for s in voices) or why
    raise NotFoundError(f"No voice {ref!r} in this recording. Voices: {labels}.")


CODER_HELP = "save codings as this coder (default: your login in a team's study, else 'default')"


# Whom codings are filed under without --coder outside a team's study.
UNNAMED_CODER = "default"


def default_coder(store: Store) -> str:
    """Whom codings are filed under when no --coder is given: in a team's study the
    signed-in database user (a coder may code only as themselves), else 'default'."""
    return writer(store)[0] if store.server is not None else UNNAMED_CODER


def coder_name(store: Store, name: str) -> str:
    """The coder `name` names: an existing coder's spelling when it is theirs in
    another case, as the store files the work (the app compares names to say whose
    coding is whose)."""
    return spelling.known_spelling(name, [c.name for c in store.coders()]) or spelling.tidy(name)


def coder_note(store: Store, name: str) -> str | None:
    """A warning for a coder name that looks like a slip for an existing coder's.

    A name that equals one case-insensitively is that coder (the store files the work
    under the known spelling); a new name one letter away from a coder's is only
    warned about, since Eva and Ewa may both code."""
    names = [c.name for c in store.coders()]
    typed = spelling.tidy(name)
    if not typed or typed in names:
        return None
    same = spelling.known_spelling(typed, names)
    if same is not None:
        return f"coder {typed!r} is written {same!r} in this project; coding as {same!r}."
    near = [n for n in names if spelling.one_edit_apart(typed, n)]
    if near:
        return f"new coder {typed!r} — did you mean {' or '.join(map(repr, near))}?"
    return None


def kommun_slips(store: Store, typed: str | None) -> list[str]:
    """The study's kommuner that a new kommun `typed` is one slip from ('Norby' beside
    'Norrby'): asked before the write, since a report would show the slip as a kommun of
    its own and leave its interview out of the right one's delrapport."""
    if typed is None or not spelling.tidy(typed):
        return []
    known = sorted(
        {r.kommun for r in store.recordings() if r.kommun}
        | {p.kommun for p in store.participants() if p.kommun}
    )
    if spelling.known_spelling(typed, known) is not None:
        return []
    return [k for k in known if spelling.one_edit_apart(typed, k)]


def pseudonym_names(store: Store, typed: str | None) -> list[str]:
    """The person names qualkit's name finder sees in a pseudonym typed for a participant
    or a replacement typed for a found name ('Anna Svensson'): warned about, not refused,
    since an invented name is a usual pseudonym, but a real name typed there is personal
    data in the project, and an invented one reads as real in a report.

    A first name alone ('Kim', 'Lisa') is the usual invented pseudonym: warning about each
    would teach coders to skip the warning. It is said only when it is a participant's
    real name, or part of one."""
    text = normal(typed or "")
    if not text:
        return []
    register = [p.real_name for p in store.participants() if p.real_name]
    real = {w.casefold() for name in register for w in name.split()}
    places = {r.kommun for r in store.recordings() if r.kommun}
    found = (f.text for f in detect_names(text, register, places, field=True))
    return list(dict.fromkeys(f for f in found if len(f.split()) > 1 or f.casefold() in real))


def kommun_note(typed: str | None, stored: str | None) -> str | None:
    """A note when a kommun was filed under the spelling the study already uses."""
    if typed is None or stored is None or spelling.tidy(typed) == stored:
        return None
    return f"kommun {typed.strip()!r} is written {stored!r} in this project; used {stored!r}."


def round(store: Store, ref: str | int) -> Round:
    """An assessment round by name (any case) or id."""
    rounds = store.rounds()
    found = _by_name(rounds, str(ref), lambda r: r.name)
    if found is not None:
        return found
    if isinstance(ref, int) or normal(ref).isdigit():
        for r in rounds:
            if r.id == int(ref):
                return r
    names = ", ".join(r.name for r in rounds) or "none yet"
    raise NotFoundError(f"No round {ref!r} (rounds: {names}). Add one with: qualkit rounds add")


def existing_path(path: Path | str) -> Path:
    """`path`, or the entry of its folder whose name is the same text in another Unicode
    form: the name a user types (NFC) and the bytes on disk (often NFD) can differ."""
    path = Path(path)
    if path.exists() or not path.parent.is_dir():
        return path
    want = unicodedata.normalize("NFC", path.name)
    try:
        for entry in path.parent.iterdir():
            if unicodedata.normalize("NFC", entry.name) == want:
                return entry
    except OSError:
        pass
    return path
