"""`u` takes back a cluster adopted as a code (or a new code), `Ctrl+R` makes it again.

The whole store, the codebook as stored and the codebook file's bytes are compared
before and after, on SQLite and on a PostgreSQL server.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from textual.widgets import Input

from qualkit.analysis import cluster
from qualkit.model import Valence
from qualkit.project import open_project
from qualkit.tui.screens.adopt import AdoptDialog
from qualkit.tui.screens.clusters import ClustersScreen
from qualkit.tui.screens.codebook import CodebookScreen

from ..undo_state import state
from .conftest import keys

pytestmark = [pytest.mark.tui, pytest.mark.both_backends]

KEY = "kontaktlista_rutiner"


def plain(renderable: Any) -> str:
    console = Console(width=60, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def saved_state(root: Path) -> dict[str, Any]:
    with open_project(root) as p:
        return state(p)


@pytest.fixture
def proposal(demo_root: Path, monkeypatch: pytest.MonkeyPatch) -> cluster.ClusterProposal:
    with open_project(demo_root) as p:
        ids = tuple(s.id for s in p.store.segments()[2:5])
    found = cluster.ClusterProposal(
        1, ("kontaktlista", "rutiner"), 3, ids, ids[:1], "arbetsstruktur", 0.7
    )
    monkeypatch.setattr(cluster, "propose_categories", lambda project, **kw: [found])
    return found


async def adopt(pilot: Any) -> None:
    """Clusters, adopt the first: the first passage hindering, the second left out."""
    await keys(pilot, "C")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await keys(pilot, "a")
    assert isinstance(pilot.app.screen, AdoptDialog)
    await keys(pilot, "h", "down", "x", "ctrl+s")
    assert isinstance(pilot.app.screen, ClustersScreen)


def test_u_on_the_transcript_undoes_an_adopted_cluster_and_ctrl_r_redoes_it(
    demo_root: Path,
    drive: Callable[..., Any],
    notes: list[str],
    proposal: cluster.ClusterProposal,
) -> None:
    before = saved_state(demo_root)
    seen: dict[str, Any] = {}

    async def steps(pilot: Any) -> None:
        app = pilot.app
        await adopt(pilot)
        seen["adopted"] = state(app.project)
        await pilot.press("escape", "enter")  # back, and into the transcript
        await pilot.pause()
        panel = plain(app.screen.query_one("#codebook_panel").content)
        assert "kontaktlista rutiner" in panel
        await keys(pilot, "u")
        seen["undone"] = state(app.project)
        seen["panel_undone"] = plain(app.screen.query_one("#codebook_panel").content)
        await keys(pilot, "ctrl+r")
        seen["redone"] = state(app.project)
        seen["panel_redone"] = plain(app.screen.query_one("#codebook_panel").content)

    drive(steps, coder="anna")
    adopted = seen["adopted"]
    made = [c for c in adopted["codings"] if c.code == KEY]
    assert {c.segment_id: c.valence for c in made} == {
        proposal.segment_ids[0]: Valence.HINDERING,
        proposal.segment_ids[2]: Valence.NONE,
    }
    assert seen["undone"] == before
    assert "kontaktlista rutiner" not in seen["panel_undone"]
    assert seen["redone"] == adopted  # the same coding ids, the same file bytes
    assert "kontaktlista rutiner" in seen["panel_redone"]
    assert saved_state(demo_root) == adopted
    assert any(n.startswith("Ångrat: ny kod") for n in notes)
    assert any(n.startswith("Gjort om: ny kod") for n in notes)


def test_u_on_the_clusters_screen_undoes_the_adoption(
    demo_root: Path, drive: Callable[..., Any], proposal: cluster.ClusterProposal
) -> None:
    before = saved_state(demo_root)

    async def steps(pilot: Any) -> None:
        app = pilot.app
        await adopt(pilot)
        await keys(pilot, "u")
        await app.workers.wait_for_complete()

    drive(steps, coder="anna")
    assert saved_state(demo_root) == before


def test_a_new_code_from_the_codebook_screen_is_undone_with_u(
    demo_root: Path, drive: Callable[..., Any]
) -> None:
    before = saved_state(demo_root)
    seen: dict[str, Any] = {}

    async def steps(pilot: Any) -> None:
        app = pilot.app
        await keys(pilot, "K")
        assert isinstance(app.screen, CodebookScreen)
        await keys(pilot, "a")
        app.screen.query_one(Input).value = "eldsjalar"
        await keys(pilot, "enter")
        app.screen.query_one(Input).value = "Eldsjälar"
        await keys(pilot, "enter")
        assert isinstance(app.screen, CodebookScreen)
        seen["added"] = state(app.project)
        await keys(pilot, "u")
        seen["undone"] = state(app.project)
        await keys(pilot, "U")
        seen["redone"] = state(app.project)

    drive(steps, coder="anna")
    assert "eldsjalar" in {c.key for c in seen["added"]["codebook"].codes}
    assert seen["undone"] == before
    assert seen["redone"] == seen["added"]
