"""Benchmark: peak memory of the whole pipeline by recording length, stage by stage.

    nice -n 5 python bench/pipeline_memory.py --cases 10:6 80:6 [--no-fallback 10:6 80:6]
        [--audio bench/out/conv-10m-4v-s11.wav]

Issue 12 asks for memory flat (under 1.5 GB) from 10 to 80 minutes. Each case is one
`qualkit transcribe` of a fresh project holding one of bench/focus_group_audio.py's
recordings (seed 5: room reverb, pink noise at 15-20 dB SNR, overlap, backchannels, made
once and cached under bench/out/), in a process of its own, with qualkit's defaults (the
overlap stage on). Reported per case: the process's own peak RSS (VmHWM) and the highest
resident memory seen in each stage (VmRSS, sampled every 0.1 s and put to the stage the
runner last reported), wall and CPU seconds (in all and per stage), segments and voices
found. `--audio` measures WAV files of your own the same way (bench/speed.py's, to see
which stage makes qualkit slower than the plain recipe).

`--no-fallback` runs the same with Whisper's temperature fallback off (temperatures 0.0
only). On this synthetic speech nearly every 30-second chunk falls back, which makes an
80-minute run take over an hour of two cores; the fallback decides how often the
decoder runs, not what it holds (the 10-minute case is run both ways to show it), so the
long cases can be measured in a session.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
OUT = REPO / "bench" / "out"

from peak_memory import run_measured  # noqa: E402
from speed import project_with  # noqa: E402

SEED = 5


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def child(project_dir: Path, no_fallback: bool, result: Path) -> None:
    """One `qualkit transcribe` in this process, with the highest RSS seen per stage."""
    from dataclasses import replace

    from qualkit.pipeline.progress import Progress
    from qualkit.pipeline.project_batch import transcribe_project
    from qualkit.pipeline.run_options import PipelineOptions
    from qualkit.project import open_project

    stage = ["start-up"]
    peaks: dict[str, float] = {}
    # CPU seconds per stage, all threads of this process (time.process_time), so the stage
    # that makes qualkit slower than the plain recipe can be named
    cpu: dict[str, float] = {}
    last_cpu = [time.process_time()]
    done = threading.Event()

    def switch(name: str) -> None:
        now = time.process_time()
        cpu[stage[0]] = cpu.get(stage[0], 0.0) + now - last_cpu[0]
        last_cpu[0] = now
        stage[0] = name

    def sample() -> None:
        while not done.is_set():
            rss = _status_mb("VmRSS")
            peaks[stage[0]] = max(peaks.get(stage[0], 0.0), rss)
            done.wait(0.1)

    class Stages(Progress):
        def advance(self, seconds: float, name: str) -> None:
            if name != stage[0]:
                switch(name)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    options = PipelineOptions(device="cpu")
    if no_fallback:
        options = replace(options, transcribe=replace(options.transcribe, temperatures=(0.0,)))
    project = open_project(project_dir)
    results = transcribe_project(project, ["g"], options=options, progress=Stages())
    switch("end")
    done.set()
    sampler.join()
    data = json.loads((project_dir / "transcripts" / "g.json").read_text())
    result.write_text(
        json.dumps(
            {
                "stages": {k: round(v) for k, v in peaks.items()},
                "stage_cpu_s": {k: round(v) for k, v in cpu.items()},
                "stage_wall_s": {k: round(v) for r in results for k, v in r.seconds.items()},
                "vm_hwm_mb": round(_status_mb("VmHWM")),
                "segments": len(data["segments"]),
                "voices": len({s.get("speaker") for s in data["segments"]}),
                "ok": [r.ok for r in results],
            }
        )
    )


def measure(wav: Path, no_fallback: bool) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    project = OUT / f"memory-project-{wav.stem}"
    project_with(wav, project, env)
    result = OUT / f"{wav.stem}.memory.json"
    fallback = "off" if no_fallback else "on"
    cmd = [sys.executable, __file__, "--child", str(project), str(result), fallback]
    res: dict[str, Any] = {"audio": wav.name, "no_fallback": no_fallback}
    res.update(run_measured(cmd, env))
    res.update(json.loads(result.read_text()))
    shutil.rmtree(project, ignore_errors=True)
    return res


def table(rows: list[dict[str, Any]]) -> str:
    stages = ["start-up", "transcribe", "diarize", "align"]
    lines = [
        "| audio | fallback | wall s / CPU s | peak RSS MB (own) | highest RSS by stage: "
        + " / ".join(stages)
        + " | CPU s by stage: "
        + " / ".join(stages)
        + " | segments | voices |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        by_stage = " / ".join(str(r["stages"].get(s, "-")) for s in stages)
        cpu = " / ".join(str(r.get("stage_cpu_s", {}).get(s, "-")) for s in stages)
        lines.append(
            f"| {r['audio']} | {'off' if r['no_fallback'] else 'on'} "
            f"| {r['wall']:.0f} / {r['cpu']:.0f} | **{r['peak_rss_mb']:.0f}** | {by_stage} "
            f"| {cpu} | {r['segments']} | {r['voices']} |"
        )
    return "\n".join(lines)


def _cases(specs: list[str]) -> list[tuple[float, int]]:
    out = []
    for spec in specs:
        m, _, v = spec.partition(":")
        out.append((float(m), int(v or 6)))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", nargs="*", default=[], help="MINUTES:VOICES, defaults on")
    ap.add_argument("--no-fallback", nargs="*", default=[], help="MINUTES:VOICES, fallback off")
    ap.add_argument("--audio", nargs="*", default=[], help="WAV files of your own, defaults on")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)  # PROJECT RESULT on|off
    args = ap.parse_args(argv)
    if args.child:
        child(Path(args.child[0]), args.child[2] == "off", Path(args.child[1]))
        return 0
    rows: list[dict[str, Any]] = []
    plan = [(c, False) for c in _cases(args.cases)] + [(c, True) for c in _cases(args.no_fallback)]
    from focus_group_audio import Case, build

    wavs = [(build(Case(m, v, SEED, False))["wav"], nf) for (m, v), nf in plan]
    wavs += [(Path(a), False) for a in args.audio]
    for wav, no_fallback in wavs:
        t0 = time.strftime("%H:%M")
        row = measure(wav, no_fallback)
        row["started"] = t0
        print(json.dumps(row), flush=True)
        rows.append(row)
    (OUT / "pipeline_memory.json").write_text(json.dumps(rows, indent=1))
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
