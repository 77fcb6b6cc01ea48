"""Benchmark: ending Whisper's temperature fallback on silence alone, cost and words.

    nice -n 5 python bench/asr_fallback_end.py [--files conv-3m-4v-s11 hard-3m-4v-s99] \
        [--seeds 0 1 2]

faster-whisper stops falling back on a 30-second chunk that decodes badly and looks like
silence (no-speech probability above `no_speech_threshold`), but the same setting then
drops the chunk's text. bench/asr_options.py measured that on the clean conversation file
the skip halves the decoder runs at equal WER, and that on the noisy focus-group file it
throws away most of the speech (127 words of 317). `TranscribeOptions.no_speech_ends_fallback`
ends the fallback on the same test and keeps the greedy text. Measured here at
faster-whisper's own threshold (0.6) and a lower one (0.4) beside qualkit's default (no
such end), each run in its own fresh process with several sampling seeds (bench/
asr_fallback.py's `child`: CPU seconds of the transcription alone, WER, decodes below a
threshold, words out, decoder runs).

Decision rule, fixed before the first run: the cheapest variant (by mean CPU) whose mean
WER over every file and seed is at most 0.01 above the default's becomes
`no_speech_ends_fallback`'s default; if none is, the default (None) stays.

The run of 2026-12-02 chose 0.6 (the same mean WER at 0.77x the CPU; BENCHMARKS.md).
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
# "none" was the default when the rule chose; by the rule 0.6 became the default.
VARIANTS: dict[str, float | None] = {"none": None, "0.6": 0.6, "0.4": 0.4}


def main(argv: list[str] | None = None) -> int:
    return grid_main(
        __file__,
        __doc__,
        argv,
        "no_speech_ends_fallback",
        list(VARIANTS),
        lambda wav, name, seed: child(
            wav, DEFAULT_SCHEDULE, seed, no_speech_ends_fallback=VARIANTS[name]
        ),
        "none",
    )


if __name__ == "__main__":
    raise SystemExit(main())
