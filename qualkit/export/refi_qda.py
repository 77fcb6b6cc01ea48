"""The REFI-QDA Python API in one place (the modules live in qualkit.export.refi)."""

from __future__ import annotations

from qualkit.export.refi.codebook_write import check_codebooks, export_qdc
from qualkit.export.refi.constants import (
    KOMMUN_SET,
    VALENCE_SEPARATOR,
    VALENCES,
    valence_code_name,
)
from qualkit.export.refi.guids import Guids, code_guid, guid_index, source_guid
from qualkit.export.refi.importer import import_qdc, import_qdpx, import_refi
from qualkit.export.refi.read import read_qdpx
from qualkit.export.refi.write import QdpxExport, export_qdpx
from qualkit.export.refi.xmlwrite import SourceText, map_span, source_text

__all__ = [
    "KOMMUN_SET",
    "VALENCES",
    "VALENCE_SEPARATOR",
    "Guids",
    "QdpxExport",
    "SourceText",
    "check_codebooks",
    "code_guid",
    "export_qdc",
    "export_qdpx",
    "guid_index",
    "import_qdc",
    "import_qdpx",
    "import_refi",
    "map_span",
    "read_qdpx",
    "source_guid",
    "source_text",
    "valence_code_name",
]
