"""CSV exports that pandas, R and spreadsheets read: UTF-8 with BOM-free header rows."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

from qualkit import atomic
from qualkit.errors import InputError
from qualkit.model import Consent
from qualkit.privacy import Redactor
from qualkit.project import Project

if TYPE_CHECKING:
    import pandas as pd

TABLES = ("codings", "segments", "participants")
PARTICIPANT_COLUMNS = ("pseudonym", "role", "actor", "kommun", "consent", "consent_date")


def table_frame(project: Project, what: str, *, unredacted: bool = False) -> pd.DataFrame:
    """One table as a DataFrame, pseudonymised unless `unredacted` is asked for explicitly."""
    import pandas as pd

    if what in ("codings", "segments"):
        frame = project.codings_frame() if what == "codings" else project.segments_frame()
        # Withdrawn consent: the person's speech stays in the project but is never exported.
        frame = frame[frame["consent"] != Consent.WITHDRAWN.value].reset_index(drop=True)
        redactor = Redactor.disabled() if unredacted else Redactor.for_project(project)
        # Free text can name people: the transcript, coders' memos and speaker labels
        # typed as names ("Anna:") all pass the redactor.
        for column in ("text", "memo", "speaker"):
            if column in frame.columns:
                frame[column] = [
                    None if pd.isna(t) else redactor.redact(str(t)) for t in frame[column]
                ]
        return frame
    if what == "participants":
        # Real names never leave the store: export pseudonym, role, actor and attributes
        # (attribute values are free text, so they pass the redactor too).
        redactor = Redactor.disabled() if unredacted else Redactor.for_project(project)
        rows = [
            {
                "pseudonym": p.pseudonym,
                "role": p.role,
                "actor": p.actor.value if p.actor else "",
                "kommun": p.kommun or "",
                "consent": p.consent.value,
                "consent_date": p.consent_date or "",
                **{f"attr_{k}": redactor.redact(str(v)) for k, v in p.attributes.items()},
            }
            for p in project.store.participants()
        ]
        # With no participants yet the file still has its header, so it reads as a table.
        return pd.DataFrame(rows, columns=None if rows else list(PARTICIPANT_COLUMNS))
    raise InputError(f"Unknown table {what!r}; choose one of {', '.join(TABLES)}.")


def export_csv(
    project: Project, what: str = "codings", path: Path | None = None, *, unredacted: bool = False
) -> Path:
    """Write one table as CSV (atomically) and return its path."""
    frame = table_frame(project, what, unredacted=unredacted)
    target = path or project.exports_dir / f"{what}.csv"
    buf = io.StringIO()
    frame.to_csv(buf, index=False)
    return atomic.write_text(target, buf.getvalue())
