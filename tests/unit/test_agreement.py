"""Agreement coefficients equal the reference implementations, and the unit of analysis holds."""

from __future__ import annotations

import math

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

from qualkit.analysis.agreement import (
    agreement,
    cohen_kappa,
    collapse_units,
    fleiss_kappa,
    krippendorff_alpha,
    percent_agreement,
    unit_matrices,
)
from qualkit.errors import InputError
from qualkit.model import Valence
from qualkit.project import Project

TOL = 1e-9


def _same(a: float | None, b: float) -> bool:
    if a is None or math.isnan(a):
        return math.isnan(b)
    return abs(a - b) < TOL


def _ref_alpha(data: np.ndarray) -> float:
    try:
        return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))
    except ValueError:  # one value only: undefined
        return math.nan


def _ref_fleiss(data: np.ndarray) -> float:
    complete = data[:, ~np.isnan(data).any(axis=0)]
    table, _ = aggregate_raters(complete.T.astype(int))
    return float(sm_fleiss(table, method="fleiss"))


# Two coders, 10 units: known values by hand. po = 0.8, pe = 0.5*0.4+0.5*0.6 = 0.5, κ = 0.6.
TWO = np.array([[1, 1, 1, 1, 1, 0, 0, 0, 0, 0], [1, 1, 1, 1, 0, 0, 0, 0, 0, 1]], dtype=float)


def test_two_coders_known_values() -> None:
    assert cohen_kappa(TWO[0], TWO[1]) == pytest.approx(0.6, abs=TOL)
    assert percent_agreement(TWO) == pytest.approx(80.0, abs=TOL)
    # α = 1 - (n-1) Do / De-sum: n = 20, o01 = o10 = 2, n0 = n1 = 10 -> 1 - 19*4/200 = 0.62
    assert krippendorff_alpha(TWO) == pytest.approx(0.62, abs=TOL)
    assert _same(cohen_kappa(TWO[0], TWO[1]), cohen_kappa_score(TWO[0], TWO[1]))
    assert _same(krippendorff_alpha(TWO), _ref_alpha(TWO))
    assert _same(fleiss_kappa(TWO), _ref_fleiss(TWO))


def test_krippendorff_textbook_example_with_missing() -> None:
    # Krippendorff's own example (also in the krippendorff package docs): α = 0.691358.
    nan = np.nan
    data = np.array(
        [
            [nan, nan, nan, nan, nan, 3, 4, 1, 2, 1, 1, 3, 3, nan, 3],
            [1, nan, 2, 1, 3, 3, 4, 3, nan, nan, nan, nan, nan, nan, nan],
            [nan, nan, 2, 1, 3, 4, 4, nan, 2, 1, 1, 3, 3, nan, 4],
        ]
    )
    assert krippendorff_alpha(data) == pytest.approx(0.691358, abs=1e-6)
    assert _same(krippendorff_alpha(data), _ref_alpha(data))


def test_three_coders_fleiss_known_value() -> None:
    # Three coders on 6 units; statsmodels and the hand formula agree.
    data = np.array([[1, 1, 0, 0, 1, 0], [1, 1, 0, 1, 1, 0], [1, 0, 0, 0, 1, 0]], dtype=float)
    assert _same(fleiss_kappa(data), _ref_fleiss(data))
    assert _same(krippendorff_alpha(data), _ref_alpha(data))
    # P̄ = (1+1/3+1+1/3+1+1)/6 = 7/9, p1 = 9/18 -> Pe = 1/2, κ = (7/9 - 1/2)/(1/2) = 5/9
    assert fleiss_kappa(data) == pytest.approx(5 / 9, abs=TOL)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("seed", range(40))
def test_random_data_equals_references(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_coders, n_units, n_cats = (
        int(rng.integers(2, 6)),
        int(rng.integers(4, 60)),
        int(rng.integers(2, 5)),
    )
    full = rng.integers(0, n_cats, size=(n_coders, n_units)).astype(float)
    missing = full.copy()
    missing[rng.random(full.shape) < 0.25] = np.nan
    for data in (full, missing):
        assert _same(krippendorff_alpha(data), _ref_alpha(data))
        a, b = data[0], data[1]
        both = ~np.isnan(a) & ~np.isnan(b)
        if both.any():
            assert _same(cohen_kappa(a, b), cohen_kappa_score(a[both], b[both]))
        if (~np.isnan(data).any(axis=0)).any():
            assert _same(fleiss_kappa(data), _ref_fleiss(data))
    # Collapsing identical units into weights changes nothing.
    as_int = np.where(np.isnan(missing), -1, missing).astype(np.int8)
    collapsed, weights = collapse_units(as_int)
    assert _same(krippendorff_alpha(collapsed, weights), krippendorff_alpha(missing))
    assert _same(fleiss_kappa(collapsed, weights), fleiss_kappa(missing))
    assert _same(percent_agreement(collapsed, weights), percent_agreement(missing))


def test_undefined_when_nobody_varies() -> None:
    zeros = np.zeros((2, 5))
    assert math.isnan(cohen_kappa(zeros[0], zeros[1]))
    assert math.isnan(krippendorff_alpha(zeros))
    assert percent_agreement(zeros) == 100.0


# ------------------------------------------------------------------ on a project
def _two_coder_project(project: Project) -> None:
    """Ten segments; coder A and B code 'ledning' like TWO above, B also codes 'individ'."""
    path = project.root / "t.txt"
    path.write_text(
        "\n".join(f"Person {i % 3} (FK): Mening nummer {i} om samverkan." for i in range(10)),
        encoding="utf-8",
    )
    project.import_transcript(path, name="t")
    segs = project.segments("t")
    for i, seg in enumerate(segs):
        if TWO[0, i]:
            project.add_coding(seg.id, "ledning", coder="A")
        if TWO[1, i]:
            project.add_coding(seg.id, "ledning", coder="B", valence=Valence.HINDERING)
    project.add_coding(segs[0].id, "individ", coder="B")


def test_project_agreement_per_code_segments(project: Project) -> None:
    _two_coder_project(project)
    rep = agreement(project, ["A", "B"], unit="segment")
    led = rep.codes["ledning"]
    assert led.kappa == pytest.approx(0.6, abs=TOL)
    assert led.percent == pytest.approx(80.0, abs=TOL)
    assert led.alpha == pytest.approx(0.62, abs=TOL)
    assert led.n == 10 and led.coded == 6
    ind = rep.codes["individ"]
    assert ind.percent == pytest.approx(90.0)
    assert ind.kappa == pytest.approx(cohen_kappa_score([0] * 10, [1] + [0] * 9), abs=TOL)
    assert rep.overall.kappa == pytest.approx((led.kappa + (ind.kappa or 0)) / 2, abs=TOL)
    data = rep.as_dict()
    assert set(data["overall"]) >= {"kappa", "alpha", "percent"}
    assert set(data["codes"]["ledning"]) >= {"kappa", "alpha", "percent", "n"}
    # With valences, A's 'ingen' and B's 'hindrande' never agree where both coded.
    val = agreement(project, ["A", "B"], with_valence=True)
    assert val.codes["ledning"].percent == pytest.approx(40.0)


def test_project_agreement_on_characters_with_spans(project: Project) -> None:
    path = project.root / "c.txt"
    path.write_text("A (FK): abcdefghij\nB (AF): klmnopqrst\n", encoding="utf-8")
    project.import_transcript(path, name="c")
    s1, s2 = project.segments("c")
    project.add_coding(s1.id, "ledning", coder="A")  # all 10 chars
    project.add_coding(s1.id, "ledning", coder="B", span=(0, 5))  # first 5
    project.add_coding(s2.id, "individ", coder="B", span=(2, 4))
    rep = agreement(project, ["A", "B"], unit="char")
    a = np.zeros(20)
    a[:10] = 1
    b = np.zeros(20)
    b[:5] = 1
    assert rep.codes["ledning"].kappa == pytest.approx(cohen_kappa_score(a, b), abs=TOL)
    assert rep.codes["ledning"].n == 20
    ref = _ref_alpha(np.vstack([a, b]))
    assert rep.codes["ledning"].alpha == pytest.approx(ref, abs=TOL)
    assert rep.codes["individ"].coded == 2


def test_missing_coder_recording_is_missing_not_zero(project: Project) -> None:
    """A third coder who coded only one recording is missing on the other, not 'all zeros'."""
    _two_coder_project(project)
    path = project.root / "u.txt"
    path.write_text("X (FK): ett\nY (AF): två\nZ (vård): tre\n", encoding="utf-8")
    project.import_transcript(path, name="u")
    u = project.segments("u")
    project.add_coding(u[0].id, "ledning", coder="A")
    project.add_coding(u[1].id, "ledning", coder="B")
    project.add_coding(u[0].id, "ledning", coder="C")
    project.add_coding(u[2].id, "ledning", coder="C")
    mats = unit_matrices(project, ["A", "B", "C"], "danermark", "segment")
    m = mats.by_code["ledning"].astype(float)
    m[m < 0] = np.nan
    assert np.isnan(m[2, :10]).all() and not np.isnan(m[2, 10:]).any()
    rep = agreement(project, ["A", "B", "C"])
    assert rep.kappa_kind == "fleiss"
    assert _same(rep.codes["ledning"].alpha, _ref_alpha(m))
    assert _same(rep.codes["ledning"].fleiss, _ref_fleiss(m))


def test_agreement_needs_two_coders(project: Project) -> None:
    _two_coder_project(project)
    with pytest.raises(InputError, match="at least two"):
        agreement(project, ["A"])
    with pytest.raises(InputError, match="No coder"):
        agreement(project, ["A", "Nobody"])


def test_work_one_coder_did_alone_changes_nothing(project: Project) -> None:
    """A recording only A coded (with a code B never used) leaves every column as it was."""
    _two_coder_project(project)
    before = agreement(project, ["A", "B"]).as_dict()
    path = project.root / "solo.txt"
    path.write_text("X (FK): ett\nY (AF): två\nZ (vård): tre\n", encoding="utf-8")
    project.import_transcript(path, name="solo")
    solo = project.segments("solo")
    project.add_coding(solo[0].id, "kunskap_samverkan", coder="A")
    project.add_coding(solo[1].id, "ledning", coder="A")
    after = agreement(project, ["A", "B"]).as_dict()
    assert after == before
    assert after["recordings"] == ["t"]
    assert "kunskap_samverkan" not in after["codes"]
    assert after["overall"]["coded"] <= after["overall"]["n"]


def test_no_common_material_compares_nothing(project: Project) -> None:
    path = project.root / "a.txt"
    path.write_text("X (FK): ett\nY (AF): två\n", encoding="utf-8")
    project.import_transcript(path, name="a")
    path = project.root / "b.txt"
    path.write_text("X (FK): tre\nY (AF): fyra\n", encoding="utf-8")
    project.import_transcript(path, name="b")
    project.add_coding(project.segments("a")[0].id, "ledning", coder="A")
    project.add_coding(project.segments("b")[0].id, "ledning", coder="B")
    rep = agreement(project, ["A", "B"])
    assert rep.recordings == () and dict(rep.codes) == {}
    assert rep.overall.n == 0 and rep.overall.coded == 0 and rep.overall.percent is None
