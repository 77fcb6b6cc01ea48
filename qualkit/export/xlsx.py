"""An Excel workbook of the coded material: codings, factor matrices and participants.

The matrices come from the same report model as the Word and HTML reports, so a
figure in the workbook is the figure in the report. Real names never enter it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualkit import atomic
from qualkit.export.code_text import code_key, code_text
from qualkit.export.fields import (
    CoderLabels,
    coder_labels,
    participant_attribution,
    participant_name,
    participant_role,
    redacted_span,
    span_bound,
)
from qualkit.export.report_model import ReportKind, ValenceCount, build_report
from qualkit.export.report_texts import Texts
from qualkit.model import Consent, Participant
from qualkit.privacy import Redactor, exportable_segments
from qualkit.project import DEFAULT_CODEBOOK, Project

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

# Columns of the codings sheet, in order, with their header per language. The speaker
# label is left out on purpose: a transcript may label a voice by a person's name.
CODING_HEADERS: dict[str, tuple[str, str]] = {
    "coding_id": ("Kodnings-id", "Coding id"),
    "recording": ("Intervju", "Interview"),
    "kommun": ("Kommun", "Municipality"),
    "group_type": ("Grupptyp", "Group type"),
    "segment_idx": ("Avsnitt nr", "Passage no."),
    "start": ("Start (mm:ss)", "Start (mm:ss)"),
    "end": ("Slut (mm:ss)", "End (mm:ss)"),
    "participant": ("Deltagare", "Participant"),
    "attribution": ("Citeras som", "Quoted as"),
    "role": ("Roll", "Role"),
    "actor": ("Aktör", "Actor"),
    "partner_actor": ("Om aktör", "About actor"),
    "codebook": ("Kodbok", "Codebook"),
    "code": ("Kod", "Code"),
    "code_label": ("Faktor", "Factor"),
    "valence": ("Värdering", "Valence"),
    "coder": ("Kodare", "Coder"),
    "created": ("Skapad", "Created"),
    "memo": ("Anteckning", "Memo"),
    "text": ("Text", "Text"),
}
CODING_COLUMNS = tuple(CODING_HEADERS)
PARTICIPANT_HEADERS = {
    "sv": ("Pseudonym", "Roll", "Aktör", "Kommun", "Samtycke", "Samtyckesdatum"),
    "en": ("Pseudonym", "Role", "Actor", "Municipality", "Consent", "Consent date"),
}
# Excel shows a fraction of a day as minutes and seconds; [mm] lets minutes pass 59.
TIME_FORMAT = "[mm]:ss"
TIME_COLUMNS = ("start", "end")


def coding_headers(lang: str) -> tuple[str, ...]:
    i = 0 if lang == "sv" else 1
    return tuple(h[i] for h in CODING_HEADERS.values())


def export_xlsx(
    project: Project,
    path: Path | None = None,
    *,
    codebook: str = DEFAULT_CODEBOOK,
    lang: str = "sv",
    coder_names: bool = False,
) -> Path:
    """Write exports/qualkit.xlsx (atomically) and return its path.

    Coders are 'Kodare 1', 'Kodare 2' ... unless `coder_names` asks for their names."""
    from openpyxl import Workbook

    t = Texts.load(lang, project.root)
    red = Redactor.for_project(project)
    region = build_report(project, ReportKind.REGION, lang=lang, codebook=codebook, redactor=red)

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Kodningar" if lang == "sv" else "Codings"
    _codings_sheet(ws, project, red, coder_labels(project, lang, names=coder_names), lang)

    by_kommun = wb.create_sheet("Faktor per kommun" if lang == "sv" else "Factor by kommun")
    matrix = region.comparison.matrix if region.comparison else ()
    _matrix_sheet(by_kommun, t, [label for label, _ in matrix], [list(per) for _, per in matrix])

    by_actor = wb.create_sheet("Faktor per aktör" if lang == "sv" else "Factor by actor")
    _matrix_sheet(
        by_actor, t, [f.label for f in region.factors], [list(f.breakdown) for f in region.factors]
    )

    people = wb.create_sheet("Deltagare" if lang == "sv" else "Participants")
    _participants_sheet(people, project.store.participants(), red, lang)

    buf = io.BytesIO()
    wb.save(buf)
    return atomic.write_bytes(path or project.exports_dir / "qualkit.xlsx", buf.getvalue())


def _header(ws: Worksheet, values: Sequence[str], row: int = 1) -> None:
    from openpyxl.styles import Font, PatternFill

    for col, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=col, value=value)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E8F0F8")


def _clean(value: Any) -> Any:
    # pandas gives NaN/None for empty cells; openpyxl wants None, and no numpy scalars.
    if value is None or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def _codings_sheet(
    ws: Worksheet, project: Project, red: Redactor, coders: CoderLabels, lang: str
) -> None:
    frame = project.codings_frame()
    # Withdrawn consent: the person's speech stays in the project but is never exported.
    frame = frame[frame["consent"] != Consent.WITHDRAWN.value]
    allowed = {s.id for s in exportable_segments(project, project.segments(), redactor=red)}
    frame = frame[frame["segment_id"].isin(allowed)]
    people = {p.pseudonym: p for p in project.store.participants()}
    whole = {s.id: s.text for s in project.store.segments()}
    _header(ws, coding_headers(lang))
    times = [CODING_COLUMNS.index(c) + 1 for c in TIME_COLUMNS]
    for row in frame.to_dict("records"):
        person = people.get(row["participant"]) if isinstance(row["participant"], str) else None
        # Pseudonyms and roles are typed by a person and can be names: redacted like text.
        row["participant"] = participant_name(red, person) if person else None
        row["attribution"] = participant_attribution(red, person) if person else None
        row["role"] = participant_role(red, person) if person else None
        row["coder"] = coders(str(row["coder"]))
        seg = whole.get(int(row["segment_id"]))
        if seg is not None and span_bound(row["span_start"]) and span_bound(row["span_end"]):
            # Cut from the redacted segment: a name at the span's start needs its sentence.
            row["text"] = redacted_span(red, seg, int(row["span_start"]), int(row["span_end"]))
        else:
            row["text"] = red.redact(str(row["text"] or ""))
        row["memo"] = red.redact(row["memo"]) if isinstance(row["memo"], str) else None
        row["recording"] = red.redact(str(row["recording"]))
        # A code's label and a group's type are typed by a person too ("Jannes idé").
        row["code_label"] = code_text(str(row["code_label"] or ""), red)
        row["code"] = code_key(str(row["code"] or ""), red)
        row["codebook"] = code_key(str(row["codebook"] or ""), red)
        if isinstance(row.get("group_type"), str):
            row["group_type"] = red.redact(row["group_type"])
        for name in TIME_COLUMNS:
            seconds = _clean(row.get(name))
            row[name] = seconds / 86400 if isinstance(seconds, int | float) else None
        ws.append([_clean(row.get(col)) for col in CODING_COLUMNS])
        for index in times:
            ws.cell(row=ws.max_row, column=index).number_format = TIME_FORMAT
    ws.freeze_panes = "A2"
    ws.column_dimensions["O"].width = 40
    ws.column_dimensions["T"].width = 80


def _matrix_sheet(
    ws: Worksheet, t: Texts, factors: Sequence[str], cells: Sequence[Sequence[ValenceCount]]
) -> None:
    """Factor rows; per column group (kommun or actor) främjande / hindrande / förslag."""
    from openpyxl.styles import Alignment, Font

    groups = [c.label for c in cells[0]] if cells else []
    ws.cell(row=1, column=1, value=t("factors")).font = Font(bold=True)
    for g, name in enumerate(groups):
        col = 2 + 3 * g
        ws.cell(row=1, column=col, value=name).font = Font(bold=True)
        ws.cell(row=1, column=col).alignment = Alignment(horizontal="center")
        ws.merge_cells(start_row=1, start_column=col, end_row=1, end_column=col + 2)
    _header(ws, ["", *[t(v) for _ in groups for v in ("promoting", "hindering", "proposals")]], 2)
    for r, (label, row) in enumerate(zip(factors, cells, strict=True), start=3):
        ws.cell(row=r, column=1, value=label)
        for g, count in enumerate(row):
            col = 2 + 3 * g
            ws.cell(row=r, column=col, value=count.promoting)
            ws.cell(row=r, column=col + 1, value=count.hindering)
            ws.cell(row=r, column=col + 2, value=count.proposals)
    ws.column_dimensions["A"].width = 60
    ws.freeze_panes = "B3"


def _participants_sheet(
    ws: Worksheet, participants: Sequence[Participant], red: Redactor, lang: str
) -> None:
    # Real names never leave the store: pseudonym, role, actor, kommun, consent, attributes.
    keys = sorted({k for p in participants for k in p.attributes})
    _header(ws, [*PARTICIPANT_HEADERS["sv" if lang == "sv" else "en"], *keys])
    for p in participants:
        ws.append(
            [
                participant_name(red, p),
                participant_role(red, p),
                p.actor.value if p.actor else None,
                p.kommun,
                p.consent.value,
                p.consent_date,
                *(red.redact_field(p.attributes[k]) if k in p.attributes else None for k in keys),
            ]
        )
    ws.freeze_panes = "A2"
