"""The pseudonym review screen: accept, reject, edit and accept a whole kind with keys."""

from __future__ import annotations

import asyncio

import pytest
from textual.app import App

from qualkit.privacy import Redactor, scan
from qualkit.project import Project
from qualkit.tui.screens.pseudonyms import PseudonymScreen

pytestmark = pytest.mark.tui


class ReviewApp(App[None]):
    def __init__(self, project: Project) -> None:
        super().__init__()
        self.project = project

    def on_mount(self) -> None:
        self.push_screen(PseudonymScreen(self.project))


def planted(project: Project) -> None:
    segs = project.segments("fokusgrupp_demo")
    project.store.update_segment_text(
        segs[1].id, segs[1].text + " Jag ringde Anna Svensson och sedan Erik Holm."
    )
    project.store.update_segment_text(
        segs[2].id, segs[2].text + " Numret är 070-123 45 67 eller 08-123 456 78."
    )
    scan(project)


def by_original(project: Project) -> dict[str, tuple[str, str]]:
    return {p.original: (p.status, p.replacement) for p in project.store.pseudonyms()}


def test_review_keys(demo_project: Project) -> None:
    planted(demo_project)

    async def run() -> None:
        app = ReviewApp(demo_project)
        async with app.run_test(size=(140, 30)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, PseudonymScreen)
            first = screen.current()
            assert first is not None and first.original == "Anna Svensson"
            await pilot.press("a")  # accept Anna Svensson
            await pilot.pause()
            assert by_original(demo_project)["Anna Svensson"][0] == "accepted"
            # Open proposals are listed first: the cursor now sits on the next one.
            nxt = screen.current()
            assert nxt is not None and nxt.original == "Erik Holm"
            await pilot.press("x")
            await pilot.pause()
            assert by_original(demo_project)["Erik Holm"][0] == "rejected"
            # Edit the replacement of the first phone number.
            phone = screen.current()
            assert phone is not None and phone.kind == "phone"
            await pilot.press("e")
            await pilot.pause()
            for _ in range(20):
                await pilot.press("backspace")
            await pilot.press(*"[tfn]")
            await pilot.press("enter")
            await pilot.pause()
            assert by_original(demo_project)[phone.original] == ("accepted", "[tfn]")
            # Accept every remaining proposal of the kind under the cursor.
            await pilot.press("A")
            await pilot.pause()
            assert all(
                s == "accepted"
                for o, (s, _r) in by_original(demo_project).items()
                if o.startswith("08")
            )
            await pilot.press("escape")
            await pilot.pause()
            assert not isinstance(app.screen, PseudonymScreen)

    asyncio.run(run())
    red = Redactor.for_project(demo_project)
    out = red.redact("Anna Svensson och Erik Holm, 070-123 45 67.")
    assert "Anna Svensson" not in out and "Erik Holm" in out and "[tfn]" in out


def test_a_name_the_scan_missed_is_added_with_plus(demo_project: Project) -> None:
    planted(demo_project)
    segs = demo_project.segments("fokusgrupp_demo")
    demo_project.store.update_segment_text(segs[3].id, segs[3].text + " Det var Homan Amani.")

    async def run() -> None:
        app = ReviewApp(demo_project)
        async with app.run_test(size=(140, 30)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, PseudonymScreen)
            await pilot.press("plus")
            await pilot.press(*"Homan Amani", "enter")
            await pilot.pause()
            assert by_original(demo_project)["Homan Amani"][0] == "accepted"
            assert "ersätts med [Namn" in str(screen.query_one("#pseudo-status").render())
            # An edited replacement that is a name itself is refused, nothing changes.
            first = screen.current()
            assert first is not None
            before = by_original(demo_project)[first.original]
            await pilot.press("e", "ctrl+a", *"Anna S.", "enter")
            await pilot.pause()
            assert by_original(demo_project)[first.original] == before

    asyncio.run(run())
    assert "Homan" not in Redactor.for_project(demo_project).redact(segs[3].text + " Homan Amani")


def test_an_edited_replacement_that_reads_as_a_name_is_warned_about(
    demo_project: Project,
) -> None:
    planted(demo_project)
    notes: list[str] = []

    async def run() -> None:
        app = ReviewApp(demo_project)
        app.notify = lambda message, **_kw: notes.append(message)  # type: ignore[method-assign]
        async with app.run_test(size=(140, 30)) as pilot:
            await pilot.pause()
            first = app.screen.current()  # type: ignore[attr-defined]
            assert first is not None and first.original == "Anna Svensson"
            await pilot.press("e")
            app.screen.query_one("#pseudo-edit").value = "Lisa Berg"  # type: ignore[attr-defined]
            await pilot.press("enter")
            await pilot.pause()
            # Saved: an invented name is allowed; the coder is told how it reads.
            assert by_original(demo_project)["Anna Svensson"] == ("accepted", "Lisa Berg")
            assert any("'Lisa Berg' liknar ett personnamn" in n for n in notes), notes

    asyncio.run(run())
