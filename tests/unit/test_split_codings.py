"""Splitting a turn loses nothing coded from either part; joining the parts gives it back.

What NVivo, ATLAS.ti and QualCoder users expect: a coding of the whole turn codes both
parts (every coder's), a span goes with the part it lies in, a span across the split
point becomes two codings cut there; undo and redo are exact, and joining the halves
again makes one coding of each, not a duplicate.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from qualkit.analysis.agreement import agreement
from qualkit.model import Coding, Valence, Word
from qualkit.project import Project
from qualkit.undo import UndoStack

pytestmark = pytest.mark.both_backends

TEXT = "Ledningen prioriterar. Men rutinerna saknas."  # split at 22: the space goes
AT = 22


def _turn(project: Project, texts: list[str]) -> list[int]:
    rec = project.store.add_recording("r1")
    project.store.replace_segments(
        rec.id,
        [
            ("Anna", t, float(i), float(i) + 1, (Word(float(i), i + 0.5, t.split()[0]),), False)
            for i, t in enumerate(texts)
        ],
    )
    return [s.id for s in project.store.segments(rec.id)]


def _view(codings: list[Coding]) -> list[tuple[object, ...]]:
    """What a coding says, without its id or segment."""
    return sorted(
        (c.coder, c.code, c.valence, c.memo, c.created, c.round_id, c.span_start, c.span_end)
        for c in codings
    )


def test_a_coding_of_the_whole_turn_codes_both_parts_for_every_coder(project: Project) -> None:
    seg, _ = _turn(project, [TEXT, "Slut."])
    anna = project.add_coding(seg, "ledning", coder="anna", valence=Valence.PROMOTING, memo="Ja.")
    bo = project.add_coding(seg, "ledning", coder="bo")
    left, right = project.store.split_segment(seg, AT)
    assert left.text == "Ledningen prioriterar." and right.text == "Men rutinerna saknas."
    assert project.store.coding(anna.id).segment_id == left.id  # kept on the first part
    assert project.store.coding(bo.id).segment_id == left.id
    on_left = project.store.codings(segment_id=left.id)
    on_right = project.store.codings(segment_id=right.id)
    assert _view(on_left) == _view([anna, bo])
    assert _view(on_right) == _view([anna, bo])  # same code, valence, memo, coder, time
    assert not {c.id for c in on_right} & {anna.id, bo.id}


def test_spans_go_with_their_part_and_one_across_the_split_is_cut(project: Project) -> None:
    seg, _ = _turn(project, [TEXT, "Slut."])
    first = project.add_coding(seg, "ledning", span=(0, 9), coder="anna")  # "Ledningen"
    second = project.add_coding(seg, "arbetsstruktur", span=(27, 44), coder="bo")
    across = project.add_coding(seg, "stabila_org", span=(10, 36), coder="anna")
    everything = project.add_coding(seg, "kunskap_respekt", span=(0, len(TEXT)), coder="bo")
    left, right = project.store.split_segment(seg, AT)

    def quoted(c: Coding) -> str:
        text = left.text if c.segment_id == left.id else right.text
        assert c.span_start is not None and c.span_end is not None
        return text[c.span_start : c.span_end]

    assert project.store.coding(first.id).segment_id == left.id
    assert quoted(project.store.coding(first.id)) == "Ledningen"
    moved = project.store.coding(second.id)
    assert moved.segment_id == right.id and quoted(moved) == "rutinerna saknas."
    kept = project.store.coding(across.id)
    assert kept.segment_id == left.id and quoted(kept) == "prioriterar."
    rest = [c for c in project.store.codings(segment_id=right.id) if c.code == "stabila_org"]
    assert [(quoted(c), c.coder) for c in rest] == [("Men rutinerna", "anna")]
    whole = sorted(
        (c.segment_id, quoted(c)) for c in project.store.codings() if c.code == "kunskap_respekt"
    )
    assert whole == [(left.id, left.text), (right.id, right.text)]
    assert project.store.coding(everything.id).segment_id == left.id


def test_undo_gives_back_the_codings_exactly_and_redo_splits_them_again(
    project: Project,
) -> None:
    seg, _ = _turn(project, [TEXT, "Slut."])
    project.add_coding(seg, "ledning", coder="anna", memo="Hela.")
    project.add_coding(seg, "ledning", coder="bo", valence=Valence.HINDERING)
    project.add_coding(seg, "stabila_org", span=(10, 36), coder="anna")
    project.add_coding(seg, "arbetsstruktur", span=(27, 44), coder="bo")
    before = project.store.codings()
    stack = UndoStack(project, coder="anna")
    left, right = stack.split(seg, AT)
    after = project.store.codings()
    assert len(after) == len(before) + 3
    stack.undo()
    assert project.store.codings() == before
    assert project.store.segment(seg).text == TEXT
    stack.redo()
    assert project.store.codings() == after  # the copies back with their ids
    stack.undo()
    assert project.store.codings() == before
    del left, right


def test_joining_the_halves_again_makes_one_coding_of_each(project: Project) -> None:
    seg, _ = _turn(project, [TEXT, "Slut."])
    project.add_coding(seg, "ledning", coder="anna", memo="Hela.")
    project.add_coding(seg, "ledning", coder="bo")
    project.add_coding(seg, "stabila_org", span=(10, 36), coder="anna")
    project.add_coding(seg, "arbetsstruktur", span=(27, 44), coder="bo")
    project.add_coding(seg, "kunskap_respekt", span=(0, len(TEXT)), coder="bo")
    before = project.store.codings()
    left, right = project.store.split_segment(seg, AT)
    joined = project.store.merge_segments(left.id, right.id)
    assert joined.text == TEXT
    assert project.store.codings() == before  # the same codings, ids and spans


def test_join_of_two_turns_coded_alike_keeps_one_coding_not_a_duplicate(
    project: Project,
) -> None:
    a, b = _turn(project, ["Ledningen prioriterar.", "Men rutinerna saknas."])
    mine = project.add_coding(a, "ledning", coder="anna")
    project.add_coding(b, "ledning", coder="anna")
    noted = project.add_coding(b, "ledning", coder="bo", memo="Min tanke.")
    project.add_coding(a, "ledning", coder="bo", memo="Annan tanke.")
    joined = project.store.merge_segments(a, b)
    annas = project.store.codings(segment_id=joined.id, coder="anna")
    assert [c.id for c in annas] == [mine.id]  # counted once, as it is one passage
    # A memo of its own is not thrown away: both of bo's stay.
    assert noted.id in {c.id for c in project.store.codings(segment_id=joined.id, coder="bo")}


def test_a_coding_that_differs_from_its_twin_is_kept_on_the_join(project: Project) -> None:
    seg, _ = _turn(project, [TEXT, "Slut."])
    project.add_coding(seg, "ledning", coder="anna")
    left, right = project.store.split_segment(seg, AT)
    (copy,) = project.store.codings(segment_id=right.id)
    project.store.update_coding(copy.id, valence=Valence.PROMOTING)
    project.store.merge_segments(left.id, right.id)
    got = project.store.codings(segment_id=left.id)
    assert sorted(c.valence.value for c in got) == sorted(
        [Valence.NONE.value, Valence.PROMOTING.value]
    )
    assert replace(project.store.coding(copy.id), segment_id=0) == replace(
        copy, segment_id=0, valence=Valence.PROMOTING
    )


def test_character_agreement_is_the_same_after_a_split(project: Project) -> None:
    """Per character (NVivo's unit) a split changes nothing when both parts keep the
    codings; per segment the parts are two units, each coded as the turn was."""
    texts = ["abcdefghij", "Andra turen.", "Tredje turen."]
    seg, second, third = _turn(project, texts)
    project.add_coding(seg, "ledning", coder="anna")
    project.add_coding(seg, "ledning", coder="bo")
    project.add_coding(seg, "kunskap_respekt", coder="anna")  # bo disagrees on this one
    project.add_coding(second, "ledning", coder="bo")
    project.add_coding(third, "kunskap_respekt", coder="bo")
    project.add_coding(third, "ledning", coder="anna", span=(0, 6))
    chars = agreement(project, ["anna", "bo"], unit="char")
    segments = agreement(project, ["anna", "bo"], unit="segment")
    project.store.split_segment(seg, 4)  # "abcd" | "efghij": no space dropped
    again = agreement(project, ["anna", "bo"], unit="char")
    assert again.codes == chars.codes and again.overall == chars.overall
    split = agreement(project, ["anna", "bo"], unit="segment")
    assert split.overall.n == segments.overall.n + 1
    # The split turn counts twice per segment, as two coded units: the same answers.
    led, man = split.codes["ledning"], split.codes["kunskap_respekt"]
    assert led.coded == segments.codes["ledning"].coded + 1
    assert man.coded == segments.codes["kunskap_respekt"].coded + 1
