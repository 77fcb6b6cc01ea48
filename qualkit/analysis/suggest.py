"""Code suggestions for passages: zero-shot from the codebook, few-shot from the codings.

Zero-shot: each code's label and description are cut into short clauses; a passage scores
against a code by the mean of its three closest clauses plus the whole description (cosine
on sentence embeddings), z-scored across the codes and turned into probabilities, then
blended with a TF-IDF character n-gram model trained on the same clauses.

Few-shot: as soon as passages are coded, two logistic regressions learn from them (one on
the embeddings, one on TF-IDF character n-grams); the description clauses stay in the
training set as weak examples, so a code nobody has used yet is still suggested. The three
signals are blended in log space. Retraining takes well under a second on cached
embeddings, so the project API retrains whenever codings or feedback change.

Valence (främjande / hindrande / förslag) is suggested per passage: proposal wording
("borde", "skulle behöva" ...) marks förslag; otherwise the passage is compared with the
codebook's own främjande and hindrande clauses, and with the coder's examples once there are
some.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from qualkit.analysis.embed import (
    META_MODEL,
    Embedder,
    EmbeddingCache,
    FloatArray,
    Progress,
    get_embedder,
)
from qualkit.errors import InputError
from qualkit.model import Codebook, Valence

if TYPE_CHECKING:
    from qualkit.project import Project
    from qualkit.store import Store

# Same optimum as lbfgs (the loss is convex) but 5-40x faster on these small, wide problems.
_SOLVER = "newton-cg"

SUGGESTED_VALENCES = (Valence.PROMOTING, Valence.HINDERING, Valence.PROPOSAL)

# Wording that marks a proposal for change in Swedish speech. Matched on whole words.
_PROPOSAL_CUES = re.compile(
    r"\b(borde|bör|skulle (?:behöva|vilja|kunna|önska)|vore (?:bra|bättre|önskvärt)"
    r"|önskar|önskvärt|föreslår|förslag(?:et)?|behöver vi|vi måste|man måste|låt oss"
    r"|ta fram|inför(?:a)?|jag vill att)\b",
    re.IGNORECASE,
)
# Neutral stand-ins when a codebook has no främjande/hindrande clauses to learn from.
_GENERIC_VALENCE = {
    Valence.PROMOTING: (
        "Det fungerar bra och hjälper samarbetet.",
        "Vi har något som fungerar och gör det lättare.",
    ),
    Valence.HINDERING: (
        "Det fungerar inte och är ett hinder för samarbetet.",
        "Det saknas och gör det svårare, det är ett problem.",
    ),
}


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A code proposed for a passage, best first in any list."""

    code: str
    score: float
    valence: Valence | None = None
    valence_score: float = 0.0
    label: str = ""
    learned: bool = False  # True once the coder's own codings shaped the score


@dataclass(frozen=True, slots=True)
class Example:
    """A coded passage to learn from."""

    text: str
    code: str
    valence: Valence | None = None
    weight: float = 1.0


@dataclass(frozen=True, slots=True)
class SuggestOptions:
    """Blend weights and model settings; the defaults are the measured ones (bench/suggest.py)."""

    # Before anything is coded: embeddings vs TF-IDF on the description clauses.
    zero_shot_tfidf_weight: float = 0.4
    # Once passages are coded: the zero-shot prior, then the two learned models. The prior
    # counts most with a couple of examples per code and fades towards the "many" weights
    # at `many_per_code` examples per code (measured: bench/suggest.py).
    zero_shot_weight: float = 0.3
    embedding_weight: float = 0.4
    tfidf_weight: float = 0.3
    zero_shot_weight_many: float = 0.15
    embedding_weight_many: float = 0.45
    tfidf_weight_many: float = 0.4
    many_per_code: float = 10.0
    sharpness: float = 2.0  # applied to z-scores before the softmax
    clause_top: int = 3
    clause_weight: float = 0.5  # a description clause counts half a coded example
    regularisation: float = 10.0  # logistic regression C
    rejected_factor: float = 0.25  # a rejected suggestion keeps this share of its score


@dataclass(frozen=True, slots=True)
class CodeProfile:
    """What the zero-shot model knows of a code: its label and description clauses."""

    key: str
    label: str
    full_text: str
    clauses: tuple[str, ...]
    clause_valence: tuple[Valence | None, ...]


_CLAUSE_SPLIT = re.compile(r"(?<=[.!?:;])\s+|,\s+")
_MARKERS = {
    "främjande": Valence.PROMOTING,
    "hindrande": Valence.HINDERING,
    "förslag": Valence.PROPOSAL,
}


def code_profile(key: str, label: str, description: str) -> CodeProfile:
    """Cut a description into clauses, noting which ones follow 'Främjande:' or 'Hindrande:'."""
    clauses: list[str] = [label]
    valences: list[Valence | None] = [None]
    current: Valence | None = None
    for part in _CLAUSE_SPLIT.split(description):
        piece = part.strip().strip(".;")
        marker = piece.rstrip(":").strip().casefold()
        if marker in _MARKERS:
            current = _MARKERS[marker]
            continue
        for prefix, valence in _MARKERS.items():
            if piece.casefold().startswith(prefix + ":"):
                current = valence
                piece = piece[len(prefix) + 1 :].strip()
        if len(piece.split()) < 2:
            continue
        clauses.append(piece)
        valences.append(current)
    full = f"{label}. {description}".strip() if description else label
    return CodeProfile(key, label, full, tuple(clauses), tuple(valences))


def suggestable_codes(book: Codebook) -> list[CodeProfile]:
    """Leaf codes (a parent with children is a heading, not a code one applies)."""
    parents = {c.parent for c in book.codes if c.parent}
    return [
        code_profile(c.key, c.label_sv, c.description) for c in book.codes if c.key not in parents
    ]


def _softmax(z: np.ndarray[Any, Any], axis: int = 1) -> np.ndarray[Any, Any]:
    z = z - z.max(axis=axis, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=axis, keepdims=True))


def _zscore(s: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    if s.shape[1] < 2:
        return np.zeros_like(s)
    sd = s.std(axis=1, keepdims=True)
    sd[sd < 1e-9] = 1.0
    return np.asarray((s - s.mean(axis=1, keepdims=True)) / sd)


class _TextModel:
    """TF-IDF character n-grams + logistic regression: the lexical few-shot signal."""

    def __init__(self, texts: Sequence[str], labels: np.ndarray[Any, Any], weights: Any, c: float):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        self.vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, lowercase=True
        )
        features = self.vectorizer.fit_transform(list(texts))
        self.model = LogisticRegression(C=c, max_iter=500, solver=_SOLVER).fit(
            features, labels, sample_weight=weights
        )

    def proba(self, texts: Sequence[str]) -> np.ndarray[Any, Any]:
        return np.asarray(self.model.predict_proba(self.vectorizer.transform(list(texts))))


class CodeSuggester:
    """Ranks a codebook's codes for passages; `fit` with coded examples to learn."""

    def __init__(
        self,
        book: Codebook,
        cache: EmbeddingCache,
        options: SuggestOptions | None = None,
    ) -> None:
        self.book = book
        self.cache = cache
        self.options = options or SuggestOptions()
        self.profiles = suggestable_codes(book)
        self.keys = [p.key for p in self.profiles]
        self._index = {k: i for i, k in enumerate(self.keys)}
        clauses = [c for p in self.profiles for c in p.clauses]
        self._clause_owner = np.array(
            [i for i, p in enumerate(self.profiles) for _ in p.clauses], dtype=int
        )
        self._clause_texts = clauses
        self._clause_vecs = cache.embed(clauses)
        self._full_vecs = cache.embed([p.full_text for p in self.profiles])
        self._emb_model: Any = None
        self._text_model: _TextModel | None = None
        self._model_classes: np.ndarray[Any, Any] = np.zeros(0, dtype=int)
        self._text_classes: np.ndarray[Any, Any] = np.zeros(0, dtype=int)
        self.n_examples = 0
        self._valence = _ValenceModel(self)

    # ----------------------------------------------------------------- training
    def fit(self, examples: Sequence[Example]) -> CodeSuggester:
        """Learn from coded passages (codes outside this codebook's leaves are ignored)."""
        from sklearn.linear_model import LogisticRegression

        usable = [e for e in examples if e.code in self._index and e.text.strip()]
        self.n_examples = len(usable)
        self._emb_model = None
        self._text_model = None
        if len(set(self._clause_owner.tolist())) >= 2:
            # Zero-shot lexical signal: the clauses alone, so shared wording counts too.
            self._text_model = _TextModel(
                self._clause_texts,
                self._clause_owner,
                np.ones(len(self._clause_owner)),
                self.options.regularisation,
            )
            self._text_classes = np.asarray(self._text_model.model.classes_)
        if usable and self.keys:
            ex_vecs = self.cache.embed([e.text for e in usable])
            x = np.vstack([self._clause_vecs, ex_vecs])
            y = np.concatenate([self._clause_owner, [self._index[e.code] for e in usable]])
            w = np.concatenate(
                [
                    np.full(len(self._clause_owner), self.options.clause_weight),
                    [e.weight for e in usable],
                ]
            )
            if len(set(y.tolist())) >= 2:
                self._emb_model = LogisticRegression(
                    C=self.options.regularisation, max_iter=500, solver=_SOLVER
                ).fit(x, y, sample_weight=w)
                self._model_classes = np.asarray(self._emb_model.classes_)
                texts = self._clause_texts + [e.text for e in usable]
                self._text_model = _TextModel(texts, y, w, self.options.regularisation)
                self._text_classes = np.asarray(self._text_model.model.classes_)
        self._valence.fit(usable)
        return self

    def code_vectors(self) -> FloatArray:
        """One vector per code (label and description), in the order of `keys`."""
        return self._full_vecs

    # --------------------------------------------------------------- prediction
    def zero_shot(self, vecs: FloatArray) -> np.ndarray[Any, Any]:
        """Probabilities over codes from the codebook text alone."""
        n, k = len(vecs), len(self.keys)
        if k == 0:
            return np.zeros((n, 0))
        sims = vecs @ self._clause_vecs.T
        top = np.empty((n, k))
        for j in range(k):
            own = np.sort(sims[:, self._clause_owner == j], axis=1)
            top[:, j] = own[:, -self.options.clause_top :].mean(axis=1)
        score = (top + vecs @ self._full_vecs.T) / 2
        return _softmax(self.options.sharpness * _zscore(score))

    def _spread(self, proba: np.ndarray[Any, Any], classes: np.ndarray[Any, Any]) -> Any:
        out = np.full((len(proba), len(self.keys)), 1e-6)
        out[:, classes] = proba
        return out / out.sum(axis=1, keepdims=True)

    def predict_proba(
        self, texts: Sequence[str], vecs: FloatArray | None = None
    ) -> np.ndarray[Any, Any]:
        """(len(texts), len(self.keys)) probabilities."""
        if vecs is None:
            vecs = self.cache.embed(texts)
        p = self.zero_shot(vecs)
        if self._text_model is None or not len(texts):
            return p
        o = self.options
        pt = self._spread(self._text_model.proba(texts), self._text_classes)
        if self._emb_model is None:
            a = o.zero_shot_tfidf_weight
            return _softmax((1 - a) * np.log(p + 1e-9) + a * np.log(pt))
        pe = self._spread(self._emb_model.predict_proba(vecs), self._model_classes)
        wz, we, wt = self.blend_weights()
        log = wz * np.log(p + 1e-9) + we * np.log(pe) + wt * np.log(pt)
        return _softmax(log)

    def blend_weights(self) -> tuple[float, float, float]:
        """(zero-shot, embedding model, TF-IDF model) weights for the current examples."""
        o = self.options
        per_code = self.n_examples / max(1, len(self.keys))
        t = float(np.clip((per_code - 2.0) / max(1e-9, o.many_per_code - 2.0), 0.0, 1.0))
        return (
            o.zero_shot_weight + t * (o.zero_shot_weight_many - o.zero_shot_weight),
            o.embedding_weight + t * (o.embedding_weight_many - o.embedding_weight),
            o.tfidf_weight + t * (o.tfidf_weight_many - o.tfidf_weight),
        )

    def suggest(
        self,
        texts: Sequence[str],
        top: int = 3,
        *,
        progress: Progress | None = None,
        penalties: Sequence[dict[str, float]] | None = None,
    ) -> list[list[Suggestion]]:
        """The `top` codes for each text, best first. `penalties` scale scores per text."""
        if top < 1:
            raise InputError("--top must be 1 or more.")
        if not self.keys:
            return [[] for _ in texts]
        vecs = self.cache.embed(texts, progress=progress)
        proba = self.predict_proba(texts, vecs)
        valences = self._valence.predict(texts, vecs)
        out: list[list[Suggestion]] = []
        for i, row in enumerate(proba):
            row = row.copy()
            if penalties is not None:
                for key, factor in penalties[i].items():
                    if key in self._index:
                        row[self._index[key]] *= factor
            order = np.argsort(-row, kind="stable")[:top]
            valence, vscore = valences[i]
            out.append(
                [
                    Suggestion(
                        code=self.keys[j],
                        score=round(float(row[j]), 4),
                        valence=valence,
                        valence_score=round(vscore, 4),
                        label=self.profiles[j].label,
                        learned=self._emb_model is not None,
                    )
                    for j in order
                ]
            )
        return out

    def uncertainty(self, texts: Sequence[str]) -> np.ndarray[Any, Any]:
        """1 - (best - second best probability): high means the coder's answer teaches most."""
        if len(self.keys) < 2 or not len(texts):
            return np.zeros(len(texts))
        proba = np.sort(self.predict_proba(texts), axis=1)
        return np.asarray(1.0 - (proba[:, -1] - proba[:, -2]))


class _ValenceModel:
    """Främjande / hindrande / förslag for a passage."""

    def __init__(self, owner: CodeSuggester) -> None:
        self.cache = owner.cache
        protos: dict[Valence, list[str]] = {Valence.PROMOTING: [], Valence.HINDERING: []}
        for profile in owner.profiles:
            for clause, valence in zip(profile.clauses, profile.clause_valence, strict=True):
                if valence in protos:
                    protos[valence].append(clause)
        for valence, generic in _GENERIC_VALENCE.items():
            if len(protos[valence]) < 2:
                protos[valence].extend(generic)
        self._proto = {v: self.cache.embed(t) for v, t in protos.items()}
        self._model: Any = None
        self._classes: list[Valence] = []

    def fit(self, examples: Sequence[Example]) -> None:
        from sklearn.linear_model import LogisticRegression

        labelled = [e for e in examples if e.valence in SUGGESTED_VALENCES]
        classes = sorted({e.valence for e in labelled if e.valence is not None})
        self._model = None
        if len(labelled) >= 6 and len(classes) >= 2:
            x = self.cache.embed([e.text for e in labelled])
            y = [SUGGESTED_VALENCES.index(e.valence) for e in labelled if e.valence]
            self._model = LogisticRegression(C=10.0, max_iter=500, solver=_SOLVER).fit(x, y)
            self._classes = [SUGGESTED_VALENCES[int(c)] for c in self._model.classes_]

    def predict(self, texts: Sequence[str], vecs: FloatArray) -> list[tuple[Valence | None, float]]:
        if not len(texts):
            return []
        # Zero-shot: proposal wording, else the closer of the främjande/hindrande clauses.
        sims = np.stack(
            [
                np.sort(vecs @ self._proto[v].T, axis=1)[:, -3:].mean(axis=1)
                for v in (Valence.PROMOTING, Valence.HINDERING)
            ],
            axis=1,
        )
        two = _softmax(40.0 * (sims - sims.mean(axis=1, keepdims=True)))
        prior = np.zeros((len(texts), 3))
        for i, text in enumerate(texts):
            if _PROPOSAL_CUES.search(text):
                prior[i] = (0.1, 0.1, 0.8)
            else:
                prior[i, :2] = 0.9 * two[i]
                prior[i, 2] = 0.1
        proba = prior
        if self._model is not None:
            learned = np.full((len(texts), 3), 1e-6)
            learned[:, [SUGGESTED_VALENCES.index(c) for c in self._classes]] = (
                self._model.predict_proba(vecs)
            )
            proba = _softmax(0.4 * np.log(prior + 1e-6) + 0.6 * np.log(learned))
        out: list[tuple[Valence | None, float]] = []
        for row in proba:
            j = int(np.argmax(row))
            out.append((SUGGESTED_VALENCES[j], float(row[j])))
        return out


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
    carry a code."""
    suggester = project_suggester(project, codebook, embedder=embedder)
    skip = {c.segment_id for c in project.store.codings(codebook=codebook)}
    skip |= moderator_segment_ids(project)
    segments = [s for s in project.segments(recording) if s.id not in skip and s.text.strip()]
    if not segments:
        return []
    texts = [s.text for s in segments]
    suggester.cache.embed(texts, progress=progress)
    scores = suggester.uncertainty(texts)
    short: Callable[[str], bool] = lambda t: len(t.split()) < 6  # noqa: E731
    ranked = sorted(
        range(len(segments)),
        key=lambda i: (short(texts[i]), -float(scores[i]), segments[i].id),
    )
    return [(segments[i].id, round(float(scores[i]), 4)) for i in ranked[:limit]]
