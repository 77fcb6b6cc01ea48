"""Transcript files written per recording: JSON, SRT, VTT and readable text."""

from __future__ import annotations

from pathlib import Path

from qualkit.pipeline.align import AlignedTranscript
from qualkit.pipeline.artefacts import to_jsonable, write_json, write_text


def clock(t: float, sep: str = ",", millis: bool = True) -> str:
    ms = max(0, round(t * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}" if millis else f"{h:02d}:{m:02d}:{s:02d}"


def to_srt(t: AlignedTranscript) -> str:
    blocks = []
    for i, s in enumerate(t.segments, 1):
        who = f"{s.speaker}: " if s.speaker else ""
        blocks.append(f"{i}\n{clock(s.start)} --> {clock(s.end)}\n{who}{s.text}\n")
    return "\n".join(blocks)


def to_vtt(t: AlignedTranscript) -> str:
    lines = ["WEBVTT", ""]
    for s in t.segments:
        lines.append(f"{clock(s.start, '.')} --> {clock(s.end, '.')}")
        lines.append(f"<v {s.speaker}>{s.text}" if s.speaker else s.text)
        lines.append("")
    return "\n".join(lines)


def to_text(t: AlignedTranscript) -> str:
    """`[00:12:03] Talare 2: ...`, one turn per paragraph."""
    out = []
    for s in t.segments:
        mark = " (överlappande tal)" if s.overlap else ""
        out.append(
            f"[{clock(s.start, millis=False)}] {s.speaker or 'Okänd talare'}{mark}: {s.text}"
        )
    return "\n\n".join(out) + ("\n" if out else "")


def to_json(t: AlignedTranscript, recording: str, meta: dict[str, object]) -> dict[str, object]:
    talk: dict[str, float] = {}
    for s in t.segments:
        if s.speaker:
            talk[s.speaker] = talk.get(s.speaker, 0.0) + s.end - s.start
    return {
        "recording": recording,
        "duration_s": round(t.duration_s, 3),
        "speakers": [{"label": k, "talk_time_s": round(v, 2)} for k, v in talk.items()],
        "segments": [dict(to_jsonable(s), confidence=round(s.confidence, 4)) for s in t.segments],
        **meta,
    }


def write_all(t: AlignedTranscript, folder: Path, stem: str, meta: dict[str, object]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{stem}.{ext}" for ext in ("json", "srt", "vtt", "txt")]
    write_json(paths[0], to_json(t, stem, meta))
    write_text(paths[1], to_srt(t))
    write_text(paths[2], to_vtt(t))
    write_text(paths[3], to_text(t))
    return paths
