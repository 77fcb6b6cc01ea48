"""Naming a voice in the coding app warns, as the CLI does, of a kommun one slip from the
study's own and of a pseudonym that reads as a person's name; the name is saved all the same."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from qualkit.project import open_project

from .conftest import keys


async def name_first_voice(pilot: Any, **fields: str) -> None:
    """Open the Talare screen, name the first voice with `fields` (f_kommun=...), save."""
    await keys(pilot, "S")
    dialog = await keys(pilot, "e")
    for wid, value in fields.items():
        dialog.query_one(f"#{wid}").value = value
    await keys(pilot, "ctrl+s")


@pytest.mark.parametrize(
    ("field", "typed", "lang", "warning"),
    [
        ("kommun", "Norby", "sv", "Ny kommun 'Norby': menade du 'Norrby'?"),
        ("pseudonym", "Anna Svensson", "en", "'Anna Svensson' looks like a person's name"),
    ],
)
def test_a_slip_or_a_name_is_warned_about_and_saved(
    demo_root: Path,
    drive: Callable[..., Any],
    notes: list[str],
    field: str,
    typed: str,
    lang: str,
    warning: str,
) -> None:
    async def steps(pilot: Any) -> None:
        await name_first_voice(pilot, **{f"f_{field}": typed})

    drive(steps, lang=lang)
    assert any(warning in n for n in notes), notes
    with open_project(demo_root) as project:
        assert typed in {getattr(p, field) for p in project.store.participants()}


def test_fields_left_as_they_were_bring_no_warning(
    demo_root: Path, drive: Callable[..., Any], notes: list[str]
) -> None:
    async def steps(pilot: Any) -> None:
        await name_first_voice(pilot, f_role="kurator", f_kommun="norrby")

    drive(steps)
    assert notes == ["Rösten är namngiven"]
