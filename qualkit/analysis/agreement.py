"""Agreement between coders: percent agreement, Cohen's κ, Fleiss' κ and Krippendorff's α.

Unit of analysis
----------------
Agreement is computed per code. A *unit* is either a segment (``unit="segment"``) or one
character of a segment's text (``unit="char"``, what NVivo's coding comparison uses). For
each code, each coder gives each unit one nominal value: 1 if the coder applied the code to
the unit (a whole-segment coding covers every character of the segment, a span coding the
characters inside its span), else 0. With ``with_valence=True`` the value is instead the set
of valences the coder gave that code on the unit (empty set = not coded), so a unit coded
*främjande* by one coder and *hindrande* by the other disagrees.

Missing data: a coder who has no coding at all in the chosen codebook on a recording has not
coded that recording, so all of its units are *missing* for that coder (not "0"). Cohen's κ
uses the units both coders coded; Fleiss' κ uses the units every coder coded; Krippendorff's
α and percent agreement use every unit coded by at least two coders.

Coefficients
------------
- ``percent``: share of agreeing coder pairs per unit, averaged over units, 0-100.
- ``kappa``: Cohen's κ for exactly two coders, Fleiss' κ for three or more
  (``kappa_kind`` in the report says which).
- ``fleiss``: Fleiss' κ (equals statsmodels ``fleiss_kappa(method="fleiss")``).
- ``alpha``: Krippendorff's α, nominal (equals the ``krippendorff`` package).

Overall values are the **mean of the per-code values** over the codes any chosen coder used
(codes whose coefficient is undefined, e.g. one coder never used it and the other used it
everywhere, are left out of the mean). This matches how NVivo summarises a coding comparison
(per-code κ on characters, then averaged), so per-code figures are directly comparable.
A coefficient that is undefined (no variation at all) is ``None`` in JSON; NVivo shows 1 there.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from qualkit.errors import InputError
from qualkit.model import Coding, Recording, Valence
from qualkit.project import Project

Unit = Literal["segment", "char"]
UNITS: tuple[Unit, ...] = ("segment", "char")
CONSENSUS_CODER = "konsensus"
# Bits of the per-unit value when valences are compared.
_VALENCE_BIT = {v: 1 << i for i, v in enumerate(Valence)}
_MISSING = -1

FloatArray = npt.NDArray[np.float64]


# ------------------------------------------------------------------ coefficients
def _prepare(data: npt.ArrayLike, weights: npt.ArrayLike | None) -> tuple[FloatArray, FloatArray]:
    x = np.asarray(data, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError("Reliability data must be a 2-d array: coders x units.")
    w = (
        np.ones(x.shape[1], dtype=np.float64)
        if weights is None
        else np.asarray(weights, dtype=np.float64)
    )
    if w.shape != (x.shape[1],):
        raise ValueError("One weight per unit.")
    return x, w


def _value_counts(x: FloatArray) -> FloatArray:
    """Units x categories: how many coders gave each value to each unit."""
    present = ~np.isnan(x)
    cats = np.unique(x[present])
    if cats.size == 0:
        return np.zeros((x.shape[1], 0))
    return np.stack([(x == c).sum(axis=0) for c in cats], axis=1).astype(np.float64)


def percent_agreement(data: npt.ArrayLike, weights: npt.ArrayLike | None = None) -> float:
    """Mean share of agreeing coder pairs per unit (units coded by at least two), in percent."""
    x, w = _prepare(data, weights)
    counts = _value_counts(x)
    m = counts.sum(axis=1)
    ok = m >= 2
    if not ok.any():
        return math.nan
    agree = (counts[ok] * (counts[ok] - 1)).sum(axis=1) / (m[ok] * (m[ok] - 1))
    return float(100.0 * (w[ok] * agree).sum() / w[ok].sum())


def cohen_kappa(a: npt.ArrayLike, b: npt.ArrayLike, weights: npt.ArrayLike | None = None) -> float:
    """Cohen's κ of two coders over the units both coded (NaN = missing)."""
    x, w = _prepare(np.vstack([np.asarray(a, dtype=float), np.asarray(b, dtype=float)]), weights)
    ok = ~np.isnan(x).any(axis=0)
    x, w = x[:, ok], w[ok]
    if x.shape[1] == 0:
        return math.nan
    cats, inverse = np.unique(x, return_inverse=True)
    inverse = inverse.reshape(x.shape)
    cm = np.zeros((cats.size, cats.size))
    np.add.at(cm, (inverse[0], inverse[1]), w)
    n = cm.sum()
    observed = np.trace(cm) / n
    expected = float(cm.sum(axis=1) @ cm.sum(axis=0)) / (n * n)
    if expected >= 1.0:
        return math.nan
    return float((observed - expected) / (1.0 - expected))


def fleiss_kappa(data: npt.ArrayLike, weights: npt.ArrayLike | None = None) -> float:
    """Fleiss' κ over the units every coder coded."""
    x, w = _prepare(data, weights)
    complete = ~np.isnan(x).any(axis=0)
    x, w = x[:, complete], w[complete]
    raters = x.shape[0]
    if raters < 2 or x.shape[1] == 0:
        return math.nan
    counts = _value_counts(x)
    p_cat = (w[:, None] * counts).sum(axis=0) / (w.sum() * raters)
    p_unit = ((counts * counts).sum(axis=1) - raters) / (raters * (raters - 1))
    p_mean = float((w * p_unit).sum() / w.sum())
    p_expected = float((p_cat * p_cat).sum())
    if p_expected >= 1.0:
        return math.nan
    return (p_mean - p_expected) / (1.0 - p_expected)


def krippendorff_alpha(data: npt.ArrayLike, weights: npt.ArrayLike | None = None) -> float:
    """Krippendorff's α for nominal data; NaN marks a missing value."""
    x, w = _prepare(data, weights)
    counts = _value_counts(x)
    m = counts.sum(axis=1)
    ok = m >= 2
    counts, m, w = counts[ok], m[ok], w[ok]
    if counts.shape[0] == 0 or counts.shape[1] < 2:
        return math.nan
    scale = w / (m - 1)
    coincidences = np.einsum("u,uc,uk->ck", scale, counts, counts) - np.diag(
        (scale[:, None] * counts).sum(axis=0)
    )
    n_c = coincidences.sum(axis=1)
    n = n_c.sum()
    disagreement_observed = coincidences.sum() - np.trace(coincidences)
    expected = np.outer(n_c, n_c) - np.diag(n_c)
    disagreement_expected = (expected.sum() - np.trace(expected)) / (n - 1)
    if disagreement_expected <= 0:
        return math.nan
    return float(1.0 - disagreement_observed / disagreement_expected)


def collapse_units(matrix: npt.NDArray[np.int8]) -> tuple[FloatArray, FloatArray]:
    """Identical unit columns collapsed to one with a weight: the same coefficients, faster.

    Input is coders x units with -1 for missing; output is float data with NaN and weights."""
    if matrix.shape[1] == 0:
        return np.zeros((matrix.shape[0], 0)), np.zeros(0)
    # One integer per column (values -1..15, so base 17) sorts far faster than
    # np.unique(axis=1), which compares columns as opaque byte strings.
    base = 17
    if matrix.shape[0] <= 15:
        digits = matrix.astype(np.int64) + 1
        weights = base ** np.arange(matrix.shape[0], dtype=np.int64)
        keys, counts = np.unique(weights @ digits, return_counts=True)
        columns = (keys[None, :] // weights[:, None]) % base - 1
    else:
        columns, counts = np.unique(matrix, axis=1, return_counts=True)
    data = columns.astype(np.float64)
    data[columns == _MISSING] = np.nan
    return data, counts.astype(np.float64)


# ------------------------------------------------------------------- reports
def _clean(value: float) -> float | None:
    return None if math.isnan(value) else value


@dataclass(frozen=True, slots=True)
class Scores:
    """Agreement on one code (or the mean over codes)."""

    kappa: float | None
    alpha: float | None
    percent: float | None
    fleiss: float | None
    n: int  # units compared (coded by at least two of the coders)
    coded: int  # units at least one coder coded with the code

    def as_dict(self) -> dict[str, Any]:
        return {
            "kappa": self.kappa,
            "alpha": self.alpha,
            "percent": self.percent,
            "fleiss": self.fleiss,
            "n": self.n,
            "coded": self.coded,
        }


@dataclass(frozen=True, slots=True)
class AgreementReport:
    coders: tuple[str, ...]
    unit: Unit
    codebook: str
    overall: Scores
    codes: Mapping[str, Scores]
    recordings: tuple[str, ...]
    with_valence: bool = False
    labels: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def kappa_kind(self) -> str:
        return "cohen" if len(self.coders) == 2 else "fleiss"

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of `qualkit agreement --format json`."""
        return {
            "coders": list(self.coders),
            "unit": self.unit,
            "codebook": self.codebook,
            "kappa_kind": self.kappa_kind,
            "with_valence": self.with_valence,
            "overall_method": "mean of per-code values",
            "recordings": list(self.recordings),
            "overall": self.overall.as_dict(),
            "codes": {key: s.as_dict() for key, s in self.codes.items()},
        }


def score(matrix: npt.NDArray[np.int8]) -> Scores:
    """All coefficients for one coders x units value matrix (-1 = missing)."""
    data, weights = collapse_units(matrix)
    present = ~np.isnan(data)
    pairable = present.sum(axis=0) >= 2
    coded = (np.nan_to_num(data, nan=0.0) > 0).any(axis=0)
    fleiss = fleiss_kappa(data, weights)
    kappa = cohen_kappa(data[0], data[1], weights) if data.shape[0] == 2 else fleiss
    return Scores(
        kappa=_clean(kappa),
        alpha=_clean(krippendorff_alpha(data, weights)),
        percent=_clean(percent_agreement(data, weights)),
        fleiss=_clean(fleiss),
        n=int(weights[pairable].sum()),
        coded=int(weights[coded].sum()),
    )


def _mean(values: Iterable[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return sum(vals) / len(vals) if vals else None


# -------------------------------------------------------------- from a project
def default_coders(project: Project, codebook: str) -> tuple[str, ...]:
    """Every coder with codings in the codebook, except the consensus coder."""
    used = {c.coder for c in project.store.codings(codebook=codebook)}
    return tuple(
        c.name for c in project.store.coders() if c.name in used and c.name != CONSENSUS_CODER
    )


def parse_coders(text: str | None) -> tuple[str, ...] | None:
    """'A,B' -> ('A', 'B'); None or '' -> None (all coders)."""
    if not text:
        return None
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    return names or None


@dataclass(frozen=True, slots=True)
class UnitMatrices:
    """Per code, coders x units values (-1 missing), over the recordings in scope."""

    coders: tuple[str, ...]
    recordings: tuple[Recording, ...]
    by_code: Mapping[str, npt.NDArray[np.int8]]
    n_units: int


def covered_recordings(
    codings: Sequence[Coding], segment_recording: Mapping[int, int]
) -> dict[str, set[int]]:
    """{coder: recording ids the coder has coded at all} (what decides missing data)."""
    out: dict[str, set[int]] = {}
    for c in codings:
        out.setdefault(c.coder, set()).add(segment_recording[c.segment_id])
    return out


def unit_matrices(
    project: Project,
    coders: Sequence[str],
    codebook: str,
    unit: Unit = "segment",
    recordings: Sequence[str | int] | None = None,
    with_valence: bool = False,
) -> UnitMatrices:
    if unit not in UNITS:
        raise InputError(f"Unknown unit {unit!r}: use segment or char.")
    store = project.store
    codings = [c for c in store.codings(codebook=codebook) if c.coder in set(coders)]
    recs = [project.recording(r) for r in recordings] if recordings else store.recordings()
    seg_rec: dict[int, int] = {}
    segments_of: dict[int, list[Any]] = {}
    for rec in recs:
        segs = store.segments(rec.id)
        segments_of[rec.id] = segs
        for s in segs:
            seg_rec[s.id] = rec.id
    codings = [c for c in codings if c.segment_id in seg_rec]
    covered = covered_recordings(codings, seg_rec)
    scope = [r for r in recs if any(r.id in covered.get(c, set()) for c in coders)]

    # Offsets of each segment's first unit, per recording and overall.
    starts: dict[int, int] = {}
    lengths: dict[int, int] = {}
    total = 0
    rec_ranges: dict[int, tuple[int, int]] = {}
    for rec in scope:
        first = total
        for s in segments_of[rec.id]:
            starts[s.id] = total
            lengths[s.id] = 1 if unit == "segment" else len(s.text)
            total += lengths[s.id]
        rec_ranges[rec.id] = (first, total)

    used_codes = sorted({c.code for c in codings if seg_rec[c.segment_id] in rec_ranges})
    book = project.codebook(codebook)
    order = {c.key: i for i, c in enumerate(book.codes)}
    used_codes.sort(key=lambda k: order.get(k, len(order)))
    by_code: dict[str, npt.NDArray[np.int8]] = {}
    for key in used_codes:
        matrix = np.zeros((len(coders), total), dtype=np.int8)
        for row, coder in enumerate(coders):
            for rec_id, (lo, hi) in rec_ranges.items():
                if rec_id not in covered.get(coder, set()):
                    matrix[row, lo:hi] = _MISSING
        by_code[key] = matrix
    row_of = {name: i for i, name in enumerate(coders)}
    for c in codings:
        if c.segment_id not in starts:
            continue
        bit = _VALENCE_BIT[c.valence] if with_valence else 1
        lo = starts[c.segment_id]
        if unit == "segment" or c.span_start is None or c.span_end is None:
            hi = lo + lengths[c.segment_id]
        else:
            lo, hi = lo + c.span_start, lo + min(c.span_end, lengths[c.segment_id])
        target = by_code[c.code][row_of[c.coder], lo:hi]
        np.bitwise_or(target, np.int8(bit), out=target)
    return UnitMatrices(
        coders=tuple(coders),
        recordings=tuple(scope),
        by_code=MappingProxyType(by_code),
        n_units=total,
    )


def agreement(
    project: Project,
    coders: Sequence[str] | None = None,
    *,
    codebook: str = "danermark",
    unit: Unit = "segment",
    recordings: Sequence[str | int] | None = None,
    with_valence: bool = False,
) -> AgreementReport:
    """Agreement per code and overall between coders in one project."""
    book = project.codebook(codebook)
    chosen = tuple(coders) if coders else default_coders(project, codebook)
    if len(set(chosen)) != len(chosen):
        raise InputError("Each coder can be named only once.")
    known = {c.name for c in project.store.coders()}
    unknown = [c for c in chosen if c not in known]
    if unknown:
        raise InputError(
            f"No coder {', '.join(unknown)} in this project (coders: {', '.join(sorted(known))})."
        )
    if len(chosen) < 2:
        raise InputError(
            "Agreement needs at least two coders with codings in "
            f"{codebook!r} (found: {', '.join(chosen) or 'none'}). "
            "Merge another coder's work with: qualkit merge-coder PATH"
        )
    mats = unit_matrices(project, chosen, codebook, unit, recordings, with_valence)
    per_code = {key: score(m) for key, m in mats.by_code.items()}
    if mats.by_code:
        stacked = np.stack(list(mats.by_code.values()))
        present = (stacked[0] != _MISSING).sum(axis=0) >= 2
        any_coded = (stacked > 0).any(axis=(0, 1))
        n, coded = int(present.sum()), int(any_coded.sum())
    else:
        n = coded = 0
    overall = Scores(
        kappa=_mean(s.kappa for s in per_code.values()),
        alpha=_mean(s.alpha for s in per_code.values()),
        percent=_mean(s.percent for s in per_code.values()),
        fleiss=_mean(s.fleiss for s in per_code.values()),
        n=n,
        coded=coded,
    )
    labels = {c.key: c.label_sv for c in book.codes}
    return AgreementReport(
        coders=chosen,
        unit=unit,
        codebook=codebook,
        overall=overall,
        codes=MappingProxyType(per_code),
        recordings=tuple(r.name for r in mats.recordings),
        with_valence=with_valence,
        labels=MappingProxyType(labels),
    )


def agreement_by_recording(
    project: Project,
    coders: Sequence[str] | None = None,
    *,
    codebook: str = "danermark",
    unit: Unit = "segment",
    with_valence: bool = False,
) -> dict[str, AgreementReport]:
    """One report per recording (NVivo's comparison is per source and code)."""
    whole = agreement(project, coders, codebook=codebook, unit=unit, with_valence=with_valence)
    return {
        name: agreement(
            project,
            whole.coders,
            codebook=codebook,
            unit=unit,
            recordings=[name],
            with_valence=with_valence,
        )
        for name in whole.recordings
    }
