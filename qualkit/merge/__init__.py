"""Bring another coder's work into this project: from their project folder or a REFI-QDA file.

`core` holds the source-text convention and the idempotent merger, `folder` reads another
project folder, `refi` a REFI-QDA export.
"""

from __future__ import annotations

from qualkit.merge.core import (
    ForeignCoding,
    MergeReport,
    map_span,
    merge_foreign_codings,
    segment_bounds,
    source_text,
)
from qualkit.merge.folder import merge_project
from qualkit.merge.refi import foreign_codings_from_refi, merge_coder

__all__ = [
    "ForeignCoding",
    "MergeReport",
    "foreign_codings_from_refi",
    "map_span",
    "merge_coder",
    "merge_foreign_codings",
    "merge_project",
    "segment_bounds",
    "source_text",
]
