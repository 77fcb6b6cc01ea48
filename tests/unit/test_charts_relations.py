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


def every_pair(promoting: int, hindering: int, loops: bool = True) -> list[Relation]:
    """Every relation with the same counts, as a regional summary over many kommuner has."""
    pairs = itertools.product(ACTORS, ACTORS)
    return [
        Relation(s, p, ValenceCount("", promoting=promoting, hindering=hindering))
        for s, p in pairs
        if loops or s != p
    ]


def mixed() -> list[Relation]:
    """Five figures on one lane and one on the next."""
    pairs = enumerate(itertools.product(ACTORS, ACTORS))
    return [
        Relation(s, p, ValenceCount("", promoting=99999 if i % 2 else 1, hindering=7 + i))
        for i, (s, p) in pairs
    ]


def loops(promoting: int, hindering: int) -> list[Relation]:
    return [
        Relation(a, a, ValenceCount("", promoting=promoting, hindering=hindering)) for a in ACTORS
    ]


CASES = {
    "all": every_relation(),
    "demo": the_demos(),
    "loops": big_loops(),
    "all_99": every_pair(99, 99),
    # Counts of three figures and more, up to five: each still on its own lane, whole.
    "sides_100": every_pair(100, 1, loops=False),
    "sides_1_100": every_pair(1, 100, loops=False),
    "all_120": every_pair(120, 118),
    "all_1200": every_pair(1200, 1180),
    "all_99999": every_pair(99999, 88888),
    "mixed": mixed(),
    "loops_1000": loops(1000, 1),
    "loops_99999": loops(12345, 99999),
}


@pytest.mark.parametrize("relations", CASES.values(), ids=CASES.keys())
def test_every_count_is_shown_and_nothing_covers_anything(
    monkeypatch: pytest.MonkeyPatch, relations: list[Relation]
) -> None:
    fig = drawn(monkeypatch, relations)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    ax = fig.axes[0]
    names = [t for t in ax.texts if t.get_text() in ACTORS]
    counts = [t for t in ax.texts if t not in names]
    want = [v for r in relations for v in (r.counts.promoting, r.counts.hindering) if v]
    assert sorted(int(t.get_text()) for t in counts) == sorted(want)
    assert sorted(t.get_text() for t in names) == sorted(ACTORS)

    boxes = [_outline(p) for p in ax.patches if isinstance(p, FancyBboxPatch)]
    if not boxes:  # boxes drawn as the names' own grounds
        boxes = [_outline(t.get_bbox_patch()) for t in names]  # type: ignore[arg-type]
    # A count's ground as drawn: turned with the count where it runs along a slanted lane.
    grounds = [_outline(t.get_bbox_patch()) for t in counts]  # type: ignore[arg-type]
    ink = boxes + grounds
    page = fig.bbox
    for box in ink:  # nothing cut off at the chart's edge, a loop's count of 99999 neither
        (x0, y0), (x1, y1) = box.min(axis=0), box.max(axis=0)
        assert page.x0 <= x0 and x1 <= page.x1 and page.y0 <= y0 and y1 <= page.y1
    for a, b in itertools.combinations(ink, 2):
        assert _apart(a, b), "a count or box lies on another"
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(arrows) == len(want)
    lanes = [
        r.speaker != r.partner
        for r in relations
        for v in (r.counts.promoting, r.counts.hindering)
        if v
    ]
    for i, arrow in enumerate(arrows):  # each count is drawn just after its arrow
        points = _ink(ax, arrow)
        for box in boxes:
            assert not _inside(points, box), "an arrow runs into a box"
        for j, ground in enumerate(grounds):
            assert i == j or not _inside(points, ground), "a count lies on another's arrow"
        # A lane's count sits on its own arrow (a loop's beside the bulge).
        assert not lanes[i] or _inside(points, grounds[i]), "a count is off its lane"


def _ink(ax: Any, arrow: FancyArrowPatch) -> np.ndarray:
    """Points along the arrow as drawn, head included, a pixel or so apart, in pixels (its
    path is in data units, curves as control points: flattened to lines first)."""
    out = []
    for poly in arrow.get_path().to_polygons(ax.transData, closed_only=False):
        for (x0, y0), (x1, y1) in itertools.pairwise(poly):
            n = max(2, int(np.hypot(x1 - x0, y1 - y0)))
            out.append(np.linspace((x0, y0), (x1, y1), n))
    return np.concatenate(out)


def _outline(patch: FancyBboxPatch) -> np.ndarray:
    """A box's corners as drawn, in pixels, its rounding flattened (it is convex)."""
    polygon = np.concatenate(patch.get_path().to_polygons(patch.get_transform()))
    edges = np.roll(polygon, -1, axis=0) - polygon
    return polygon[np.hypot(edges[:, 0], edges[:, 1]) > 1e-6]  # no edge of no length


def _normals(polygon: np.ndarray) -> np.ndarray:
    """Unit normals of a convex polygon's edges, pointing out of it."""
    edges = np.roll(polygon, -1, axis=0) - polygon
    normals = np.stack([edges[:, 1], -edges[:, 0]], axis=1)
    normals /= np.hypot(normals[:, 0], normals[:, 1])[:, None]
    x, y = polygon[:, 0], polygon[:, 1]
    clockwise = np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y) < 0
    return normals if not clockwise else -normals


def _apart(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether a line parts two convex outlines (a touch at the edge is no overlap)."""
    for normals in (_normals(a), _normals(b)):
        pa, pb = a @ normals.T, b @ normals.T
        if np.any(pa.max(axis=0) <= pb.min(axis=0)) or np.any(pb.max(axis=0) <= pa.min(axis=0)):
            return True
    return False


def _inside(points: np.ndarray, polygon: np.ndarray) -> bool:
    """Whether any point lies inside the convex `polygon` by more than a pixel."""
    normals = _normals(polygon)
    # How far out of each edge's line every point lies: inside is out of none.
    out = np.einsum("pek,ek->pe", points[:, None, :] - polygon[None, :, :], normals)
    return bool(np.any(np.all(out < -1.0, axis=1)))
