"""A new user's path: two coders code the demo blind, one merges the other's, then agreement."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sklearn.metrics import cohen_kappa_score

from qualkit.cli import main

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "audio" / "demo" / "fokusgrupp_demo.txt"

PLANS = {
    "anna": [("2", "forum_beslut", "+"), ("3", "ledning", "-"), ("4", "stabila_org", "-")],
    "bo": [("2", "forum_beslut", "+"), ("3", "ledning", "-"), ("4", "kunskap_respekt", "-")],
}


def test_blind_coders_merge_agreement_resolve(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for coder, plan in PLANS.items():
        root = str(tmp_path / coder)
        assert main(["init", root]) == 0
        assert main(["import", str(DEMO), "--name", "fokusgrupp_demo", "-p", root]) == 0
        for turn, code, val in plan:
            args = ["code", f"fokusgrupp_demo:{turn}", code, "-v", val, "--coder", coder]
            assert main([*args, "-p", root]) == 0
    anna = ["-p", str(tmp_path / "anna")]
    capsys.readouterr()
    assert main(["merge-coder", str(tmp_path / "bo"), *anna]) == 0
    assert "Merged 3 codings by bo" in capsys.readouterr().out
    assert main(["merge-coder", str(tmp_path / "bo"), *anna]) == 0
    assert "3 were already here" in capsys.readouterr().out
    # Blind listing shows only one coder's work.
    assert main(["codings", "--coder", "anna", *anna]) == 0
    listing = capsys.readouterr().out
    assert "stabila_org" in listing and "kunskap_respekt" not in listing

    assert main(["agreement", "--format", "json", *anna]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["coders"] == ["anna", "bo"] and data["kappa_kind"] == "cohen"
    assert set(data["codes"]) == {"ledning", "stabila_org", "kunskap_respekt", "forum_beslut"}
    a = [0] * 20
    a[3] = 1  # stabila_org on turn 4 by anna only
    expected = cohen_kappa_score(a, [0] * 20)
    assert data["codes"]["stabila_org"]["kappa"] == pytest.approx(expected, abs=1e-9)
    assert data["codes"]["ledning"]["kappa"] == 1.0
    assert data["codes"]["ledning"]["n"] == 20
    assert data["overall"]["percent"] == pytest.approx((100 + 95 + 95 + 100) / 4)

    args = ["agreement", "--coder", "bo", "--coder", "anna", "--per-recording", "--format", "json"]
    assert main([*args, *anna]) == 0
    per = json.loads(capsys.readouterr().out)
    assert per["coders"] == ["bo", "anna"]
    assert per["by_recording"]["fokusgrupp_demo"]["overall"] == data["overall"]

    assert main(["agreement", "--unit", "char", "--coders", "anna,bo", *anna]) == 0
    table = capsys.readouterr().out
    assert "Cohen κ" in table and "overall (mean)" in table

    assert main(["disagreements", *anna]) == 0
    assert "fokusgrupp_demo:4" in capsys.readouterr().out
    args = ["resolve", "fokusgrupp_demo:4", "--code", "stabila_org:hindrande"]
    assert main([*args, "--memo", "Omorganisation.", *anna]) == 0
    assert main(["disagreements", *anna]) == 0
    assert "No disagreements left" in capsys.readouterr().out
    # Errors are one line, exit 2.
    assert main(["agreement", "--coders", "anna", *anna]) == 2
    assert main(["merge-coder", str(tmp_path / "nowhere"), *anna]) == 2
    assert "qualkit: error:" in capsys.readouterr().err
