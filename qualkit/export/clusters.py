"""Cluster proposals as they may leave the project (`qualkit cluster`'s output).

A proposal names passages, shows a few of them and labels itself with its most
distinctive words, and a name said often in a group is distinctive ("amani", "homan").
What is printed passes the same gate as every export: passages of participants who
withdrew consent are left out, the passages shown are redacted, and a keyword the
redactor took out of the group's passages (a name, in context) is dropped, as is one the
passages never write in lower case: a proper noun, which is how a name the finder misses
("Homan Amani") still shows itself.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from qualkit.analysis.cluster import ClusterProposal
from qualkit.privacy import Redactor, exportable_segments
from qualkit.project import Project

_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class ProposalView:
    """A proposal with only exportable passages, their redacted texts and safe keywords."""

    id: int
    keywords: tuple[str, ...]
    size: int
    segment_ids: tuple[int, ...]
    representative_ids: tuple[int, ...]
    representatives: tuple[str, ...]  # redacted
    nearest_code: str | None
    nearest_score: float


def _words(text: str) -> Counter[str]:
    return Counter(w.casefold() for w in _WORD.findall(text))


def exportable_proposals(
    project: Project, proposals: Sequence[ClusterProposal], redactor: Redactor | None = None
) -> list[ProposalView]:
    """The proposals as they may be shown: withdrawn speech left out, text redacted.

    A proposal left with no passage is dropped. Its size is the number of passages
    shown."""
    red = redactor or Redactor.for_project(project)
    original = {s.id: s.text for s in project.segments()}
    kept = {s.id: s.text for s in exportable_segments(project, project.segments(), red)}
    out: list[ProposalView] = []
    for p in proposals:
        ids = tuple(i for i in p.segment_ids if i in kept)
        if not ids:
            continue
        # Words the redactor took out of this group's passages, seen in their sentences,
        # and words never written in lower case there (names the finder missed, places).
        removed: set[str] = set()
        lower: set[str] = set()
        for i in p.segment_ids:
            if i in original:
                after = _words(kept[i]) if i in kept else _words(red.redact(original[i]))
                removed |= set(_words(original[i]) - after)
                lower |= {w for w in _WORD.findall(original[i]) if w.islower()}
        keywords = tuple(
            k
            for k in p.keywords
            if k.casefold() not in removed
            and k.casefold() in lower
            and red.redact(k, count=False) == k
        )
        reps = tuple(i for i in p.representative_ids if i in kept)
        out.append(
            ProposalView(
                p.id,
                keywords,
                len(ids),
                ids,
                reps,
                tuple(kept[i] for i in reps),
                p.nearest_code,
                p.nearest_score,
            )
        )
    return out
