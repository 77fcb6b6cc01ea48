"""The suggestion models: zero-shot from the codebook, few-shot from the coder's codings.

Zero-shot (zeroshot.py): a passage scores against a code by its closest description clauses
and the whole description, on sentence embeddings corrected for clauses close to everything,
and by character n-grams; both z-scored across the codes and turned into probabilities.

Few-shot: the zero-shot scores are the prior, and two logistic regressions learn from the
codings (one on the embeddings, one on TF-IDF character n-grams), with the description
clauses kept as weak examples. Real coding
is uneven (a few codes take most passages), so every code weighs alike in training and the
blend is divided by each code's share of the codings to a small power: a code coded three
times among a hundred is still suggested for its own passages. The three signals are
blended in log space; once there are enough codings, their weights and that power are
chosen on held-out folds of the coder's own examples (before, a fixed schedule), and the
result is calibrated by one temperature fitted on the same folds.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from qualkit.analysis.calibration import (
    apply_temperature,
    fit_blend_weights,
    fit_code_bias,
    fit_recall_offsets,
    fit_temperature,
    margin_doubt,
)
from qualkit.analysis.embed import EmbeddingCache, FloatArray, Progress
from qualkit.analysis.lexical import LEXICAL_MEMBERS, LexicalMember, TextModel
from qualkit.analysis.profiles import (
    Example,
    Suggestion,
    SuggestOptions,
    softmax,
    suggestable_codes,
)
from qualkit.analysis.valence import SOLVER, ValenceModel
from qualkit.analysis.zeroshot import zero_shot_scores
from qualkit.errors import InputError
from qualkit.model import Codebook

Matrix = np.ndarray[Any, Any]

# Rare-code boosts tried when the boost is fitted with the blend weights.
BOOSTS = (0.0, 0.15, 0.3, 0.45, 0.6)


@dataclass
class _Learned:
    """The two few-shot models and the rare-code correction, fitted on one set of examples."""

    embedding: Any
    embedding_classes: Matrix
    text: TextModel
    log_share: Matrix  # log of each code's (smoothed) share of the examples
    lexical: LexicalMember | None = None  # the optional second lexical opinion


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
        self._clause_texts = [c for p in self.profiles for c in p.clauses]
        self._clause_owner = np.array(
            [i for i, p in enumerate(self.profiles) for _ in p.clauses], dtype=int
        )
        self._clause_vecs = cache.embed(self._clause_texts)
        self._full_vecs = cache.embed([p.full_text for p in self.profiles])
        self._learned: _Learned | None = None
        self.n_examples = 0
        self.temperature = 1.0  # fitted on held-out folds; 1.0 means not calibrated
        self.code_bias: Matrix | None = None  # per-code log offsets, fitted the same way
        # Set only by the variants in SuggestOptions (fit_blend_weights, lexical_member,
        # recall_offsets), fitted on the same held-out folds as the temperature.
        self.fitted_weights: tuple[float, ...] | None = None
        self.fitted_rare_boost: float | None = None
        self.lexical_temperature = 1.0
        self.ensemble_temperature = 1.0
        # The calibrated held-out predictions and their codes, kept so that the recall
        # offsets (a coordinate search, 5-10x the cost of `code_bias`) are fitted only
        # when they are read, not on every refit of an option that is off by default.
        self._held_out: tuple[Matrix, list[int]] | None = None
        self._recall_offsets: Matrix | None = None
        self._valence = ValenceModel(self.profiles, cache)

    # ----------------------------------------------------------------- training
    def fit(self, examples: Sequence[Example]) -> CodeSuggester:
        """Learn from coded passages (codes outside this codebook's leaves are ignored)."""
        usable = [e for e in examples if e.code in self._index and e.text.strip()]
        self.n_examples = len(usable)
        self._learned = None
        self.temperature = 1.0
        self.code_bias = None
        self.fitted_weights = None
        self.fitted_rare_boost = None
        self.lexical_temperature = self.ensemble_temperature = 1.0
        self._held_out = self._recall_offsets = None
        if usable and self.keys:
            vecs = self.cache.embed([e.text for e in usable])
            self._learned = self._train(usable, vecs)
            if self._learned is not None:
                self.temperature = self._calibrate(usable, vecs)
        self._valence.fit(usable)
        return self

    def _train(self, examples: Sequence[Example], vecs: FloatArray) -> _Learned | None:
        from sklearn.linear_model import LogisticRegression

        o = self.options
        codes = np.array([self._index[e.code] for e in examples], dtype=int)
        counts = np.bincount(codes, minlength=len(self.keys)).astype(float)
        given = np.array([e.weight for e in examples], dtype=float)
        if o.balanced:
            # Every code used weighs as much in training as any other, whatever its count.
            used = int((counts > 0).sum())
            given = given * len(examples) / (used * counts[codes])
        y = np.concatenate([self._clause_owner, codes])
        if len(set(y.tolist())) < 2:
            return None
        w = np.concatenate([np.full(len(self._clause_owner), o.clause_weight), given])
        x = np.vstack([self._clause_vecs, vecs])
        embedding = LogisticRegression(C=o.regularisation, max_iter=500, solver=SOLVER).fit(
            x, y, sample_weight=w
        )
        text = TextModel(self._clause_texts + [e.text for e in examples], y, w, o.regularisation)
        share = (counts + 1.0) / (counts.sum() + len(self.keys))
        lexical = None
        if o.lexical_member not in LEXICAL_MEMBERS:
            raise InputError(f"lexical_member must be one of {LEXICAL_MEMBERS}.")
        if o.lexical_member and len(set(codes.tolist())) >= 2:
            texts = [e.text for e in examples]
            lexical = LexicalMember(o.lexical_member, texts, codes, len(self.keys))
        return _Learned(embedding, np.asarray(embedding.classes_), text, np.log(share), lexical)

    def _calibrate(self, examples: Sequence[Example], vecs: FloatArray) -> float:
        """One temperature from predictions on examples each fold's models did not see."""
        from sklearn.model_selection import StratifiedKFold

        o = self.options
        codes = [e.code for e in examples]
        if o.calibration_folds < 2 or len(examples) < o.calibration_min_examples:
            return 1.0
        if max(codes.count(c) for c in set(codes)) < o.calibration_folds:
            return 1.0
        n, k = len(examples), len(self.keys)
        stacked = o.fit_blend_weights and bool(o.lexical_member)
        members = [np.zeros((n, k)) for _ in range(4 if stacked else 3)]
        shares = np.zeros((n, k))
        schedule = np.zeros((n, 3))
        lexical = np.full((n, k), 1.0 / k)
        folds = StratifiedKFold(o.calibration_folds, shuffle=True, random_state=0)
        with warnings.catch_warnings():
            # Codes with fewer examples than folds are fine here: they are simply absent
            # from some training folds, as they would be for a coder early on.
            warnings.simplefilter("ignore", UserWarning)
            splits = list(folds.split(np.zeros(len(codes)), codes))
        for train, test in splits:
            learned = self._train([examples[i] for i in train], vecs[train])
            if learned is None:
                return 1.0
            texts = [examples[i].text for i in test]
            for held, part in zip(members, self._members(texts, vecs[test], learned), strict=False):
                held[test] = part
            shares[test] = learned.log_share
            schedule[test] = self.blend_weights(len(train))
            if learned.lexical is not None:
                lexical[test] = learned.lexical.proba(texts)
        truth = [self._index[c] for c in codes]
        boost = o.rare_boost
        if stacked:
            members[3] = np.log(lexical)
        if o.fit_blend_weights:
            boosts = BOOSTS if o.fit_rare_boost else (o.rare_boost,)
            weights, boost = fit_blend_weights(members, shares, truth, boosts)
            self.fitted_weights, self.fitted_rare_boost = weights, boost
            held_out = softmax(
                sum(w * m for w, m in zip(weights, members, strict=True)) - boost * shares
            )
        else:
            held_out = softmax(
                sum(schedule[:, [m]] * members[m] for m in range(3)) - boost * shares
            )
        temperature = fit_temperature(held_out, truth)
        scaled = apply_temperature(held_out, temperature)
        if o.lexical_member and not stacked:
            self.lexical_temperature = fit_temperature(lexical, truth)
            joint = self._joint(scaled, apply_temperature(lexical, self.lexical_temperature))
            self.ensemble_temperature = fit_temperature(joint, truth)
            scaled = apply_temperature(joint, self.ensemble_temperature)
        # On the same held-out predictions: offsets so that no code is under-ranked on
        # passages the models did not train on (rare codes, or ones worded like a larger
        # one), fitting the probabilities (`code_bias`) or the decisions (`recall_offsets`).
        # Applied only when asked: `recall_offsets` is on by default (adopted on the holdout
        # passages, BENCHMARKS.md), `code_bias` off. `code_bias` is fitted here (cheap), the
        # recall offsets when first read.
        self.code_bias = fit_code_bias(scaled, truth)
        self._held_out = (scaled, truth)
        return temperature

    @property
    def recall_offsets(self) -> Matrix | None:
        """Per-code offsets that even out recall on the held-out folds (None before a
        calibrated fit); fitted on first use from the predictions `fit` kept."""
        if self._recall_offsets is None and self._held_out is not None:
            scaled, truth = self._held_out
            self._recall_offsets = fit_recall_offsets(scaled, truth)
        return self._recall_offsets

    @staticmethod
    def _joint(blend: Matrix, lexical: Matrix) -> Matrix:
        """The calibrated blend and the lexical member, averaged in log space."""
        logs = np.log(np.clip(blend, 1e-12, 1.0)) + np.log(np.clip(lexical, 1e-12, 1.0))
        return softmax(0.5 * logs)

    def _labelled_clauses(self) -> FloatArray:
        """Each description clause embedded with its code's label in front ("label: clause")."""
        texts = [
            c if c == self.profiles[j].label else f"{self.profiles[j].label}: {c}"
            for c, j in zip(self._clause_texts, self._clause_owner, strict=True)
        ]
        return self.cache.embed(texts)

    def code_vectors(self) -> FloatArray:
        """One vector per code (label and description), in the order of `keys`."""
        return self._full_vecs

    # --------------------------------------------------------------- prediction
    def zero_shot(self, texts: Sequence[str], vecs: FloatArray) -> Matrix:
        """Probabilities over codes from the codebook text alone; the prior of the blend."""
        if not len(texts) or not self.keys:
            return np.full((len(texts), len(self.keys)), 1.0 / max(1, len(self.keys)))
        score = zero_shot_scores(
            texts,
            vecs,
            self._clause_texts,
            self._labelled_clauses() if self.options.zero_shot.label_clauses else self._clause_vecs,
            self._clause_owner,
            [p.full_text for p in self.profiles],
            self._full_vecs,
            self.options.zero_shot,
        )
        return softmax(self.options.sharpness * score)

    def _spread(self, proba: Matrix, classes: Matrix) -> Matrix:
        out = np.full((len(proba), len(self.keys)), 1e-6)
        out[:, classes] = proba
        return np.asarray(out / out.sum(axis=1, keepdims=True))

    def _members(self, texts: Sequence[str], vecs: FloatArray, learned: _Learned) -> list[Matrix]:
        """Log probabilities of the zero-shot prior, the embedding and the TF-IDF model (and
        the lexical member, when the blend weights are fitted and one is asked for)."""
        p = self.zero_shot(texts, vecs)
        pe = self._spread(learned.embedding.predict_proba(vecs), learned.embedding_classes)
        pt = self._spread(learned.text.proba(texts), learned.text.classes)
        out = [np.log(p + 1e-9), np.log(pe), np.log(pt)]
        if self._stacked and learned.lexical is not None:
            out.append(np.log(learned.lexical.proba(texts)))
        return out

    @property
    def _stacked(self) -> bool:
        """The lexical member is one of the blend's members (its weight fitted with theirs)."""
        return self.options.fit_blend_weights and bool(self.options.lexical_member)

    def _blend(
        self, texts: Sequence[str], vecs: FloatArray, learned: _Learned, n_examples: int
    ) -> Matrix:
        members = self._members(texts, vecs, learned)
        weights: Sequence[float] = self.fitted_weights or self.blend_weights(n_examples)
        boost = (
            self.options.rare_boost if self.fitted_rare_boost is None else self.fitted_rare_boost
        )
        # Fitted weights for four members but too few examples to fit them: no member four.
        log = sum(w * m for w, m in zip(weights, members, strict=False))
        return softmax(log - boost * learned.log_share)

    def predict_proba(self, texts: Sequence[str], vecs: FloatArray | None = None) -> Matrix:
        """(len(texts), len(self.keys)) probabilities, calibrated once codings allow."""
        if vecs is None:
            vecs = self.cache.embed(texts)
        if self._learned is not None and len(texts):
            learned = self._learned
            blended = self._blend(texts, vecs, learned, self.n_examples)
            scaled = apply_temperature(blended, self.temperature)
            if learned.lexical is not None and not self._stacked:
                lexical = apply_temperature(learned.lexical.proba(texts), self.lexical_temperature)
                scaled = apply_temperature(self._joint(scaled, lexical), self.ensemble_temperature)
            offsets = self.recall_offsets if self.options.recall_offsets else None
            if offsets is None and self.options.code_bias:
                offsets = self.code_bias
            if offsets is None:
                return scaled
            return softmax(np.log(np.clip(scaled, 1e-12, 1.0)) + offsets)
        return self.zero_shot(texts, vecs)

    def blend_weights(self, n_examples: int | None = None) -> tuple[float, float, float]:
        """(zero-shot, embedding model, TF-IDF model) weights for this many examples."""
        o = self.options
        count = self.n_examples if n_examples is None else n_examples
        per_code = count / max(1, len(self.keys))
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
            unsure = bool(row[order[0]] < self.options.uncertain_below)
            out.append(
                [
                    Suggestion(
                        code=self.keys[j],
                        score=round(float(row[j]), 4),
                        valence=valence,
                        valence_score=round(vscore, 4),
                        label=self.profiles[j].label,
                        learned=self._learned is not None,
                        uncertain=unsure,
                    )
                    for j in order
                ]
            )
        return out

    def uncertainty(self, texts: Sequence[str]) -> Matrix:
        """How much the coder's answer on each passage would teach (`margin_doubt`)."""
        if len(self.keys) < 2 or not len(texts):
            return np.zeros(len(texts))
        return margin_doubt(self.predict_proba(texts))


def uncertain_order(
    doubt: Matrix, vecs: FloatArray, limit: int | None = None, sharpness: float | None = None
) -> list[int]:
    """Rows ordered for coding next: most doubtful (smallest margin) first.

    With `sharpness`, each of the first `limit` picks also lowers the doubt of the passages
    like it (by its cosine to the pick to that power), so a batch is not ten of one kind.
    Plain margin is the default: over 5 held-out folds of three development sets the
    spread-out order's learning curves were not better (bench/suggest_coder.py)."""
    if sharpness is None:
        return [int(i) for i in np.argsort(-np.asarray(doubt, dtype=float), kind="stable")]
    left = np.asarray(doubt, dtype=float).copy()
    taken = np.zeros(len(left), dtype=bool)
    order: list[int] = []
    for _ in range(len(left) if limit is None else min(limit, len(left))):
        j = int(np.argmax(np.where(taken, -np.inf, left)))
        order.append(j)
        taken[j] = True
        closeness = np.clip(vecs @ vecs[j], 0.0, 1.0)
        left = left * (1.0 - closeness**sharpness)
    rest = np.flatnonzero(~taken)
    return order + [int(i) for i in rest[np.argsort(-np.asarray(doubt)[rest], kind="stable")]]
