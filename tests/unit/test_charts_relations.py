"""The actor-relations chart: every count shown once, and nothing drawn over anything else
(no arrow into a box, no count or box on another), also with every relation present."""

from __future__ import annotations

import itertools
from typing import Any, cast

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.transforms import Bbox

from qualkit.export.charts_relations import relation_network
from qualkit.export.report_records import Relation, Relations, Report, ValenceCount

ACTORS = ("kommun", "vård", "FK", "AF")


def drawn(monkeypatch: pytest.MonkeyPatch, relations: list[Relation]) -> Figure:
    """The chart's figure as saved to PNG."""
    saved: list[Figure] = []
    real = Figure.savefig

    def keep(fig: Figure, *args: Any, **kwargs: Any) -> None:
        saved.append(fig)
        real(fig, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", keep)
    report = cast(Report, _Shape(Relations(ACTORS, tuple(relations), n=len(relations))))
    assert relation_network(report, dpi=100)
    return saved[0]


class _Shape:
    """The one field of a report the chart reads."""

    def __init__(self, relations: Relations) -> None:
        self.relations = relations


def every_relation() -> list[Relation]:
    pairs = itertools.product(ACTORS, ACTORS)
    return [
        Relation(s, p, ValenceCount(f"{s}→{p}", promoting=1 + i % 3, hindering=2 + i % 5))
        for i, (s, p) in enumerate(pairs)
    ]


def big_loops() -> list[Relation]:
    """An actor much about itself: three-figure counts beside the boxes."""
    return [Relation(a, a, ValenceCount("", promoting=120, hindering=118)) for a in ACTORS]


def the_demos() -> list[Relation]:
    """The demo's relations: four arrows at AF, where the trial saw them crowd its box."""
    return [
        Relation("kommun", "AF", ValenceCount("", promoting=1)),
        Relation("vård", "AF", ValenceCount("", hindering=1)),
        Relation("AF", "kommun", ValenceCount("", hindering=1)),
        Relation("AF", "FK", ValenceCount("", hindering=1)),
    ]


def _overlap(a: Bbox, b: Bbox) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


@pytest.mark.parametrize(
    "relations", [every_relation(), the_demos(), big_loops()], ids=["all", "demo", "loops"]
)
def test_every_count_is_shown_and_nothing_covers_anything(
    monkeypatch: pytest.MonkeyPatch, relations: list[Relation]
) -> None:
    fig = drawn(monkeypatch, relations)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    ax = fig.axes[0]
    names = [t for t in ax.texts if t.get_text() in ACTORS]
    counts = [t for t in ax.texts if t not in names]
    want = [v for r in relations for v in (r.counts.promoting, r.counts.hindering) if v]
    assert sorted(int(t.get_text()) for t in counts) == sorted(want)
    assert sorted(t.get_text() for t in names) == sorted(ACTORS)

    boxes = [p.get_window_extent(renderer) for p in ax.patches if isinstance(p, FancyBboxPatch)]
    if not boxes:  # boxes drawn as the names' own grounds
        boxes = [t.get_bbox_patch().get_window_extent(renderer) for t in names]  # type: ignore[union-attr]
    grounds = [t.get_bbox_patch().get_window_extent(renderer) for t in counts]  # type: ignore[union-attr]
    ink = boxes + grounds
    page = fig.bbox
    for box in ink:  # nothing cut off at the chart's edge, a loop's count of 120 neither
        assert page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0 and box.y1 <= page.y1
    for a, b in itertools.combinations(ink, 2):
        assert not _overlap(a, b), "a count or box lies on another"
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(arrows) == len(want)
    for i, arrow in enumerate(arrows):  # each count is drawn just after its arrow
        points = _ink(ax, arrow)
        for box in boxes:
            assert not _inside(points, box), "an arrow runs into a box"
        for j, ground in enumerate(grounds):
            assert i == j or not _inside(points, ground), "a count lies on another's arrow"


def _ink(ax: Any, arrow: FancyArrowPatch) -> np.ndarray:
    """Points along the arrow as drawn, head included, a pixel or so apart, in pixels (its
    path is in data units, curves as control points: flattened to lines first)."""
    out = []
    for poly in arrow.get_path().to_polygons(ax.transData, closed_only=False):
        for (x0, y0), (x1, y1) in itertools.pairwise(poly):
            n = max(2, int(np.hypot(x1 - x0, y1 - y0)))
            out.append(np.linspace((x0, y0), (x1, y1), n))
    return np.concatenate(out)


def _inside(points: np.ndarray, box: Bbox) -> bool:
    """Whether any point lies inside `box` (a touch at the edge is no overlap)."""
    x, y = points[:, 0], points[:, 1]
    inner = box.padded(-1.0)
    return bool(np.any((inner.x0 < x) & (x < inner.x1) & (inner.y0 < y) & (y < inner.y1)))
