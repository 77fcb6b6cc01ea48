"""What a delrapport keeps in the project: the analyst's texts, pinned quotes, partner actors.

The analyst writes sections (sammanfattning, bakgrund, each factor's synthesis ...) once;
they live here, keyed by report and section, so every regenerated report carries them.
"""

from __future__ import annotations

from qualkit.errors import NotFoundError
from qualkit.store.connection import StoreBase, now


class ReportsStore(StoreBase):
    """The report_texts and quote_pins tables, and codings.partner_actor."""

    # ------------------------------------------------------------- analyst texts
    def report_text(self, kind: str, scope: str, section: str, factor: str = "") -> str:
        rows = self._rows(
            "SELECT text FROM report_texts WHERE kind=? AND scope=? AND section=? AND factor=?",
            (kind, scope, section, factor),
        )
        return str(rows[0]["text"]) if rows else ""

    def report_texts(self, kind: str, scope: str) -> dict[tuple[str, str], str]:
        """{(section, factor): text} of one report; factor '' for the report-wide sections."""
        rows = self._rows(
            "SELECT section, factor, text FROM report_texts WHERE kind=? AND scope=?",
            (kind, scope),
        )
        return {(r["section"], r["factor"]): r["text"] for r in rows}

    def set_report_text(
        self, kind: str, scope: str, section: str, text: str, factor: str = ""
    ) -> None:
        """Store one section's text; an empty text removes it."""
        with self.transaction() as db:
            if text.strip():
                db.execute(
                    "INSERT INTO report_texts (kind, scope, section, factor, text, updated)"
                    " VALUES (?,?,?,?,?,?) ON CONFLICT (kind, scope, section, factor)"
                    " DO UPDATE SET text=excluded.text, updated=excluded.updated",
                    (kind, scope, section, factor, text, now()),
                )
            else:
                db.execute(
                    "DELETE FROM report_texts WHERE kind=? AND scope=? AND section=? AND factor=?",
                    (kind, scope, section, factor),
                )

    # --------------------------------------------------------------- quote pins
    def pinned_codings(self) -> set[int]:
        return {int(r["coding_id"]) for r in self._rows("SELECT coding_id FROM quote_pins")}

    def set_pinned(self, coding_id: int, pinned: bool) -> None:
        self._check_coding(coding_id)
        with self.transaction() as db:
            if pinned:
                db.execute(
                    "INSERT INTO quote_pins (coding_id, created) VALUES (?,?)"
                    " ON CONFLICT DO NOTHING",
                    (coding_id, now()),
                )
            else:
                db.execute("DELETE FROM quote_pins WHERE coding_id=?", (coding_id,))

    # ------------------------------------------------------------ partner actor
    def partner_actor(self, coding_id: int) -> str | None:
        self._check_coding(coding_id)
        rows = self._rows("SELECT partner_actor FROM codings WHERE id=?", (coding_id,))
        value = rows[0]["partner_actor"] if rows else None
        return None if value is None else str(value)

    def _check_coding(self, coding_id: int) -> None:
        if not self._rows("SELECT 1 FROM codings WHERE id=?", (coding_id,)):
            raise NotFoundError(
                f"No coding {coding_id}; list coding ids with: qualkit codings "
                "(--recording NAME for one recording)"
            )

    # ---------------------------------------------------------------- stages
    def stage_statuses(self) -> dict[int, dict[str, str]]:
        """{recording id: {stage: status}}, for a report's account of its method."""
        out: dict[int, dict[str, str]] = {}
        for r in self._rows("SELECT recording_id, stage, status FROM stages"):
            out.setdefault(int(r["recording_id"]), {})[str(r["stage"])] = str(r["status"])
        return out
