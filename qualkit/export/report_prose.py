"""Metod, Relationer, Jämförelse and Bilagor: sections qualkit writes from the data."""

from __future__ import annotations

from collections.abc import Sequence

from qualkit.export.report_blocks import Block, Captions, number
from qualkit.export.report_records import Material, Relation, Report, ReportKind, ValenceCount
from qualkit.export.report_texts import Texts
from qualkit.model import Actor

DANERMARK = "danermark"


def _minutes(t: Texts, value: int | None) -> str:
    return f"{value} {t('minutes')}" if value is not None else t("duration_unknown")


def count_table(
    t: Texts, first: str, rows: Sequence[ValenceCount], unvalued: bool
) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """Header and rows of a främjande / hindrande / förslag (/ utan värdering) / totalt table."""
    header = [first, t("promoting"), t("hindering"), t("proposals")]
    if unvalued:
        header.append(t("unvalued"))
    header.append(t("total"))
    out = []
    for r in rows:
        cells = [r.label, str(r.promoting), str(r.hindering), str(r.proposals)]
        if unvalued:
            cells.append(str(r.unvalued))
        cells.append(str(r.total))
        out.append(tuple(cells))
    return tuple(header), tuple(out)


def method_blocks(report: Report, t: Texts, cap: Captions) -> list[Block]:
    m = report.material
    method = report.method
    out: list[Block] = []
    # Audio imported but not transcribed is no interview of the analysis: named apart.
    waiting = t("material_untranscribed", n=m.untranscribed) if m.untranscribed else ""
    if not m.interviews:
        return [Block("para", " ".join(s for s in (t("material_none"), waiting) if s))]
    # An actor's report counts that actor's participants only, and says so.
    actor = _actor_in_prose(t, report.scope) if report.kind is ReportKind.AKTOR else ""
    intro = (
        t(
            "material_intro_actor",
            interviews=len(m.interviews),
            participants=m.participants,
            actor=actor,
        )
        if actor
        else t("material_intro", interviews=len(m.interviews), participants=m.participants)
    )
    dated = [i.date for i in m.interviews if i.date]
    dates = sorted(set(dated))
    # A date said of "the interviews" must hold for all of them: with some undated, the
    # dated are counted ("1 intervju genomfördes ...") and the undated said apart.
    undated = len(m.interviews) - len(dated)
    some = "_some" if undated else ""
    if len(dates) > 1:
        when = t(f"method_dates{some}", first=dates[0], last=dates[-1], n=len(dated))
    else:  # one day: "genomfördes 2026-03-12", not "2026-03-12–2026-03-12"
        when = t(f"method_date{some}", date=dates[0], n=len(dated)) if dates else ""
    if dates and undated:
        when += " " + t("method_undated", n=undated)
    total = (
        t("total_duration", minutes=m.total_duration_min)
        if m.total_duration_min is not None
        else ""
    )
    out.append(
        Block(
            "para",
            " ".join(
                s
                for s in (
                    intro,
                    when,
                    total,
                    waiting,
                )
                if s
            ),
        )
    )
    rows: tuple[tuple[str, ...], ...] = tuple(
        (i.name, i.kommun, i.group_type, i.date, _minutes(t, i.duration_min), str(i.participants))
        for i in m.interviews
    )
    header = (
        t("interview"),
        t("kommun"),
        t("group_type"),
        t("date"),
        t("duration"),
        t("participants_from", actor=actor) if actor else t("participants"),
    )
    out.append(
        Block(
            "table",
            cap.table(t("table_interviews"), len(rows)),
            header=header,
            rows=rows,
            numeric=(4, 5),
        )
    )
    if m.participants:
        rows = (*((a, str(n)) for a, n in m.by_actor), (t("total"), str(m.participants)))
        caption = cap.table(t("participants_by_actor"), m.participants)
        out.append(
            Block("table", caption, header=(t("actor"), t("count")), rows=rows, numeric=(1,))
        )
        # A Totalt row as in the actor table above, so both tables read alike.
        rows = (*((r, a, str(n)) for r, a, n in m.by_role), (t("total"), "", str(m.participants)))
        caption = cap.table(t("participants_by_role"), m.participants)
        out.append(
            Block(
                "table",
                caption,
                header=(t("role"), t("actor"), t("count")),
                rows=rows,
                numeric=(2,),
            )
        )
    else:
        out.append(Block("muted", t("participants_none")))
    if method is None:
        return out
    out.extend(guide_blocks(m, t))
    if method.auto_transcribed:
        out.append(Block("para", t("method_asr", n=method.auto_transcribed, model=method.model)))
    if method.text_imported:
        out.append(Block("para", t("method_text", n=method.text_imported)))
    book = t("method_codebook", codebook=method.codebook_name)
    if report.codebook == DANERMARK:
        book += " " + t("method_danermark")
    out.append(Block("para", book))
    totals = ValenceCount(
        "",
        sum(f.counts.promoting for f in report.factors),
        sum(f.counts.hindering for f in report.factors),
        sum(f.counts.proposals for f in report.factors),
        sum(f.counts.unvalued for f in report.factors),
    )
    out.append(
        Block(
            "para",
            t(
                "method_codings",
                total=totals.total,
                promoting=totals.promoting,
                hindering=totals.hindering,
                proposals=totals.proposals,
                unvalued=totals.unvalued,
            ),
        )
    )
    if len(method.coders) == 1:
        c = method.coders[0]
        out.append(Block("para", t("method_one_coder", name=c.name)))
    elif method.coders:
        who = ", ".join(
            t("method_coder_share", name=c.name, codings=c.codings, recordings=c.recordings)
            for c in method.coders
        )
        out.append(Block("para", t("method_coders", n=len(method.coders), who=who)))
        out.append(Block("para", t("method_counting")))
        if method.kappa is not None or method.alpha is not None:
            kind = "cohen" if len(method.agreement_coders) == 2 else "fleiss"
            # A coefficient that cannot be computed (no variation) is left out, not shown as 0.
            figures = [
                t("method_kappa", kappa=number(method.kappa, report.lang), kind=t(f"kappa_{kind}"))
                if method.kappa is not None
                else "",
                t("method_alpha", alpha=number(method.alpha, report.lang))
                if method.alpha is not None
                else "",
            ]
            out.append(
                Block(
                    "para",
                    t(
                        "method_agreement",
                        coders=", ".join(method.agreement_coders),
                        units=method.agreement_units,
                        figures=t("and_join").join(f for f in figures if f),
                    ),
                )
            )
        else:
            out.append(Block("muted", t("method_no_agreement")))
    return out


def guide_blocks(m: Material, t: Texts) -> list[Block]:
    """Which interview guide the groups followed. One sentence when every interview
    followed the same guide; else each guide with how many interviews (of which group
    types) followed it, and those that name none: a chefer group without a guide must not
    read as having followed the medarbetare guide."""
    guides = dict.fromkeys(i.guide for i in m.interviews)  # in order of first use
    if "" not in guides and len(guides) == 1:
        return [Block("para", t("method_guides", guides=next(iter(guides))))]
    if not any(guides):
        return [Block("muted", t("method_no_guide"))]

    def groups(guide: str) -> dict[str, int | str]:
        used = [i for i in m.interviews if i.guide == guide]
        types = ", ".join(dict.fromkeys(i.group_type for i in used if i.group_type))
        return {"n": len(used), "groups": f" ({types})" if types else ""}

    used = " ".join(t("method_guide_used", guide=g, **groups(g)) for g in guides if g)
    out = [Block("para", used)]
    if "" in guides:
        out.append(Block("muted", t("method_guide_missing", **groups(""))))
    return out


def _relation_label(t: Texts, r: Relation) -> str:
    return t("relation_pair", speaker=r.speaker, partner=r.partner)


# Up to this many relations that tie for the most remarks are named; more are counted.
_TIES_NAMED = 3


def most_remarks(t: Texts, relations: Sequence[Relation], valence: str) -> str | None:
    """'Flest hindrande omdömen: …': the relation with the most `valence` ('hindering' or
    'promoting') remarks; all of them when several tie, or how many when more than three."""
    top = max((int(getattr(r.counts, valence)) for r in relations), default=0)
    if not top:
        return None
    tied = [r for r in relations if getattr(r.counts, valence) == top]
    key = f"relations_most_{valence}"
    if len(tied) == 1:
        return t(key, pair=_relation_label(t, tied[0]), n=top)
    if len(tied) > _TIES_NAMED:
        return t(f"{key}_many", count=len(tied), n=top)
    labels = [_relation_label(t, r) for r in tied]
    pairs = ", ".join(labels[:-1]) + t("and_join") + labels[-1]
    return t(f"{key}_tied", pairs=pairs, n=top)


def relation_blocks(report: Report, t: Texts, cap: Captions, chart: bool) -> list[Block]:
    rel = report.relations
    if rel is None or not rel.n:
        return [Block("muted", t("relations_none"))]
    intro = t("relations_intro", n=rel.n)
    if report.kind is ReportKind.AKTOR:
        intro += " " + t("relations_actor", actor=report.scope)
    out = [Block("para", intro)]
    actors = rel.actors
    header = (t("relations_corner"), *actors)
    rows = []
    for speaker in actors:
        cells = []
        for partner in actors:
            c = rel.cell(speaker, partner)
            cells.append(f"+{c.promoting} / −{c.hindering}" if c.total else "–")
        rows.append((speaker, *cells))
    caption = cap.table(t("relations_matrix"), rel.n)
    out.append(
        Block(
            "table", caption, header=header, rows=tuple(rows), numeric=tuple(range(1, len(header)))
        )
    )
    if chart:
        out.append(Block("figure", cap.figure(t("relations_chart"), rel.n), chart="relations"))
    for valence in ("hindering", "promoting"):
        most = most_remarks(t, rel.relations, valence)
        if most:
            out.append(Block("para", most))
    if rel.by_kommun and len([k for k, rs in rel.by_kommun if rs]) >= 2:
        header = (t("kommun"), t("relations_pairs"), t("count"))
        rows = []
        for kommun, relations in rel.by_kommun:
            if not relations:
                continue
            pairs = "; ".join(
                f"{_relation_label(t, r)} +{r.counts.promoting}/−{r.counts.hindering}"
                for r in relations
            )
            rows.append((kommun, pairs, str(sum(r.counts.total for r in relations))))
        caption = cap.table(t("relations_by_kommun"), rel.n)
        out.append(Block("table", caption, header=header, rows=tuple(rows), numeric=(2,)))
    return out


def comparison_blocks(report: Report, t: Texts, cap: Captions, chart: bool) -> list[Block]:
    comp = report.comparison
    assert comp is not None
    out: list[Block] = []
    rows: tuple[tuple[str, ...], ...] = tuple((k, str(n)) for k, n in comp.n_by_kommun)
    caption = cap.table(t("comparison_n"), sum(n for _, n in comp.n_by_kommun))
    out.append(Block("table", caption, header=(t("kommun"), t("codings")), rows=rows, numeric=(1,)))
    out.append(Block("para", t("comparison_rule", min_n=comp.min_n)))
    if comp.uncoded:
        out.append(Block("para", t("comparison_uncoded", names=", ".join(comp.uncoded))))
    if comp.thin:
        names = ", ".join(f"{k} (n = {n})" for k, n in comp.thin)
        out.append(Block("para", t("comparison_thin", names=names, min_n=comp.min_n)))
    if chart:
        n = sum(n for _, n in comp.n_by_kommun)
        out.append(Block("figure", cap.figure(t("chart_kommuner"), n), chart="kommuner"))
    if len(comp.compared) < 2:
        out.append(Block("para", t("comparison_single", n=len(comp.compared))))
    else:
        out.append(Block("subheading", t("common")))
        items = tuple(common_text(t, c.label, c.valence) for c in comp.common)
        out.append(Block("bullets", items=items) if items else Block("para", t("common_none")))
        out.append(Block("subheading", t("differences")))
        items = tuple(difference_text(t, d) for d in comp.differences)
        out.append(Block("bullets", items=items) if items else Block("para", t("differences_none")))
    if comp.integration:
        rows = tuple((k, level, str(n)) for k, level, n in comp.integration)
        caption = cap.table(t("integration"), sum(n for *_, n in comp.integration))
        out.append(
            Block(
                "table",
                caption,
                header=(t("kommun"), t("integration_level"), t("codings")),
                rows=rows,
                numeric=(2,),
            )
        )
    return out


def common_text(t: Texts, label: str, valence: str) -> str:
    """'Ledning: togs upp i alla jämförda kommuner, främst som hindrande.' A factor raised
    as often promoting as hindering has a sentence of its own: "främst som både ..." is no
    Swedish."""
    if valence == "blandad":
        return t("common_item_mixed", factor=label)
    return t("common_item", factor=label, valence=t.valence(valence))


def difference_text(t: Texts, d: object) -> str:
    """'Ledning: främst främjande i A; främst hindrande i B.' with only the parts that apply."""
    parts = [
        t(f"difference_{key}", names=", ".join(values))
        for key in ("promoting", "hindering", "mixed", "proposals", "missing")
        if (values := getattr(d, f"{key}_in"))
    ]
    return t("difference_item", factor=getattr(d, "label", ""), details="; ".join(parts))


def _actor_in_prose(t: Texts, scope: str) -> str:
    """An actor as a sentence names it ("kommunen", "Försäkringskassan"), not its key."""
    try:
        return t(f"actor_in_prose_{Actor(scope).name}")
    except ValueError:
        return scope
