"""Lexical models for the few-shot suggester: TF-IDF features + logistic regression.

Two kinds. `TextModel` is the blend's own lexical signal: character n-grams, trained on the
codings and on the description clauses, with the blend's example weights. `LexicalMember`
is an optional second opinion averaged with the calibrated blend: a plain balanced TF-IDF
logistic regression on the codings alone (character 3-5-grams, as the bench's baseline 1,
or words and word pairs), which sees wording the embeddings blur.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from qualkit.analysis.valence import SOLVER

Matrix = np.ndarray[Any, Any]

LEXICAL_MEMBERS = ("", "char", "word")


def _vectorizer(kind: str) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    if kind == "word":
        return TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True)
    return TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)


class TextModel:
    """TF-IDF character n-grams + logistic regression: the blend's lexical signal."""

    def __init__(self, texts: Sequence[str], labels: Matrix, weights: Matrix, c: float) -> None:
        from sklearn.linear_model import LogisticRegression

        self.vectorizer = _vectorizer("char")
        features = self.vectorizer.fit_transform(list(texts))
        self.model = LogisticRegression(C=c, max_iter=500, solver=SOLVER).fit(
            features, labels, sample_weight=weights
        )
        self.classes = np.asarray(self.model.classes_)

    def proba(self, texts: Sequence[str]) -> Matrix:
        return np.asarray(self.model.predict_proba(self.vectorizer.transform(list(texts))))


class LexicalMember:
    """A balanced TF-IDF logistic regression on the codings alone, over all `n_codes` codes.

    Codes absent from the codings get a small floor, so the log of its probabilities can be
    averaged with the blend's."""

    def __init__(self, kind: str, texts: Sequence[str], codes: Matrix, n_codes: int) -> None:
        from sklearn.linear_model import LogisticRegression

        self.n_codes = n_codes
        self.vectorizer = _vectorizer(kind)
        features = self.vectorizer.fit_transform(list(texts))
        self.model = LogisticRegression(class_weight="balanced", max_iter=2000, solver=SOLVER).fit(
            features, codes
        )
        self.classes = np.asarray(self.model.classes_, dtype=int)

    def proba(self, texts: Sequence[str]) -> Matrix:
        out = np.full((len(texts), self.n_codes), 1e-6)
        out[:, self.classes] = self.model.predict_proba(self.vectorizer.transform(list(texts)))
        return np.asarray(out / out.sum(axis=1, keepdims=True))
