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

Compared material: only recordings coded by at least two of the chosen coders are in scope.
Every column (``n``, ``coded``, the coefficients) and the overall row count those units and
the codings on them only, and only codes used there are listed; work one coder did alone
changes nothing.

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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from qualkit.analysis.coefficients import (
    MISSING,
    Scores,
    cohen_kappa,
    collapse_units,
    fleiss_kappa,
    krippendorff_alpha,
    mean_defined,
    percent_agreement,
    score,
)
from qualkit.errors import InputError
from qualkit.model import CONSENSUS_CODER, Coding, Recording, Valence
from qualkit.project import Project

# The coefficients live in coefficients.py; they are named here too because this module is
# where callers have always found them.
__all__ = [
    "CONSENSUS_CODER",
    "UNITS",
    "AgreementReport",
    "Scores",
    "UnitMatrices",
    "agreement",
    "agreement_by_recording",
    "cohen_kappa",
    "collapse_units",
    "covered_recordings",
    "default_coders",
    "fleiss_kappa",
    "krippendorff_alpha",
    "parse_coders",
    "percent_agreement",
    "score",
    "unit_matrices",
]

Unit = Literal["segment", "char"]
UNITS: tuple[Unit, ...] = ("segment", "char")
# Bits of the per-unit value when valences are compared.
_VALENCE_BIT = {v: 1 << i for i, v in enumerate(Valence)}


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
    # Only material at least two of the coders coded is compared: a recording one coder
    # coded alone has no unit to agree on, and counting it would let that coder's codes
    # (and their "coded" units) into the table as if the others had said "not this code".
    scope = [r for r in recs if sum(r.id in covered.get(c, set()) for c in coders) >= 2]

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
                    matrix[row, lo:hi] = MISSING
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
        present = (stacked[0] != MISSING).sum(axis=0) >= 2
        any_coded = (stacked > 0).any(axis=(0, 1)) & present
        n, coded = int(present.sum()), int(any_coded.sum())
    else:
        n = coded = 0
    overall = Scores(
        kappa=mean_defined(s.kappa for s in per_code.values()),
        alpha=mean_defined(s.alpha for s in per_code.values()),
        percent=mean_defined(s.percent for s in per_code.values()),
        fleiss=mean_defined(s.fleiss for s in per_code.values()),
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
