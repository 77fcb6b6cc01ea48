"""Undo and redo give back exactly the earlier state: ids, times, speakers, words, codings.

A random sequence of coding and correcting actions is applied, then undone step by step
and redone step by step; after every step the whole store must equal what it was.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualkit.cli import main
from qualkit.errors import InputError, QualkitError
from qualkit.model import Valence, Word
from qualkit.project import Project, init_project, open_project
from qualkit.undo import UndoStack

from ..store_snapshot import snapshot

# Every test here that uses `project` runs on SQLite and on a PostgreSQL server (the
# random-sequence test, 40 projects, on SQLite only).
pytestmark = pytest.mark.both_backends

TURNS = [
    ("S1", "Välkomna allihop, vi ska prata om samverkan i dag.", 0.0, 4.0),
    ("S2", "Vi på försörjningsstöd har ett gott samarbete med arbetsförmedlingen.", 4.0, 9.5),
    ("S3", "Jag håller med, men mötena är för sällan och ledningen prioriterar inte.", 9.5, 15.0),
    ("S2", "Det är den som prioriterar att vi får det.", 15.0, 18.0),
    ("S1", "Vad betyder det för personerna ni möter?", 18.0, 21.0),
    ("S3", "De får berätta sin historia om och om igen för varje myndighet.", 21.0, 27.5),
    ("S4", "Från vårdcentralen ser vi samma sak, och det tar tid.", 27.5, 31.0),
]


def words_of(text: str, start: float, end: float) -> tuple[Word, ...]:
    parts = text.split()
    step = (end - start) / len(parts)
    return tuple(Word(start + i * step, start + (i + 1) * step, w) for i, w in enumerate(parts))


def build(root: Path, database: str | None = None) -> Path:
    project = init_project(root, database=database)
    rec = project.store.add_recording("fg", kommun="Norrby")
    project.store.replace_segments(
        rec.id,
        [(who, text, a, b, words_of(text, a, b), False) for who, text, a, b in TURNS],
    )
    ids = [s.id for s in project.store.segments(rec.id)]
    project.store.add_coding(ids[1], "danermark", "ledning", coder="dora")
    project.store.add_coding(ids[3], "danermark", "individ", coder="dora", span=(10, 25))
    project.store.add_coding(ids[2], "danermark", "ledning", coder="carl")
    project.close()
    return root


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("undo") / "template")


@pytest.fixture
def project(template: Path, tmp_path: Path, study_url: str | None) -> Iterator[Project]:
    """The template's copy on SQLite; built afresh in a study database on the server."""
    root = tmp_path / "p"
    if study_url is None:
        shutil.copytree(template, root)
    else:
        build(root, study_url)
    with open_project(root) as p:
        yield p


def check_round_trip(stack: UndoStack, states: list[dict[str, object]]) -> None:
    """Undo to the start, then redo to the end, comparing the whole store at each step."""
    project = stack.project
    for k in range(len(states) - 1, 0, -1):
        assert stack.undo() is not None
        assert snapshot(project) == states[k - 1], f"undo of step {k}"
    assert stack.undo() is None
    for k in range(1, len(states)):
        assert stack.redo() is not None
        assert snapshot(project) == states[k], f"redo of step {k}"
    assert stack.redo() is None


def test_undo_join_of_two_speakers_gives_back_both_turns(project: Project) -> None:
    stack = UndoStack(project, coder="carl")
    segs = project.store.segments()
    states = [snapshot(project)]
    stack.merge(segs[3].id, segs[4].id, different_speakers=True)
    states.append(snapshot(project))
    stack.split(segs[2].id, 20)
    states.append(snapshot(project))
    stack.edit_text(segs[1].id, "Ja, " + segs[1].text)
    states.append(snapshot(project))
    check_round_trip(stack, states)
    # and again: ids stay stable however often one goes back and forth
    for _ in range(len(states) - 1):
        stack.undo()
    assert snapshot(project) == states[0]


def test_split_just_after_the_space_a_span_starts_on_keeps_the_span_on_its_words(
    project: Project,
) -> None:
    """Found by the random test: 'Det är den| som ...' with a span from the space on."""
    stack = UndoStack(project, coder="carl")
    seg = project.store.segments()[3]
    span = next(c for c in project.store.codings(segment_id=seg.id) if c.span_start is not None)
    assert seg.text[span.span_start or 0] == " "
    states = [snapshot(project)]
    _left, right = stack.split(seg.id, (span.span_start or 0) + 1)
    states.append(snapshot(project))
    moved = project.store.coding(span.id)
    assert moved.segment_id == right.id and moved.span_start == 0
    assert right.text[: moved.span_end] == seg.text[span.span_start + 1 : span.span_end]
    check_round_trip(stack, states)


def test_undo_of_a_split_and_a_join_keeps_the_quotes_pinned_on_their_codings(
    project: Project,
) -> None:
    """The codings stay and move with their words (not removed and put back), so a pinned
    quote stays pinned: whoever's, through undo and redo."""
    stack = UndoStack(project, coder="carl")
    segs = project.store.segments()
    span = next(c for c in project.store.codings(segment_id=segs[3].id) if c.span_start)
    project.store.set_pinned(span.id, True)  # dora's coding; carl corrects the transcript
    states = [snapshot(project)]
    stack.split(segs[3].id, 5)
    states.append(snapshot(project))
    stack.merge(segs[2].id, segs[3].id, different_speakers=True)
    states.append(snapshot(project))
    check_round_trip(stack, states)
    assert project.store.pinned_codings() == {span.id}


def test_undo_merge_of_voices_gives_back_the_voice(project: Project) -> None:
    stack = UndoStack(project, coder="carl")
    voices = {s.label: s for s in project.store.speakers()}
    states = [snapshot(project)]
    stack.merge_voices(voices["S2"].id, voices["S1"].id)
    states.append(snapshot(project))
    assert "S1" not in {s.label for s in project.store.speakers()}
    check_round_trip(stack, states)


def test_undo_is_refused_when_another_coder_changed_the_rows(project: Project) -> None:
    stack = UndoStack(project, coder="carl")
    seg = project.store.segments()[0]
    left, _right = stack.split(seg.id, 12)
    project.store.add_coding(left.id, "danermark", "individ", coder="dora")
    with pytest.raises(InputError, match="changed since"):
        stack.undo()
    assert [c.coder for c in project.store.codings(segment_id=left.id)] == ["dora"]
    assert stack.can_undo  # still there: nothing was lost


def test_a_coder_changes_only_their_own_codings(project: Project) -> None:
    stack = UndoStack(project, coder="carl")
    dora = project.store.codings(coder="dora")[0]
    for change in (
        lambda: stack.set_valence(dora.id, Valence.HINDERING),
        lambda: stack.set_memo(dora.id, "nej"),
        lambda: stack.remove_coding(dora.id),
    ):
        with pytest.raises(InputError, match="dora"):
            change()
    assert project.store.coding(dora.id) == dora


ACTION = st.tuples(
    st.sampled_from(["code", "valence", "remove", "edit", "split", "join", "speaker", "voices"]),
    st.integers(0, 30),
    st.integers(0, 60),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(actions=st.lists(ACTION, min_size=1, max_size=8))
def test_random_actions_undo_and_redo_exactly(
    template: Path, tmp_path_factory: pytest.TempPathFactory, actions: list[tuple[str, int, int]]
) -> None:
    root = tmp_path_factory.mktemp("run") / "p"
    shutil.copytree(template, root)
    with open_project(root) as project:
        stack = UndoStack(project, coder="carl")
        states = [snapshot(project)]
        for kind, a, b in actions:
            try:
                done = apply(stack, kind, a, b)
            except QualkitError:
                done = False  # a refused action changes nothing and is not on the stack
            if done:
                states.append(snapshot(project))
            else:
                assert snapshot(project) == states[-1], kind
        assert len(stack.done) == len(states) - 1
        check_round_trip(stack, states)


def apply(stack: UndoStack, kind: str, a: int, b: int) -> bool:
    """One action chosen by (kind, a, b); False when there was nothing to act on."""
    store = stack.project.store
    segs = store.segments()
    seg = segs[a % len(segs)]
    own = store.codings(coder="carl")
    match kind:
        case "code":
            codes = ["ledning", "individ", "forum_beslut", "arbetsstruktur"]
            text = seg.text
            span = (b % len(text), len(text)) if b % 3 == 0 and b % len(text) else None
            before = len(stack.done)
            stack.add_coding(seg.id, codes[b % len(codes)], span=span)
            return len(stack.done) > before
        case "valence" if own:
            stack.set_valence(own[a % len(own)].id, list(Valence)[b % len(Valence)])
        case "remove" if own:
            stack.remove_coding(own[a % len(own)].id)
        case "edit":
            cut = b % len(seg.text)
            stack.edit_text(
                seg.id, ("Ja, " + seg.text) if b % 2 else seg.text[:cut] + seg.text[cut + 3 :]
            )
        case "split":
            stack.split(seg.id, 1 + b % max(1, len(seg.text) - 1))
        case "join" if a % len(segs) + 1 < len(segs):
            stack.merge(seg.id, segs[a % len(segs) + 1].id, different_speakers=True)
        case "speaker":
            voices = store.speakers(seg.recording_id)
            stack.reassign_speaker(seg.id, voices[b % len(voices)].id)
        case "voices":
            voices = store.speakers(seg.recording_id)
            if len(voices) < 2:
                return False
            keep, drop = voices[a % len(voices)], voices[b % len(voices)]
            if keep.id == drop.id:
                return False
            stack.merge_voices(keep.id, drop.id)
        case _:
            return False
    return True


def test_cli_unmerge_gives_the_voice_and_its_turns_back(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project.root
    start = snapshot(project)
    project.close()
    assert main(["speakers", "-p", str(root), "fg", "--merge", "S2", "S1"]) == 0
    with open_project(root) as p:
        assert "S1" not in {s.label for s in p.store.speakers()}
    assert main(["speakers", "-p", str(root), "fg", "--unmerge", "S1"]) == 0
    assert "S1 is a voice of its own again" in capsys.readouterr().out
    with open_project(root) as p:
        assert snapshot(p) == start
    assert main(["speakers", "-p", str(root), "fg", "--unmerge", "S1"]) == 2
    assert "No merged voice 'S1'" in capsys.readouterr().err


def test_undo_in_the_app_spends_the_merge_record(project: Project) -> None:
    stack = UndoStack(project, coder="carl")
    voices = {s.label: s for s in project.store.speakers()}
    stack.merge_voices(voices["S2"].id, voices["S1"].id)
    assert project.store.merged_voices(voices["S1"].recording_id) == ["S1"]
    stack.undo()
    assert project.store.merged_voices(voices["S1"].recording_id) == []
    stack.redo()
    assert project.store.merged_voices(voices["S1"].recording_id) == ["S1"]
