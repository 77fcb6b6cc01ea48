"""No export carries a voiceprint or a voice centroid: CSV, Excel, REFI-QDA (also what a
second coder's merge reads), reports and transcripts are scanned for the vectors."""

from __future__ import annotations

import base64
import zipfile
from pathlib import Path

import numpy as np

from qualkit import voices
from qualkit.export.csv import TABLES, export_csv
from qualkit.export.refi.write import export_qdpx
from qualkit.export.report import ReportOptions, write_report
from qualkit.export.transcript import TRANSCRIPT_FORMATS, export_transcript
from qualkit.export.xlsx import export_xlsx
from qualkit.project import Project
from qualkit.store.voiceprints import VoiceCentroid

DIM = 16


def plant_voices(project: Project) -> list[np.ndarray]:
    """A voiceprint for the first named participant and a centroid for every voice,
    with values no export would produce by chance."""
    store = project.store
    planted = []
    for k, spk in enumerate(store.speakers()):
        vec = (0.0123457 + 0.0314159 * k + 0.00271828 * np.arange(DIM)).astype(np.float32)
        planted.append(vec)
        store.put_voice_centroids([VoiceCentroid(spk.id, "senko", DIM, voices.encode(vec))])
    named = next(s for s in store.speakers() if s.participant_id is not None)
    vp = (0.0987654 - 0.00161803 * np.arange(DIM)).astype(np.float32)
    store.add_voiceprint(
        named.participant_id or 0,
        recording_id=named.recording_id,
        source="demo / Talare 1",
        model="senko",
        dim=DIM,
        vector=voices.encode(vp),
        seconds=30.0,
    )
    return [vp, *planted]


def needles(vectors: list[np.ndarray]) -> list[bytes]:
    """The forms a leaked vector would take: raw bytes, base64, printed numbers."""
    out: list[bytes] = []
    for v in vectors:
        raw = voices.encode(v)
        out += [raw[:16], base64.b64encode(raw)[:16]]
        out += [f"{x:.5f}".encode() for x in v[:3]]
    return out


def contents(path: Path) -> bytes:
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            return b"\n".join(zf.read(n) for n in zf.namelist())
    return path.read_bytes()


def assert_clean(path: Path, vectors: list[np.ndarray]) -> None:
    data = contents(path)
    for needle in needles(vectors):
        assert needle not in data, f"a voice vector leaked into {path.name}"
    for word in (b"voiceprint", "röstavtryck".encode(), b"voice_centroid"):
        assert word not in data.lower(), f"{word!r} in {path.name}"


def test_no_export_carries_a_voiceprint(demo_project: Project, tmp_path: Path) -> None:
    vectors = plant_voices(demo_project)
    assert demo_project.store.voiceprints()
    files = [export_csv(demo_project, what) for what in TABLES]
    files.append(export_xlsx(demo_project, tmp_path / "out.xlsx"))
    for selections in (False, True):
        qdpx = export_qdpx(
            demo_project, tmp_path / f"out{selections}.qdpx", speaker_selections=selections
        )
        files.append(Path(getattr(qdpx, "path", qdpx)))
    for fmt in ("md", "html", "docx"):
        files.append(write_report(demo_project, "region", "", ReportOptions(fmt=fmt)))
    rec = demo_project.recordings()[0]
    for fmt in TRANSCRIPT_FORMATS:
        files.append(export_transcript(demo_project, rec.id, fmt, tmp_path / f"t.{fmt}"))
    for path in files:
        assert path.is_file()
        assert_clean(path, vectors)
