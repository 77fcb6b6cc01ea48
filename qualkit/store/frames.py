"""Read-only pandas frames over the joined tables, for reports and exports."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from qualkit.store.connection import StoreBase

if TYPE_CHECKING:
    import pandas as pd


# A segment's number as people see it: 1-based, as `qualkit segments` lists it and
# `qualkit code RECORDING:N` takes it. The stored idx is 0-based and only orders rows.
_NUMBERS = (
    "SELECT id, ROW_NUMBER() OVER (PARTITION BY recording_id ORDER BY idx) AS nr FROM segments"
)


class FramesStore(StoreBase):
    """Joined views of codings and segments as data frames."""

    def frame(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        import pandas as pd

        with self._lock:
            if self._pg is None:
                return pd.read_sql_query(sql, self._db, params=list(params))
            cur = self._db.execute(sql, list(params))
            # What read_sql_query does with a sqlite3 cursor, column names even when empty.
            names = [d[0] for d in cur.description]
            return pd.DataFrame.from_records(
                [tuple(r) for r in cur.fetchall()], columns=names, coerce_float=True
            )

    def codings_frame(self) -> pd.DataFrame:
        """One row per coding with its segment, speaker, participant and recording."""
        return self.frame(
            f"""
            SELECT codings.id AS coding_id, recordings.name AS recording, recordings.kommun,
                   recordings.group_type, segments.id AS segment_id, numbers.nr AS segment_idx,
                   segments.start_s AS start, segments.end_s AS end, speakers.label AS speaker,
                   participants.pseudonym AS participant, participants.role,
                   participants.actor, participants.consent,
                   codes.codebook, codes.key AS code, codes.label_sv AS code_label,
                   codings.valence, coders.name AS coder, codings.created, codings.memo,
                   codings.span_start, codings.span_end, codings.round_id,
                   codings.partner_actor,
                   CASE WHEN codings.span_start IS NULL THEN segments.text
                        ELSE substr(segments.text, codings.span_start + 1,
                                    codings.span_end - codings.span_start) END AS text
            FROM codings
            JOIN segments ON segments.id = codings.segment_id
            JOIN ({_NUMBERS}) AS numbers ON numbers.id = segments.id
            JOIN recordings ON recordings.id = segments.recording_id
            JOIN codes ON codes.pk = codings.code_pk
            JOIN coders ON coders.id = codings.coder_id
            LEFT JOIN speakers ON speakers.id = segments.speaker_id
            LEFT JOIN participants ON participants.id = speakers.participant_id
            ORDER BY recordings.id, segments.idx, codings.id
            """
        )

    def segments_frame(self) -> pd.DataFrame:
        return self.frame(
            f"""
            SELECT segments.id AS segment_id, recordings.name AS recording, recordings.kommun,
                   recordings.group_type, numbers.nr AS idx, segments.start_s AS start,
                   segments.end_s AS end,
                   speakers.label AS speaker, participants.pseudonym AS participant,
                   participants.role, participants.actor, participants.consent,
                   segments.overlap, segments.text
            FROM segments
            JOIN ({_NUMBERS}) AS numbers ON numbers.id = segments.id
            JOIN recordings ON recordings.id = segments.recording_id
            LEFT JOIN speakers ON speakers.id = segments.speaker_id
            LEFT JOIN participants ON participants.id = speakers.participant_id
            ORDER BY recordings.id, segments.idx
            """
        )
