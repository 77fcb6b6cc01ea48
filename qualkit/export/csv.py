"""CSV exports that pandas, R and spreadsheets read: UTF-8 with BOM-free header rows."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

from qualkit import atomic
from qualkit.errors import InputError
from qualkit.project import Project

if TYPE_CHECKING:
    import pandas as pd

TABLES = ("codings", "segments", "participants")


def table_frame(project: Project, what: str) -> pd.DataFrame:
    import pandas as pd

    if what == "codings":
        return project.codings_frame()
    if what == "segments":
        return project.segments_frame()
    if what == "participants":
        # Real names never leave the store: export pseudonym, role, actor and attributes.
        rows = [
            {
                "pseudonym": p.pseudonym,
                "role": p.role,
                "actor": p.actor.value if p.actor else "",
                "kommun": p.kommun or "",
                "consent": p.consent.value,
                "consent_date": p.consent_date or "",
                **{f"attr_{k}": v for k, v in p.attributes.items()},
            }
            for p in project.store.participants()
        ]
        return pd.DataFrame(rows)
    raise InputError(f"Unknown table {what!r}; choose one of {', '.join(TABLES)}.")


def export_csv(project: Project, what: str = "codings", path: Path | None = None) -> Path:
    """Write one table as CSV (atomically) and return its path."""
    frame = table_frame(project, what)
    target = path or project.exports_dir / f"{what}.csv"
    buf = io.StringIO()
    frame.to_csv(buf, index=False)
    return atomic.write_text(target, buf.getvalue())
