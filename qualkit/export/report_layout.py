"""The delrapport's skeleton, laid out once for every format.

Title page, contents, Sammanfattning, Bakgrund och syfte, Metod, Resultat per faktor,
Relationer mellan aktörerna, (in the regional report) Jämförelse mellan kommuner,
Slutsatser, Förslag på åtgärder, Bilagor. The analyst's own text goes where it belongs;
where there is none yet, one muted line says so instead of an empty heading.
"""

from __future__ import annotations

from collections.abc import Mapping

from qualkit.export import report_prose
from qualkit.export.report_blocks import Block, Captions, demote_headings
from qualkit.export.report_records import FactorResult, Quote, Report, ReportKind
from qualkit.export.report_texts import Texts

# The figures a report can hold, in the order they are drawn.
CHART_NAMES = ("valence", "actors", "cooccurrence", "relations", "kommuner")


def title(report: Report, t: Texts) -> str:
    if report.kind is ReportKind.REGION:
        return t("title_region")
    return t(f"title_{report.kind.value}", name=report.scope)


def layout(report: Report, t: Texts, charts: Mapping[str, bytes]) -> tuple[Block, ...]:
    """Every block of the report, in reading order."""
    cap = Captions(t)
    body: list[Block] = []
    heads: list[tuple[int, str, str]] = []

    def heading(text: str, level: int = 1, anchor: str = "") -> None:
        anchor = anchor or f"s{len(heads) + 1}"
        heads.append((level, text, anchor))
        body.append(Block("heading", text, level=level, anchor=anchor))

    # The command that fills a section in, named in the muted line where it is empty.
    where = (
        "--region" if report.kind is ReportKind.REGION else f"--{report.kind.value} {report.scope}"
    )

    def hint(section: str, factor: str = "") -> str:
        extra = f" --factor {factor}" if factor else ""
        return f"qualkit report text edit {where} --section {section}{extra}"

    # The analyst's Markdown sits under a heading the title's "#" and the section's own
    # level put above it: its headings go below those (demote_headings).
    def analyst(section: str) -> None:
        text = report.texts.get(section, "").strip()
        if text:
            body.append(Block("analyst", demote_headings(text, 2)))
        else:
            body.append(Block("muted", t("analyst_missing", hint=hint(section))))

    heading(t("sammanfattning"))
    analyst("sammanfattning")
    heading(t("bakgrund"))
    analyst("bakgrund")

    heading(t("metod"))
    body.extend(report_prose.method_blocks(report, t, cap))

    heading(t("factors"))
    if not report.has_codings:
        body.append(Block("para", t("no_codings")))
    else:
        body.append(Block("para", t("results_intro")))
        if "valence" in charts:
            n = report.material.codings
            body.append(Block("figure", cap.figure(t("chart_valence"), n), chart="valence"))
        if "actors" in charts:
            dim = t(f"dimension_{report.dimension}")
            # The panels show främjande and hindrande only: n counts what they show.
            shown = sum(b.promoting + b.hindering for f in report.factors for b in f.breakdown)
            caption = cap.figure(t("chart_actors", dimension=dim), shown)
            body.append(Block("figure", caption, chart="actors"))
        if "cooccurrence" in charts:
            caption = cap.figure(t("chart_cooccurrence"), report.material.codings)
            body.append(Block("figure", caption, chart="cooccurrence"))
        body.append(
            Block("muted", t("anonymised_note", attribution=t(f"attr_{report.attribution.value}")))
        )
        for n, factor in enumerate(report.factors, start=1):
            heading(f"{n}. {factor.label}", 2)
            body.extend(_factor_blocks(report, factor, t, cap, hint("syntes", factor.key)))

    heading(t("relations"))
    body.extend(report_prose.relation_blocks(report, t, cap, "relations" in charts))

    if report.comparison is not None:
        heading(t("comparison"))
        body.extend(report_prose.comparison_blocks(report, t, cap, "kommuner" in charts))

    heading(t("slutsatser"))
    analyst("slutsatser")

    heading(t("proposals_heading"))
    if report.has_recommendations:
        body.append(Block("muted", t("recommendations_note")))
    if report.texts.get("atgarder"):
        body.append(Block("analyst", demote_headings(report.texts["atgarder"], 2)))
    for n, factor in enumerate(report.factors, 1):
        if factor.recommendations:
            # By position: a redacted key ("samtal_med_[Namn 1]") is no anchor.
            heading(factor.label, 2, anchor=f"a_{n}")
            body.append(Block("analyst", demote_headings(factor.recommendations, 3)))
    if not report.has_recommendations:
        # A real factor key, so the hint can be copied as it stands (redacted if it holds
        # a name).
        per_factor = hint("atgarder", report.factors[0].key) if report.factors else ""
        both = hint("atgarder") + (f"; {t('per_factor')}: {per_factor}" if per_factor else "")
        body.append(Block("muted", t("analyst_missing", hint=both)))

    body.append(Block("pagebreak"))  # the appendices start on a page of their own
    heading(t("appendices"))
    heading(t("appendix_guide"), 2)
    guides = report.method.guides if report.method is not None else ()
    if guides:
        body.append(Block("para", t("appendix_guide_intro", n=len(guides))))
        body.append(Block("bullets", items=guides))
    else:
        body.append(Block("muted", t("method_no_guide")))
    body.append(Block("pagebreak"))
    heading(t("appendix_codebook", codebook=report.codebook_name), 2)
    rows = tuple((f"{n}. {f.label}", f.definition) for n, f in enumerate(report.factors, 1))
    caption = cap.table(t("appendix_codebook_table", codebook=report.codebook_name))
    body.append(Block("table", caption, header=(t("factor"), t("definition")), rows=rows))

    first = Block("title", title(report, t), items=_title_lines(report, t))
    return (first, Block("toc", t("contents"), toc=tuple(heads)), *body)


def _title_lines(report: Report, t: Texts) -> tuple[str, ...]:
    info = report.title_info
    lines = [info.study] if info.study else []
    lines.append(t(f"scope_{report.kind.value}", name=report.scope))
    if info.client:
        lines.append(t("title_client", client=info.client))
    if info.author:
        lines.append(t("title_author", author=info.author))
    lines.append(t("title_date", date=report.created))
    return tuple(lines)


def _factor_blocks(
    report: Report, factor: FactorResult, t: Texts, cap: Captions, hint: str
) -> list[Block]:
    out: list[Block] = []
    if factor.definition:
        out.append(Block("definition", factor.definition))
    if factor.synthesis:
        out.append(Block("analyst", demote_headings(factor.synthesis, 3)))
    elif factor.raised:
        out.append(Block("muted", t("analyst_missing", hint=hint)))
    if not factor.raised:
        out.append(Block("para", t("factor_not_raised")))
        return out
    c = factor.counts
    out.append(
        Block(
            "para",
            t(
                "factor_counts",
                total=c.total,
                promoting=c.promoting,
                hindering=c.hindering,
                proposals=c.proposals,
            )
            + (f" {t('factor_unvalued', n=c.unvalued)}" if c.unvalued else ""),
        )
    )
    rows = [b for b in factor.breakdown if b.total]
    if rows:
        header, table = report_prose.count_table(t, t(report.dimension), rows, report.has_unvalued)
        caption = cap.table(
            t("table_factor", factor=factor.label, dimension=t(f"dimension_{report.dimension}")),
            c.total,
        )
        out.append(
            Block("table", caption, header=header, rows=table, numeric=tuple(range(1, len(header))))
        )
    for heading, quotes in (
        ("quotes_promoting", factor.quotes_promoting),
        ("quotes_hindering", factor.quotes_hindering),
        ("quotes_proposals", factor.proposals),
    ):
        if quotes:
            out.append(Block("subheading", t(heading)))
            out.extend(_quote(q) for q in quotes)
    if not (factor.quotes_promoting or factor.quotes_hindering or factor.proposals):
        out.append(Block("muted", t("no_quotes")))
    if factor.memos:
        out.append(Block("subheading", t("memos")))
        out.append(Block("bullets", items=factor.memos))
    return out


def _quote(q: Quote) -> Block:
    return Block("quote", q.text, attribution=q.attribution, style=q.valence.value)
