"""Benchmark: how many candidates Whisper's fallback samples (`best_of`), cost and words.

    nice -n 5 python bench/asr_best_of.py [--files conv-3m-4v-s11 hard-3m-4v-s99] \
        [--seeds 0 1 2]

At every fallback temperature above 0 faster-whisper samples `best_of` candidates (5 by
default; openai-whisper's `transcribe` samples 1) and keeps the one with the best
log-probability. On the
benchmark's espeak speech nearly every 30-second chunk falls back, and the fallback's
decoding is most of qualkit's CPU time (bench/asr_fallback.py). The temperature schedule
stays qualkit's; only the number of candidates changes. Each run in its own fresh process,
with several sampling seeds, as bench/asr_fallback.py does (its `child` measures: CPU
seconds of the transcription alone, WER, fallback decodes, words out).

Decision rule, fixed before the first run: the cheapest `best_of` (by mean CPU) whose mean
WER over every file and seed is at most 0.01 above that of `best_of` = 5 becomes
`TranscribeOptions.best_of`'s default; if none is, 5 stays (today's default, None, leaves it
to faster-whisper, which samples 5).
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
CANDIDATES = ("5", "2", "1")  # the first is today's default


def main(argv: list[str] | None = None) -> int:
    return grid_main(
        __file__,
        __doc__,
        argv,
        "best_of",
        CANDIDATES,
        lambda wav, k, seed: child(wav, DEFAULT_SCHEDULE, seed, int(k)),
        "best_of 5",
        "**best_of = {}**",
    )


if __name__ == "__main__":
    raise SystemExit(main())
