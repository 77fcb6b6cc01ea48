"""A benchmark's measured runs in fresh processes: each its own model loading and memory."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "out"


def json_child(script: str, *args: str) -> dict[str, Any]:
    """Run `script --child ARGS...` with this Python; the JSON object it prints last.

    Libraries print progress and warnings on stdout too, so only the last line counts."""
    res = subprocess.run(
        [sys.executable, script, "--child", *args], capture_output=True, text=True, check=True
    )
    row: dict[str, Any] = json.loads(res.stdout.strip().splitlines()[-1])
    return row


def transcription_grid(
    script: str, files: Sequence[str], variants: Sequence[str], seeds: Sequence[int], key: str
) -> list[dict[str, Any]]:
    """Every variant with every seed on every file (bench/out/FILE.wav and its .ref.txt),
    each in a fresh `script --child WAV VARIANT SEED`; the rows, also printed as they come.
    `key` names the variant's column in the rows."""
    rows: list[dict[str, Any]] = []
    for f in files:
        wav = OUT / f"{f}.wav"
        if not wav.is_file() or not wav.with_suffix(".ref.txt").is_file():
            raise SystemExit(f"{wav} or its .ref.txt is missing: make it with bench/asr.py")
        for variant in variants:
            for seed in seeds:
                row = json_child(script, str(wav), variant, str(seed))
                row.update({"file": f, key: variant, "seed": seed})
                print(json.dumps(row), flush=True)
                rows.append(row)
    return rows
