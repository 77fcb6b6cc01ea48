"""The small network chart of who speaks about whom: the four actors on a square."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualkit.export.report_records import Relation, Report

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.text import Text

PROMOTING, HINDERING = "#009E73", "#D55E00"

# In data units (about 90 points each at the chart's size): the actors sit on a wide
# square, and each pair of actors has four lanes, one per direction and valence.
WIDTH, HEIGHT = 4.0, 3.4  # inches
X_HALF = 1.6
Y_HALF = X_HALF * HEIGHT / WIDTH  # equal aspect: a unit is as long across as up
CORNER_X, CORNER_Y = 0.85, 0.82
LANE = 0.12  # between neighbouring lanes: a count's ground covers only its own line
DIAGONAL_LANE = 0.09  # a diagonal's lanes end at a box's corner, apart from the sides' lanes
# The smallest box: every lane of a side ends on it ('AF' is short, its lanes are not).
HALF_W, HALF_H = 0.37, 0.28
PAD = 0.06  # around a long name
GAP = 0.05  # between an arrow's end and the box it points at
LOOP = 0.15  # the height of a loop (an actor about itself) beside its box
# Where a count sits along its arrow, from the speaker's end: the two valences of one
# direction apart, and on a diagonal away from the middle, where the diagonals cross.
AT = {PROMOTING: 0.24, HINDERING: 0.4}
DIAGONAL_AT = {PROMOTING: 0.14, HINDERING: 0.3}
# A count of three figures is wider than the gap between two lanes: then every count runs
# along its lane, främjande from the speaker's end and hindrande up to the head, so the two
# counts at one end of a pair's four lanes lie two lanes apart and clear of the crossing.
LONG = 100
END = 0.1  # from a lane's start to its long count: past the neighbour's head there
HEAD_END = 0.13  # from a lane's head to its long count: a piece of the arrow between
SMALLER = 10000  # five figures in a smaller font leave room before the diagonals cross


@dataclass(frozen=True, slots=True)
class Box:
    """An actor's box in data units: centre and half sizes."""

    x: float
    y: float
    half_w: float
    half_h: float


def corners(actors: tuple[str, ...]) -> dict[str, tuple[float, float]]:
    """The actors clockwise from the top left: for four, the corners of a wide square, so
    the sides run straight across and up, and only the two diagonals cross."""
    n = len(actors)
    return {
        a: (
            CORNER_X * math.sqrt(2) * math.cos(math.radians(135 - 360 * i / n)),
            CORNER_Y * math.sqrt(2) * math.sin(math.radians(135 - 360 * i / n)),
        )
        for i, a in enumerate(actors)
    }


def _exit(x: float, y: float, dx: float, dy: float, box: Box) -> float:
    """How far along (x, y) + t·(dx, dy) the line leaves `box`'s slabs (the nearer exit):
    a lane beside a box, not through it, ends level with the box's edge."""
    exits = []
    if abs(dx) > 1e-9:  # cos(90°) is not quite 0: a vertical lane has no x exit
        edge = box.x + math.copysign(box.half_w, dx)
        exits.append((edge - x) / dx)
    if abs(dy) > 1e-9:
        edge = box.y + math.copysign(box.half_h, dy)
        exits.append((edge - y) / dy)
    return max(0.0, min(exits))  # 0: the line starts outside the box already


def diagonal(a: Box, b: Box) -> bool:
    """Whether `b` is across the square from `a` (neither level nor straight above)."""
    return abs(a.x - b.x) > 1e-6 and abs(a.y - b.y) > 1e-6


def lane(a: Box, b: Box, offset: float) -> tuple[tuple[float, float], tuple[float, float]]:
    """An arrow from box `a` to box `b`, `offset` to the right of the line between them
    (so the way back lies on the other side), from edge to edge with a gap.

    A side's lanes run between the boxes' centres; a diagonal's between their facing
    corners, so its lanes end on the corner and the sides' lanes on the middle of an edge."""
    ax, ay, bx, by = a.x, a.y, b.x, b.y
    if diagonal(a, b):
        ax += math.copysign(a.half_w, b.x - a.x)
        ay += math.copysign(a.half_h, b.y - a.y)
        bx += math.copysign(b.half_w, a.x - b.x)
        by += math.copysign(b.half_h, a.y - b.y)
    dx, dy = bx - ax, by - ay
    length = math.hypot(dx, dy)
    rx, ry = dy / length * offset, -dx / length * offset
    x0, y0, x1, y1 = ax + rx, ay + ry, bx + rx, by + ry
    gap = GAP / length
    t0 = _exit(x0, y0, dx, dy, a) + gap
    t1 = 1 - _exit(x1, y1, -dx, -dy, b) - gap
    return (x0 + t0 * dx, y0 + t0 * dy), (x0 + t1 * dx, y0 + t1 * dy)


def relation_figure(report: Report) -> Figure | None:
    """Arrows from the actor who speaks to the actor spoken about; width by count.

    Each direction and valence has a straight lane of its own, so no arrow, head or count
    lies on another; an actor about itself gets a loop outside its box."""
    rel = report.relations
    if rel is None or not rel.n:
        return None
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH, HEIGHT))
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(-X_HALF, X_HALF)
    ax.set_ylim(-Y_HALF, Y_HALF)
    ax.set_aspect("equal")
    ax.axis("off")
    boxes = _draw_boxes(fig, ax, corners(rel.actors))
    top = max((max(r.counts.promoting, r.counts.hindering) for r in rel.relations), default=1) or 1
    along = any(
        max(r.counts.promoting, r.counts.hindering) >= LONG
        for r in rel.relations
        if r.speaker != r.partner
    )
    loops = []
    for r in rel.relations:
        for value, colour, offset in (
            (r.counts.promoting, PROMOTING, LANE / 2),
            (r.counts.hindering, HINDERING, LANE * 1.5),
        ):
            if value:
                width = 1.2 + 3.0 * value / top  # points: at most a lane's gap
                count = _draw_arrow(ax, boxes, r, (value, colour, offset, width), along)
                if r.speaker == r.partner:
                    loops.append(count)
    _widen_for(fig, ax, loops)
    return fig


def _widen_for(fig: Figure, ax: Axes, loops: list[Text]) -> None:
    """Widen the chart on both sides by what the longest loop count needs beyond its edge
    (four figures and more); the scale stays, so nothing else moves against anything."""
    if not loops:
        return
    fig.canvas.draw()  # a count's ground is placed once drawn
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    page = fig.bbox
    over = 0.0  # pixels
    for count in loops:
        ground = count.get_bbox_patch()
        extent = (ground or count).get_window_extent(renderer)
        over = max(over, page.x0 - extent.x0, extent.x1 - page.x1)
    if over <= 0:
        return
    inches = (over + 2) / fig.dpi  # and a hair, so the ground does not touch the edge
    fig.set_size_inches(WIDTH + 2 * inches, HEIGHT)
    x_half = X_HALF + inches * 2 * X_HALF / WIDTH
    ax.set_xlim(-x_half, x_half)


def _draw_boxes(fig: Figure, ax: Axes, centres: dict[str, tuple[float, float]]) -> dict[str, Box]:
    """The actors' names in boxes, over the arrows; returns each box as drawn."""
    from matplotlib.patches import FancyBboxPatch

    texts: dict[str, Text] = {}
    for actor, (x, y) in centres.items():
        texts[actor] = ax.text(
            x, y, actor, ha="center", va="center", fontsize=10, weight="bold", zorder=4
        )
    fig.canvas.draw()  # a name's size is known once drawn
    to_data = ax.transData.inverted()
    boxes = {}
    for actor, text in texts.items():
        (x0, y0), (x1, y1) = to_data.transform(text.get_window_extent())
        x, y = centres[actor]
        box = Box(x, y, max(HALF_W, (x1 - x0) / 2 + PAD), max(HALF_H, (y1 - y0) / 2 + PAD))
        ax.add_patch(
            FancyBboxPatch(
                (x - box.half_w, y - box.half_h),
                2 * box.half_w,
                2 * box.half_h,
                boxstyle="round,pad=0,rounding_size=0.06",
                facecolor="#f2f2f2",
                edgecolor="#666",
                zorder=3,
            )
        )
        boxes[actor] = box
    return boxes


def _along(
    start: tuple[float, float], end: tuple[float, float], colour: str
) -> tuple[tuple[float, float], float, str]:
    """Where a long count starts on its lane, its angle (upright enough to read) and the
    side it grows towards: from the anchor into the lane, away from the lane's end."""
    dx, dy = end[0] - start[0], end[1] - start[1]
    length = math.hypot(dx, dy)
    angle = math.degrees(math.atan2(dy, dx))
    reading = angle - 180 if angle > 90.001 else angle + 180 if angle <= -89.999 else angle
    forwards = reading == angle  # the text reads the way the arrow points
    if colour == PROMOTING:
        where = (start[0] + END * dx / length, start[1] + END * dy / length)
        return where, reading, "left" if forwards else "right"
    where = (end[0] - HEAD_END * dx / length, end[1] - HEAD_END * dy / length)
    return where, reading, "right" if forwards else "left"


def _draw_arrow(
    ax: Axes,
    boxes: dict[str, Box],
    r: Relation,
    drawn: tuple[int, str, float, float],
    along: bool,
) -> Text:
    """One arrow and its count (returned); `along`: the chart's counts run along lanes."""
    from matplotlib.patches import FancyArrowPatch

    value, colour, offset, width = drawn
    angle = 0.0  # a short count stands upright
    a = boxes[r.speaker]
    if r.speaker == r.partner:  # about one's own organisation: a loop beside the box
        side = 1.0 if a.x >= 0 else -1.0  # on the outer side, where no lane arrives
        edge = a.x + side * (a.half_w + GAP / 2)
        # Downwards, bulging outwards; främjande above the middle, hindrande below.
        high = a.y + LANE / 4 + LOOP if colour == PROMOTING else a.y - LANE / 4
        start, end = (edge, high), (edge, high - LOOP)
        bend, head = -1.6 * side, 9
        # Beyond the loop's bulge (0.8 of its height), however many figures the count has.
        where = (edge + side * (0.8 * LOOP + 0.03), high - LOOP / 2)
        align = "left" if side > 0 else "right"
    else:
        b = boxes[r.partner]
        across = diagonal(a, b)
        start, end = lane(a, b, offset * DIAGONAL_LANE / LANE if across else offset)
        bend, head = 0.0, 12
        t = (DIAGONAL_AT if across else AT)[colour]
        where = (start[0] + t * (end[0] - start[0]), start[1] + t * (end[1] - start[1]))
        align = "center"
        if along:
            where, angle, align = _along(start, end, colour)
    arrow = FancyArrowPatch(
        start,
        end,
        connectionstyle=f"arc3,rad={bend}",
        arrowstyle="-|>",
        mutation_scale=head,
        shrinkA=0,
        shrinkB=0,
        linewidth=width,
        color=colour,
        zorder=1,
    )
    ax.add_patch(arrow)
    # The count on its own lane, on a white ground so no line runs through it.
    return ax.text(
        *where,
        str(value),
        fontsize=8 if value < SMALLER else 7,
        color=colour,
        ha=align,
        va="center",
        rotation=angle,
        rotation_mode="anchor",
        zorder=2,
        bbox={"boxstyle": "round,pad=0.12", "facecolor": "white", "edgecolor": "none"},
    )


def relation_network(report: Report, dpi: int) -> bytes | None:
    """The chart as PNG (None when no coding names a partner actor)."""
    fig = relation_figure(report)
    if fig is None:
        return None
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()
