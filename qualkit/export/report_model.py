"""The report model: every number, text and quote a report shows, computed once.

`build_report` turns the coded material of one perspective (a kommun, an actor or the
whole region) into a frozen tree of records (report_records.py). Markdown, HTML and Word
are all rendered from this one tree, so the figures agree between formats. Everything
text-like in the tree has already been through the project's Redactor, and withdrawn
participants are left out, so a renderer cannot leak what the model does not hold.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from qualkit import codebook as codebooks
from qualkit.consensus import memo_settled
from qualkit.errors import InputError, NotFoundError
from qualkit.export import report_compare, report_method, report_quotes
from qualkit.export.code_text import code_key, code_text, redact_codebook
from qualkit.export.report_records import (
    PROPOSALS_PER_FACTOR,
    QUOTES_PER_VALENCE,
    REPORT_ACTORS,
    Attribution,
    Comparison,
    FactorDifference,
    FactorResult,
    Quote,
    Report,
    ReportKind,
    TitleInfo,
    ValenceCount,
)
from qualkit.export.report_texts import Texts
from qualkit.model import CONSENSUS_CODER, Actor, Code, Consent, Segment, Valence
from qualkit.privacy import Redactor, exportable_segments
from qualkit.project import DEFAULT_CODEBOOK, Project
from qualkit.rounds.answers import answer_recordings

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "REPORT_ACTORS",
    "Attribution",
    "Comparison",
    "FactorDifference",
    "FactorResult",
    "Quote",
    "Report",
    "ReportKind",
    "ValenceCount",
    "build_report",
    "kommuner",
    "resolve_actor",
    "resolve_kommun",
    "scope_key",
]

# Where a report's title page facts live in the project (`qualkit report info`).
META_STUDY, META_CLIENT, META_AUTHOR = "report_study", "report_client", "report_author"


# ------------------------------------------------------------------ scope checks
def kommuner(project: Project) -> list[str]:
    """The kommuner that recordings are filed under, sorted."""
    return sorted({r.kommun for r in project.recordings() if r.kommun})


def resolve_kommun(project: Project, name: str) -> str:
    known = kommuner(project)
    for k in known:
        if k.casefold() == name.strip().casefold():
            return k
    listed = ", ".join(known) if known else "none yet (set a kommun when importing)"
    raise NotFoundError(f"No kommun {name!r} in this project; known kommuner: {listed}.")


def resolve_actor(text: str) -> Actor:
    valid = ", ".join(a.value for a in REPORT_ACTORS)
    try:
        actor = Actor.parse(text)
    except InputError:
        raise InputError(f"Unknown actor {text!r}; choose one of {valid}.") from None
    if actor not in REPORT_ACTORS:
        raise InputError(f"Actor {text!r} has no report; choose one of {valid}.")
    return actor


def scope_key(project: Project, kind: ReportKind | str, scope: str = "") -> tuple[str, str]:
    """The (kind, scope) a report's analyst texts are filed under, as the user's words name it."""
    kind = ReportKind(kind)
    if kind is ReportKind.KOMMUN:
        return kind.value, resolve_kommun(project, scope)
    if kind is ReportKind.AKTOR:
        return kind.value, resolve_actor(scope).value
    return kind.value, ""


def title_info(project: Project, red: Redactor) -> TitleInfo:
    """The title page as `qualkit report info` set it, through the redactor like every text
    of a report: a study, client or author line is typed text and may hold a name. With no
    author set the line is left out; coders' account names never sign a report."""
    store = project.store
    study, client, author = (
        red.redact((store.get_meta(key) or "").strip())
        for key in (META_STUDY, META_CLIENT, META_AUTHOR)
    )
    return TitleInfo(study, client, author)


# ----------------------------------------------------------------------- build
def build_report(
    project: Project,
    kind: ReportKind | str,
    scope: str = "",
    *,
    lang: str = "sv",
    codebook: str = DEFAULT_CODEBOOK,
    redactor: Redactor | None = None,
    attribution: Attribution | str = Attribution.ACTOR_GROUP,
) -> Report:
    """Compute the report of one perspective. Raises a QualkitError for an unknown scope."""
    kind = ReportKind(kind)
    if lang not in ("sv", "en"):
        raise InputError(f"Unknown language {lang!r}; choose sv or en.")
    try:
        setting = Attribution(attribution)
    except ValueError:
        valid = ", ".join(a.value for a in Attribution)
        raise InputError(f"Unknown attribution {attribution!r}; choose {valid}.") from None
    if codebook not in project.codebook_ids():
        known = ", ".join(project.codebook_ids())
        raise NotFoundError(f"No codebook {codebook!r} in this project; known: {known}.")
    red = redactor or Redactor.for_project(project)
    # Labels and descriptions may hold names (typed, or made from passage words): the
    # whole tree, charts included, shows them redacted; shipped text passes as it is.
    book = redact_codebook(project.codebook(codebook), red)
    participants = {p.pseudonym: p for p in project.store.participants()}

    # Written answers of a självvärdering round are no focus group: they stay out of the
    # focus-group reports (the rounds report reads them).
    answers = answer_recordings(project)
    segments = [s for s in project.segments() if s.recording_id not in answers]
    visible = _visible_codings(project, segments, red)
    # A passage resolved by a memo alone (no code fits) is settled, as `qualkit
    # disagreements` reads it; `settled` keeps the ones the consensus also coded.
    every = report_compare.settled(visible, memo_settled(project))
    recordings = [r for r in project.recordings() if r.id not in answers]
    kind_key, scope = scope_key(project, kind, scope)

    def in_scope(rows: pd.DataFrame) -> pd.DataFrame:
        rows = rows[rows["codebook"] == codebook]
        if kind is ReportKind.KOMMUN:
            rows = rows[rows["kommun"] == scope]
        elif kind is ReportKind.AKTOR:
            rows = rows[rows["actor"] == scope]
        return rows.reset_index(drop=True)

    frame = in_scope(every)
    # Each coder's own work, for the Metod section's shares, agreement and the authors.
    own = in_scope(visible[visible["coder"] != CONSENSUS_CODER])
    if kind is ReportKind.KOMMUN:
        recordings = [r for r in recordings if r.kommun == scope]

    speakers_by_rec = report_method.participants_by_recording(project, participants)
    if kind is ReportKind.AKTOR:
        speakers_by_rec = {
            rid: [p for p in ps if p.actor is not None and p.actor.value == scope]
            for rid, ps in speakers_by_rec.items()
        }
        recordings = [r for r in recordings if speakers_by_rec.get(r.id)]

    # Codings whose kommun or actor nobody gave are counted in every factor's total, so
    # they get a column of their own when there are any, as the moderator and others
    # ("annan") do: a table whose rows do not add up to its n misleads.
    unknown = Texts.load(lang, project.root)("actor_unknown")
    if kind is ReportKind.AKTOR:
        dimension = "kommun"
        known = frame["kommun"].where(frame["kommun"].notna() & (frame["kommun"] != ""))
        by_dim = frame.assign(kommun=known.where(known.notna(), unknown))
        values = tuple(sorted(set(known.dropna().astype(str))))
        values += (unknown,) if known.isna().any() else ()
    else:
        dimension = "actor"
        by_dim = frame.assign(actor=frame["actor"].where(frame["actor"].notna(), unknown))
        present = set(by_dim["actor"])
        values = tuple(a.value for a in REPORT_ACTORS) + tuple(
            v for v in (Actor.ANNAN.value, unknown) if v in present
        )

    # Counts, quotes and relations read each passage once per code and valence; the
    # co-occurrence reads each coder's own (and the consensus's) codings.
    pins = project.store.pinned_codings()
    counted = report_compare.passages(frame, pinned=pins)
    by_dim = report_compare.passages(by_dim, pinned=pins)
    codes = list(book.codes)
    labels = {c.key: _code_label(book.codes, c.key, lang) for c in codes}
    memos = _code_memos(project, codebook, frame, red)
    quotes = report_quotes.collect(
        counted,
        participants,
        red,
        codes,
        lang=lang,
        setting=setting,
        with_kommun=kind is not ReportKind.KOMMUN,
        pinned=pins,
        segment_texts={seg.id: seg.text for seg in segments},
    )
    texts = {
        key: red.redact(text) for key, text in project.store.report_texts(kind_key, scope).items()
    }

    factors: list[FactorResult] = []
    dim_col = "kommun" if dimension == "kommun" else "actor"
    for code in codes:
        rows = counted[counted["code"] == code.key]
        dim_rows = by_dim[by_dim["code"] == code.key]
        factors.append(
            FactorResult(
                # Shown in the report's hints: a key someone typed can hold a name.
                key=code_key(code.key, red),
                label=labels[code.key],
                counts=report_compare.count(labels[code.key], rows["valence"]),
                breakdown=tuple(
                    report_compare.count(v, dim_rows[dim_rows[dim_col] == v]["valence"])
                    for v in values
                ),
                quotes_promoting=report_quotes.pick(
                    quotes[(code.key, Valence.PROMOTING)], QUOTES_PER_VALENCE
                ),
                quotes_hindering=report_quotes.pick(
                    quotes[(code.key, Valence.HINDERING)], QUOTES_PER_VALENCE
                ),
                memos=memos.get(code.key, ()),
                proposals=report_quotes.pick(
                    quotes[(code.key, Valence.PROPOSAL)], PROPOSALS_PER_FACTOR
                ),
                definition=code.description.strip(),
                synthesis=texts.get(("syntes", code.key), ""),
                recommendations=texts.get(("atgarder", code.key), ""),
            )
        )

    comparison = None
    if kind is ReportKind.REGION:
        levels = report_compare.integration_levels(
            report_compare.passages(every), _all_labels(project, lang, red)
        )
        comparison = report_compare.compare(counted, codes, labels, kommuner(project), levels)
    mat = report_method.material(
        recordings,
        speakers_by_rec,
        len(counted),
        red,
        report_method.ends(segments),
        report_method.auto_transcribed(project),
        {s.recording_id for s in segments},
    )
    return Report(
        kind=kind,
        scope=scope,
        lang=lang,
        codebook=codebook,
        codebook_name=codebooks.title(book, lang),
        created=date.today().isoformat(),
        dimension=dimension,
        dimension_values=values,
        material=mat,
        factors=tuple(factors),
        cooccurrence=report_compare.cooccurrence(frame, [c.key for c in codes]),
        comparison=comparison,
        method=report_method.method(project, codebook, own, mat, recordings, red, lang),
        relations=report_compare.relations(
            report_compare.passages(
                _relation_rows(every, frame, kind, codebook, scope), also=("partner_actor",)
            ),
            kommuner(project) if kind is not ReportKind.KOMMUN else (),
        ),
        title_info=title_info(project, red),
        texts={section: text for (section, factor), text in texts.items() if not factor},
        attribution=setting,
    )


def _relation_rows(
    every: pd.DataFrame, frame: pd.DataFrame, kind: ReportKind, codebook: str, scope: str
) -> pd.DataFrame:
    """The codings the relations read. An actor's view holds both what the actor says
    about the others and what the others say about it ("AF om FK" belongs in FK's report
    as much as "FK om AF"); the other reports read their own selection."""
    if kind is not ReportKind.AKTOR:
        return frame
    rows = every[every["codebook"] == codebook]
    return rows[(rows["actor"] == scope) | (rows["partner_actor"] == scope)].reset_index(drop=True)


def _visible_codings(project: Project, segments: Sequence[Segment], red: Redactor) -> pd.DataFrame:
    frame = project.codings_frame()
    # Withdrawn consent: the person's speech stays in the project but never leaves it.
    frame = frame[frame["consent"] != Consent.WITHDRAWN.value]
    # The model's text goes through exportable_segments too, so a coding on a segment
    # that privacy rules hold back (e.g. a withdrawn speaker not named yet) is left out.
    allowed = {s.id for s in exportable_segments(project, segments, redactor=red)}
    return frame[frame["segment_id"].isin(allowed)].reset_index(drop=True)


def _code_label(codes: Sequence[Code], key: str, lang: str) -> str:
    by_key = {c.key: c for c in codes}
    code = by_key[key]
    label = code.label(lang)
    if code.parent and code.parent in by_key:
        return f"{by_key[code.parent].label(lang)} › {label}"
    return label


def _all_labels(project: Project, lang: str, red: Redactor) -> dict[str, str]:
    out: dict[str, str] = {}
    for cb in project.codebook_ids():
        out.update({c.key: code_text(c.label(lang), red) for c in project.codebook(cb).codes})
    return out


def _code_memos(
    project: Project, codebook: str, frame: pd.DataFrame, red: Redactor
) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = defaultdict(list)

    def add(key: str, text: object) -> None:
        if isinstance(text, str) and text.strip():
            clean = red.redact(text.strip())
            if clean not in out[key]:
                out[key].append(clean)

    code_of_coding: dict[str, str] = {}
    for row in frame.itertuples(index=False):
        add(str(row.code), row.memo)
        code_of_coding[str(row.coding_id)] = str(row.code)
    for memo in project.store.memos(target="coding"):
        if memo.target_id in code_of_coding:
            add(code_of_coding[memo.target_id], memo.text)
    for memo in project.store.memos(target="code"):
        book, _, key = memo.target_id.rpartition(":")
        if book in ("", codebook):
            add(key, memo.text)
    return {k: tuple(v) for k, v in out.items()}
