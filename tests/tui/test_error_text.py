"""Each error the app translates is raised through the core: a reworded message fails here."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from qualkit.consensus import resolve
from qualkit.errors import QualkitError
from qualkit.model import CONSENSUS_CODER, Actor, Code, Valence
from qualkit.project import Project, open_project
from qualkit.store import Server, Store
from qualkit.store.roles import check_writes_as
from qualkit.tui.error_text import KNOWN, error_text
from qualkit.undo import UndoStack

from .conftest import make_demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_demo(tmp_path_factory.mktemp("errors") / "demo")


def first_two(p: Project) -> tuple[Any, Any]:
    segs = p.store.segments()
    return segs[0], segs[1]


CASES: dict[str, Callable[[Project], object]] = {
    "err.unknown_actor": lambda p: Actor.parse("sjukhuset"),
    "err.participant_exists": lambda p: [p.store.add_participant("Dubbel") for _ in range(2)],
    "err.code_exists": lambda p: p.add_code(Code("danermark", "ledning", "Ledning")),
    "err.unknown_code": lambda p: p.merge_codes("danermark", "ledning", "finns_inte"),
    "err.code_cycle": lambda p: (
        p.add_code(Code("danermark", "under", "Under", parent="ledning")),
        p.move_code("danermark", "ledning", "under"),
    ),
    "err.code_into_itself": lambda p: p.merge_codes("danermark", "ledning", "ledning"),
    "err.gone": lambda p: p.store.segment(999_999),
    "err.no_recording": lambda p: p.recording("nosuch"),
    "err.twin": lambda p: (
        p.store.add_coding(first_two(p)[0].id, "danermark", "individ", coder="tvilling"),
        c := p.store.add_coding(
            first_two(p)[0].id, "danermark", "individ", coder="tvilling", valence=Valence.HINDERING
        ),
        p.store.update_coding(c.id, valence=Valence.NONE),
    ),
    "err.not_own": lambda p: UndoStack(p, coder="carl").set_valence(
        p.store.add_coding(first_two(p)[1].id, "danermark", "ledning", coder="dora").id,
        Valence.HINDERING,
    ),
    "err.empty_memo": lambda p: UndoStack(p, coder="carl").add_segment_memo(
        first_two(p)[0].id, " "
    ),
    "err.empty_text": lambda p: p.store.update_segment_text(first_two(p)[0].id, ""),
    "err.edit_conflict": lambda p: p.store.update_segment_text(
        first_two(p)[1].id, "Ny text.", base="Inte den text som står där."
    ),
    "err.split_edge": lambda p: p.store.split_segment(first_two(p)[0].id, 0),
    "err.not_neighbours": lambda p: p.store.merge_segments(
        p.store.segments()[0].id, p.store.segments()[5].id
    ),
    "err.voice_itself": lambda p: p.store.merge_speakers(
        first_two(p)[0].speaker_id, first_two(p)[0].speaker_id
    ),
    "err.bad_code_id": lambda p: p.add_code(Code("danermark", "_ny", "Ny")),
    "err.consensus_memo": lambda p: resolve(
        p, first_two(p)[0].id, [("ledning", Valence.NONE)], " "
    ),
    "err.own_name": lambda p: check_writes_as("anna", False, "bertil"),
    "err.lead_consensus": lambda p: check_writes_as("anna", False, CONSENSUS_CODER),
    "err.server_away": lambda p: Store(
        p.root / "x.db", server=Server.parse("postgresql://127.0.0.1:1/studie")
    ),
    "err.code_undo_conflict": lambda p: (
        stack := UndoStack(p, coder="carl"),
        stack.add_code(Code("danermark", "ny_av_carl", "Ny")),
        p.store.add_coding(first_two(p)[0].id, "danermark", "ny_av_carl", coder="dora"),
        stack.undo(),
    ),
    "err.rename_undo_conflict": lambda p: (
        stack := UndoStack(p, coder="carl"),
        stack.rename_code("danermark", "ledning", label_sv="Styrning"),
        p.rename_code("danermark", "ledning", label_sv="Ledarskap"),  # dora, meanwhile
        stack.undo(),
    ),
    "err.move_undo_conflict": lambda p: (
        stack := UndoStack(p, coder="carl"),
        stack.move_code("danermark", "stabila_org", "ledning"),
        p.move_code("danermark", "stabila_org", None),  # dora, meanwhile
        stack.undo(),
    ),
    "err.codebook_file_undo_conflict": lambda p: (
        stack := UndoStack(p, coder="carl"),
        stack.add_code(Code("danermark", "ny_fil", "Ny")),
        p.move_code("danermark", "ny_fil", "ledning"),  # a later edit not on the stack
        stack.undo(),
    ),
}


@pytest.mark.parametrize("key", sorted(CASES))
def test_core_error_is_said_in_swedish(demo: Path, key: str) -> None:
    with open_project(demo) as p, pytest.raises(QualkitError) as caught:
        CASES[key](p)
    said = error_text(caught.value, "sv")
    keys = [k for pattern, k in KNOWN if pattern.search(str(caught.value))]
    assert keys[:1] == [key], str(caught.value)
    assert said != str(caught.value) and "{" not in said
    assert error_text(caught.value, "en") != said


def test_an_unknown_error_is_shown_as_raised() -> None:
    assert error_text(QualkitError("Something new."), "sv") == "Something new."


def test_a_missing_recording_is_said_in_swedish_with_the_names_there_are() -> None:
    from qualkit.errors import NotFoundError

    none = NotFoundError("No recording 'x' in this project (recordings: none yet).")
    assert error_text(none, "sv") == "Projektet har ingen inspelning 'x' (inspelningar: inga ännu)."


@pytest.mark.parametrize(
    ("raised", "said"),
    [
        (
            "Your database role may not do this on db/studie (permission denied for table "
            "coders). Ask the project lead for the right role (qualkit db roles).",
            "Din databasroll får inte göra detta på db/studie (permission denied for table "
            "coders). Be projektledaren om rätt roll (qualkit db roles).",
        ),
        (
            "The connection to the database server service studie was lost; the change in "
            "progress was not saved (nothing of it was written). Try again.",
            "Förbindelsen med databasservern service studie bröts; ändringen sparades inte "
            "(inget av den skrevs). Försök igen.",
        ),
    ],
)
def test_a_team_servers_refusal_or_loss_is_said_in_swedish(raised: str, said: str) -> None:
    # Raised by qualkit.store.pg from a live server's answer (tests/unit/test_team_*.py).
    assert error_text(QualkitError(raised), "sv") == said
