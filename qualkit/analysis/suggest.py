"""Code suggestions for passages and for a project's segments; the faces call this module.

The models live in suggester.py (zero-shot and few-shot blend, calibration), valence.py and
profiles.py (what the models know of a codebook). This module adds what a project needs:
training on its codings and the coder's accepted and rejected suggestions, retraining only
when those changed, and the order in which to code next.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from qualkit.analysis.embed import META_MODEL, Embedder, EmbeddingCache, Progress, get_embedder
from qualkit.analysis.profiles import (
    CodeProfile,
    Example,
    Suggestion,
    SuggestOptions,
    code_profile,
    suggestable_codes,
)
from qualkit.analysis.suggester import CodeSuggester, uncertain_order
from qualkit.analysis.valence import SUGGESTED_VALENCES
from qualkit.model import Codebook
from qualkit.project import Project

if TYPE_CHECKING:
    from qualkit.store import Store

__all__ = [
    "SUGGESTED_VALENCES",
    "CodeProfile",
    "CodeSuggester",
    "Example",
    "SuggestOptions",
    "Suggestion",
    "code_profile",
    "moderator_segment_ids",
    "most_uncertain",
    "project_embedder",
    "project_examples",
    "project_suggester",
    "record_feedback",
    "set_project_model",
    "suggest_for_segment",
    "suggest_segments",
    "suggest_texts",
    "suggestable_codes",
]


# ------------------------------------------------------------------ text-level API
def suggest_texts(
    book: Codebook,
    texts: Sequence[str],
    examples: Sequence[Example] = (),
    *,
    top: int = 3,
    embedder: Embedder | None = None,
    store: Store | None = None,
    options: SuggestOptions | None = None,
    progress: Progress | None = None,
) -> list[list[Suggestion]]:
    """Suggestions for any texts, with no project: the `qualkit suggest` command."""
    cache = EmbeddingCache(embedder or get_embedder(), store)
    suggester = CodeSuggester(book, cache, options).fit(examples)
    return suggester.suggest(texts, top, progress=progress)


# --------------------------------------------------------------- project-level API
@dataclass
class _Trained:
    state: tuple[object, ...]
    suggester: CodeSuggester
    rejected: dict[int, set[str]] = field(default_factory=dict)


_TRAINED: dict[tuple[str, str, str], _Trained] = {}
_TRAIN_LOCK = threading.Lock()


def project_embedder(project: Project) -> Embedder:
    """The project's embedding model: its stored choice, else $QUALKIT_EMBEDDER or the default."""
    return get_embedder(project.store.get_meta(META_MODEL))


def set_project_model(project: Project, name: str) -> Embedder:
    """Choose the project's embedding model (checked by loading it)."""
    embedder = get_embedder(name)
    project.store.set_meta(META_MODEL, name)
    return embedder


def project_examples(project: Project, codebook: str) -> list[Example]:
    """Every coding in `codebook` (its span text when coded on a span), plus accepted feedback."""
    texts = {s.id: s.text for s in project.store.segments()}
    examples: list[Example] = []
    seen: set[tuple[int, str]] = set()
    for coding in project.store.codings(codebook=codebook):
        text = texts.get(coding.segment_id, "")
        if coding.span_start is not None and coding.span_end is not None:
            text = text[coding.span_start : coding.span_end]
        valence = coding.valence if coding.valence in SUGGESTED_VALENCES else None
        examples.append(Example(text, coding.code, valence))
        seen.add((coding.segment_id, coding.code))
    # An accepted suggestion the coder has not (yet) coded still says "this code fits".
    for seg_id, code, accepted in project.store.suggestion_feedback(codebook):
        if accepted and (seg_id, code) not in seen and seg_id in texts:
            examples.append(Example(texts[seg_id], code))
            seen.add((seg_id, code))
    return examples


def project_suggester(
    project: Project, codebook: str = "danermark", *, embedder: Embedder | None = None
) -> CodeSuggester:
    """A suggester trained on the project's codings; retrained only when they changed."""
    emb = embedder or project_embedder(project)
    key = (str(project.root), codebook, emb.model_id)
    state = (
        project.store.codebook_source_hash(codebook),
        len(project.codebook(codebook).codes),
        *project.store.suggestion_state(codebook),
    )
    with _TRAIN_LOCK:
        trained = _TRAINED.get(key)
        if trained is not None and trained.state == state:
            return trained.suggester
        book = project.codebook(codebook)
        suggester = CodeSuggester(book, EmbeddingCache(emb, project.store))
        suggester.fit(project_examples(project, codebook))
        _TRAINED[key] = _Trained(state, suggester)
        return suggester


def _penalties(
    project: Project, codebook: str, segment_ids: Sequence[int]
) -> list[dict[str, float]]:
    factor = SuggestOptions().rejected_factor
    wanted = set(segment_ids)
    latest: dict[tuple[int, str], bool] = {}
    for seg_id, code, accepted in project.store.suggestion_feedback(codebook):
        if seg_id in wanted:
            latest[(seg_id, code)] = accepted
    out: list[dict[str, float]] = []
    for seg_id in segment_ids:
        out.append({code: factor for (s, code), ok in latest.items() if s == seg_id and not ok})
    return out


def suggest_segments(
    project: Project,
    segment_ids: Sequence[int],
    codebook: str = "danermark",
    top: int = 3,
    *,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
) -> dict[int, list[Suggestion]]:
    """Suggestions for many segments at once (batch encoding, one training)."""
    suggester = project_suggester(project, codebook, embedder=embedder)
    segments = [project.store.segment(i) for i in segment_ids]
    ranked = suggester.suggest(
        [s.text for s in segments],
        top,
        progress=progress,
        penalties=_penalties(project, codebook, segment_ids),
    )
    return {s.id: r for s, r in zip(segments, ranked, strict=True)}


def suggest_for_segment(
    project: Project,
    segment_id: int,
    codebook: str = "danermark",
    top: int = 3,
    *,
    embedder: Embedder | None = None,
) -> list[Suggestion]:
    """The `top` codes for one segment, learned from the project's codings so far."""
    return suggest_segments(project, [segment_id], codebook, top, embedder=embedder)[segment_id]


def record_feedback(
    project: Project, segment_id: int, codebook: str, code: str, accepted: bool, coder: str
) -> None:
    """Remember that a coder accepted or rejected a suggestion; the next suggestions learn it."""
    project.codebook(codebook).code(code)  # a clear NotFoundError for an unknown code
    project.store.add_suggestion_feedback(segment_id, codebook, code, accepted, coder)


_MODERATOR_ROLES = {"moderator", "intervjuare", "samtalsledare", "interviewer", "facilitator"}


def moderator_segment_ids(project: Project) -> set[int]:
    """Segments spoken by the moderator: questions to the group, not material to code."""
    roles = {p.id: p.role.strip().casefold() for p in project.store.participants()}
    speakers = {
        s.id
        for s in project.store.speakers()
        if s.label.strip().casefold() in _MODERATOR_ROLES
        or roles.get(s.participant_id or -1, "") in _MODERATOR_ROLES
    }
    return {s.id for s in project.store.segments() if s.speaker_id in speakers}


def most_uncertain(
    project: Project,
    codebook: str = "danermark",
    *,
    limit: int = 20,
    recording: str | int | None = None,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
) -> list[tuple[int, float]]:
    """Uncoded segments ordered so the first ones teach the model most: (segment id, uncertainty).

    The moderator's turns are left out; short turns ("ja", "mm") come last: they rarely
    carry a code. Within each group, smallest margin first (`uncertain_order`)."""
    suggester = project_suggester(project, codebook, embedder=embedder)
    skip = {c.segment_id for c in project.store.codings(codebook=codebook)}
    skip |= moderator_segment_ids(project)
    segments = [s for s in project.segments(recording) if s.id not in skip and s.text.strip()]
    if not segments:
        return []
    texts = [s.text for s in segments]
    vecs = suggester.cache.embed(texts, progress=progress)
    scores = suggester.uncertainty(texts)
    short: Callable[[str], bool] = lambda t: len(t.split()) < 6  # noqa: E731
    ranked: list[int] = []
    for want_short in (False, True):
        rows = [i for i in range(len(segments)) if short(texts[i]) == want_short]
        if rows:
            picked = uncertain_order(scores[rows], vecs[rows], limit)
            ranked.extend(rows[j] for j in picked)
    return [(segments[i].id, round(float(scores[i]), 4)) for i in ranked[:limit]]
