"""The fields that can name someone, written the same way by every export.

Participants' pseudonyms and roles are typed by a person and can be a name ("Björn B"),
coders are stored under their names or logins ("anna.svensson"), and a coded span cut
out of its sentence hides a name from the name finder ("Svensson på FK ..."). Each
exporter takes these through the functions here, so csv, xlsx, transcripts and .qdpx
write the same label for the same thing.
"""

from __future__ import annotations

import numbers
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from qualkit.model import CONSENSUS_CODER, Participant
from qualkit.privacy import Redactor
from qualkit.project import Project
from qualkit.spans import map_span

__all__ = [
    "CoderLabels",
    "coder_labels",
    "participant_name",
    "participant_role",
    "participant_signature",
    "redacted_span",
    "span_bound",
    "span_offsets",
]

_CODER_TEMPLATE = {"sv": "Kodare {n}", "en": "Coder {n}"}
# A label the redactor put in ("[Namn 3]", "[handläggare, FK]", "[e-post]"), with a genitive.
_LABEL = re.compile(r"\[[^\[\]\n]{1,80}\](?::s)?")


# ---------------------------------------------------------------- participants
def participant_name(red: Redactor, person: Participant) -> str:
    """The pseudonym as exported: typed by a person, so it passes the redactor."""
    return red.redact_field(person.pseudonym)


def participant_role(red: Redactor, person: Participant) -> str:
    return red.redact_field(person.role)


def participant_attribution(red: Redactor, person: Participant) -> str:
    """'handläggare, FK' (role redacted), else the redacted pseudonym."""
    role = participant_role(red, person)
    actor = person.actor.value if person.actor else ""
    return ", ".join(p for p in (role, actor) if p) or participant_name(red, person)


def participant_signature(red: Redactor, person: Participant) -> str:
    """'Deltagare 2 (handläggare, FK)', or the pseudonym alone when there is no role or
    actor (never 'Deltagare 10 (Deltagare 10)')."""
    name = participant_name(red, person)
    role = participant_role(red, person)
    actor = person.actor.value if person.actor else ""
    extra = ", ".join(p for p in (role, actor) if p)
    return f"{name} ({extra})" if extra and extra != name else name


# ---------------------------------------------------------------------- coders
@dataclass(slots=True)
class CoderLabels:
    """Coder name -> neutral label ('Kodare 1'); 'konsensus' keeps its name.

    With `names` the names are kept as typed (the user asked for them)."""

    labels: dict[str, str] = field(default_factory=dict)
    template: str = "Kodare {n}"
    names: bool = False

    def __call__(self, name: str) -> str:
        if self.names or name == CONSENSUS_CODER:
            return name
        label = self.labels.get(name)
        if label is None:  # a name only a memo or an import knows: the next number
            label = self.labels[name] = self.template.format(n=len(self.labels) + 1)
        return label


def coder_labels(
    project: Project,
    lang: str = "sv",
    *,
    names: bool = False,
    extra: Iterable[str] = (),
    template: str | None = None,
) -> CoderLabels:
    """Neutral labels for a project's coders: 'Kodare 1', 'Kodare 2' ... by coder id, then
    names that only memos carry, sorted; the consensus coder keeps 'konsensus'.

    Every default export and report labels coders with this, so 'Kodare 2' is the same
    person in the workbook, the CSV, the .qdpx and the report (whose texts may word it
    otherwise: `template`). `names=True` (the user's explicit choice) keeps the names."""
    template = template or _CODER_TEMPLATE.get(lang, _CODER_TEMPLATE["sv"])
    ordered = [c.name for c in sorted(project.store.coders(), key=lambda c: c.id)]
    memo_coders = {m.coder for m in project.store.memos()} | set(extra)
    ordered += sorted(memo_coders - set(ordered))
    labels: dict[str, str] = {}
    for name in ordered:
        if name != CONSENSUS_CODER and name not in labels:
            labels[name] = template.format(n=len(labels) + 1)
    return CoderLabels(labels, template, names)


# ----------------------------------------------------------------- coded spans
def span_bound(value: object) -> bool:
    """A span bound from a pandas frame: None or NaN where the coding has no span."""
    return isinstance(value, numbers.Real) and value == value


def span_offsets(red: Redactor, text: str, start: int, end: int) -> tuple[int, int]:
    """Where the span [start, end) of `text` lies in `red.redact(text)`.

    What precedes and follows the span is redacted on a scratch copy of the redactor, so
    measuring leaves no new numbers or counts behind. A bound that falls inside a label
    moves to the label's edge: a span never starts at "mn 3]"."""
    scratch = replace(red, tally=Counter(), names=red.names.copy())
    redacted = scratch.redact(text, count=False)
    a, b = map_span(text, (start, end), lambda t: scratch.redact(t, count=False))
    for m in _LABEL.finditer(redacted):
        if m.start() < a < m.end():
            a = m.start()
        if m.start() < b < m.end():
            b = m.end()
    return a, b


def redacted_span(red: Redactor, text: str, start: int, end: int) -> str:
    """A coded span cut from its redacted segment: the name finder sees the whole sentence
    ("Vi ringde Svensson på FK"), not the span alone ("Svensson på FK")."""
    redacted = red.redact(text)
    a, b = span_offsets(red, text, start, end)
    return redacted[a:b]
