"""What the round-to-round comparison says: its sentences and tables, in Swedish.

The writers in rounds_report lay these out as Markdown, HTML or Word.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from qualkit.export.code_text import code_text
from qualkit.export.report_blocks import number
from qualkit.model import Valence
from qualkit.privacy import Redactor
from qualkit.rounds import AssessorAgreement, CellChange, RoundComparison

_VALENCES = (Valence.PROMOTING, Valence.HINDERING, Valence.PROPOSAL)
_TREND_ORDER = ("ökning", "nytt", "minskning", "försvunnet", "ändrad karaktär")
_TREND_HEADING = {
    "ökning": "Mer av detta",
    "nytt": "Nya teman",
    "minskning": "Mindre av detta",
    "försvunnet": "Teman som inte längre nämns",
    "ändrad karaktär": "Lika många passager, annan karaktär",
}


def redacted(
    cmp: RoundComparison, red: Redactor, coder_label: Callable[[str], str]
) -> RoundComparison:
    """The comparison as a report may show it: round names, labels, material, signatures
    and notes through the redactor (shipped labels pass), the coder as "Kodare N", and
    no co-assessor's name. Quote texts were redacted when the comparison was made."""

    def change(c: CellChange) -> CellChange:
        quotes = tuple(
            replace(q, attribution=red.redact(q.attribution), recording=red.redact(q.recording))
            for q in c.quotes
        )
        return replace(c, label=code_text(c.label, red), quotes=quotes)

    r1, r2 = (
        replace(r, name=red.redact(r.name), co_assessor="medbedömare" if r.co_assessor else None)
        for r in cmp.rounds
    )
    return replace(
        cmp,
        rounds=(r1, r2),
        cells=tuple(change(c) for c in cmp.cells),
        factors=tuple(change(c) for c in cmp.factors),
        material=(
            tuple(red.redact(n) for n in cmp.material[0]),
            tuple(red.redact(n) for n in cmp.material[1]),
        ),
        coder=coder_label(cmp.coder) if cmp.coder else None,
        notes=tuple(red.redact(n) for n in cmp.notes),
    )


def _delta(c: CellChange) -> str:
    return f"{c.delta:+d} ({c.trend})" if c.delta else f"0 ({c.trend})"


def change_line(c: CellChange) -> str:
    line = f"{c.label}: {c.counts[0]} → {c.counts[1]}"
    before, after = _valence_text(c.by_valence[0]), _valence_text(c.by_valence[1])
    if before != "–" or after != "–":
        line += f" ({before} → {after})"
    return line


# ------------------------------------------------------------------------ figures
def _num(value: float | None) -> str:
    return number(value, "sv", 1)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{number(value, 'sv', 0)} %"


def _coef(value: float | None) -> str:
    return number(value, "sv", 2)


# ---------------------------------------------------------------------- content
def _valence_text(counts: Mapping[str, int]) -> str:
    parts = [f"{counts.get(v.value, 0)} {v.value}" for v in _VALENCES if counts.get(v.value)]
    return ", ".join(parts) or "–"


def _actors(counts: Mapping[str, int]) -> str:
    return " (" + ", ".join(f"{k} {n}" for k, n in counts.items()) + ")" if counts else ""


def intro(cmp: RoundComparison) -> list[str]:
    r1, r2 = cmp.rounds
    lines = [
        f"Omgång {r1.name} ({r1.date}) jämförs med omgång {r2.name} ({r2.date}).",
        f"Deltagare: {cmp.participants[0]} i {r1.name}{_actors(cmp.actors[0])} och"
        f" {cmp.participants[1]} i {r2.name}{_actors(cmp.actors[1])}.",
        f"Material: {', '.join(cmp.material[0]) or 'inget'} respektive "
        f"{', '.join(cmp.material[1]) or 'inget'}.",
    ]
    # The co-assessor is a named person: like every name, it stays in the project; the
    # report says which rounds had one.
    co = [r.name for r in cmp.rounds if r.co_assessor]
    if len(co) == 2:
        lines.append(f"Båda omgångarna hade en extern medbedömare ({co[0]} och {co[1]}).")
    elif co:
        lines.append(f"Omgång {co[0]} hade en extern medbedömare.")
    else:
        lines.append("Extern medbedömare: ingen angiven.")
    lines.append(
        "Antal avser kodade passager; en passage räknas en gång per kod oavsett hur många"
        " som kodat den" + (f" (endast kodningar av {cmp.coder})." if cmp.coder else ".")
    )
    lines.extend(cmp.notes)
    return lines


def cell_table(cmp: RoundComparison) -> tuple[list[str], list[list[str]]]:
    a, b = cmp.rounds[0].name, cmp.rounds[1].name
    head = [
        "Cell",
        f"Antal {a}",
        f"Antal {b}",
        "Förändring",
        f"Personal {a}",
        f"Personal {b}",
        f"Medbedömare {a}",
        f"Medbedömare {b}",
    ]
    rows = [
        [
            c.label,
            str(c.counts[0]),
            str(c.counts[1]),
            _delta(c),
            _num(c.staff_rating[0]),
            _num(c.staff_rating[1]),
            _num(c.co_rating[0]),
            _num(c.co_rating[1]),
        ]
        for c in cmp.cells
    ]
    return head, rows


def factor_table(cmp: RoundComparison) -> tuple[list[str], list[list[str]]]:
    a, b = cmp.rounds[0].name, cmp.rounds[1].name
    head = ["Framgångsfaktor", f"{a}", f"{b}", "Förändring"]
    rows = [
        [
            c.label,
            f"{c.counts[0]} ({_valence_text(c.by_valence[0])})",
            f"{c.counts[1]} ({_valence_text(c.by_valence[1])})",
            _delta(c),
        ]
        for c in cmp.factors
    ]
    return head, rows


def grouped_changes(cmp: RoundComparison) -> list[tuple[str, list[CellChange]]]:
    out = []
    for trend in _TREND_ORDER:
        rows = [c for c in (*cmp.cells, *cmp.factors) if c.trend == trend]
        if rows:
            out.append((_TREND_HEADING[trend], rows))
    return out


def assessor_lines(cmp: RoundComparison) -> list[str]:
    lines = []
    for rnd, agr in zip(cmp.rounds, cmp.assessors, strict=True):
        lines.append(_assessor_line(rnd.name, rnd.co_assessor, agr))
    return lines


def _assessor_line(name: str, co: str | None, agr: AssessorAgreement) -> str:
    if not co:
        return f"{name}: ingen medbedömare i omgången."
    if agr.cells == 0 and agr.coding is None:
        return f"{name}: personalen och medbedömaren har inte bedömt samma celler."
    parts = []
    if agr.cells:
        diff = agr.mean_difference or 0.0
        direction = "högre" if diff >= 0 else "lägre"
        cells = "cell bedömd" if agr.cells == 1 else "celler bedömda"
        parts.append(
            f"{agr.cells} {cells} av båda; samma betyg (personalens medelvärde avrundat"
            f" till skalan) i {_pct(agr.exact_percent)},"
            f" högst ett steg isär i {_pct(agr.within_one_percent)};"
            f" personalens betyg i genomsnitt {_num(abs(diff))} steg {direction}"
            " än medbedömarens"
        )
    if agr.coding is not None:
        o = agr.coding.overall
        parts.append(
            f"kodningen av materialet: κ = {_coef(o.kappa)}, α = {_coef(o.alpha)},"
            f" överensstämmelse {_pct(o.percent)}"
        )
    return f"{name} (mot medbedömaren): " + "; ".join(parts) + "."
