"""Report charts as PNG bytes, drawn with matplotlib's Agg backend from the report model.

Valence is never folded into one colour scale: factors are drawn as diverging bars
(hindrande left, främjande right) with proposals and unvalued passages apart, and a
factor x actor view is split into a främjande and a hindrande panel. Labels wrap; they
are never cut.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

from qualkit.export.charts_relations import relation_network
from qualkit.export.report_records import Report, ValenceCount
from qualkit.export.report_texts import Texts

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# Colour-blind safe (Okabe-Ito): bluish green promoting, vermilion hindering, blue proposals.
COLOURS = {
    "promoting": "#009E73",
    "hindering": "#D55E00",
    "proposals": "#0072B2",
    "unvalued": "#999999",
}
DEFAULT_DPI = 150
# Printed width of a chart in inches: the A4 text width.
WIDTH = 6.3

Charts = dict[str, bytes]


def wrap(label: str, width: int = 30) -> str:
    """A label on as many lines as it needs; nothing is cut."""
    return "\n".join(textwrap.wrap(label, width)) or label


def _numbered(n: int, label: str, width: int = 30) -> str:
    # The same numbers as the report's factor headings, so a reader can look a bar up.
    return wrap(f"{n}. {label}", width)


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    # A bare Figure (no pyplot) uses Agg and keeps no global state between reports.
    return Figure(figsize=(width, height), layout="constrained")


def png(fig: Figure, dpi: int) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


def _row_height(labels: Sequence[str]) -> float:
    return sum(0.16 + 0.13 * label.count("\n") for label in labels) + 0.9


def valence_bars(report: Report, t: Texts, dpi: int = DEFAULT_DPI) -> bytes | None:
    """Diverging bars per factor (hindrande left, främjande right); förslag and unvalued apart."""
    if not report.has_codings:
        return None
    factors = report.factors
    labels = [_numbered(n, f.label) for n, f in enumerate(factors, start=1)]
    fig = _figure(WIDTH, max(2.2, _row_height(labels)))
    main, side = fig.subplots(1, 2, sharey=True, width_ratios=(3, 1.3))
    ys = list(range(len(factors)))
    hind = [-f.counts.hindering for f in factors]
    prom = [f.counts.promoting for f in factors]
    main.barh(ys, hind, color=COLOURS["hindering"], label=t("hindering"))
    main.barh(ys, prom, color=COLOURS["promoting"], label=t("promoting"))
    for y, h, p in zip(ys, hind, prom, strict=True):
        if h:
            main.text(h, y, f"{-h} ", ha="right", va="center", fontsize=7)
        if p:
            main.text(p, y, f" {p}", ha="left", va="center", fontsize=7)
    top = max([1, *(-h for h in hind), *prom])
    main.set_xlim(-top * 1.25, top * 1.25)
    main.axvline(0, color="#444", linewidth=0.8)
    main.set_xticks([])
    main.set_yticks(ys, labels, fontsize=7)
    main.tick_params(axis="y", length=0)
    main.invert_yaxis()
    main.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, fontsize=7, frameon=False)
    left = [0] * len(factors)
    for attr in ("proposals", "unvalued"):
        values = [getattr(f.counts, attr) for f in factors]
        if attr == "unvalued" and not any(values):
            continue
        side.barh(ys, values, left=left, color=COLOURS[attr], label=t(attr))
        left = [a + b for a, b in zip(left, values, strict=True)]
    for y, v in zip(ys, left, strict=True):
        if v:
            side.text(v, y, f" {v}", ha="left", va="center", fontsize=7)
    side.set_xlim(0, max([1, *left]) * 1.4)
    side.set_xticks([])
    side.tick_params(axis="y", length=0)
    side.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=1, fontsize=7, frameon=False)
    for ax in (main, side):
        ax.spines[["top", "right", "bottom"]].set_visible(False)
    return png(fig, dpi)


def _split_panels(
    rows: Sequence[tuple[str, Sequence[ValenceCount]]],
    columns: Sequence[str],
    t: Texts,
    dpi: int,
) -> bytes:
    """Two heat panels side by side, främjande and hindrande, factor x column."""
    labels = [_numbered(n, label, 26) for n, (label, _) in enumerate(rows, start=1)]
    fig = _figure(WIDTH, max(2.4, _row_height(labels) + 0.3))
    axes = fig.subplots(1, 2, sharey=True)
    for ax, attr, cmap in zip(axes, ("promoting", "hindering"), ("Greens", "Oranges"), strict=True):
        grid = [[getattr(c, attr) for c in per] for _, per in rows]
        top = max((v for row in grid for v in row), default=0) or 1
        _heat(ax, grid, columns, cmap, top)
        ax.set_title(t(attr), fontsize=8)
    axes[0].set_yticks(range(len(rows)), labels, fontsize=7)
    return png(fig, dpi)


def _heat(
    ax: Axes, grid: Sequence[Sequence[int]], columns: Sequence[str], cmap: str, top: int
) -> None:
    ax.imshow(grid, cmap=cmap, vmin=0, vmax=top, aspect="auto")
    for i, row in enumerate(grid):
        for j, v in enumerate(row):
            colour = "white" if v > top * 0.6 else "black"
            ax.text(j, i, str(v) if v else "·", ha="center", va="center", fontsize=7, color=colour)
    ax.set_xticks(range(len(columns)), [wrap(c, 10) for c in columns], fontsize=7)
    ax.tick_params(length=0)


def actor_panels(report: Report, t: Texts, dpi: int = DEFAULT_DPI) -> bytes | None:
    """Factor x actor (or x kommun in an actor report), främjande and hindrande apart."""
    used = [
        j
        for j, _ in enumerate(report.dimension_values)
        if any(f.breakdown[j].total for f in report.factors)
    ]
    # One column would be a single-column heat map: the factor table already says it.
    if not report.has_codings or len(used) < 2:
        return None
    columns = [report.dimension_values[j] for j in used]
    rows = [(f.label, [f.breakdown[j] for j in used]) for f in report.factors]
    return _split_panels(rows, columns, t, dpi)


def kommun_panels(report: Report, t: Texts, dpi: int = DEFAULT_DPI) -> bytes | None:
    """Region: factor x kommun, främjande and hindrande apart (kommuner with codings only)."""
    comp = report.comparison
    if comp is None or not report.has_codings:
        return None
    used = [j for j, k in enumerate(comp.kommuner) if k not in comp.uncoded]
    if len(used) < 2:
        return None
    rows = [(label, [per[j] for j in used]) for label, per in comp.matrix]
    return _split_panels(rows, [comp.kommuner[j] for j in used], t, dpi)


def cooccurrence(report: Report, t: Texts, dpi: int = DEFAULT_DPI) -> bytes | None:
    """Factor x factor: passages coded with both. Drawn only when some passage has two."""
    if not report.has_cooccurrence:
        return None
    # Only factors that share a passage with another factor: the rest would be empty rows.
    keep = [
        i
        for i, row in enumerate(report.cooccurrence)
        if any(v for j, v in enumerate(row) if j != i)
    ]
    grid = [[report.cooccurrence[i][j] if i != j else 0 for j in keep] for i in keep]
    labels = [_numbered(i + 1, report.factors[i].label) for i in keep]
    fig = _figure(min(WIDTH, 3.6 + 0.45 * len(keep)), max(1.8, _row_height(labels) + 0.3))
    ax = fig.add_subplot()
    top = max((v for row in grid for v in row), default=0) or 1
    _heat(ax, grid, [str(i + 1) for i in keep], "Purples", top)
    ax.set_yticks(range(len(keep)), labels, fontsize=7)
    return png(fig, dpi)


def render_charts(report: Report, t: Texts, dpi: int = DEFAULT_DPI) -> Charts:
    """Every chart the report has material for, by name (see report_layout.CHART_NAMES)."""
    drawn = {
        "valence": valence_bars(report, t, dpi),
        "actors": actor_panels(report, t, dpi),
        "cooccurrence": cooccurrence(report, t, dpi),
        "relations": relation_network(report, dpi) if report.relations else None,
        "kommuner": kommun_panels(report, t, dpi),
    }
    return {name: image for name, image in drawn.items() if image is not None}
