"""Reading REFI-QDA files: the names the reader modules in qualkit.export.refi export."""

from __future__ import annotations

from qualkit.export.refi.read import read_qdpx
from qualkit.export.refi.read_codes import code_targets, fold_target, read_qdc
from qualkit.export.refi.records import (
    DEFAULT_LIMITS,
    Limits,
    RefiCase,
    RefiCode,
    RefiCoding,
    RefiProject,
    RefiSelection,
    RefiSet,
    RefiSource,
    RefiUser,
)
from qualkit.export.refi.text import decode_text, docx_text

__all__ = [
    "DEFAULT_LIMITS",
    "Limits",
    "RefiCase",
    "RefiCode",
    "RefiCoding",
    "RefiProject",
    "RefiSelection",
    "RefiSet",
    "RefiSource",
    "RefiUser",
    "code_targets",
    "decode_text",
    "docx_text",
    "fold_target",
    "read_qdc",
    "read_qdpx",
]
