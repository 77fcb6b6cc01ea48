"""Benchmark: which of qualkit's decoding options cost CPU beside the plain recipe's.

    nice -n 5 python bench/asr_options.py [--files conv-3m-4v-s11 hard-3m-4v-s99] [--seeds 0]

qualkit's transcription differs from the plain recipe (bench/speed.py) in three options:
no conditioning on earlier text, no no-speech skip (`no_speech_threshold=None`) and a
hallucination-silence guard (`hallucination_silence_threshold=2.0`). Each is turned back
to faster-whisper's default one at a time, and the recipe itself (whole file, every
option at faster-whisper's default) runs beside them, seeded the same way. Per run, in a
fresh process: CPU seconds of the transcription alone, WER, words out, and how often
the decoder ran (`generate` calls: the first decode of each 30-second chunk, every
fallback decode, every re-decode after the guard moved the seek) and how often words
were aligned. Files: bench/out/*.wav with their .ref.txt (bench/asr.py,
bench/focus_group_audio.py). Informs only: no default is chosen by it.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
from children import FILES, OUT, CountingModel, transcription_grid  # noqa: E402

RECIPE = "recipe (faster-whisper defaults, whole file)"
VARIANTS: dict[str, dict[str, Any] | None] = {
    "qualkit default": {},
    "no silence guard (hallucination_silence_threshold=None)": {
        "hallucination_silence_threshold": None
    },
    "no-speech skip on (no_speech_threshold=0.6)": {"no_speech_threshold": 0.6},
    "conditioning on earlier text": {"condition_on_previous_text": True},
    "no-speech skip on, no silence guard": {
        "no_speech_threshold": 0.6,
        "hallucination_silence_threshold": None,
    },
    RECIPE: None,
}


def child(wav: Path, name: str, seed: int) -> dict[str, Any]:
    from qualkit.pipeline import whisper_backends
    from qualkit.pipeline.audio import PcmAudio, decode_to_pcm
    from qualkit.pipeline.metrics import wer
    from qualkit.pipeline.transcribe import TranscribeOptions, transcribe

    whisper_backends.SAMPLING_SEED = seed
    reference = wav.with_suffix(".ref.txt").read_text(encoding="utf-8")
    overrides = VARIANTS[name]
    if overrides is None:
        import speed

        model = speed.recipe_model()  # seeded with SAMPLING_SEED, as set above
        counted = CountingModel(model.model)
        model.model = counted
        c0 = time.process_time()
        segments, _ = model.transcribe(
            str(wav), language="sv", beam_size=5, word_timestamps=True, vad_filter=True
        )
        hyp = " ".join(s.text.strip() for s in segments)
    else:
        options = replace(TranscribeOptions(), **overrides)
        backend = whisper_backends.load_backend(options, "cpu")
        counted = CountingModel(backend._model.model)  # type: ignore[attr-defined]
        backend._model.model = counted  # type: ignore[attr-defined]
        with tempfile.TemporaryDirectory() as tmp:
            pcm = Path(tmp) / "audio.pcm"
            decode_to_pcm(wav, pcm)
            c0 = time.process_time()
            tr = transcribe(PcmAudio(pcm), backend, options)
        hyp = " ".join(s.text for s in tr.segments)
    return {
        "cpu": round(time.process_time() - c0, 1),
        "wer": round(wer(reference, hyp), 4),
        "words": len(hyp.split()),
        "reference_words": len(reference.split()),
        "generate": counted.generate_calls,
        "align": counted.align_calls,
    }


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| file | seed | variant | CPU s | WER | words (reference) | decoder runs | alignments |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['file']} | {r['seed']} | {r['variant']} | {r['cpu']:.0f} | {r['wer']:.3f} "
            f"| {r['words']} ({r['reference_words']}) | {r['generate']} | {r['align']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", nargs="+", default=list(FILES))
    ap.add_argument("--seeds", nargs="+", type=int, default=[0])
    ap.add_argument("--child", nargs=3, metavar=("WAV", "VARIANT", "SEED"))
    args = ap.parse_args(argv)
    if args.child:
        wav, name, seed = args.child
        print(json.dumps(child(Path(wav), name, int(seed))))
        return 0
    rows = transcription_grid(__file__, args.files, list(VARIANTS), args.seeds, "variant")
    (OUT / "asr_options.json").write_text(json.dumps(rows, indent=1))
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
