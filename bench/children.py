"""A benchmark's measured runs in fresh processes: each its own model loading and memory."""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "out"
# The two 3-minute files every transcription grid runs on: bench/asr.py's conversation and
# bench/focus_group_audio.py's noisy focus group.
FILES = ("conv-3m-4v-s11", "hard-3m-4v-s99")


class CountingModel:
    """The CTranslate2 Whisper model with its decoder and aligner calls counted."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.generate_calls = 0
        self.align_calls = 0

    def generate(self, *args: Any, **kwargs: Any) -> Any:
        self.generate_calls += 1
        return self.inner.generate(*args, **kwargs)

    def align(self, *args: Any, **kwargs: Any) -> Any:
        self.align_calls += 1
        return self.inner.align(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


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
        # Seed by seed, every variant one after the other: a load that changes during the
        # run then falls on the variants alike.
        for seed in seeds:
            for variant in variants:
                row = json_child(script, str(wav), variant, str(seed))
                row.update({"file": f, key: variant, "seed": seed})
                print(json.dumps(row), flush=True)
                rows.append(row)
    return rows


def grid_table(
    rows: list[dict[str, Any]],
    key: str,
    variants: Sequence[str],
    files: Sequence[str],
    seeds: Sequence[int],
    base: str = "default",
    verdict: str = "**{}**",
) -> str:
    """A transcription grid's rows as tables: each variant on each file (WER by seed, mean
    WER and CPU, fallback decodes, words), then each variant's mean WER and CPU against the
    first variant's (named `base` in the heading), and the rule every such bench fixed
    before its run: the cheapest variant whose mean WER is at most 0.01 above the first's
    (`verdict` formats its name)."""
    lines = [
        f"| {key} | file | WER by seed | mean WER | mean CPU s | fallback decodes | words "
        "| decoder runs |",
        "|---|---|---|---|---|---|---|---|",
    ]
    summary: list[tuple[str, float, float]] = []
    for name in variants:
        mine = [r for r in rows if r[key] == name]
        for f in files:
            rs = [r for r in mine if r["file"] == f]
            lines.append(
                f"| {name} | {f} | {' / '.join(format(r['wer'], '.3f') for r in rs)} "
                f"| {statistics.mean(r['wer'] for r in rs):.3f} "
                f"| {statistics.mean(r['cpu'] for r in rs):.0f} "
                f"| {' / '.join(format(r['fallbacks'], '.0f') for r in rs)} "
                f"| {' / '.join(format(r['words'], '.0f') for r in rs)} "
                f"| {' / '.join(str(r.get('generate', '-')) for r in rs)} |"
            )
        wer = statistics.mean(r["wer"] for r in mine)
        summary.append((name, wer, statistics.mean(r["cpu"] for r in mine)))
    base_wer, base_cpu = summary[0][1], summary[0][2]
    lines += ["", f"| {key} | mean WER | CPU / {base} |", "|---|---|---|"]
    lines += [f"| {n} | {w:.3f} | {c / base_cpu:.2f}× |" for n, w, c in summary]
    chosen = min((s for s in summary if s[1] <= base_wer + 0.01), key=lambda s: s[2])
    lines += ["", f"Seeds {', '.join(map(str, seeds))}. By the rule: {verdict.format(chosen[0])}."]
    return "\n".join(lines)


def grid_main(
    script: str,
    doc: str,
    argv: list[str] | None,
    key: str,
    variants: Sequence[str],
    run_child: Callable[[Path, str, int], dict[str, Any]],
    base: str = "default",
    verdict: str = "**{}**",
) -> int:
    """A transcription grid's command line: as `script --child WAV VARIANT SEED`, one run
    (`run_child`) printed as JSON; otherwise the whole grid, saved to
    bench/out/SCRIPT.json and printed as `grid_table`'s tables."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--files", nargs="+", default=list(FILES))
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    ap.add_argument("--child", nargs=3, metavar=("WAV", key.upper(), "SEED"))
    args = ap.parse_args(argv)
    if args.child:
        wav, variant, seed = args.child
        print(json.dumps(run_child(Path(wav), variant, int(seed))))
        return 0
    rows = transcription_grid(script, args.files, variants, args.seeds, key)
    (OUT / f"{Path(script).stem}.json").write_text(json.dumps(rows, indent=1))
    print(grid_table(rows, key, variants, args.files, args.seeds, base, verdict))
    return 0
