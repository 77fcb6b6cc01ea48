"""The disagreement view: passages side by side, resolved into a consensus with a memo."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.app import App
from textual.widgets import Input, OptionList, SelectionList, Static

from qualkit.project import Project, init_project, open_project
from qualkit.tui.screens.disagreements import DisagreementScreen

pytestmark = pytest.mark.tui

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def coded_twice(tmp_path: Path) -> Project:
    root = tmp_path / "p"
    init_project(root).close()
    project = open_project(root)
    project.import_transcript(REPO / "audio" / "demo" / "fokusgrupp_demo.txt", name="demo")
    for coder, plan in (
        ("anna", {3: "ledning", 4: "stabila_org", 9: "kunskap_respekt"}),
        ("bo", {3: "ledning", 4: "kunskap_respekt", 12: "ledning"}),
    ):
        for turn, code in plan.items():
            project.add_coding(f"demo:{turn}", code, valence="hindrande", coder=coder)
    return project


class Host(App[None]):
    def __init__(self, project: Project) -> None:
        super().__init__()
        self.project = project

    def on_mount(self) -> None:
        self.push_screen(DisagreementScreen(self.project, ("anna", "bo")))


def test_resolve_one_passage(coded_twice: Project) -> None:
    asyncio.run(_resolve_one_passage(coded_twice))


async def _resolve_one_passage(coded_twice: Project) -> None:
    app = Host(coded_twice)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DisagreementScreen)
        options = screen.query_one(OptionList)
        assert options.option_count == 3  # turns 4, 9 and 12
        title = str(screen.query_one("#dis_title", Static).render())
        assert "3 kvar" in title
        boxes = [w.border_title for w in screen.query(".dis_coder")]
        assert boxes == ["anna", "bo"]
        choices = screen.query_one(SelectionList)
        assert choices.option_count == 2 and choices.selected == []
        # No memo: refused, nothing written.
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert coded_twice.codings(coder="konsensus") == []
        # Choose the first coder's code, write a memo, save.
        choices.select("stabila_org|hindrande")
        await pilot.click("#dis_memo")
        await pilot.press(*"Omorganisationen")
        assert screen.query_one("#dis_memo", Input).value == "Omorganisationen"
        await pilot.press("ctrl+s")
        await pilot.pause()
        consensus = coded_twice.codings(coder="konsensus")
        assert [(c.code, c.valence.value) for c in consensus] == [("stabila_org", "hindrande")]
        assert consensus[0].segment_id == coded_twice.segment("demo:4").id
        memos = coded_twice.store.memos(target="segment")
        assert [m.text for m in memos] == ["Omorganisationen"]
        assert options.option_count == 2
        assert "2 kvar" in str(screen.query_one("#dis_title", Static).render())
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, DisagreementScreen)
    coded_twice.close()


def test_empty_when_coders_agree(tmp_path: Path) -> None:
    asyncio.run(_empty_when_coders_agree(tmp_path))


async def _empty_when_coders_agree(tmp_path: Path) -> None:
    root = tmp_path / "q"
    project = init_project(root)
    project.import_transcript(REPO / "audio" / "demo" / "fokusgrupp_demo.txt", name="demo")
    for coder in ("anna", "bo"):
        project.add_coding("demo:3", "ledning", coder=coder)
    app = Host(project)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.screen.query_one(OptionList).option_count == 0
        text = str(app.screen.query_one("#dis_text", Static).render())
        assert "Inga oenigheter" in text
    project.close()


def test_j_and_k_move_among_the_consensus_choices(coded_twice: Project) -> None:
    """The choices move with j/k like every list; the memo field still takes the letters."""

    async def go() -> None:
        app = Host(coded_twice)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            choices = app.screen.query_one(SelectionList)
            choices.focus()
            await pilot.pause()
            await pilot.press("down")  # onto the first choice (none is highlighted yet)
            assert choices.highlighted == 0
            await pilot.press("j")
            assert choices.highlighted == 1
            await pilot.press("k")
            assert choices.highlighted == 0
            await pilot.click("#dis_memo")
            await pilot.press(*"jk")
            assert app.screen.query_one("#dis_memo", Input).value == "jk"
        coded_twice.close()

    asyncio.run(go())
