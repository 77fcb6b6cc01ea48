"""A recording's transcript as Word or plain text, with timestamps and anonymised speakers.

Speakers appear as pseudonym with role and actor ("Deltagare 2 (handläggare, FK)"),
voices not yet linked to a participant as "Talare 1", "Talare 2" ... : a speaker label
may be a person's name, so it is never printed. Withdrawn participants are left out.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from qualkit import atomic
from qualkit.errors import InputError
from qualkit.export import docx_style
from qualkit.export.fields import participant_signature
from qualkit.layout import file_stem
from qualkit.model import Recording, Segment
from qualkit.privacy import exportable_segments
from qualkit.project import Project
from qualkit.redaction import Redactor
from qualkit.rounds.answers import QUESTION_SPEAKER, answer_recordings

TRANSCRIPT_FORMATS = ("docx", "txt")

_WORDS = {
    "sv": {
        "speaker": "Talare",
        "kommun": "Kommun",
        "group": "Grupptyp",
        "date": "Datum",
        "omitted": "{n} avsnitt är utelämnade: deltagaren har återkallat sitt samtycke.",
        "empty": "Transkriptionen är tom.",
    },
    "en": {
        "speaker": "Speaker",
        "kommun": "Municipality",
        "group": "Group type",
        "date": "Date",
        "omitted": "{n} passages are left out: the participant withdrew consent.",
        "empty": "The transcript is empty.",
    },
}


@dataclass(frozen=True, slots=True)
class TranscriptLine:
    timestamp: str  # '00:01:23', or '' when the segment has no time
    speaker: str
    text: str


@dataclass(frozen=True, slots=True)
class TranscriptDoc:
    title: str
    facts: tuple[tuple[str, str], ...]
    lines: tuple[TranscriptLine, ...]
    omitted: int


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def build_transcript(project: Project, rec: Recording, lang: str = "sv") -> TranscriptDoc:
    """The exportable transcript of one recording: pseudonymised, withdrawn speech removed."""
    if lang not in _WORDS:
        raise InputError(f"Unknown language {lang!r}; choose sv or en.")
    words = _WORDS[lang]
    red = Redactor.for_project(project)
    segments: list[Segment] = project.store.segments(rec.id)
    kept = exportable_segments(project, segments, redactor=red)
    people = {p.id: p for p in project.store.participants()}
    answers = answer_recordings(project)
    names: dict[int, str] = {}
    unnamed = 0
    for sp in project.store.speakers(rec.id):
        person = people.get(sp.participant_id) if sp.participant_id is not None else None
        if person is None and sp.label == QUESTION_SPEAKER and rec.id in answers:
            names[sp.id] = QUESTION_SPEAKER  # the round's questions: qualkit's own label
        elif person is None:
            unnamed += 1
            names[sp.id] = f"{words['speaker']} {unnamed}"
        else:
            # Typed by a person, so pseudonym and role can be names: redacted like text.
            names[sp.id] = participant_signature(red, person)
    lines = tuple(
        TranscriptLine(
            _clock(s.start),
            names.get(s.speaker_id, "") if s.speaker_id is not None else "",
            s.text,
        )
        for s in kept
    )
    facts = tuple(
        (words[key], value)
        for key, value in (
            ("kommun", rec.kommun or ""),
            ("group", rec.group_type.value if rec.group_type else ""),
            ("date", rec.date or ""),
        )
        if value
    )
    return TranscriptDoc(red.redact(rec.name), facts, lines, len(segments) - len(kept))


def render_txt(doc: TranscriptDoc, lang: str = "sv") -> str:
    words = _WORDS[lang]
    out = [doc.title, "=" * len(doc.title)]
    out += [f"{k}: {v}" for k, v in doc.facts]
    if doc.omitted:
        out.append(words["omitted"].format(n=doc.omitted))
    out.append("")
    if not doc.lines:
        out.append(words["empty"])
    for line in doc.lines:
        stamp = f"[{line.timestamp}] " if line.timestamp else ""
        who = f"{line.speaker}: " if line.speaker else ""
        out.append(f"{stamp}{who}{line.text}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def render_docx(doc: TranscriptDoc, lang: str = "sv") -> bytes:
    from docx.shared import Pt, RGBColor

    words = _WORDS[lang]
    # The same Word page as the reports: A4, sv-SE proofing, properties, page numbers.
    out = docx_style.new_document(lang, doc.title, author="")
    docx_style.page_numbers(out, title_page=False)
    out.add_heading(doc.title, level=0)
    for k, v in doc.facts:
        p = out.add_paragraph()
        p.add_run(f"{k}: ").bold = True
        p.add_run(v)
    if doc.omitted:
        out.add_paragraph(words["omitted"].format(n=doc.omitted)).runs[0].italic = True
    if not doc.lines:
        out.add_paragraph(words["empty"])
    for line in doc.lines:
        p = out.add_paragraph()
        if line.timestamp:
            stamp = p.add_run(f"[{line.timestamp}] ")
            stamp.font.color.rgb = RGBColor(0x66, 0x66, 0x66)
            stamp.font.size = Pt(9)
        if line.speaker:
            p.add_run(f"{line.speaker}: ").bold = True
        p.add_run(line.text)
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()


def export_transcript(
    project: Project,
    recording: str | int,
    fmt: str = "docx",
    path: Path | None = None,
    lang: str = "sv",
) -> Path:
    """Write one recording's transcript to exports/ (atomically) and return its path."""
    if fmt not in TRANSCRIPT_FORMATS:
        raise InputError(
            f"Unknown transcript format {fmt!r}; choose one of {', '.join(TRANSCRIPT_FORMATS)}."
        )
    rec = project.recording(recording)
    doc = build_transcript(project, rec, lang)
    # The file name comes from the redacted title: recording names can hold a person's name.
    slug = file_stem(doc.title, rec.id)
    target = path or project.exports_dir / f"transkript_{slug}.{fmt}"
    if fmt == "txt":
        return atomic.write_text(target, render_txt(doc, lang))
    return atomic.write_bytes(target, render_docx(doc, lang))
