"""The small network chart of who speaks about whom: the four actors on a square."""

from __future__ import annotations

import io
import math

from qualkit.export.report_records import Report

PROMOTING, HINDERING = "#009E73", "#D55E00"


def relation_network(report: Report, dpi: int) -> bytes | None:
    """Arrows from the actor who speaks to the actor spoken about; width by count.

    Främjande and hindrande are drawn as two parallel arrows, so neither hides the other."""
    rel = report.relations
    if rel is None or not rel.n:
        return None
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch

    fig = Figure(figsize=(4.0, 3.4), layout="constrained")
    ax = fig.add_subplot()
    n = len(rel.actors)
    pos = {
        a: (
            math.cos(math.pi / 2 - 2 * math.pi * i / n),
            math.sin(math.pi / 2 - 2 * math.pi * i / n),
        )
        for i, a in enumerate(rel.actors)
    }
    top = max((max(r.counts.promoting, r.counts.hindering) for r in rel.relations), default=1) or 1
    for r in rel.relations:
        (x0, y0), (x1, y1) = pos[r.speaker], pos[r.partner]
        # arc3 bends to one side of the direction of travel (the right), so A->B and B->A with the
        # same bend lie on opposite sides, and främjande and hindrande of one direction
        # on two arcs of their own: none of the four arrows of a pair hides another.
        for value, colour, bend in (
            (r.counts.promoting, PROMOTING, 0.12),
            (r.counts.hindering, HINDERING, 0.32),
        ):
            if not value:
                continue
            if r.speaker == r.partner:  # about one's own organisation: a small loop
                loop = FancyArrowPatch(
                    (x0 - 0.08, y0 + 0.12),
                    (x0 + 0.08, y0 + 0.12),
                    connectionstyle="arc3,rad=-1.8",
                    arrowstyle="-|>",
                    mutation_scale=9,
                    linewidth=1.5 + 4.0 * value / top,
                    color=colour,
                )
                ax.add_patch(loop)
                continue
            arrow = FancyArrowPatch(
                (x0, y0),
                (x1, y1),
                connectionstyle=f"arc3,rad={bend}",
                arrowstyle="-|>",
                mutation_scale=14,
                shrinkA=22,
                shrinkB=22,
                linewidth=1.5 + 4.0 * value / top,
                color=colour,
            )
            ax.add_patch(arrow)
            # The count sits on its own arc's midpoint (a quadratic curve passes half way
            # to its control point), on a white ground so the line does not cover it.
            mx, my = (x0 + x1) / 2, (y0 + y1) / 2
            ax.text(
                mx + bend * (y1 - y0) / 2,
                my + bend * (x0 - x1) / 2,
                str(value),
                fontsize=9,
                color=colour,
                ha="center",
                va="center",
                bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"},
            )
    for actor, (x, y) in pos.items():
        ax.text(
            x,
            y,
            actor,
            ha="center",
            va="center",
            fontsize=10,
            weight="bold",
            bbox={"boxstyle": "round,pad=0.4", "facecolor": "#f2f2f2", "edgecolor": "#666"},
        )
    ax.set_xlim(-1.45, 1.45)
    ax.set_ylim(-1.35, 1.45)
    ax.set_aspect("equal")
    ax.axis("off")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()
