"""Materialet and Metod of a report, written from the data.

Recordings with dates and lengths, participants per actor and role, the interview guides
named at import, how each recording was transcribed, the codebook, and, when two or more
coders coded, how much each coded ("Kodare 1", "Kodare 2": never an account name) and
their agreement (the `qualkit agreement` figures).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from qualkit import codebook as codebooks
from qualkit.analysis.agreement import agreement, default_coders
from qualkit.errors import QualkitError
from qualkit.export import fields
from qualkit.export.code_text import code_text
from qualkit.export.report_records import (
    REPORT_ACTORS,
    CoderShare,
    InterviewInfo,
    Material,
    Method,
)
from qualkit.export.report_texts import Texts
from qualkit.model import (
    Actor,
    Consent,
    Participant,
    Recording,
    Segment,
    Stage,
    StageStatus,
)
from qualkit.privacy import Redactor
from qualkit.project import Project

if TYPE_CHECKING:
    import pandas as pd

# The speech recogniser the pipeline runs, named in Metod when the project does not say.
DEFAULT_ASR = "Whisper (faster-whisper)"


def participants_by_recording(
    project: Project, participants: Mapping[str, Participant]
) -> dict[int, list[Participant]]:
    by_id = {p.id: p for p in participants.values()}
    out: dict[int, list[Participant]] = defaultdict(list)
    for sp in project.store.speakers():
        person = by_id.get(sp.participant_id) if sp.participant_id is not None else None
        if person is None or person.consent is Consent.WITHDRAWN:
            continue
        if person not in out[sp.recording_id]:
            out[sp.recording_id].append(person)
    return out


def ends(segments: Sequence[Segment]) -> dict[int, float]:
    """Per recording, the end of its last timed segment: its length when none is stored."""
    out: dict[int, float] = {}
    for s in segments:
        if s.end is not None:
            out[s.recording_id] = max(out.get(s.recording_id, 0.0), s.end)
    return out


def material(
    recordings: Sequence[Recording],
    people: Mapping[int, Sequence[Participant]],
    n_codings: int,
    red: Redactor,
    recording_ends: Mapping[int, float],
    auto: set[int],
    transcribed: set[int],
) -> Material:
    """The interviews behind a report: only recordings with a transcript (`transcribed`,
    those with segments). An audio file imported but not yet transcribed was no part of
    the analysis, so it is counted apart, not as an interview (nor as an imported text)."""
    waiting = sum(1 for rec in recordings if rec.id not in transcribed)
    recordings = [rec for rec in recordings if rec.id in transcribed]
    interviews = []
    everyone: dict[int, Participant] = {}
    total = 0
    known = True
    for rec in recordings:
        seconds = rec.duration_s or recording_ends.get(rec.id)
        minutes = round(seconds / 60) if seconds else None
        if minutes is None:
            known = False
        else:
            total += minutes
        persons = [p for p in people.get(rec.id, []) if p.actor is not Actor.ANNAN]
        everyone.update({p.id: p for p in persons})
        interviews.append(
            InterviewInfo(
                name=red.redact(rec.name),
                kommun=rec.kommun or "",
                group_type=rec.group_type.value if rec.group_type else "",
                date=rec.date or "",
                duration_min=minutes,
                participants=len(persons),
                guide=red.redact(rec.guide or ""),
                transcription="auto" if rec.id in auto else "text",
            )
        )
    by_actor = Counter(p.actor.value for p in everyone.values() if p.actor)
    # A role is typed text ("kurator hos Gunborg"): redacted like every other.
    by_role = Counter(
        (red.redact_field(p.role), p.actor.value if p.actor else "") for p in everyone.values()
    )
    groups = Counter(i.group_type for i in interviews if i.group_type)
    return Material(
        interviews=tuple(interviews),
        participants=len(everyone),
        by_actor=tuple((a.value, by_actor[a.value]) for a in REPORT_ACTORS if by_actor[a.value]),
        by_role=tuple((r, a, n) for (r, a), n in sorted(by_role.items())),
        group_types=tuple(sorted(groups.items())),
        total_duration_min=total if (known and recordings) else None,
        codings=n_codings,
        untranscribed=waiting,
    )


def auto_transcribed(project: Project) -> set[int]:
    """Recordings whose transcript came from the speech recogniser."""
    return {
        rec_id
        for rec_id, stages in project.store.stage_statuses().items()
        if stages.get(Stage.TRANSCRIBE.value) == StageStatus.DONE.value
    }


def coder_labels(project: Project, lang: str = "sv") -> Callable[[str], str]:
    """Coder account name -> "Kodare 1", "Kodare 2", ... as every export numbers them
    (`fields.coder_labels`), worded by the report's texts. An account name is often a
    person's own ("anna.svensson"), and the name finder cannot tell it from a word."""
    texts = Texts.load(lang, project.root)
    return fields.coder_labels(project, lang, template=texts.table.get("coder_label"))


def method(
    project: Project,
    codebook: str,
    frame: pd.DataFrame,
    mat: Material,
    recordings: Sequence[Recording],
    red: Redactor,
    lang: str = "sv",
) -> Method:
    book = project.codebook(codebook)
    names = {r.name for r in recordings}
    label = coder_labels(project, lang)
    shares = []
    for coder, rows in frame.groupby("coder"):
        shares.append(CoderShare(label(str(coder)), len(rows), int(rows["recording"].nunique())))
    shares.sort(key=lambda s: (-s.codings, s.name))
    kappa = alpha = percent = None
    units = 0
    chosen: tuple[str, ...] = ()
    # The coders' own names choose whose agreement is computed; the report shows only
    # their neutral labels, which must not change the figure.
    coded = {str(c) for c in frame["coder"].dropna()}
    coders = [c for c in default_coders(project, codebook) if c in coded]
    if len(coders) >= 2:
        try:
            scored = agreement(project, coders, codebook=codebook, recordings=sorted(names) or None)
        except QualkitError:
            scored = None  # e.g. the coders never coded the same recording
        if scored is not None and scored.overall.n:
            kappa, alpha, percent = (
                scored.overall.kappa,
                scored.overall.alpha,
                scored.overall.percent,
            )
            units = scored.overall.n
            chosen = tuple(label(c) for c in scored.coders)
    auto = sum(1 for i in mat.interviews if i.transcription == "auto")
    return Method(
        guides=tuple(dict.fromkeys(i.guide for i in mat.interviews if i.guide)),
        auto_transcribed=auto,
        text_imported=len(mat.interviews) - auto,
        model=project.store.get_meta("asr_model") or DEFAULT_ASR,
        codebook_name=code_text(codebooks.title(book, lang), red),
        codebook_description=code_text(book.description, red),
        coders=tuple(shares),
        kappa=kappa,
        alpha=alpha,
        percent=percent,
        agreement_units=units,
        agreement_coders=chosen,
    )
