"""Uneven coding: a rare code is still suggested, scores are calibrated, doubt is said aloud."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from qualkit.analysis import embed
from qualkit.analysis.calibration import (
    _TEMPERATURES,
    apply_temperature,
    expected_calibration_error,
    fit_temperature,
)
from qualkit.analysis.embed import EmbeddingCache, HashingEmbedder
from qualkit.analysis.profiles import softmax
from qualkit.analysis.suggest import CodeSuggester, Example, SuggestOptions
from qualkit.cli import main
from qualkit.codebook import load_codebook

REPO = Path(__file__).resolve().parents[2]
DANERMARK = REPO / "qualkit" / "codebooks" / "danermark.yaml"

# Two codes take 97 of 100 codings; stabila_org has three. The wording of each group is
# varied so that the models must generalise, not match one sentence.
COMMON = {
    "arbetsstruktur": [
        "Vi vet inte vem vi ska ringa när ärendet ska lämnas över",
        "Remissen fastnade och ingen visste vem som hade ansvaret",
        "Kontaktlistan gör att vi hittar rätt person direkt",
        "Rutinen för överlämning är skriven och alla följer den",
        "Blanketterna ser olika ut hos varje aktör",
        "Det är otydligt vem som gör vad i ärendet",
    ],
    "individ": [
        "Personen fick berätta sin historia för många handläggare",
        "Hon slussades runt mellan myndigheterna i ett år",
        "Vi planerar tillsammans med individen utifrån hens behov",
        "Ingen tog ansvar för helheten kring honom",
        "Insatserna anpassades efter vad personen själv ville",
        "Han föll mellan stolarna när ersättningen tog slut",
    ],
}
RARE = [
    "Hög personalomsättning gör att vi hela tiden får nya kontakter",
    "Efter omorganisationen försvann de erfarna handläggarna",
    "Vakanser och sjukskrivningar gör att ingen finns kvar över tid",
]
RARE_NEW = [
    "Personalomsättningen är så hög att kontakterna byts ut hela tiden",
    "Omorganisationen gjorde att de erfarna slutade och vakanserna blev många",
    "Vi får börja om med nya handläggare efter varje omorganisation",
]


@pytest.fixture(autouse=True)
def fast_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(embed.ENV_MODEL, "hashing")


def uneven_examples() -> list[Example]:
    out: list[Example] = []
    for code, count in (("arbetsstruktur", 60), ("individ", 37)):
        phrases = COMMON[code]
        for i in range(count):
            out.append(Example(f"{phrases[i % len(phrases)]} ({i % 7} gånger).", code))
    out.extend(Example(text, "stabila_org") for text in RARE)
    assert len(out) == 100
    return out


def suggester(options: SuggestOptions | None = None) -> CodeSuggester:
    book = load_codebook(DANERMARK)
    return CodeSuggester(book, EmbeddingCache(HashingEmbedder()), options)


def test_code_with_three_examples_among_hundred_is_suggested_for_its_own_passages() -> None:
    s = suggester().fit(uneven_examples())
    ranked = s.suggest(RARE_NEW, top=3)
    assert [r[0].code for r in ranked] == ["stabila_org"] * len(RARE_NEW)
    # ... without stealing the common codes' own passages.
    common = s.suggest(["Vem ska vi ringa när remissen fastnar i ärendet?"], top=1)
    assert common[0][0].code == "arbetsstruktur"


def test_rare_boost_raises_the_rare_code_score() -> None:
    plain = suggester(SuggestOptions(balanced=False, rare_boost=0.0)).fit(uneven_examples())
    fair = suggester().fit(uneven_examples())
    j = fair.keys.index("stabila_org")
    assert (fair.predict_proba(RARE_NEW)[:, j] > plain.predict_proba(RARE_NEW)[:, j]).all()


def test_scores_are_calibrated_on_held_out_folds_and_still_sum_to_one() -> None:
    s = suggester().fit(uneven_examples())
    assert s.temperature != 1.0  # fitted, not left at the default
    proba = s.predict_proba([*RARE_NEW, "Hon slussades runt mellan myndigheterna"])
    assert np.allclose(proba.sum(axis=1), 1.0)
    few = suggester().fit(uneven_examples()[:10])  # too few examples to calibrate
    assert few.temperature == 1.0


def test_temperature_fits_overconfident_scores_and_keeps_their_order() -> None:
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 4, 400)
    logits = rng.normal(size=(400, 4))
    logits[np.arange(400), truth] += 1.0
    sharp = np.exp(6 * logits)
    sharp /= sharp.sum(axis=1, keepdims=True)  # far too sure of itself
    t = fit_temperature(sharp, truth)
    assert t > 2.0
    fixed = apply_temperature(sharp, t)
    assert (fixed.argmax(axis=1) == sharp.argmax(axis=1)).all()
    hit = sharp.argmax(axis=1) == truth
    before = expected_calibration_error(sharp.max(axis=1), hit)
    after = expected_calibration_error(fixed.max(axis=1), hit)
    assert after < before / 2


def test_fitted_temperature_is_the_grid_point_of_least_log_loss() -> None:
    """The block computation picks what one softmax per grid temperature would pick, on
    matrices of many shapes, including one bigger than a block."""
    rng = np.random.default_rng(7)
    for n, k in [(1, 2), (5, 3), (60, 8), (400, 12), (30_000, 9)]:
        proba = softmax(rng.normal(size=(n, k)) * rng.uniform(0.5, 6.0))
        truth = rng.integers(0, k, n)
        logs = np.log(np.clip(proba, 1e-12, 1.0))
        losses = [
            -np.mean(np.log(np.clip(softmax(logs / t)[np.arange(n), truth], 1e-12, 1.0)))
            for t in _TEMPERATURES
        ]
        best = float(_TEMPERATURES[int(np.argmin(losses))])
        assert fit_temperature(proba, truth.tolist()) == best


def test_expected_calibration_error_of_a_perfect_and_a_wrong_scorer() -> None:
    assert expected_calibration_error([0.8] * 10, [True] * 8 + [False] * 2) == pytest.approx(0.0)
    assert expected_calibration_error([0.9] * 4, [False] * 4) == pytest.approx(0.9)
    assert expected_calibration_error([], []) == 0.0


def test_low_best_score_is_marked_uncertain() -> None:
    s = suggester(SuggestOptions(uncertain_below=1.01)).fit(uneven_examples())
    assert all(r[0].uncertain for r in s.suggest(RARE_NEW, top=2))
    mid = suggester().fit(uneven_examples())
    ranked = mid.suggest([*RARE_NEW, "Något helt annat än samverkan."], top=1)
    assert all(r[0].uncertain == (r[0].score < mid.options.uncertain_below) for r in ranked)
    sure = suggester(SuggestOptions(uncertain_below=0.0)).fit(uneven_examples())
    assert not any(r[0].uncertain for r in sure.suggest(RARE_NEW, top=2))


def write_lines(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def test_cli_marks_uncertain_only_when_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        {"id": "a", "text": "Något helt annat."},
        {"id": "b", "text": "Ledningen ger mandat, tid och resurser för samverkan."},
    ]
    inp = write_lines(tmp_path / "in.jsonl", rows)
    base = ["suggest", "--codebook", str(DANERMARK), "--input", str(inp), "--model", "hashing"]
    assert main(base) == 0
    plain = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert all(set(line) == {"id", "suggestions"} for line in plain)  # contract unchanged
    assert main([*base, "--mark-uncertain"]) == 0
    marked = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    below = SuggestOptions().uncertain_below
    assert [m["uncertain"] for m in marked] == [
        m["suggestions"][0]["score"] < below for m in marked
    ]
    assert main([*base, "--format", "table"]) == 0
    assert ("osäker" in capsys.readouterr().out) == any(m["uncertain"] for m in marked)


def test_a_huge_passage_is_embedded_as_a_bounded_window() -> None:
    from qualkit.analysis.embed import EmbeddingCache
    from qualkit.ingest_formats.bounds import WINDOW_CHARS

    seen: list[int] = []

    class Recorder:
        model_id = "recorder"
        dim = 2

        def encode(self, texts: list[str]) -> np.ndarray:
            seen.extend(len(t) for t in texts)
            return np.ones((len(texts), 2), dtype=np.float32) / np.sqrt(2)

    vectors = EmbeddingCache(Recorder()).embed(["ord " * 5_000_000, "kort"])  # type: ignore[arg-type]
    assert vectors.shape == (2, 2)
    assert max(seen) <= WINDOW_CHARS
