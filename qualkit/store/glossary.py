"""The project's glossary: terms the user added, and seeded terms the user removed.

Seeds (kommun names, actors, domain terms, codebook words) are not stored: they follow
the project as it grows. Only the user's decisions are rows here.
"""

from __future__ import annotations

from collections.abc import Iterable

from qualkit.store.connection import StoreBase, now

ADDED = "added"
REMOVED = "removed"


class GlossaryStore(StoreBase):
    """The glossary_terms table."""

    def glossary_terms(self, status: str) -> list[str]:
        """Terms with `status` (added or removed), in the order they were first given."""
        rows = self._rows(
            "SELECT term FROM glossary_terms WHERE status = ? ORDER BY created, id", (status,)
        )
        return [str(r["term"]) for r in rows]

    def set_glossary_terms(self, terms: Iterable[str], status: str) -> None:
        """Mark each term added or removed (one row per term, case-insensitively)."""
        with self.transaction() as db:
            for term in terms:
                key = term.casefold()
                db.execute(
                    "INSERT INTO glossary_terms (term, term_key, status, created) VALUES (?,?,?,?)"
                    " ON CONFLICT (term_key) DO UPDATE SET term = excluded.term,"
                    " status = excluded.status",
                    (term, key, status, now()),
                )

    def forget_glossary_term(self, term: str) -> bool:
        """Drop the row of a term; False if there was none."""
        with self.transaction() as db:
            cur = db.execute("DELETE FROM glossary_terms WHERE term_key = ?", (term.casefold(),))
            return cur.rowcount > 0
