"""Conventions shared by the REFI-QDA reader and writer (no qualkit imports above the base)."""

from __future__ import annotations

import re

from qualkit.errors import InputError
from qualkit.model import Actor, Coding, Valence
from qualkit.version import __version__

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
SCHEMA_LOCATION = {
    PROJECT_NS: "http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd",
    CODEBOOK_NS: "http://schema.qdasoftware.org/versions/Codebook/v1.0/Codebook.xsd",
}
XSI = "http://www.w3.org/2001/XMLSchema-instance"
ORIGIN = f"qualkit {__version__}"
NAMESPACE_META_KEY = "refi_guid_namespace"
# REFI-QDA caps a file inside the archive at 2^31 - 1 bytes; bigger audio stays outside.
MAX_INTERNAL_BYTES = 2**31 - 1
VALENCE_SEPARATOR = " – "
# The description that marks a Set as a kommunområde (other tools' sets are document groups).
KOMMUN_SET = "Kommunområde"
# The variable that carries a recording's kommun on its sources, for tools without Sets.
# Not "kommun", which is a participant's variable on Cases: QualCoder keeps one attribute
# per name, for either cases or files.
KOMMUN_VARIABLE = "kommunområde"
# A coding's partner actor (the actor a passage speaks about) has no REFI-QDA field: it
# travels as the last line of the coding's note, which every peer shows beside the coding.
PARTNER_NOTE = "Om aktör: "
# The title of the turn table (who spoke when) in a source's Description and note.
TURN_TABLE_TITLE = "Talare och tider"
VALENCES: tuple[Valence, ...] = (Valence.PROMOTING, Valence.HINDERING, Valence.PROPOSAL)
# Tags a peer puts into every new project by itself (Taguette: "interesting"); an unused one
# in a file is the tool's default, not the sender's code.
PEER_DEFAULT_TAGS = frozenset({"interesting"})
# Deeper code trees are refused: no codebook nests that far, and recursive code (YAML, XML
# writers, other tools) fails on them.
MAX_CODE_DEPTH = 64

# "<label> – hindrande" (also with '-', '—' or ':') and a bare "hindrande".
VALENCE_NAME = re.compile(
    r"^(?P<label>.*?)\s*[–—:-]\s*(?P<valence>främjande|hindrande|förslag)$", re.IGNORECASE
)


def valence_code_name(label: str, valence: Valence) -> str:
    """The name of a code's valence sub-code: 'En ledning … – hindrande'."""
    return f"{label}{VALENCE_SEPARATOR}{valence.value}"


def coding_note(coding: Coding) -> str:
    """A coding's note in an export: its memo, then its partner actor on a line of its own."""
    partner = f"{PARTNER_NOTE}{coding.partner_actor}" if coding.partner_actor else ""
    return "\n\n".join(t for t in (coding.memo or "", partner) if t)


def split_partner(note: str) -> tuple[str, str]:
    """A coding's note -> (memo, partner actor or ""), as `coding_note` wrote it."""
    lines = note.rstrip().split("\n")
    if lines and lines[-1].startswith(PARTNER_NOTE):
        return "\n".join(lines[:-1]).strip(), lines[-1][len(PARTNER_NOTE) :].strip()
    return note, ""


def memo_and_partner(note: str) -> tuple[str, str | None]:
    """A coding's note -> its memo and the partner actor qualkit wrote on its last line; a
    line that names no known actor stays in the memo."""
    memo, partner = split_partner(note)
    if not partner:
        return note, None
    try:
        return memo, Actor.parse(partner).value
    except InputError:
        return note, None
