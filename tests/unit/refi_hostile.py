"""Hostile REFI-QDA files, built byte by byte: shapes that once escaped as tracebacks,
wrong codings or a traceback's worth of half-written state (the seeds of the REFI fuzzer)."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

NS = "urn:QDA-XML:project:1.0"
CB_NS = "urn:QDA-XML:codebook:1.0"


def guid(n: int) -> str:
    return f"00000000-0000-0000-0000-{n:012d}"


def project_xml(codes: str = "", sources: str = "", extra: str = "") -> bytes:
    codebook = f"<CodeBook><Codes>{codes}</Codes></CodeBook>" if codes else ""
    body = f"<Sources>{sources}</Sources>" if sources else ""
    return (
        f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{NS}" name="h" origin="test">'
        f"{codebook}{body}{extra}</Project>"
    ).encode()


def text_source(n: int, text: str, selections: str = "", source_guid: str | None = None) -> str:
    return (
        f'<TextSource guid="{source_guid or guid(n)}" name="s{n}">'
        f"<PlainTextContent>{text}</PlainTextContent>{selections}</TextSource>"
    )


def selection(n: int, start: int, end: int, code: str) -> str:
    return (
        f'<PlainTextSelection guid="{guid(n)}" startPosition="{start}" endPosition="{end}">'
        f'<Coding guid="{guid(n + 1)}"><CodeRef targetGUID="{code}"/></Coding>'
        "</PlainTextSelection>"
    )


def zip_bytes(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def with_bad_utf8_name(members: dict[str, bytes], name: str) -> bytes:
    """A zip whose member `name` (ASCII, with an 'X') is flagged UTF-8 but holds 0xFF."""
    data = bytearray(zip_bytes(members))
    bad = name.replace("X", "\udcff").encode("utf-8", "surrogateescape")
    # zipfile clears the flags it is given: set bit 11 in both headers by hand.
    for signature, flags_at, name_at in ((b"PK\x03\x04", 6, 30), (b"PK\x01\x02", 8, 46)):
        i = data.find(signature)
        while i >= 0:
            if data[i + name_at : i + name_at + len(name)] == name.encode():
                flags = struct.unpack("<H", data[i + flags_at : i + flags_at + 2])[0]
                data[i + flags_at : i + flags_at + 2] = struct.pack("<H", flags | 0x800)
            i = data.find(signature, i + 1)
    return bytes(data).replace(name.encode(), bad)


def bad_name_qdpx() -> bytes:
    return with_bad_utf8_name(
        {"project.qde": project_xml(), "sources/X.txt": b"hej"}, "sources/X.txt"
    )


def bad_name_in_docx_qdpx() -> bytes:
    docx = with_bad_utf8_name({"[Content_Types].xml": b"<x/>", "word/X.xml": b"<x/>"}, "word/X.xml")
    source = (
        f'<TextSource guid="{guid(1)}" name="doc" plainTextPath="internal://{guid(1)}.txt" '
        f'richTextPath="internal://{guid(1)}.docx"/>'
    )
    return zip_bytes(
        {
            "project.qde": project_xml(sources=source),
            f"sources/{guid(1)}.txt": b"",
            f"sources/{guid(1)}.docx": docx,
        }
    )


def _corrupt_first_member(data: bytes, at: int) -> bytes:
    """Overwrite bytes of the first member's compressed stream, `at` bytes into it."""
    name_len, extra_len = struct.unpack("<HH", data[26:30])
    start = 30 + name_len + extra_len + at
    return data[:start] + b"\xff" * 8 + data[start + 8 :]


def corrupt_deflate_qdpx() -> bytes:
    text = "samverkan " * 400
    qde = project_xml(sources=text_source(1, text))
    # An invalid block type in the first byte: zlib.error, not a CRC mismatch.
    return _corrupt_first_member(zip_bytes({"project.qde": qde}), 0)


def corrupt_lzma_qdpx() -> bytes:
    text = "samverkan " * 400
    qde = project_xml(sources=text_source(1, text))
    # Past zip's 4-byte LZMA header and the 5 property bytes: LZMAError.
    return _corrupt_first_member(zip_bytes({"project.qde": qde}, zipfile.ZIP_LZMA), 12)


def deep_codes(depth: int, ns: str = NS) -> str:
    opening = "".join(
        f'<Code guid="{guid(i + 1)}" name="c{i}" isCodable="true">' for i in range(depth)
    )
    return opening + "</Code>" * depth


def deep_qdc(depth: int) -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="{CB_NS}" origin="test">'
        f"<Codes>{deep_codes(depth)}</Codes></CodeBook>"
    ).encode()


def deep_qdpx(depth: int) -> bytes:
    return zip_bytes({"project.qde": project_xml(codes=deep_codes(depth))})


def duplicate_valence_guid_qdpx() -> bytes:
    codes = (
        f'<Code guid="{guid(1)}" name="Ledning" isCodable="true">'
        f'<Code guid="{guid(2)}" name="Ledning – hindrande" isCodable="true"/></Code>'
        f'<Code guid="{guid(2)}" name="Struktur" isCodable="true"/>'
    )
    sources = text_source(10, "Ingen tid för samverkan.", selection(20, 0, 24, guid(2)))
    return zip_bytes({"project.qde": project_xml(codes=codes, sources=sources)})


def shared_source_guid_qdpx() -> bytes:
    codes = f'<Code guid="{guid(1)}" name="Ledning" isCodable="true"/>'
    sources = text_source(
        10, "Första gruppen.", selection(20, 0, 6, guid(1)), source_guid=guid(9)
    ) + text_source(11, "Andra gruppen här.", selection(30, 6, 13, guid(1)), source_guid=guid(9))
    return zip_bytes({"project.qde": project_xml(codes=codes, sources=sources)})


def repeated_selections_qdpx(n: int = 20_000) -> bytes:
    codes = f'<Code guid="{guid(1)}" name="Ledning" isCodable="true"/>'
    one = selection(20, 0, 9, guid(1))
    sources = text_source(10, "Samverkan fungerar.", one * n)
    return zip_bytes({"project.qde": project_xml(codes=codes, sources=sources)})


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
