"""What survives a trip through another QDA tool: compare a qualkit project with the same
project imported back from the other tool's REFI-QDA export.

    python bench/peers/survival.py ORIGINAL_PROJECT PEER_EXPORT.qdpx

Imports the file into a fresh project in a temporary folder and prints, as JSON, how many
of the original's codings come back on the same segment text, code, valence and coder; how
many memos; how many segments keep their speaker; whether the kommun is kept; and how many
recordings arrive (the original has one per recording).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from qualkit.export.refi.importer import import_qdpx
from qualkit.project import Project, init_project, open_project


def _codings(p: Project) -> set[tuple[str, str, str, str]]:
    segs = {s.id: s.text for s in p.store.segments()}
    labels = {(cb, c.key): c.label_sv for cb in p.codebook_ids() for c in p.codebook(cb).codes}
    return {
        (segs[c.segment_id], labels[(c.codebook, c.code)], c.valence.value, c.coder)
        for c in p.store.codings()
    }


def _memos(p: Project) -> set[str]:
    return {c.memo for c in p.store.codings() if c.memo}


def _speakers(p: Project) -> dict[str, str]:
    names = {x.id: x.pseudonym for x in p.store.participants()}
    voices = {v.id: names.get(v.participant_id or 0, "") for v in p.store.speakers()}
    return {s.text: voices.get(s.speaker_id or 0, "") for s in p.store.segments()}


def main() -> int:
    original, peer = Path(sys.argv[1]), Path(sys.argv[2])
    with open_project(original) as p:
        before = _codings(p)
        memos = _memos(p)
        speakers = {t: s for t, s in _speakers(p).items() if s}
        kommun = {r.kommun for r in p.recordings()}
        n_recordings = len(p.recordings())
    with tempfile.TemporaryDirectory() as tmp:
        q = init_project(Path(tmp) / "back")
        try:
            summary = import_qdpx(q, peer)
            after = _codings(q)
            back_speakers = _speakers(q)
            result = {
                "file": peer.name,
                "codings": f"{len(before & after)}/{len(before)}",
                "memos": f"{len(memos & _memos(q))}/{len(memos)}",
                "speakers": f"{sum(back_speakers.get(t) == s for t, s in speakers.items())}"
                f"/{len(speakers)}",
                "kommun": sorted(r.kommun or "" for r in q.recordings())
                == sorted(k or "" for k in kommun),
                "recordings": f"{len(q.recordings())} (original {n_recordings})",
                "warnings": list(summary.warnings),
            }
        finally:
            q.close()
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
