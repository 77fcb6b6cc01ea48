"""Writing QDA-XML: elements without characters XML forbids, schema order, fixed bytes."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from qualkit.export.refi.constants import SCHEMA_LOCATION, XSI
from qualkit.model import Segment
from qualkit.spans import map_span as map_span  # where the span helpers live

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?$")
# Written when nothing better is known: some importers fail on a missing creationDateTime
# (QualCoder), and a fixed value keeps re-exports byte-identical.
FALLBACK_DATETIME = "2020-01-01T00:00:00Z"


def clean(text: str) -> str:
    return _XML_BAD.sub("", text)


def el(parent: ET.Element, ns: str, tag: str, **attrs: str | None) -> ET.Element:
    return ET.SubElement(
        parent, f"{{{ns}}}{tag}", {k: clean(v) for k, v in attrs.items() if v is not None}
    )


def text_el(parent: ET.Element, ns: str, tag: str, text: str) -> ET.Element:
    node = el(parent, ns, tag)
    node.text = clean(text)
    return node


def datetime_or_none(value: str | None) -> str | None:
    return value if value and _DATETIME.match(value) else None


def datetime_of(*candidates: str | None) -> str:
    """The first valid xsd:dateTime among the candidates (a bare date counts as midnight)."""
    for value in candidates:
        if value and re.match(r"^\d{4}-\d{2}-\d{2}$", value):
            value = f"{value}T00:00:00Z"
        if datetime_or_none(value) is not None:
            return str(value)
    return FALLBACK_DATETIME


def serialise(root: ET.Element) -> bytes:
    ET.indent(root, space="  ")
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8" standalone="yes"?>\n' + body + b"\n"


def root_element(ns: str, tag: str, **attrs: str | None) -> ET.Element:
    ET.register_namespace("", ns)
    ET.register_namespace("xsi", XSI)
    root = ET.Element(f"{{{ns}}}{tag}", {k: clean(v) for k, v in attrs.items() if v})
    root.set(f"{{{XSI}}}schemaLocation", f"{ns} {SCHEMA_LOCATION[ns]}")
    return root


@dataclass(frozen=True, slots=True)
class SourceText:
    """One recording as REFI plain text: the joined segments and where each one starts."""

    text: str
    segments: tuple[Segment, ...]  # redacted, exportable, in order
    starts: tuple[int, ...]  # offset of each segment in `text`

    def offsets(self, index: int) -> tuple[int, int]:
        start = self.starts[index]
        return start, start + len(self.segments[index].text)


def source_text(segments: Sequence[Segment]) -> SourceText:
    """Join (already redacted) segments with '\\n' and record their start offsets."""
    starts: list[int] = []
    pos = 0
    for seg in segments:
        starts.append(pos)
        pos += len(seg.text) + 1
    return SourceText("\n".join(s.text for s in segments), tuple(segments), tuple(starts))
