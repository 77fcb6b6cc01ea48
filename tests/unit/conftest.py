"""Fixtures shared by the unit tests."""

from __future__ import annotations

from typing import Any

import pytest

from qualkit.undo import UndoStack


@pytest.fixture
def anna(demo_project: Any) -> UndoStack:
    """Coder anna's undo history on a copy of the demo project (`anna.project`)."""
    return UndoStack(demo_project, coder="anna")
