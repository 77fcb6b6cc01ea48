"""Benchmark: how long a silence the VAD cuts before Whisper decodes, cost and words.

    nice -n 5 python bench/asr_vad.py [--files conv-3m-4v-s11 hard-3m-4v-s99] [--seeds 0 1 2]

qualkit's transcription costs about twice the plain recipe's (BENCHMARKS.md, "Speed at
length"), and bench/asr_options.py found the silence guard behind most of the extra decoder
runs: after a pause of 2 s or more it re-decodes from the end of the pause. faster-whisper's
VAD cuts only silences of 2,000 ms or more (`min_silence_duration_ms`, a 400 ms pad left
each side), so the pauses of a conversation (turn changes, hesitations) stay in the audio
Whisper decodes. `TranscribeOptions.vad_min_silence_ms` cuts shorter ones: less audio per
30-second chunk and fewer pauses for the guard. Measured at 1,000 and 500 ms beside
faster-whisper's default, each run in its own fresh process with several sampling seeds
(bench/asr_fallback.py's `child`: CPU seconds of the transcription alone, WER, fallback
decodes, words out, decoder runs).

Decision rule, fixed before the first run: the cheapest variant (by mean CPU) whose mean
WER over every file and seed is at most 0.01 above the default's becomes
`vad_min_silence_ms`'s default; if none is, the default (None: 2,000 ms) stays.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from asr_fallback import SCHEDULES, child  # noqa: E402
from children import grid_main  # noqa: E402

DEFAULT_SCHEDULE = SCHEDULES["0.0-1.0 by 0.2 (default)"]
VARIANTS: dict[str, int | None] = {"2000 (default)": None, "1000": 1000, "500": 500}


def main(argv: list[str] | None = None) -> int:
    return grid_main(
        __file__,
        __doc__,
        argv,
        "vad_min_silence_ms",
        list(VARIANTS),
        lambda wav, name, seed: child(
            wav, DEFAULT_SCHEDULE, seed, vad_min_silence_ms=VARIANTS[name]
        ),
        "2000 (default)",
    )


if __name__ == "__main__":
    raise SystemExit(main())
