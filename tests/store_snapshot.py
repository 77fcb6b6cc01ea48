"""Everything a coder's work consists of, read from the database, for exact comparisons."""

from __future__ import annotations

from typing import Any

from qualkit.project import Project


def snapshot(project: Project) -> dict[str, Any]:
    """Segments (ids, order, times, speakers, words), codings, voices and participants."""
    store = project.store
    return {
        "segments": sorted(store.segments(), key=lambda s: s.id),
        "codings": sorted(store.codings(), key=lambda c: c.id),
        "speakers": sorted(
            (
                (s.id, s.recording_id, s.label, s.participant_id, round(s.talk_time_s, 6))
                for s in store.speakers()
            ),
        ),
        "participants": sorted(store.participants(), key=lambda p: p.id),
    }
