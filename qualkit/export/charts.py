"""Report charts as PNG bytes, drawn with matplotlib's Agg backend from the report model."""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualkit.export.report_model import Report
from qualkit.export.report_texts import Texts

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Colour-blind safe pairs (Okabe-Ito): green-ish promoting, vermilion hindering, blue proposals.
COLOURS = {"promoting": "#009E73", "hindering": "#D55E00", "proposals": "#0072B2"}
DEFAULT_DPI = 150


@dataclass(frozen=True, slots=True)
class Charts:
    """PNG images for one report; None where there is nothing to draw."""

    valence: bytes | None
    heatmap: bytes | None
    cooccurrence: bytes | None


def _short(label: str, width: int = 34, lines: int = 2) -> str:
    return "\n".join(textwrap.wrap(label, width, max_lines=lines, placeholder=" …"))


def _numbered(n: int, label: str) -> str:
    # The same numbers as the report's factor headings, so a reader can look a bar up.
    return _short(f"{n}. {label}")


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    # A bare Figure (no pyplot) uses Agg and keeps no global state between reports.
    return Figure(figsize=(width, height), layout="constrained")


def _png(fig: Figure, dpi: int) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


def valence_bars(report: Report, t: Texts, dpi: int = DEFAULT_DPI) -> bytes | None:
    """Horizontal stacked bars: per factor, främjande / hindrande / förslag."""
    if not report.has_codings:
        return None
    factors = report.factors
    labels = [_numbered(n, f.label) for n, f in enumerate(factors, start=1)]
    fig = _figure(6.3, 0.42 * len(factors) + 1.1)
    from matplotlib.ticker import MaxNLocator

    ax = fig.add_subplot()
    left = [0] * len(factors)
    ys = list(range(len(factors)))
    for attr in ("promoting", "hindering", "proposals"):
        values = [getattr(f.counts, attr) for f in factors]
        ax.barh(ys, values, left=left, color=COLOURS[attr], label=t(attr))
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.set_yticks(ys, labels, fontsize=8)
    ax.tick_params(axis="y", length=0)
    ax.invert_yaxis()
    ax.set_xlabel(t("count"))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(t("chart_valence"), fontsize=10)
    return _png(fig, dpi)


def heatmap(report: Report, t: Texts, dpi: int = DEFAULT_DPI) -> bytes | None:
    """Factor x actor (or x kommun in an actor report): codings of any valence."""
    if not report.has_codings or not report.dimension_values:
        return None
    grid = [[c.total for c in f.breakdown] for f in report.factors]
    cols = list(report.dimension_values)
    fig = _figure(min(6.3, 3.2 + 0.75 * len(cols)), 0.36 * len(grid) + 1.0)
    ax = fig.add_subplot()
    top = max((v for row in grid for v in row), default=0) or 1
    ax.imshow(grid, cmap="Blues", vmin=0, vmax=top, aspect="auto")
    for i, row in enumerate(grid):
        for j, v in enumerate(row):
            ax.text(
                j,
                i,
                str(v),
                ha="center",
                va="center",
                fontsize=8,
                color="white" if v > top * 0.6 else "black",
            )
    ax.set_xticks(range(len(cols)), cols, fontsize=8)
    ax.set_yticks(
        range(len(grid)),
        [_numbered(n, f.label) for n, f in enumerate(report.factors, start=1)],
        fontsize=8,
    )
    ax.tick_params(length=0)
    dimension = t(f"dimension_{report.dimension}")
    ax.set_title(t("chart_heatmap", dimension=dimension), fontsize=10)
    return _png(fig, dpi)


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
    fig = _figure(min(6.3, 3.4 + 0.45 * len(keep)), 1.2 + 0.38 * len(keep))
    ax = fig.add_subplot()
    top = max((v for row in grid for v in row), default=0) or 1
    ax.imshow(grid, cmap="Purples", vmin=0, vmax=top)
    for i, row in enumerate(grid):
        for j, v in enumerate(row):
            if i != j:
                ax.text(
                    j,
                    i,
                    str(v),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if v > top * 0.6 else "black",
                )
    ax.set_xticks(range(len(keep)), [str(i + 1) for i in keep], fontsize=8)
    ax.set_yticks(
        range(len(keep)), [_numbered(i + 1, report.factors[i].label) for i in keep], fontsize=8
    )
    ax.tick_params(length=0)
    ax.set_title(t("chart_cooccurrence"), fontsize=10)
    return _png(fig, dpi)


def render_charts(report: Report, t: Texts, dpi: int = DEFAULT_DPI) -> Charts:
    return Charts(
        valence=valence_bars(report, t, dpi),
        heatmap=heatmap(report, t, dpi),
        cooccurrence=cooccurrence(report, t, dpi),
    )
