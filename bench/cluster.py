"""Benchmark: batch transcription on Ray against the local runner, in one run.

    python bench/cluster.py [--recordings 4] [--minutes 0.5] [--device cpu]

Makes N synthetic focus groups (espeak-ng + sox, 4 voices), then transcribes and
diarises the same batch three times, each into a fresh project with the packaged
models: the local runner (the baseline), a local Ray cluster with 1 worker and with
2 workers. Reports wall time and throughput (audio minutes per minute), the
scheduling overhead per recording (driver wall time not spent computing on a worker)
and the real-time factor measured on the workers, and from those an estimate of wall
time for 25 and 500 recordings of 80 minutes on N nodes. Results go to
bench/out/cluster.json.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
OUT = REPO / "bench" / "out"
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")


def make_recordings(count: int, minutes: float) -> list[Path]:
    from qualkit.pipeline import synth

    paths = []
    for seed in range(count):
        wav = OUT / f"cluster-{minutes:g}m-s{seed}.wav"
        if not wav.is_file():
            lines = synth.bench_script(minutes * 60, 4, seed + 100)
            mix, _ = synth.converse(lines, synth.assign_voices([s for s, _ in lines]), seed=seed)
            synth.write_wav(wav, mix)
        paths.append(wav)
    return paths


def fresh_project(name: str, wavs: list[Path]) -> Any:
    from qualkit.project import init_project, open_project

    root = OUT / "cluster-projects" / name
    shutil.rmtree(root, ignore_errors=True)
    init_project(root).close()
    project = open_project(root)
    for wav in wavs:
        project.import_audio(wav, name=wav.stem)
    return project


def run_local(wavs: list[Path], device: str) -> dict[str, Any]:
    from qualkit.pipeline.project_batch import transcribe_project
    from qualkit.pipeline.run import PipelineOptions

    project = fresh_project("local", wavs)
    t0 = time.perf_counter()
    results = transcribe_project(project, all_=True, options=PipelineOptions(device=device))
    wall = time.perf_counter() - t0
    audio = sum(r.duration_s for r in results)
    project.close()
    return {"wall_s": wall, "audio_s": audio, "ok": all(r.ok for r in results)}


def run_cluster(ray: Any, wavs: list[Path], workers: int, device: str) -> dict[str, Any]:
    from qualkit.pipeline.cluster import ClusterOptions, ClusterRun
    from qualkit.pipeline.run import PipelineOptions

    project = fresh_project(f"ray-{workers}", wavs)
    run = ClusterRun(project, PipelineOptions(device=device), ClusterOptions("auto", workers))
    t0 = time.perf_counter()
    results = run.run(ray, project.recordings())
    wall = time.perf_counter() - t0
    project.close()
    computed = [r.seconds.get("worker", 0.0) for r in results]
    audio = sum(r.duration_s for r in results)
    # The first job on each worker includes loading the models: the RTF uses the rest.
    steady = sorted(zip(computed, (r.duration_s for r in results), strict=True))[:-workers]
    rtf = sum(c for c, _ in steady) / max(1e-9, sum(d for _, d in steady)) if steady else 0.0
    return {
        "wall_s": wall,
        "audio_s": audio,
        "ok": all(r.ok for r in results),
        "worker_s": sum(computed),
        "overhead_per_recording_s": (wall * workers - sum(computed)) / len(results),
        "rtf_steady": rtf,
    }


def estimate(rtf: float, overhead_s: float, recordings: int, nodes: int) -> float:
    """Hours for `recordings` of 80 minutes on `nodes` workers like the measured one."""
    per = 80 * 60 * rtf + overhead_s
    return math.ceil(recordings / nodes) * per / 3600


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--recordings", type=int, default=4)
    ap.add_argument("--minutes", type=float, default=0.5)
    ap.add_argument("--device", default="cpu", choices=("cpu", "cuda", "auto"))
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    wavs = make_recordings(args.recordings, args.minutes)
    import ray

    report: dict[str, Any] = {"recordings": args.recordings, "minutes": args.minutes}
    report["local"] = run_local(wavs, args.device)
    ray.init(
        address="local",
        include_dashboard=False,
        log_to_driver=False,
        _node_ip_address="127.0.0.1",
        runtime_env={"env_vars": {"PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}},
    )
    try:
        for workers in (1, 2):
            report[f"ray_{workers}"] = run_cluster(ray, wavs, workers, args.device)
    finally:
        ray.shutdown()
    base = report["local"]["wall_s"]
    print(
        f"{args.recordings} recordings x {args.minutes:g} min, device {args.device}, "
        f"{os.cpu_count()} CPUs"
    )
    print(f"{'runner':<18}{'wall s':>8}{'audio min/min':>15}{'vs local':>10}")
    for key in ("local", "ray_1", "ray_2"):
        r = report[key]
        print(
            f"{key:<18}{r['wall_s']:>8.1f}{r['audio_s'] / r['wall_s']:>15.2f}"
            f"{base / r['wall_s']:>9.2f}x"
        )
    one = report["ray_1"]
    print(f"scheduling overhead per recording (1 worker): {one['overhead_per_recording_s']:.1f} s")
    print(f"worker real-time factor (models loaded): {one['rtf_steady']:.3f}")
    rows = []
    for recs in (25, 500):
        for nodes in (1, 4, 16):
            hours = estimate(one["rtf_steady"], one["overhead_per_recording_s"], recs, nodes)
            rows.append((recs, nodes, hours))
            print(f"estimate: {recs} x 80 min on {nodes} CPU node(s) like this one: {hours:.1f} h")
    report["estimates"] = rows
    (OUT / "cluster.json").write_text(json.dumps(report, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
