"""Benchmark: Whisper's temperature fallback, what it costs and what it buys, in one run.

    nice -n 5 python bench/asr_fallback.py [--files conv-3m-4v-s11 hard-3m-4v-s99] \
        [--seeds 0 1 2]

When a 30-second chunk decodes with a low mean log-probability or a high compression
ratio, faster-whisper decodes it again at the next temperature of the schedule, sampling
`best_of` = 5 candidates: on espeak speech nearly every chunk falls back, so the schedule
decides most of the transcription's CPU time. Sampling also makes the words depend on the
random seed (`whisper_backends.SAMPLING_SEED`): the same schedule is run with several
seeds, each in its own fresh process, so a schedule's WER is read against that spread.

Per run: CPU seconds of the transcription alone (model loading excluded), WER, the number
of fallback decodes (faster-whisper's debug log), words out. Files: bench/out/*.wav with
their .ref.txt (made by bench/asr.py and bench/focus_group_audio.py).

Decision rule, fixed before the first run: the cheapest schedule (by mean CPU) whose mean
WER over every file and seed is at most 0.01 above the default schedule's becomes the
default; if none is, the default stays.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from children import CountingModel, grid_main  # noqa: E402

SCHEDULES: dict[str, tuple[float, ...]] = {
    "0.0-1.0 by 0.2 (default)": (0.0, 0.2, 0.4, 0.6, 0.8, 1.0),
    "0.0, 0.4, 0.8": (0.0, 0.4, 0.8),
    "0.0 only (no fallback)": (0.0,),
}


def child(
    wav: Path, temperatures: tuple[float, ...], seed: int, best_of: int = 5, **overrides: Any
) -> dict[str, object]:
    """One transcription in this process, with `overrides` of other TranscribeOptions;
    its figures."""
    import tempfile
    from dataclasses import replace

    from qualkit.pipeline import whisper_backends
    from qualkit.pipeline.audio import PcmAudio, decode_to_pcm
    from qualkit.pipeline.metrics import wer
    from qualkit.pipeline.transcribe import TranscribeOptions, transcribe

    fallbacks = [0]

    class Count(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if "threshold is not met" in record.getMessage():
                fallbacks[0] += 1

    fw = logging.getLogger("faster_whisper")
    fw.setLevel(logging.DEBUG)
    fw.addHandler(Count())
    fw.propagate = False
    whisper_backends.SAMPLING_SEED = seed
    options = replace(TranscribeOptions(), temperatures=temperatures, best_of=best_of, **overrides)
    backend = whisper_backends.load_backend(options, "cpu")
    counted = CountingModel(backend._model.model)  # type: ignore[attr-defined]
    backend._model.model = counted  # type: ignore[attr-defined]
    with tempfile.TemporaryDirectory() as tmp:  # 18 runs would leave 18 decoded copies
        pcm = Path(tmp) / "audio.pcm"
        decode_to_pcm(wav, pcm)
        c0, w0 = time.process_time(), time.perf_counter()
        tr = transcribe(PcmAudio(pcm), backend, options)
        cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    hyp = " ".join(s.text for s in tr.segments)
    ref = wav.with_suffix(".ref.txt").read_text(encoding="utf-8")
    return {
        "cpu": cpu,
        "wall": wall,
        "wer": wer(ref, hyp),
        "fallbacks": fallbacks[0],
        "words": len(hyp.split()),
        "generate": counted.generate_calls,
    }


def main(argv: list[str] | None = None) -> int:
    return grid_main(
        __file__,
        __doc__,
        argv,
        "schedule",
        list(SCHEDULES),
        lambda wav, name, seed: child(wav, SCHEDULES[name], seed),
    )


if __name__ == "__main__":
    raise SystemExit(main())
