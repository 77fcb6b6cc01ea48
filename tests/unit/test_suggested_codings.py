"""Which codings a coder took from the suggestions: the latest word of that coder on that
code and segment counts, and only that coder's."""

from __future__ import annotations

import pytest

from qualkit.project import Project

pytestmark = pytest.mark.both_backends


def test_the_latest_word_of_each_coder_counts(demo_project: Project) -> None:
    store = demo_project.store
    rec = demo_project.recordings()[0]
    first, second = (s.id for s in demo_project.segments(rec.id)[:2])
    store.add_suggestion_feedback(first, "danermark", "ledning", True, coder="anna")
    store.add_suggestion_feedback(first, "danermark", "individ", True, coder="anna")
    store.add_suggestion_feedback(first, "danermark", "individ", False, coder="anna")
    store.add_suggestion_feedback(first, "danermark", "ledning", False, coder="bob")
    store.add_suggestion_feedback(second, "danermark", "forum_beslut", True, coder="bob")
    assert set(store.suggested_codings("danermark", recording_id=rec.id)) == {
        (first, "ledning", "anna"),
        (second, "forum_beslut", "bob"),
    }
    assert set(store.suggested_codings("danermark", segment_id=second)) == {
        (second, "forum_beslut", "bob")
    }
    assert store.suggested_codings("danermark", recording_id=rec.id + 999) == {}


def test_a_suggestion_undone_and_then_typed_by_hand_is_not_marked(demo_project: Project) -> None:
    from qualkit.tui.state import RecordingView

    store = demo_project.store
    rec = demo_project.recordings()[0]
    seg = demo_project.segments(rec.id)[1].id
    taken = store.add_coding(seg, "danermark", "stabila_org", coder="anna")
    store.add_suggestion_feedback(seg, "danermark", "stabila_org", True, coder="anna")
    view = RecordingView(demo_project, rec, "danermark", "anna")
    assert view.from_suggestion(next(c for c in view.codings[seg] if c.id == taken.id))
    store.remove_coding(taken.id)  # what `u` does after `a`
    typed = store.add_coding(
        seg, "danermark", "stabila_org", coder="anna", created="2999-01-01T00:00:00Z"
    )
    view.reload_segment_codings(seg)
    assert not view.from_suggestion(next(c for c in view.codings[seg] if c.id == typed.id))
