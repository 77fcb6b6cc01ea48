"""Reading QDA-XML safely: defusedxml, and helpers that ignore namespaces and letter case."""

from __future__ import annotations

from typing import Any

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from qualkit.errors import ImportFormatError


def local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def children(el: Any, name: str) -> list[Any]:
    return [c for c in el if local(c.tag) == name]


def child(el: Any, name: str) -> Any | None:
    for c in el:
        if local(c.tag) == name:
            return c
    return None


def text_of(el: Any, name: str) -> str:
    c = child(el, name)
    return (c.text or "") if c is not None else ""


def items(root: Any, container: str, item: str) -> list[Any]:
    box = child(root, container)
    return children(box, item) if box is not None else []


def guid(value: str | None) -> str:
    return (value or "").strip().strip("{}").upper()


def parse_xml(data: bytes, label: str) -> Any:
    try:
        return SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise ImportFormatError(
            f"{label}: refused: the XML declares entities or external references "
            f"({type(exc).__name__}); REFI-QDA files never need them."
        ) from exc
    except SafeET.ParseError as exc:
        raise ImportFormatError(f"{label}: not well-formed XML ({exc}).") from exc
