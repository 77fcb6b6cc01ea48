"""The study's glossary: seeded from the project, edited by the user, given to Whisper.

Seeds follow the project as it grows: the kommun names of its recordings and
participants, the four actors, the field's domain terms and the long words of its
codebooks' labels. The user adds terms (names of places, methods and projects the seeds
cannot know) and may remove seeds that do not belong to the study.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from qualkit.errors import NotFoundError
from qualkit.pipeline.glossary import Term, clean_term, merge_terms, seed_terms
from qualkit.store.glossary import ADDED, REMOVED

if TYPE_CHECKING:
    from qualkit.project import Project


def _kommuner(project: Project) -> list[str]:
    store = project.store
    names = [r.kommun for r in store.recordings()] + [p.kommun for p in store.participants()]
    return list(dict.fromkeys(n.strip() for n in names if n and n.strip()))


def _labels(project: Project) -> list[str]:
    store = project.store
    return [c.label_sv for cid in store.codebook_ids() for c in store.codebook(cid).codes]


def project_glossary(project: Project) -> list[Term]:
    """Every term of the project's glossary, highest priority first."""
    seeds = seed_terms(_kommuner(project), _labels(project))
    store = project.store
    return merge_terms(seeds, store.glossary_terms(ADDED), store.glossary_terms(REMOVED))


def in_use(project: Project) -> bool:
    """Whether the project has a glossary of its own: the user has added a term. Seeds
    alone do not switch it on, since decoding with a glossary costs CPU time (BENCHMARKS.md)."""
    return bool(project.store.glossary_terms(ADDED))


def transcription_terms(project: Project) -> tuple[str, ...]:
    """The glossary as `TranscribeOptions.glossary` takes it."""
    return tuple(t.text for t in project_glossary(project))


def add_terms(project: Project, terms: Iterable[str]) -> list[str]:
    """Add terms (a seeded term the user removed comes back as the user's own)."""
    cleaned = list(dict.fromkeys(clean_term(t) for t in terms))
    project.store.set_glossary_terms(cleaned, ADDED)
    return cleaned


def added_already(project: Project, terms: Iterable[str]) -> list[str]:
    """Those of `terms` the user has added before (in any case or spacing), as stored."""
    own = {t.casefold(): t for t in project.store.glossary_terms(ADDED)}
    found = (own.get(clean_term(t).casefold()) for t in terms)
    return list(dict.fromkeys(t for t in found if t is not None))


def remove_terms(project: Project, terms: Sequence[str]) -> list[str]:
    """Remove terms: the user's own are forgotten, seeds are marked removed."""
    current = {t.text.casefold(): t for t in project_glossary(project)}
    removed: list[str] = []
    for raw in terms:
        term = current.get(clean_term(raw).casefold())
        if term is None:
            raise NotFoundError(
                f"{raw!r} is not in the glossary; see the terms with: qualkit glossary list"
            )
        if term.seeded:
            project.store.set_glossary_terms([term.text], REMOVED)
        else:
            project.store.forget_glossary_term(term.text)
        removed.append(term.text)
    return removed
