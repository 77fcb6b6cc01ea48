"""Charts of the round comparison, in the delrapport's chart style.

Bare matplotlib Figures (Agg, no pyplot state between reports), the same colour-blind
safe palette as the report charts, and labels that wrap instead of being cut.
"""

from __future__ import annotations

from collections.abc import Sequence

from qualkit.export.charts import png, wrap
from qualkit.rounds import CellChange, RoundComparison

# Okabe-Ito, as the report charts: two rounds, and staff / co-assessor ratings per round.
SERIES_COLOURS = ("#0072B2", "#E69F00", "#56B4E9", "#D55E00", "#009E73", "#CC79A7")
DPI = 150


def _grouped(
    rows: Sequence[CellChange],
    series: Sequence[tuple[str, Sequence[float]]],
    axis_label: str,
    limit: tuple[float, float] | None = None,
    horizontal: bool = False,
) -> bytes:
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    labels = [wrap(r.label, 40 if horizontal else 22) for r in rows]
    lines = sum(label.count("\n") + 1 for label in labels)
    size = (6.3, 0.2 * lines + 0.3 * len(rows) + 1.2) if horizontal else (6.3, 4.2)
    fig = Figure(figsize=size, layout="constrained")
    ax = fig.add_subplot()
    x = list(range(len(rows)))
    width = 0.8 / max(len(series), 1)
    for i, (label, values) in enumerate(series):
        offset = [v + (i - (len(series) - 1) / 2) * width for v in x]
        colour = SERIES_COLOURS[i % len(SERIES_COLOURS)]
        if horizontal:
            ax.barh(offset, values, width, label=label, color=colour)
        else:
            ax.bar(offset, values, width, label=label, color=colour)
    value_axis = ax.xaxis if horizontal else ax.yaxis
    if limit is None:
        value_axis.set_major_locator(MaxNLocator(integer=True))
    if horizontal:
        ax.set_yticks(x, labels, fontsize=7)
        ax.invert_yaxis()  # first factor on top, as in the table
        ax.set_xlabel(axis_label, fontsize=8)
        if limit:
            ax.set_xlim(*limit)
        ax.grid(axis="x", alpha=0.3)
    else:
        ax.set_xticks(x, labels, rotation=35, ha="right", fontsize=7)
        ax.set_ylabel(axis_label, fontsize=8)
        if limit:
            ax.set_ylim(*limit)
        ax.grid(axis="y", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=7, frameon=False)
    return png(fig, DPI)


def charts(cmp: RoundComparison) -> dict[str, bytes]:
    """PNG charts by name: 'rutnat' (counts per cell), 'betyg' (ratings), 'faktorer'."""
    names = (cmp.rounds[0].name, cmp.rounds[1].name)
    out: dict[str, bytes] = {}

    if cmp.cells:
        out["rutnat"] = _grouped(
            cmp.cells,
            [(names[i], [c.counts[i] for c in cmp.cells]) for i in (0, 1)],
            "Antal passager",
        )
        series: list[tuple[str, Sequence[float]]] = []
        for who, attr in (("personal", "staff_rating"), ("medbedömare", "co_rating")):
            for i in (0, 1):
                vals = [getattr(c, attr)[i] for c in cmp.cells]
                if any(v is not None for v in vals):
                    series.append((f"{who} {names[i]}", [v or 0.0 for v in vals]))
        if series:
            out["betyg"] = _grouped(cmp.cells, series, "Betyg", (0, 5.5))
    if cmp.factors:
        out["faktorer"] = _grouped(
            cmp.factors,
            [(names[i], [c.counts[i] for c in cmp.factors]) for i in (0, 1)],
            "Antal passager",
            horizontal=True,
        )
    return out
