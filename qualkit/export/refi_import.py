"""Importing REFI-QDA files into a project (the modules live in qualkit.export.refi)."""

from __future__ import annotations

from qualkit.export.refi.import_codes import slug
from qualkit.export.refi.importer import (
    REFI_SUFFIXES,
    ImportSummary,
    import_qdc,
    import_qdpx,
    import_refi,
    split_segments,
)

__all__ = [
    "REFI_SUFFIXES",
    "ImportSummary",
    "import_qdc",
    "import_qdpx",
    "import_refi",
    "slug",
    "split_segments",
]
