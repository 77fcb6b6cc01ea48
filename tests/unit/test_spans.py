"""Span codings follow their words through a text correction."""

from __future__ import annotations

from pathlib import Path

from qualkit.project import Project
from qualkit.spans import follow_span
from qualkit.undo import UndoStack

TEXT = "Det är den som prioriterar att vi får det."
WORDS = "den som prioriterar att vi får det."


def span_of(text: str, words: str) -> tuple[int, int]:
    start = text.index(words)
    return start, start + len(words)


def test_typing_before_the_span_moves_it_with_its_words() -> None:
    start, end = span_of(TEXT, WORDS)
    new = "Ja, " + TEXT
    moved = follow_span(TEXT, new, start, end)
    assert moved is not None and new[moved[0] : moved[1]] == WORDS


def test_a_word_corrected_inside_the_span_stays_inside() -> None:
    start, end = span_of(TEXT, WORDS)
    new = TEXT.replace("prioriterar", "prioriterade")
    moved = follow_span(TEXT, new, start, end)
    assert moved is not None and new[moved[0] : moved[1]] == "den som prioriterade att vi får det."


def test_a_span_whose_words_are_deleted_cannot_be_kept() -> None:
    start, end = span_of(TEXT, "prioriterar")
    assert follow_span(TEXT, "Det är den som gör det.", start, end) is None


def test_edit_in_the_app_path_keeps_spans_and_says_what_it_lost(
    demo_project: Project, tmp_path: Path
) -> None:
    store = demo_project.store
    seg = store.segments()[3]
    words = seg.text.split()
    kept_words = " ".join(words[1:4])
    lost_word = words[-1]
    kept = store.add_coding(seg.id, "danermark", "ledning", span=span_of(seg.text, kept_words))
    lost = store.add_coding(seg.id, "danermark", "individ", span=span_of(seg.text, lost_word))
    stack = UndoStack(demo_project)
    new_text = "Ja, " + seg.text[: seg.text.rindex(lost_word)].rstrip()
    gone = stack.edit_text(seg.id, new_text)
    after = store.coding(kept.id)
    assert new_text[after.span_start : after.span_end] == kept_words  # type: ignore[misc]
    assert [c.id for c in gone] == [lost.id]
    assert store.coding(lost.id).span_start is None  # now the whole segment, and said so
    stack.undo()
    assert store.coding(kept.id) == kept and store.coding(lost.id) == lost
