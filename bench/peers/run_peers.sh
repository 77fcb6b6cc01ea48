#!/usr/bin/env bash
# What survives each direction between qualkit and real peers (QualCoder, Taguette).
# Needs a throwaway venv with the peers (never a qualkit dependency) and QualCoder's source:
#   python -m venv /tmp/peers && /tmp/peers/bin/pip install PyQt6 pymupdf Pillow python-vlc taguette
#   QualCoder's src/ from github.com/ccbogel/QualCoder
# Usage: bench/peers/run_peers.sh QUALCODER_SRC [PEERS_PYTHON] [QUALKIT_PYTHON] [OUT]
# Baseline: run it once more from a checkout of the previous release (the same commands).
set -euo pipefail
QC_SRC=$1
PEERS=${2:-/tmp/peers/bin/python}
PY=${3:-python}
OUT=${4:-/tmp/qualkit-peers}
HERE=$(cd "$(dirname "$0")" && pwd)
rm -rf "$OUT" && mkdir -p "$OUT/home/.qualcoder"
# The demo project from its reference transcript, with the demo audio attached.
"$PY" - "$OUT/demo" <<'PYEOF'
import shutil, sys
from pathlib import Path
from qualkit.demo import run_demo
from qualkit.project import init_project, open_project
root = Path(sys.argv[1]); init_project(root).close()
(root / "audio" / "demo").mkdir(parents=True, exist_ok=True)
for name in ("fokusgrupp_demo.txt", "fokusgrupp_demo.ogg"):
    shutil.copy(Path("audio/demo") / name, root / "audio" / "demo")
run_demo(root, say=lambda _m: None, from_audio=False)
with open_project(root) as p:
    rec = p.store.recording_by_name("fokusgrupp_demo")
    p.store.update_recording(rec.id, audio_path="audio/demo/fokusgrupp_demo.ogg")
PYEOF
for variant in default turns no-audio; do
  flags=""; [ "$variant" = turns ] && flags="--turns"; [ "$variant" = no-audio ] && flags="--no-audio"
  "$PY" -m qualkit export qdpx -p "$OUT/demo" -o "$OUT/$variant.qdpx" $flags
  echo "== qualkit -> QualCoder ($variant)"
  HOME="$OUT/home" QT_QPA_PLATFORM=offscreen "$PEERS" "$HERE/qualcoder_refi.py" "$QC_SRC" \
    "$OUT/$variant.qdpx" "$OUT/qc-$variant" 2>/dev/null
  echo "== QualCoder -> qualkit ($variant)"
  "$PY" "$HERE/survival.py" "$OUT/demo" "$OUT/qc-$variant/qualcoder.qdpx"
done
echo "== qualkit .qdc -> QualCoder -> .qdc -> qualkit"
"$PY" -m qualkit export qdc --codebook danermark -p "$OUT/demo" -o "$OUT/danermark.qdc"
HOME="$OUT/home" QT_QPA_PLATFORM=offscreen "$PEERS" "$HERE/qualcoder_refi.py" "$QC_SRC" \
  "$OUT/danermark.qdc" "$OUT/qc-qdc" 2>/dev/null
"$PY" -m qualkit codebook import "$OUT/qc-qdc/qualcoder.qdc" -p "$OUT/demo"
echo "== qualkit CSV -> Taguette -> CSV and .qdc"
"$PY" -m qualkit codebook export danermark -p "$OUT/demo" -o "$OUT/danermark.csv"
"$PEERS" "$HERE/taguette_codebook.py" "$OUT/danermark.csv" "$OUT/taguette" 2>/dev/null
echo "== Taguette -> qualkit"
"$PY" -m qualkit codebook import "$OUT/taguette/taguette_codebook.csv" -p "$OUT/demo"
"$PY" -m qualkit codebook import "$OUT/taguette/taguette_codebook.qdc" -p "$OUT/demo"
