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
    assert store.suggested_codings("danermark", recording_id=rec.id) == {
        (first, "ledning", "anna"),
        (second, "forum_beslut", "bob"),
    }
    assert store.suggested_codings("danermark", segment_id=second) == {
        (second, "forum_beslut", "bob")
    }
    assert store.suggested_codings("danermark", recording_id=rec.id + 999) == set()
