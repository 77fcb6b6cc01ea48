"""Benchmark: peak memory of speaker embedding by length, the previous path beside today's.

    nice -n 10 python bench/embed_memory.py --cases 10:4 40:6 [--cut MINUTES]

Embeds bench/focus_group_audio.py's recordings (seed 5; made once and cached under
bench/out/) in a fresh process per method and case, window by window (300 s, as the
pipeline does): "old" is the path before this change (each window's features for all
its sub-segments at once, CAM++ batches of 64, nothing handed back between windows),
"new" is `SenkoEmbedder.embed` (features 128 sub-segments at a time, free memory handed
back after each window; CAM++ batches of 64, or `--new-batch N`). Reports peak RSS,
wall and CPU seconds and how far the two methods' embeddings are apart (largest absolute
difference and largest 1 - cosine). `--cut` embeds only the first MINUTES of each
recording. Both paths take their features from `qualkit.pipeline.fbank` (the figures in
BENCHMARKS.md before 2026-12-02 used senko's prebuilt extractor, which needs AVX-512).
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

from peak_memory import peak_rss_mb  # noqa: E402


def resident_mb() -> float:
    """Resident memory now (VmRSS), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child(method: str, pcm: Path, cut_s: float, result: Path, new_batch: int) -> None:
    from qualkit.pipeline.audio import ArrayAudio, PcmAudio, windows
    from qualkit.pipeline.fbank import subsegment_features
    from qualkit.pipeline.voice_embed import SenkoEmbedder

    audio: ArrayAudio | PcmAudio = PcmAudio(pcm)
    if cut_s:
        audio = ArrayAudio(audio.read(0, cut_s))
    emb = SenkoEmbedder("cpu")
    t0, c0 = time.perf_counter(), time.process_time()
    trace: list[tuple[float, float]] = []  # (window end s, resident MB after it)

    def after_window(end_s: float) -> None:
        trace.append((round(end_s, 1), round(resident_mb(), 1)))

    if method == "new":
        emb._BATCH = new_batch  # type: ignore[misc]
        vectors = emb.embed(audio, 300.0, after_window).vectors
    else:
        emb._BATCH = 64  # type: ignore[misc]
        d = emb._d
        out = []
        for a, b in windows(audio, 300.0):
            x = np.ascontiguousarray(audio.read(a, b), dtype=np.float32)
            subs = d._generate_subsegments(d._perform_vad(x), None)
            if subs:
                feats, frames, offsets, dim = subsegment_features(x, subs)
                out.append(emb._embed_fixed(feats, frames, offsets, int(dim)))
            after_window(b)
        vectors = np.concatenate(out)
    np.save(result.with_suffix(".npy"), vectors)
    result.write_text(
        json.dumps(
            {
                "wall": time.perf_counter() - t0,
                "cpu": time.process_time() - c0,
                "n": len(vectors),
                "duration_s": audio.duration_s,
                "rss_mb": peak_rss_mb(),
                "trace": trace,
            }
        )
    )


def window_range(found: dict[str, object]) -> str:
    """Resident memory after the first and the last window, and the range over all:
    flat in length means the last is not above the first."""
    trace = found.get("trace") or []
    assert isinstance(trace, list)
    if not trace:
        return "-"
    mbs = [mb for _, mb in trace]
    return f"{mbs[0]:.0f} -> {mbs[-1]:.0f} ({min(mbs):.0f}-{max(mbs):.0f}, {len(mbs)} windows)"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", nargs="+", default=["10:4", "40:6"], help="MINUTES:VOICES")
    ap.add_argument("--cut", type=float, default=0.0, help="embed only the first MINUTES")
    ap.add_argument("--methods", nargs="+", default=["old", "new"])
    ap.add_argument("--new-batch", type=int, default=64, help="CAM++ batch of the new path")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    ap.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.child:
        child(args.child[0], Path(args.child[1]), float(args.child[2]), args.result, args.new_batch)
        return 0
    from focus_group_audio import Case, build

    from qualkit.pipeline.audio import decode_to_pcm

    env = {**os.environ, "PYTHONPATH": str(REPO)}
    rows = []
    for spec in args.cases:
        minutes, voices = spec.split(":")
        case = Case(float(minutes), int(voices))
        pcm = OUT / f"{case.name}.mem-{'-'.join(args.methods)}.pcm"
        decode_to_pcm(build(case)["wav"], pcm)
        found = {}
        for method in args.methods:
            res = OUT / f"mem-{case.name}-{method}-{args.cut:g}.json"
            cmd = [sys.executable, __file__, "--child", method, str(pcm), str(60 * args.cut)]
            cmd += ["--new-batch", str(args.new_batch)]
            # The child reports its own peak (VmHWM): wait4's would include this
            # process's, which made the recording (bench/peak_memory.py).
            subprocess.run([*cmd, "--result", str(res)], env=env, check=True)
            found[method] = json.loads(res.read_text())
            found[method]["vectors"] = np.load(res.with_suffix(".npy"))
            print(case.name, method, {k: v for k, v in found[method].items() if k != "vectors"})
        pcm.unlink()
        old, new = found.get("old"), found.get("new")
        diff = cos = float("nan")
        if old and new and old["vectors"].shape == new["vectors"].shape:
            a, b = old["vectors"], new["vectors"]
            diff = float(np.abs(a - b).max())
            na, nb = np.linalg.norm(a, axis=1), np.linalg.norm(b, axis=1)
            cos = float((1 - (a * b).sum(1) / (na * nb)).max())
        first = old or new
        assert first is not None
        rows.append(
            f"| {first['duration_s'] / 60:.0f} min ({case.name}) | {first['n']} | "
            + " | ".join(f"{found[m]['rss_mb']:.0f}" if m in found else "-" for m in ("old", "new"))
            + " | "
            + " | ".join(
                f"{found[m]['wall']:.0f} / {found[m]['cpu']:.0f}" if m in found else "-"
                for m in ("old", "new")
            )
            + f" | {diff:.1e} | {cos:.1e} | "
            + " | ".join(window_range(found[m]) if m in found else "-" for m in ("old", "new"))
            + " |"
        )
        print(rows[-1], flush=True)
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(f"load: {load}")
    print(
        "| audio | sub-segments | peak RSS MB old | peak RSS MB new | wall / CPU s old "
        "| wall / CPU s new | largest difference | largest 1 - cosine "
        "| resident MB after each window, old | same, new |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
