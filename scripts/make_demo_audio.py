"""Synthesise the demo focus group: audio/demo/fokusgrupp_demo.ogg (+ .rttm reference).

Reads `Speaker: text` lines from audio/demo/fokusgrupp_demo.txt, speaks each speaker
with its own espeak-ng voice (pitch and tempo shifted with sox), adds pauses and a few
overlaps, and encodes 16 kHz mono Opus. Needs espeak-ng, sox and ffmpeg.

    python scripts/make_demo_audio.py [--text FILE] [--out FILE.ogg]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from qualkit.pipeline import synth  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--text", type=Path, default=REPO / "audio/demo/fokusgrupp_demo.txt")
    ap.add_argument("--out", type=Path, default=REPO / "audio/demo/fokusgrupp_demo.ogg")
    ap.add_argument("--overlap-every", type=int, default=7)
    args = ap.parse_args(argv)
    lines = synth.parse_reference(args.text.read_text(encoding="utf-8"))
    voices = synth.assign_voices([s for s, _ in lines])
    mix, utts = synth.converse(lines, voices, overlap_every=args.overlap_every)
    with tempfile.TemporaryDirectory() as d:
        wav = Path(d) / "demo.wav"
        synth.write_wav(wav, mix)
        synth.encode_ogg(wav, args.out)
    args.out.with_suffix(".rttm").write_text(synth.rttm(utts, args.out.stem), encoding="utf-8")
    size = args.out.stat().st_size / 1e6
    print(f"{args.out} ({len(mix) / 16000:.0f} s, {len(voices)} voices, {size:.2f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
