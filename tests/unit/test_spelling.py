"""When two typed names are one name (kommuner, coders), and when they are near misses."""

from __future__ import annotations

import pytest

from qualkit.spelling import known_spelling, one_edit_apart


def test_known_spelling_prefers_the_exact_one_then_any_case() -> None:
    assert known_spelling(" eksjö ", ["Vetlanda", "Eksjö"]) == "Eksjö"
    assert known_spelling("Eksjö", ["eksjö", "Eksjö"]) == "Eksjö"
    assert known_spelling("Nässjö", ["Eksjö"]) is None


@pytest.mark.parametrize(
    ("a", "b", "near"),
    [
        ("anna", "Ana", True),
        ("anna", "annas", True),
        ("anna", "anne", True),
        ("anna", "Anna", False),  # the same name: not a near miss
        ("anna", "bertil", False),
        ("ab", "ba", False),
        ("anna", "anan", True),  # two neighbours swapped
        ("Norrby", "Norrbyy", True),
        ("Västby", "Väsbty", True),
        ("abcd", "badc", False),  # two swaps
        ("Eva", "Eav", False),  # a swap counts from four letters
    ],
)
def test_one_edit_apart(a: str, b: str, near: bool) -> None:
    assert one_edit_apart(a, b) is near
