"""Benchmark: diarisation by length and number of voices, old clustering beside new.

    nice -n 10 python bench/diarize_bench.py --minutes 10 40 80 --voices 4 6 8 \\
        [--methods before after legacy ahc] [--write BENCHMARKS.md]

Audio comes from bench/focus_group_audio.py (close voices, overlap, backchannels,
unequal talk time with a quiet participant, pauses, reverb and noise), made once and
cached under bench/out/. Per case, a child process embeds the recording with the
packaged speaker model (silero VAD + CAM++, the same code as `qualkit transcribe`),
timed and with its own peak RSS; the embeddings are cached. Then, per set of
options (`METHODS`: by default the clustering before resegmentation and today's
defaults) and with and without the count hint, another child turns
them into speaker turns and scores them: DER at collar 0 and ±0.25 s, with the
missed / false alarm / confusion split, the speaker-count error, whether the quiet
participant (under 3 % of the talk) has a voice of their own, wall time and peak RSS.
Transcription is not run (diarisation only), so the long cases fit two CPU cores.
With the overlap stage on, the turns are assembled as `diarize` does, the speech trim
included where the options have it (`with_overlap_stage`; before 2026-12-04 this script
and bench/calibrate_diarize.py left the trim out). Overlap scores cached before then carry
no P(speech) and are scored again.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

# This process's own high-water mark: ru_maxrss carried the parent's into each child.
from peak_memory import peak_rss_mb  # noqa: E402

OUT = REPO / "bench" / "out"
HEADING = "## Diarisation by length and voices (bench/diarize_bench.py)"
# Named sets of DiarizeOptions: "before" is the clustering before resegmentation
# (spectral, oracle count with a hint, no second pass), "after" today's defaults;
# "legacy" and "ahc" are the earlier rounds' methods.
METHODS: dict[str, dict[str, Any]] = {
    "before": {"switch_penalty": 0.0, "refine_rounds": 0, "recluster_runs": False},
    "after": {},
    # the pieces and alternatives measured beside it (chosen against on calibration)
    "refine-only": {"switch_penalty": 0.0},
    "merge-hint": {"hint_mode": "merge"},
    "best-hint": {"hint_mode": "best"},
    "runs": {"recluster_runs": True},
    "legacy": {"clustering": "legacy"},
    "ahc": {"clustering": "ahc"},
}


def child_embed(wav: Path, npz: Path) -> dict[str, Any]:
    import numpy as np

    from qualkit.pipeline.audio import PcmAudio, decode_to_pcm
    from qualkit.pipeline.diarize import DiarizeOptions, load_embedder

    pcm = npz.with_suffix(".pcm")
    decode_to_pcm(wav, pcm)
    audio = PcmAudio(pcm)
    t0, c0 = time.perf_counter(), time.process_time()
    emb = load_embedder(DiarizeOptions(), "cpu").embed(audio, 300.0)
    res = {
        "embed_wall": time.perf_counter() - t0,
        "embed_cpu": time.process_time() - c0,
        "embed_rss_mb": peak_rss_mb(),
        "subsegments": int(emb.vectors.shape[0]),
        "duration_s": audio.duration_s,
    }
    np.savez(npz, spans=emb.spans, vectors=emb.vectors, speech=np.asarray(emb.speech, np.float32))
    pcm.unlink(missing_ok=True)
    return res


def child_overlap(wav: Path, npz: Path, step_s: float) -> dict[str, Any]:
    """The segmentation model's P(two voices) per frame at window hop `step_s`, timed,
    with its own peak RSS."""
    import numpy as np

    from qualkit.pipeline.audio import PcmAudio, decode_to_pcm
    from qualkit.pipeline.overlap_model import OverlapOptions, load_overlap_detector

    pcm = npz.with_suffix(".pcm")
    decode_to_pcm(wav, pcm)
    audio = PcmAudio(pcm)
    t0, c0 = time.perf_counter(), time.process_time()
    frames = load_overlap_detector("cpu").score(audio, OverlapOptions(step_s=step_s))
    res = {
        "overlap_wall": time.perf_counter() - t0,
        "overlap_cpu": time.process_time() - c0,
        "overlap_rss_mb": peak_rss_mb(),
    }
    speech = np.asarray([] if frames.speech is None else frames.speech, np.float32)
    np.savez(npz, scores=frames.scores, start=frames.start, step=frames.step, speech=speech)
    pcm.unlink(missing_ok=True)
    return res


def load_frames(npz: Path) -> Any:
    import numpy as np

    from qualkit.pipeline.overlap import FrameScores

    d = np.load(npz)
    speech = d["speech"] if "speech" in d.files and d["speech"].size else None
    return FrameScores(d["scores"], float(d["start"]), float(d["step"]), speech)


def with_overlap_stage(turns: list[Any], frames: Any, opts: Any) -> list[Any]:
    """Both voices' turns after the overlap stage, as `diarize` makes them: the second
    voice in overlap regions, and with `opts.trims` (today's default) both cut where
    the segmentation model hears no speech."""
    from qualkit.pipeline.diarize import overlap_from_scores, trimmed

    turns, second = trimmed(turns, overlap_from_scores(turns, frames, opts)[1], frames, opts)
    return [*turns, *second]


def overlap_frames(wav: Path, step_s: float = 2.5) -> tuple[Any, dict[str, Any]]:
    """Cached frame scores for one recording (a child process makes them once). The
    cases scored before the hop became 5 s are cached at 2.5 s as `<case>.ovl.npz`,
    the scores that `child_cluster` and bench/diarize_floor.py read; another hop is
    cached apart (`<case>.ovl-h<hop>.npz`)."""
    tag = "ovl" if step_s == 2.5 else f"ovl-h{step_s:g}"
    npz = OUT / f"{wav.stem}.{tag}.npz"
    meta = OUT / f"{wav.stem}.{tag}.json"
    # Scores cached before the speech trim carry no P(speech): scored again.
    if not (npz.is_file() and meta.is_file() and load_frames(npz).speech is not None):
        run_child(["overlap", str(wav), str(npz), str(step_s)], meta)
    return load_frames(npz), json.loads(meta.read_text())


def detector_quality(ref: list[Any], frames: Any, opts: Any) -> dict[str, float]:
    """Precision and recall of the overlap regions against the reference's overlap."""
    from qualkit.pipeline.overlap import binarize, reference_overlap, region_overlap_share

    truth = reference_overlap(ref)
    found = binarize(
        frames, opts.overlap_onset, opts.overlap_offset, opts.overlap_min_s, opts.overlap_min_s
    )
    return {
        "precision": region_overlap_share(found, truth),
        "recall": region_overlap_share(truth, found),
        "found_s": sum(b - a for a, b in found),
        "truth_s": sum(b - a for a, b in truth),
    }


def child_cluster(
    npz: Path, rttm: Path, meta: Path, voices: int, methods: list[str]
) -> dict[str, Any]:
    """Every method, with and without the hint and the overlap stage, on one case's
    cached embeddings and overlap scores."""
    import numpy as np

    from qualkit.pipeline.diarize import DiarizeOptions, Embeddings, turns_from_embeddings
    from qualkit.pipeline.metrics import der_detail, parse_rttm, speaker_found

    data = np.load(npz)
    emb = Embeddings(
        data["spans"], data["vectors"], tuple((float(a), float(b)) for a, b in data["speech"])
    )
    info = json.loads(meta.read_text(encoding="utf-8"))
    ref = parse_rttm(rttm.read_text(encoding="utf-8"))
    quiet = info["quiet"].replace(" ", "_")
    ovl = npz.with_name(npz.name.replace(".emb.npz", ".ovl.npz"))
    frames = load_frames(ovl) if ovl.is_file() else None
    out: dict[str, Any] = {}
    if frames is not None:
        out["detector"] = detector_quality(ref, frames, DiarizeOptions())
    for method in methods:
        for hint in (0, voices):
            opts = DiarizeOptions(num_speakers=hint or None, **METHODS[method])
            t0 = time.perf_counter()
            turns, _ = turns_from_embeddings(emb, info["duration_s"], opts)
            wall = time.perf_counter() - t0
            variants = [("off", turns)]
            if frames is not None:
                variants.append(("on", with_overlap_stage(turns, frames, opts)))
            for overlap, hyp in variants:
                res: dict[str, Any] = {"cluster_wall": wall}
                res["c0"] = der_detail(ref, hyp, 0.0)
                res["c025"] = der_detail(ref, hyp, 0.5)
                res["voices_found"] = len({t.speaker for t in turns})
                res["quiet_found"] = speaker_found(ref, hyp, quiet)
                out[f"{method}/{hint}/{overlap}"] = res
    out["cluster_rss_mb"] = peak_rss_mb()
    return out


def run_child(args: list[str], result: Path) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    subprocess.run(
        [sys.executable, __file__, "--child", *args, "--result", str(result)], check=True, env=env
    )
    out: dict[str, Any] = json.loads(result.read_text())
    return out


def run_case(
    minutes: float,
    voices: int,
    seed: int,
    methods: list[str],
    embed_only: bool = False,
    overlap: bool = True,
) -> list[dict[str, Any]]:
    from focus_group_audio import Case, build

    case = Case(minutes, voices, seed)
    t0 = time.perf_counter()
    paths = build(case)
    print(f"{case.name}: audio ready in {time.perf_counter() - t0:.0f} s", flush=True)
    npz = OUT / f"{case.name}.emb.npz"
    emb_json = OUT / f"{case.name}.embed.json"
    if not (npz.is_file() and emb_json.is_file()):
        run_child(["embed", str(paths["wav"]), str(npz)], emb_json)
    embed = json.loads(emb_json.read_text())
    print(f"{case.name}: embedded {embed}", flush=True)
    if overlap or (OUT / f"{paths['wav'].stem}.ovl.npz").is_file():
        _, ovl = overlap_frames(paths["wav"])
        embed.update(ovl)
        print(f"{case.name}: overlap scored {ovl}", flush=True)
    if embed_only:
        return []
    meta = json.loads(paths["meta.json"].read_text(encoding="utf-8"))
    out = OUT / f"{case.name}.cluster.json"
    results = run_child(
        [
            "cluster",
            str(npz),
            str(paths["rttm"]),
            str(paths["meta.json"]),
            str(voices),
            ",".join(methods),
        ],
        out,
    )
    rows = []
    for key, r in results.items():
        if key in ("cluster_rss_mb", "detector"):
            continue
        method, hint, overlap = key.split("/")
        r.update(case=case.name, minutes=minutes, voices=voices, method=method, hint=int(hint))
        r.update(overlap=overlap, detector=results.get("detector"))
        r.update(embed=embed, meta=meta, cluster_rss_mb=results["cluster_rss_mb"])
        print(json.dumps({k: v for k, v in r.items() if k not in ("embed", "meta")}), flush=True)
        rows.append(r)
    return rows


def pct(x: float) -> str:
    return f"{100 * x:.1f}"


def report(rows: list[dict[str, Any]], argv: list[str]) -> str:
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    lines = [
        HEADING,
        "",
        f"`nice -n 10 python bench/diarize_bench.py {' '.join(argv)}` on {os.cpu_count()} "
        f"shared CPU cores (load when written: `{load}`). Diarisation only.",
        "",
        "| case | overlap | quiet share | method | hint | overlap stage | voices found | DER c0 "
        "| DER ±0.25 s | missed / FA / confusion (c0) | quiet found | wall s (embed + cluster) "
        "| peak RSS MB (embed / cluster) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        m, e, c0 = r["meta"], r["embed"], r["c0"]
        q = m["talk_share"][m["quiet"]]
        lines.append(
            f"| {r['minutes']:g} min, {r['voices']} voices | {pct(m['overlap_share'])}% | "
            f"{pct(q)}% | {r['method']} | {r['hint'] or '-'} | {r['overlap']} | "
            f"{r['voices_found']} "
            f"({r['voices_found'] - r['voices']:+d}) | {pct(c0['der'])}% | "
            f"{pct(r['c025']['der'])}% | "
            f"{pct(c0['missed'])} / {pct(c0['false_alarm'])} / {pct(c0['confusion'])} | "
            f"{'yes' if r['quiet_found'] else 'no'} | "
            f"{e['embed_wall']:.0f} + {r['cluster_wall']:.1f} | "
            f"{e['embed_rss_mb']:.0f} / {r['cluster_rss_mb']:.0f} |"
        )
    lines += [
        "",
        "Overlap stage alone (segmentation-3.0 on the CPU, P(two voices) per frame, regions "
        "at the default onset/offset), against the reference's overlapped speech:",
        "",
        "| case | reference overlap s | found s | precision | recall | wall s | CPU s "
        "| peak RSS MB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    seen = set()
    for r in rows:
        if r["case"] in seen:
            continue
        seen.add(r["case"])
        d, e = r["detector"], r["embed"]
        if d is None:
            continue
        lines.append(
            f"| {r['minutes']:g} min, {r['voices']} voices | {d['truth_s']:.0f} | "
            f"{d['found_s']:.0f} | {pct(d['precision'])}% | {pct(d['recall'])}% | "
            f"{e['overlap_wall']:.0f} | {e['overlap_cpu']:.0f} | {e['overlap_rss_mb']:.0f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, nargs="+", default=[10.0, 40.0, 80.0])
    ap.add_argument("--voices", type=int, nargs="+", default=[4, 6, 8])
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--methods", nargs="+", default=["before", "after"], choices=list(METHODS))
    ap.add_argument("--write", type=Path, help="update this BENCHMARKS.md section")
    ap.add_argument("--embed-only", action="store_true", help="make audio and embeddings only")
    ap.add_argument(
        "--no-overlap",
        action="store_true",
        help="skip the overlap stage's scores (cases scored before still use theirs)",
    )
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    ap.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        kind, *rest = args.child
        if kind == "embed":
            res = child_embed(Path(rest[0]), Path(rest[1]))
        elif kind == "overlap":
            res = child_overlap(Path(rest[0]), Path(rest[1]), float(rest[2]))
        else:
            res = child_cluster(
                Path(rest[0]), Path(rest[1]), Path(rest[2]), int(rest[3]), rest[4].split(",")
            )
        args.result.write_text(json.dumps(res, indent=1))
        return 0
    sys.path.insert(0, str(REPO / "bench"))
    rows = []
    for minutes in args.minutes:
        for voices in args.voices:
            rows.extend(
                run_case(
                    minutes, voices, args.seed, args.methods, args.embed_only, not args.no_overlap
                )
            )
    if args.embed_only:
        return 0
    section = report(rows, [a for a in argv if not a.startswith("--write")])
    print(section)
    (OUT / "diarize_bench.json").write_text(json.dumps(rows, indent=1))
    if args.write:
        from bench_md import write_section

        write_section(args.write, section, HEADING)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
