"""Candidate categories: passages grouped by meaning, labelled, and related to the codebook.

Embeddings are reduced with PCA and grouped by co-association (coassociation.py): passages
k-means puts together in most of 40 runs on seeded subsamples form a group, and groups
below a minimum size are left outside. A small corpus (one interview) gets a small minimum
group size. PCA + HDBSCAN, the previous method, stays available (`method="hdbscan"`) for
the benchmark: it moved more under resampling on every set measured. Each group is
labelled with its most distinctive words (class-based TF-IDF; Swedish and English stopwords
from the stopwordsiso package and words found in most passages never appear in labels), its
most central passages, and the nearest existing code.
The same seed always gives the same proposals; `stability` measures how much they move when
the material is resampled, and `proposal_stability` says for each proposal whether it comes
back when a fifth of the passages is left out (on real report passages most do not: they
are hints, not findings; see BENCHMARKS.md).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from qualkit.analysis.cluster_labels import keywords_for, named_words
from qualkit.analysis.cluster_labels import stopwords as stopwords
from qualkit.analysis.coassociation import coassociation_labels
from qualkit.analysis.embed import Embedder, FloatArray, Progress
from qualkit.analysis.suggest import moderator_segment_ids, project_suggester
from qualkit.errors import InputError
from qualkit.model import Code
from qualkit.project import Project
from qualkit.redaction import Redactor


@dataclass(frozen=True, slots=True)
class ClusterProposal:
    """A group of passages that might deserve a code of its own."""

    id: int
    keywords: tuple[str, ...]
    size: int
    segment_ids: tuple[int, ...]
    representative_ids: tuple[int, ...]
    nearest_code: str | None
    nearest_score: float


@dataclass(frozen=True, slots=True)
class ClusterOptions:
    min_size: int | None = None  # None: chosen from the corpus size
    components: int = 10  # PCA dimensions before co-association grouping (HDBSCAN: 15)
    method: str = "coassociation"  # or "hdbscan", the previous method
    keywords: int = 6
    representatives: int = 3
    min_words: int = 5  # shorter turns ("ja", "precis så") carry no theme
    common_share: float = 0.4  # a word in more passages than this is no label


def auto_min_size(n: int) -> int:
    """About 3% of the passages, at least 3: a theme raised a few times in one interview."""
    return max(3, min(15, round(n * 0.03)))


METHODS = ("coassociation", "hdbscan")


def cluster_vectors(
    vecs: FloatArray,
    min_size: int,
    seed: int = 0,
    components: int = 10,
    method: str = "coassociation",
) -> Any:
    """Labels per row; -1 marks an outlier. Deterministic for a given seed."""
    if method not in METHODS:
        raise InputError(f"Unknown clustering method {method!r}; use one of {', '.join(METHODS)}.")
    if method == "coassociation":
        return _canonical(coassociation_labels(vecs, min_size, seed, components=components))
    return hdbscan_labels(vecs, min_size, seed)


def hdbscan_labels(vecs: FloatArray, min_size: int, seed: int = 0, components: int = 15) -> Any:
    """The previous method: exact PCA, then HDBSCAN with excess-of-mass selection."""
    from sklearn.cluster import HDBSCAN
    from sklearn.decomposition import PCA

    n = len(vecs)
    if n < max(2 * min_size, 3):
        return np.full(n, -1, dtype=int)
    k = max(2, min(components, n - 1, vecs.shape[1]))
    # Exact PCA: randomised PCA moved HDBSCAN's groups between seeds (ARI 0.69 measured).
    reduced = PCA(n_components=k, svd_solver="full", random_state=seed).fit_transform(
        vecs.astype(np.float64)
    )
    reduced /= np.linalg.norm(reduced, axis=1, keepdims=True) + 1e-12
    labels = HDBSCAN(
        min_cluster_size=min_size,
        min_samples=max(2, min_size // 2),
        # "eom" keeps a theme whole; "leaf" cut four clear synthetic themes into six and
        # moved the cuts between subsamples (ARI 0.75 against 1.0).
        cluster_selection_method="eom",
        copy=True,
    ).fit_predict(reduced)
    return _canonical(np.asarray(labels, dtype=int))


def _canonical(labels: Any) -> Any:
    """Renumber groups by size (largest first), ties by first member: stable ids."""
    groups = [g for g in set(labels.tolist()) if g >= 0]
    first = {g: int(np.argmax(labels == g)) for g in groups}
    order = sorted(groups, key=lambda g: (-int((labels == g).sum()), first[g]))
    out = np.full(len(labels), -1, dtype=int)
    for new, old in enumerate(order):
        out[labels == old] = new
    return out


def propose_from_vectors(
    ids: Sequence[int],
    texts: Sequence[str],
    vecs: FloatArray,
    code_keys: Sequence[str] = (),
    code_vecs: FloatArray | None = None,
    *,
    seed: int = 0,
    options: ClusterOptions | None = None,
    names: Collection[str] = (),
) -> list[ClusterProposal]:
    """Proposals for any passages (ids are the caller's); the core of `propose_categories`.
    `names`: words (casefolded) that are names in this material and never label a group."""
    opts = options or ClusterOptions()
    if len(ids) != len(texts) or len(texts) != len(vecs):
        raise InputError("ids, texts and vectors must have the same length.")
    min_size = opts.min_size or auto_min_size(len(ids))
    labels = cluster_vectors(vecs, min_size, seed, opts.components, opts.method)
    words = keywords_for(texts, labels, opts.keywords, opts.common_share, names=names)
    proposals: list[ClusterProposal] = []
    for g in sorted(words):
        members = np.flatnonzero(labels == g)
        centroid = vecs[members].mean(axis=0)
        centroid /= np.linalg.norm(centroid) + 1e-12
        closeness = vecs[members] @ centroid
        central = members[np.argsort(-closeness, kind="stable")[: opts.representatives]]
        nearest, score = None, 0.0
        if code_vecs is not None and len(code_keys):
            sims = code_vecs @ centroid
            j = int(np.argmax(sims))
            nearest, score = code_keys[j], round(float(sims[j]), 4)
        proposals.append(
            ClusterProposal(
                id=g + 1,
                keywords=words[g],
                size=len(members),
                segment_ids=tuple(int(ids[int(i)]) for i in members),
                representative_ids=tuple(int(ids[int(i)]) for i in central),
                nearest_code=nearest,
                nearest_score=score,
            )
        )
    return proposals


def _material(
    project: Project, codebook: str, uncoded_only: bool, opts: ClusterOptions
) -> tuple[list[int], list[str]]:
    coded = {c.segment_id for c in project.store.codings(codebook=codebook)}
    moderator = moderator_segment_ids(project)
    chosen = [
        s
        for s in project.segments()
        if len(s.text.split()) >= opts.min_words
        and s.id not in moderator
        and not (uncoded_only and s.id in coded)
    ]
    return [s.id for s in chosen], [s.text for s in chosen]


def propose_categories(
    project: Project,
    codebook: str = "danermark",
    uncoded_only: bool = True,
    seed: int = 0,
    *,
    min_size: int | None = None,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
) -> list[ClusterProposal]:
    """Groups of (uncoded) passages that may be categories the codebook lacks, largest first."""
    opts = ClusterOptions(min_size=min_size)
    suggester = project_suggester(project, codebook, embedder=embedder)
    ids, texts = _material(project, codebook, uncoded_only, opts)
    vecs = suggester.cache.embed(texts, progress=progress)
    # Keywords become a code's label and description when a proposal is adopted, and the
    # CLI prints them: a word the project's redactor would replace is no keyword.
    names = named_words(texts, Redactor.for_project(project))
    return propose_from_vectors(
        ids,
        texts,
        vecs,
        suggester.keys,
        suggester.code_vectors(),
        seed=seed,
        options=opts,
        names=names,
    )


def stability(
    vecs: FloatArray,
    seeds: Sequence[int] = (0, 1, 2, 3, 4),
    *,
    min_size: int | None = None,
    fraction: float = 0.9,
    method: str = "coassociation",
) -> tuple[float, float]:
    """How stable the grouping is: (ARI across seeds on all rows, ARI across seeded 90% subsamples).

    The first is 1.0 when the method is deterministic apart from its seed; the second is the
    honest one: each seed drops a different 10% of the passages and the groupings of the
    passages every run kept are compared pairwise (mean adjusted Rand index)."""
    from sklearn.metrics import adjusted_rand_score

    n = len(vecs)
    size = min_size or auto_min_size(n)
    full = [cluster_vectors(vecs, size, s, method=method) for s in seeds]
    runs: list[tuple[Any, Any]] = []
    for s in seeds:
        keep = np.sort(np.random.default_rng(s).choice(n, int(n * fraction), replace=False))
        runs.append((keep, cluster_vectors(vecs[keep], size, s, method=method)))

    def mean_pairwise(pairs: list[tuple[Any, Any]]) -> float:
        scores = [
            adjusted_rand_score(pairs[i][1], pairs[j][1])
            for i in range(len(pairs))
            for j in range(i + 1, len(pairs))
        ]
        return float(np.mean(scores)) if scores else 1.0

    whole = mean_pairwise([(None, lab) for lab in full])
    sub_pairs: list[tuple[Any, Any]] = []
    for i in range(len(runs)):
        for j in range(i + 1, len(runs)):
            _common, a, b = np.intersect1d(runs[i][0], runs[j][0], return_indices=True)
            sub_pairs.append((runs[i][1][a], runs[j][1][b]))
    sub = float(np.mean([adjusted_rand_score(a, b) for a, b in sub_pairs])) if sub_pairs else 1.0
    return whole, sub


def proposal_stability(
    vecs: FloatArray,
    min_size: int | None = None,
    *,
    seed: int = 0,
    runs: int = 10,
    fraction: float = 0.8,
    components: int = 10,
    method: str = "coassociation",
) -> dict[int, float]:
    """For each proposal id (as `propose_from_vectors` numbers them): does it come back?

    The passages are clustered again on `runs` seeded subsamples; a proposal's score is the
    mean, over runs, of its best Jaccard overlap with any group found in the subsample
    (Hennig's clusterwise stability). Below 0.5 a group dissolves when the material changes
    a little; from 0.75 on it is a pattern worth a reader's time."""
    n = len(vecs)
    size = min_size or auto_min_size(n)
    labels = cluster_vectors(vecs, size, seed, components, method)
    groups = sorted(g for g in set(labels.tolist()) if g >= 0)
    overlap: dict[int, list[float]] = {g: [] for g in groups}
    rng = np.random.default_rng(seed)
    for _ in range(runs if groups else 0):
        keep = np.sort(rng.choice(n, int(n * fraction), replace=False))
        sub = cluster_vectors(vecs[keep], size, seed, components, method)
        found = [set(np.flatnonzero(sub == h).tolist()) for h in set(sub.tolist()) if h >= 0]
        for g in groups:
            mine = set(np.flatnonzero(labels[keep] == g).tolist())
            best = max((len(mine & f) / len(mine | f) for f in found if mine | f), default=0.0)
            overlap[g].append(best)
    return {g + 1: round(float(np.mean(v)), 3) for g, v in overlap.items()}


def project_stability(
    project: Project,
    codebook: str = "danermark",
    uncoded_only: bool = True,
    *,
    min_size: int | None = None,
    embedder: Embedder | None = None,
) -> tuple[float, float]:
    opts = ClusterOptions(min_size=min_size)
    suggester = project_suggester(project, codebook, embedder=embedder)
    _, texts = _material(project, codebook, uncoded_only, opts)
    return stability(suggester.cache.embed(texts), min_size=min_size)


def project_proposal_stability(
    project: Project,
    codebook: str = "danermark",
    uncoded_only: bool = True,
    seed: int = 0,
    *,
    min_size: int | None = None,
    embedder: Embedder | None = None,
) -> dict[int, float]:
    """`proposal_stability` for the proposals `propose_categories` makes with the same inputs."""
    opts = ClusterOptions(min_size=min_size)
    suggester = project_suggester(project, codebook, embedder=embedder)
    _, texts = _material(project, codebook, uncoded_only, opts)
    return proposal_stability(suggester.cache.embed(texts), min_size, seed=seed)


def cluster_code(
    proposal: ClusterProposal,
    key: str,
    label_sv: str,
    parent: str | None = None,
    codebook: str = "danermark",
    hotkey: str | None = None,
) -> Code:
    """The code a proposal becomes, its description naming the cluster's words."""
    description = "Föreslagen från ett kluster med orden: " + ", ".join(proposal.keywords)
    return Code(
        codebook=codebook,
        key=key,
        label_sv=label_sv,
        description=description,
        parent=parent,
        hotkey=hotkey,
    )


def adopt_cluster(
    project: Project,
    proposal: ClusterProposal,
    key: str,
    label_sv: str,
    parent: str | None = None,
    codebook: str = "danermark",
    coder: str = "default",
) -> Code:
    """Turn a proposal into a code and code its passages with it, as one action. Keywords
    the project's redactor would replace in the proposal's passages (a proposal made
    elsewhere, or before a name was registered) stay out of the description."""
    members = set(proposal.segment_ids)
    texts = [s.text for s in project.store.segments() if s.id in members]
    names = named_words(texts, Redactor.for_project(project))
    proposal = replace(proposal, keywords=tuple(w for w in proposal.keywords if w not in names))
    code = cluster_code(proposal, key, label_sv, parent, codebook)
    with project.action():
        project.add_code(code)
        for seg_id in proposal.segment_ids:
            project.store.add_coding(seg_id, codebook, key, coder=coder)
    return project.codebook(codebook).code(key)
