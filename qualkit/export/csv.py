"""CSV exports that pandas, R and spreadsheets read: UTF-8 with BOM-free header rows."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

from qualkit import atomic
from qualkit.errors import InputError
from qualkit.export.code_text import code_key
from qualkit.export.fields import (
    coder_labels,
    participant_name,
    participant_role,
    redacted_span,
    span_bound,
)
from qualkit.model import Consent
from qualkit.privacy import Redactor
from qualkit.project import Project

if TYPE_CHECKING:
    import pandas as pd

TABLES = ("codings", "segments", "participants")
PARTICIPANT_COLUMNS = ("pseudonym", "role", "actor", "kommun", "consent", "consent_date")
# Columns whose values come from a fixed vocabulary or the codebook: everything else
# (transcript text, memos, speaker labels, recording names, roles ...) is free text that
# can name a person, so it passes the redactor. New columns are redacted by default.
_VOCABULARY = frozenset({"group_type", "actor", "consent", "code", "valence", "created"})
UNREDACTED_MARK = "UNREDACTED"
UNREDACTED_WARNING = (
    "# UNREDACTED EXPORT: real names and identifiers. For internal use only; "
    "do not send. Skip this line when reading (pandas: skiprows=1)."
)


def table_frame(
    project: Project,
    what: str,
    *,
    unredacted: bool = False,
    redactor: Redactor | None = None,
    coder_names: bool = False,
) -> pd.DataFrame:
    """One table as a DataFrame, pseudonymised unless `unredacted` is asked for explicitly.

    Coders are 'Kodare 1', 'Kodare 2' ... (`fields.coder_labels`) unless `coder_names` or
    `unredacted` asks for their names."""
    import pandas as pd

    red = Redactor.disabled() if unredacted else (redactor or Redactor.for_project(project))
    if what in ("codings", "segments"):
        frame = project.codings_frame() if what == "codings" else project.segments_frame()
        # Withdrawn consent: the person's speech stays in the project but is never exported.
        frame = frame[frame["consent"] != Consent.WITHDRAWN.value].reset_index(drop=True)
        done = (
            _codings_columns(project, frame, red, coder_names or unredacted)
            if what == "codings"
            else set()
        )
        for column in frame.columns:
            if column in _VOCABULARY or column in done:
                continue
            if pd.api.types.is_numeric_dtype(frame[column]):
                continue
            frame[column] = [
                t if (t is None or not isinstance(t, str)) else red.redact(t) for t in frame[column]
            ]
        return frame
    if what == "participants":
        # Real names never leave the store: export pseudonym, role, actor and attributes
        # (role and attribute values are free text, so they pass the redactor too).
        rows = [
            {
                "pseudonym": participant_name(red, p),
                "role": participant_role(red, p),
                "actor": p.actor.value if p.actor else "",
                "kommun": p.kommun or "",
                "consent": p.consent.value,
                "consent_date": p.consent_date or "",
                **{f"attr_{k}": red.redact_field(str(v)) for k, v in p.attributes.items()},
            }
            for p in project.store.participants()
        ]
        # With no participants yet the file still has its header, so it reads as a table.
        return pd.DataFrame(rows, columns=None if rows else list(PARTICIPANT_COLUMNS))
    raise InputError(f"Unknown table {what!r}; choose one of {', '.join(TABLES)}.")


def _codings_columns(project: Project, frame: pd.DataFrame, red: Redactor, names: bool) -> set[str]:
    """Coder labels, redacted coded text and code keys, in place; returns the columns it
    wrote.

    The text column of a span coding is the span alone; redacted on its own, a name at its
    start ("Svensson på FK") has no sentence around it for the name finder. So the span is
    cut from the redacted segment instead (`fields.redacted_span`)."""
    labels = coder_labels(project, names=names)
    frame["coder"] = [labels(str(c)) for c in frame["coder"]]
    whole = {s.id: s.text for s in project.store.segments()}
    texts: list[str | None] = []
    for row in frame.itertuples(index=False):
        start, end, seg = row.span_start, row.span_end, whole.get(int(row.segment_id))
        if seg is not None and span_bound(start) and span_bound(end):
            texts.append(redacted_span(red, seg, int(start), int(end)))
        else:
            texts.append(red.redact(row.text) if isinstance(row.text, str) else None)
    frame["text"] = texts
    # A code key or codebook id someone typed can hold a name ("samtal_med_karin");
    # shipped ones pass.
    for column in ("code", "codebook"):
        frame[column] = [code_key(c, red) if isinstance(c, str) else c for c in frame[column]]
    return {"coder", "text", "code", "codebook"}


def unredacted_path(path: Path) -> Path:
    """`codings.csv` -> `codings-UNREDACTED.csv`: raw data never takes a redacted file's name."""
    if UNREDACTED_MARK.casefold() in path.stem.casefold():
        return path
    return path.with_name(f"{path.stem}-{UNREDACTED_MARK}{path.suffix or '.csv'}")


def export_csv(
    project: Project,
    what: str = "codings",
    path: Path | None = None,
    *,
    unredacted: bool = False,
    redactor: Redactor | None = None,
    coder_names: bool = False,
) -> Path:
    """Write one table as CSV (atomically) and return its path.

    An unredacted table goes to its own file name (`codings-UNREDACTED.csv`) and opens
    with a warning line, so it never replaces, or passes for, the redacted file.
    """
    frame = table_frame(
        project, what, unredacted=unredacted, redactor=redactor, coder_names=coder_names
    )
    target = path or project.exports_dir / f"{what}.csv"
    buf = io.StringIO()
    if unredacted:
        target = unredacted_path(target)
        buf.write(UNREDACTED_WARNING + "\n")
    frame.to_csv(buf, index=False)
    return atomic.write_text(target, buf.getvalue())
