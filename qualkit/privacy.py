"""What may leave the project: pseudonymised text, and no speech of withdrawn participants.

Every export and report goes through `Redactor` and `exportable_segments`, so a name or
personnummer that is known to the project never reaches a file a colleague receives.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from qualkit.model import Consent, Segment
from qualkit.project import Project

# 6 or 8 digit date, optional separator, 4 digits: ÅÅMMDD-NNNN / ÅÅÅÅMMDDNNNN, also '+'.
_PERSONNUMMER = re.compile(r"(?<!\d)((?:19|20)?\d{6})[-+ ]?(\d{4})(?!\d)")


def luhn_ok(digits: str) -> bool:
    """The check digit rule of Swedish personnummer (on the 10-digit form)."""
    total = 0
    for i, ch in enumerate(digits):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def is_personnummer(date_part: str, serial: str) -> bool:
    ten = date_part[-6:] + serial
    month, day = int(ten[2:4]), int(ten[4:6])
    if day > 60:  # samordningsnummer: day + 60
        day -= 60
    return 1 <= month <= 12 and 1 <= day <= 31 and luhn_ok(ten)


@dataclass(frozen=True, slots=True)
class Redactor:
    """Applies a project's accepted pseudonyms and participants' real names to text."""

    rules: tuple[tuple[re.Pattern[str], str], ...] = ()

    @classmethod
    def for_project(cls, project: Project) -> Redactor:
        pairs: dict[str, str] = {}
        for p in project.store.participants():
            if p.real_name:
                label = f"[{p.attribution}]"
                pairs[p.real_name.strip()] = label
                for part in p.real_name.split():
                    if len(part) > 1:
                        pairs.setdefault(part, label)
        for ps in project.store.pseudonyms("accepted"):
            pairs[ps.original] = ps.replacement
        # Longest first, so "Anna Svensson" wins over "Anna".
        rules = tuple(
            (re.compile(r"(?<!\w)" + re.escape(orig) + r"(?!\w)", re.IGNORECASE), repl)
            for orig, repl in sorted(pairs.items(), key=lambda kv: -len(kv[0]))
            if orig
        )
        return cls(rules)

    def redact(self, text: str) -> str:
        for pattern, repl in self.rules:
            # A plain string would treat backslashes in the replacement as escapes.
            text = pattern.sub(_constant(repl), text)
        return _PERSONNUMMER.sub(
            lambda m: "[personnummer]" if is_personnummer(m.group(1), m.group(2)) else m.group(0),
            text,
        )


def _constant(value: str) -> Callable[[re.Match[str]], str]:
    return lambda _m: value


def withdrawn_speaker_ids(project: Project) -> set[int]:
    withdrawn = {p.id for p in project.store.participants() if p.consent is Consent.WITHDRAWN}
    return {s.id for s in project.store.speakers() if s.participant_id in withdrawn}


def exportable_segments(
    project: Project, segments: Sequence[Segment], redactor: Redactor | None = None
) -> list[Segment]:
    """Segments fit to leave the project: withdrawn speakers left out, text pseudonymised."""
    from dataclasses import replace

    red = redactor or Redactor.for_project(project)
    gone = withdrawn_speaker_ids(project)
    return [
        replace(s, text=red.redact(s.text), words=())
        for s in segments
        if s.speaker_id is None or s.speaker_id not in gone
    ]
