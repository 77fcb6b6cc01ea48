"""Drive every screen and binding of the coding app with Pilot, then check the database."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from qualkit.model import Consent, Valence
from qualkit.pipeline import events
from qualkit.project import open_project
from qualkit.tui.screens.disagreements import DisagreementScreen
from qualkit.tui.screens.pseudonyms import PseudonymScreen
from qualkit.tui.widgets.segment_list import MATCH

from .conftest import NO_MODEL, keys, open_transcript, settle

pytestmark = pytest.mark.tui


def codings(root: Path, coder: str | None = None) -> list[Any]:
    with open_project(root) as p:
        return p.codings(coder=coder) if coder else p.codings()


# ------------------------------------------------------------------ overview
def test_overview_lists_recordings_and_opens_screens(
    drive: Callable[..., Any], notes: list[str]
) -> None:
    async def steps(pilot: Any) -> None:
        app = pilot.app
        from qualkit.tui.screens.overview import OverviewScreen

        assert isinstance(app.screen, OverviewScreen)
        table = app.screen.query_one("DataTable")
        assert table.row_count == 1
        await pilot.press("R")
        await keys(pilot, "S")
        assert type(app.screen).__name__ == "SpeakersScreen"
        await pilot.press("escape")
        await keys(pilot, "T")
        assert any("transkribera" in n.casefold() for n in notes)
        await keys(pilot, "enter")
        assert type(app.screen).__name__ == "TranscriptScreen"
        await keys(pilot, "escape")
        assert isinstance(app.screen, OverviewScreen)

    drive(steps, coder="anna")


def fake_pipeline(monkeypatch: pytest.MonkeyPatch, behaviour: str) -> threading.Event:
    started = threading.Event()

    def run_pipeline(
        project: Any,
        recording_ids: list[int],
        *,
        on_progress: Callable[[object], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        started.set()
        if on_progress:
            on_progress("transcribe 1/1")
        if behaviour == "fail":
            raise RuntimeError("model broke")
        if behaviour == "cancel":
            assert cancel is not None
            cancel.wait(10)

    monkeypatch.setattr(events, "run_pipeline", run_pipeline)
    return started


def missing_pipeline(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """A machine without the Whisper model: the run says so (conftest's stand-in)."""
    return threading.Event()


@pytest.mark.parametrize(
    ("behaviour", "expected"),
    [("ok", "klar"), ("fail", "misslyckades"), ("cancel", "avbröts"), ("missing", NO_MODEL)],
)
def test_transcription_worker_reports(
    demo_root: Path,
    drive: Callable[..., Any],
    notes: list[str],
    monkeypatch: pytest.MonkeyPatch,
    behaviour: str,
    expected: str,
) -> None:
    audio = demo_root / "audio" / "ny.wav"
    audio.write_bytes(b"RIFF0000WAVE")
    with open_project(demo_root) as p:
        p.store.add_recording("ny", audio_path="audio/ny.wav", kommun="Norrby")
    started = (
        fake_pipeline(monkeypatch, behaviour)
        if behaviour != "missing"
        else missing_pipeline(monkeypatch)
    )

    async def steps(pilot: Any) -> None:
        await pilot.press("T")
        if behaviour == "cancel":
            assert await asyncio.to_thread(started.wait, 5)
            await pilot.press("escape")
        for _ in range(50):
            await pilot.pause(0.05)
            if any(expected in n for n in notes):
                break
        assert any(expected in n for n in notes), notes

    drive(steps)


# ---------------------------------------------------------------- transcript
def test_coding_keys_valence_memo_remove_undo_redo(
    demo_root: Path, drive: Callable[..., Any], notes: list[str]
) -> None:
    async def steps(pilot: Any) -> None:
        screen = await open_transcript(pilot)
        for digit in "12345678":
            await pilot.press(digit)
        mine = codings(demo_root, "anna")
        assert [c.code for c in mine] == [
            "ledning",
            "arbetsstruktur",
            "stabila_org",
            "kunskap_respekt",
            "malgrupper_mal",
            "forum_beslut",
            "individ",
            "kunskap_samverkan",
        ]
        await pilot.press("f")
        assert codings(demo_root, "anna")[-1].valence is Valence.PROMOTING
        await pilot.press("h")
        assert codings(demo_root, "anna")[-1].valence is Valence.HINDERING
        await pilot.press("p")
        assert codings(demo_root, "anna")[-1].valence is Valence.PROPOSAL
        await keys(pilot, "m")
        await keys(pilot, *"bra citat", "enter")
        assert codings(demo_root, "anna")[-1].memo == "bra citat"
        await pilot.press("c")  # select the first coding (cycles)
        await pilot.press("delete")
        assert len(codings(demo_root, "anna")) == 7
        await pilot.press("u")
        assert len(codings(demo_root, "anna")) == 8
        await pilot.press("ctrl+r")
        assert len(codings(demo_root, "anna")) == 7
        await pilot.press("U")
        assert any("göra om" in n.casefold() for n in notes)
        await keys(pilot, "M")
        await keys(pilot, *"segmentmemo", "enter")
        with open_project(demo_root) as p:
            seg = screen.current
            assert [m.text for m in p.store.memos("segment", str(seg.id))] == ["segmentmemo"]
        await pilot.press("9")  # no code on 9 in danermark: a message, no crash
        assert any("9" in n for n in notes)

    drive(steps, coder="anna")


def test_navigation_and_next_uncoded(drive: Callable[..., Any]) -> None:
    async def steps(pilot: Any) -> None:
        screen = await open_transcript(pilot)
        seglist = screen.seglist
        await pilot.press("down", "j")
        assert seglist.cursor == 2
        await pilot.press("up", "k")
        assert seglist.cursor == 0
        await pilot.press("pagedown")
        assert seglist.cursor > 2
        await pilot.press("pageup")
        assert seglist.cursor == 0
        await pilot.press("end")
        assert seglist.cursor == len(screen.view.segments) - 1
        await pilot.press("home")
        assert seglist.cursor == 0
        await pilot.press("G")
        await pilot.press("g")
        assert seglist.cursor == 0
        # the demo leaves turns 1, 6, 11, 15, 20 uncoded: next uncoded from 1 is 6
        await pilot.press("n")
        assert seglist.cursor == 5
        assert not screen.view.codings.get(screen.current.id)
        await pilot.click("#segments", offset=(40, 2))

    drive(steps)


def test_correct_edit_split_join_reassign_play(
    demo_root: Path, drive: Callable[..., Any], notes: list[str]
) -> None:
    async def steps(pilot: Any) -> None:
        screen = await open_transcript(pilot)
        n = len(screen.view.segments)
        first = screen.current
        await keys(pilot, "e")
        await keys(pilot, *" Tack.", "ctrl+s")
        with open_project(demo_root) as p:
            assert p.store.segment(first.id).text.endswith("Tack.")
        await keys(pilot, "s")
        await keys(pilot, *["right"] * 10, "ctrl+s")
        assert len(screen.view.segments) == n + 1
        await keys(pilot, "J")
        assert len(screen.view.segments) == n
        await keys(pilot, "r")
        await keys(pilot, "down", "enter")
        with open_project(demo_root) as p:
            assert p.store.segment(first.id).speaker_id != first.speaker_id
        await pilot.press("u")
        with open_project(demo_root) as p:
            assert p.store.segment(first.id).speaker_id == first.speaker_id
        await pilot.press("space")
        assert any("ljud" in n.casefold() for n in notes)
        await pilot.press("end", "J")
        assert any("nästa" in n.casefold() for n in notes)

    drive(steps, coder="anna")


def test_code_a_span(demo_root: Path, drive: Callable[..., Any]) -> None:
    async def steps(pilot: Any) -> None:
        await open_transcript(pilot)
        await keys(pilot, "v")
        await keys(pilot, *["shift+right"] * 9, "4")
        (coding,) = codings(demo_root, "anna")
        assert (coding.code, coding.span_start, coding.span_end) == ("kunskap_respekt", 0, 9)

    drive(steps, coder="anna")


def test_blind_mode_shows_only_own_codings(drive: Callable[..., Any]) -> None:
    async def steps(pilot: Any) -> None:
        screen = await open_transcript(pilot)
        assert not any(screen.view.codings.values())
        await pilot.press("1")
        assert [c.coder for cs in screen.view.codings.values() for c in cs] == ["anna"]
        assert screen.view.counts() == {"ledning": {"ingen": 1}}

    drive(steps, coder="anna", blind=True)


def test_withdrawn_consent_is_flagged(demo_root: Path, drive: Callable[..., Any]) -> None:
    with open_project(demo_root) as p:
        person = p.store.participants()[1]
        p.store.update_participant(person.id, consent=Consent.WITHDRAWN)

    async def steps(pilot: Any) -> None:
        app = pilot.app
        screen = await open_transcript(pilot)
        assert any(s.withdrawn for s in screen.view.speakers.values())
        header = str(screen.query_one("#transcript_header").render())
        assert "⊘" in header
        await keys(pilot, "S")
        table = app.screen.query_one("DataTable")
        cells = [str(table.get_row_at(i)[1]) for i in range(table.row_count)]
        assert any("⊘" in c for c in cells)

    drive(steps)


# --------------------------------------------------------------- suggestions
def test_suggestions_empty_state(drive: Callable[..., Any]) -> None:
    async def steps(pilot: Any) -> None:
        screen = await open_transcript(pilot)
        await settle(pilot, 0.5)
        text = str(screen.query_one("#suggestions").render())
        assert "går inte att beräkna" in text and NO_MODEL in text
        await pilot.press("a")
        await pilot.press("x")
        assert screen.pending is None

    drive(steps)


def test_suggestions_accept_reject_accept_all(
    demo_root: Path, drive: Callable[..., Any], fake_suggest: list[tuple[Any, ...]]
) -> None:
    async def steps(pilot: Any) -> None:
        screen = await open_transcript(pilot)
        await settle(pilot)
        assert len(screen.suggestions) == 3
        await pilot.press("a", "1")
        (coding,) = codings(demo_root, "anna")
        assert (coding.code, coding.valence) == ("ledning", Valence.HINDERING)
        assert fake_suggest[-1][2:] == ("ledning", True, "anna")
        await pilot.press("x", "3")  # numbers never shift: forum_beslut is still 3
        assert fake_suggest[-1][2:] == ("forum_beslut", False, "anna")
        await pilot.press("down")
        await settle(pilot)
        await pilot.press("A")
        mine = codings(demo_root, "anna")
        assert [c.code for c in mine[1:]] == ["ledning", "individ"]
        left = [s for s in screen.suggestions if s is not None]
        assert len(left) == 1 and left[0].code == "forum_beslut"
        await pilot.press("a", "escape")
        assert screen.pending is None

    drive(steps, coder="anna")


# --------------------------------------------------------- speakers screen
def test_speakers_name_mark_merge_play(
    demo_root: Path, drive: Callable[..., Any], notes: list[str]
) -> None:
    async def steps(pilot: Any) -> None:
        app = pilot.app
        await keys(pilot, "S")
        screen = app.screen
        n = len(screen.infos)
        await keys(pilot, "e")
        dialog = app.screen
        dialog.query_one("#f_pseudonym").value = "Kim"
        dialog.query_one("#f_role").value = "kurator"
        dialog.query_one("#f_actor").value = "vård"
        await keys(pilot, "ctrl+s")
        with open_project(demo_root) as p:
            kim = [x for x in p.store.participants() if x.pseudonym == "Kim"]
            assert kim and kim[0].role == "kurator"
        await pilot.press("J")
        assert any("markera" in n.casefold() for n in notes)
        await keys(pilot, "v", "down", "J")
        await pilot.press("j")  # yes, merge
        await pilot.pause()
        assert len(screen.infos) == n - 1
        await pilot.press("space")
        await keys(pilot, "escape")
        assert type(app.screen).__name__ == "OverviewScreen"

    drive(steps)


# ---------------------------------------------------------- search/browser
def test_search_and_jump_to_passage(drive: Callable[..., Any]) -> None:
    async def steps(pilot: Any) -> None:
        app = pilot.app
        await keys(pilot, "slash")
        screen = app.screen
        await keys(pilot, *"hospiterade")
        assert len(screen.hits) == 1
        await pilot.press("enter")  # to the list
        await pilot.press("ctrl+f")  # back to the input
        await keys(pilot, "down", "enter")
        t = app.screen
        assert type(t).__name__ == "TranscriptScreen"
        assert "hospiterade" in t.current.text
        seglist = t.seglist  # scrolled to the hit, with the word marked
        top = seglist.first_row[seglist.cursor]
        assert seglist.scroll_offset.y <= top < seglist.scroll_offset.y + seglist.size.height
        assert seglist.highlight == "hospiterade"
        rows = seglist.first_row[seglist.cursor + 1] - top
        marked = [
            piece
            for k in range(rows)
            for piece in seglist.render_line(top - seglist.scroll_offset.y + k)
            if piece.style is not None and piece.style.bgcolor == MATCH.bgcolor
        ]
        assert [piece.text.casefold() for piece in marked] == ["hospiterade"]
        await keys(pilot, "slash")
        await keys(pilot, *"kod:ledning aktör:FK")
        assert app.screen.hits and all(h.actor == "FK" for h in app.screen.hits)
        await pilot.press("escape")

    drive(steps)


def test_code_browser_groups_and_opens(drive: Callable[..., Any]) -> None:
    async def steps(pilot: Any) -> None:
        app = pilot.app
        await keys(pilot, "B")
        screen = app.screen
        assert screen.rows and screen.rows[0] == "Norrby (3)"
        await pilot.press("ctrl+g")
        assert all(isinstance(r, str) is False or "(" in r for r in screen.rows)
        assert screen.group_by == "actor"
        await pilot.press("tab", "ctrl+g", "tab")  # from the passages too (G is "last" there)
        assert screen.group_by == "kommun"
        await keys(pilot, "down")
        assert screen.rows  # arbetsstruktur
        await keys(pilot, "tab", "down", "enter")
        assert type(app.screen).__name__ == "TranscriptScreen"
        await pilot.press("B", "escape")

    drive(steps)


# ------------------------------------------------------------------ codebook
def test_codebook_add_rename_move_merge_switch(demo_root: Path, drive: Callable[..., Any]) -> None:
    async def steps(pilot: Any) -> None:
        app = pilot.app
        await keys(pilot, "K")
        await keys(pilot, "a")
        await keys(pilot, *"eldsjalar", "enter")
        await keys(pilot, *"Eldsjälar", "enter")
        with open_project(demo_root) as p:
            assert p.codebook("danermark").code("eldsjalar").label_sv == "Eldsjälar"
        await keys(pilot, "e")
        await keys(pilot, "ctrl+u", *"Enskilda eldsjälar", "enter")
        await keys(pilot, "F")
        await keys(pilot, *"stabila_org", "enter")
        with open_project(demo_root) as p:
            code = p.codebook("danermark").code("eldsjalar")
            assert (code.label_sv, code.parent) == ("Enskilda eldsjälar", "stabila_org")
        # select eldsjalar (now under stabila_org) and merge it into individ
        screen = app.screen
        idx = [c.key for c in screen.codes].index("eldsjalar")
        screen.query_one("OptionList").highlighted = idx
        await keys(pilot, "J")
        await keys(pilot, *"individ", "enter")
        await keys(pilot, "j")  # yes, merge (it asks first)
        with open_project(demo_root) as p:
            assert "eldsjalar" not in {c.key for c in p.codebook("danermark").codes}
        await keys(pilot, "b")
        dialog = app.screen
        ids = dialog.options
        await keys(pilot, *["down"] * ids.index("hinder"), "enter")
        assert app.codebook_id == "hinder"
        await pilot.press("escape")

    drive(steps)


# ------------------------------------------------------------------ clusters
def test_clusters_unavailable(drive: Callable[..., Any]) -> None:
    async def steps(pilot: Any) -> None:
        app = pilot.app
        await keys(pilot, "C")
        await app.workers.wait_for_complete()
        await pilot.pause()
        detail = str(app.screen.query_one("#clusters_detail").render())
        assert "Klustring går inte" in detail and NO_MODEL in detail
        await keys(pilot, "a", "R", "escape")
        assert type(app.screen).__name__ == "OverviewScreen"

    drive(steps, coder="anna")


# ---------------------------------------------------------------- app level
def test_help_language_and_global_keys(
    demo_root: Path,
    drive: Callable[..., Any],
    notes: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def steps(pilot: Any) -> None:
        app = pilot.app
        await keys(pilot, "question_mark")
        assert type(app.screen).__name__ == "HelpScreen"
        await keys(pilot, "escape", "f1")
        await pilot.press("escape")
        descriptions = {b.binding.description for b in app.screen.active_bindings.values()}
        assert {"Quit", "Search", "Transcribe"} <= descriptions
        await keys(pilot, "enter")
        await keys(pilot, "O")
        assert type(app.screen).__name__ == "OverviewScreen"
        await pilot.press("q")

    app = drive(steps, lang="en")
    assert app.return_code in (0, None)


def test_disagreement_and_pseudonym_screens_open(drive: Callable[..., Any]) -> None:
    async def steps(pilot: Any) -> None:
        app = pilot.app
        await keys(pilot, "D")
        assert isinstance(app.screen, DisagreementScreen)
        assert app.screen.coders == ("demo",)
        app.pop_screen()
        await keys(pilot, "P")
        assert isinstance(app.screen, PseudonymScreen)

    drive(steps)


# ------------------------------------------------------------- bad input
def test_project_without_recordings(project_dir: Path, drive: Callable[..., Any]) -> None:
    async def steps(pilot: Any) -> None:
        app = pilot.app
        assert "inga inspelningar" in str(app.screen.query_one("#overview_header").render())
        await keys(pilot, "enter", "S", "T", "slash", "escape", "B", "escape", "K", "escape")

    drive(steps, root=project_dir, size=(80, 24))


def test_empty_transcript_and_small_terminal(project_dir: Path, drive: Callable[..., Any]) -> None:
    with open_project(project_dir) as p:
        p.store.add_recording("tom", kommun="Norrby")

    async def steps(pilot: Any) -> None:
        app = pilot.app
        screen = app.screen
        assert type(screen).__name__ == "TranscriptScreen"
        assert screen.current is None
        for key in ("1", "f", "m", "n", "v", "e", "s", "J", "r", "space", "u", "a", "S"):
            await keys(pilot, key)
            if app.screen is not screen:
                await keys(pilot, "escape")
        assert app.screen is screen

    drive(steps, root=project_dir, size=(80, 24), recording="tom")


def test_not_a_project_is_a_clean_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from qualkit.tui.app import main

    assert main([str(tmp_path / "nowhere")]) == 2
    assert "qualkit: error:" in capsys.readouterr().err


def test_cli_registers_tui() -> None:
    from qualkit.cli import build_parser

    args = build_parser().parse_args(
        ["tui", "-p", "x", "--coder", "anna", "--blind", "--lang", "en"]
    )
    assert (args.coder, args.blind, args.lang) == ("anna", True, "en")


def test_search_sees_codings_made_while_coding(drive: Callable[..., Any]) -> None:
    async def steps(pilot: Any) -> None:
        app = pilot.app
        await pilot.pause(0.7)
        await app.workers.wait_for_complete()  # the background search index
        await keys(pilot, "slash", *"kod:ledning")
        before = len(app.screen.positions)
        await pilot.press("escape", "enter")  # back to the overview, into the transcript
        await pilot.pause()
        await keys(pilot, "1", "slash", *"kod:ledning")
        assert len(app.screen.positions) == before + 1

    drive(steps, coder="anna")


def test_search_says_an_unknown_valence(drive: Callable[..., Any]) -> None:
    async def steps(pilot: Any) -> None:
        app = pilot.app
        await pilot.pause(0.7)
        await app.workers.wait_for_complete()  # the background search index
        screen = await keys(pilot, "slash", *"valens:xyz")
        status = str(screen.query_one("#search_status").render())
        assert "okänd valens 'xyz': främjande, hindrande, förslag, ingen" in status
        assert screen.positions == []
        await keys(pilot, *["backspace"] * len("valens:xyz"), *'talare:"Deltagare 1"')
        assert screen.positions and {screen.hit(0).speaker} == {"Deltagare 1"}

    drive(steps)


def test_dialogs_cancel_with_escape(demo_root: Path, drive: Callable[..., Any]) -> None:
    async def steps(pilot: Any) -> None:
        app = pilot.app
        screen = await open_transcript(pilot)
        text = screen.current.text
        for key in ("e", "s", "v", "r", "M", "m"):
            await keys(pilot, key)
            assert app.screen is not screen
            await keys(pilot, "escape")
            assert app.screen is screen
        assert screen.current.text == text
        assert codings(demo_root, "anna") == []

    drive(steps, coder="anna")


def test_cli_tui_on_a_missing_project_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from qualkit.cli import main

    assert main(["tui", "-p", str(tmp_path / "nowhere")]) == 2
    assert "qualkit: error:" in capsys.readouterr().err
