"""Read-only, capped access to the members of a .qdpx (or of a .docx inside one).

Everything a hostile archive can make zipfile raise ends here as one ImportFormatError that
names the file: names outside the archive, too many entries, sizes over the caps, member
names flagged UTF-8 that are not, and damaged deflate, bzip2 or lzma streams.
"""

from __future__ import annotations

import io
import lzma
import re
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import IO

from qualkit.errors import ImportFormatError
from qualkit.export.refi.records import Limits

# What zipfile lets through from a damaged member or central directory.
DAMAGED = (
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    EOFError,
    RuntimeError,  # encrypted members
    NotImplementedError,  # unknown compression methods
    ValueError,
    OSError,
)


def open_zip(source: Path | IO[bytes], label: str, what: str = "zip archive") -> zipfile.ZipFile:
    """A ZipFile, or one line saying why the archive cannot be read."""
    try:
        return zipfile.ZipFile(source)
    except UnicodeDecodeError as exc:
        # A member name flagged UTF-8 (bit 11) that is not: zipfile decodes names eagerly.
        raise ImportFormatError(
            f"{label}: a file name inside the archive is marked UTF-8 but is not "
            f"({exc.reason}); the archive is damaged or was not written by a QDA program."
        ) from exc
    except DAMAGED as exc:
        raise ImportFormatError(f"{label}: not a readable {what} ({exc}).") from exc


class Archive:
    """The members of a .qdpx, by lower-case name, read with caps on size."""

    def __init__(self, path: Path, limits: Limits) -> None:
        self.path = path
        self.limits = limits
        self.label = path.name
        self.zf = open_zip(path, self.label, ".qdpx (zip) file")
        infos = self.zf.infolist()
        if len(infos) > limits.max_entries:
            self.zf.close()
            raise ImportFormatError(
                f"{self.label}: refused: {len(infos)} entries in the archive "
                f"(at most {limits.max_entries})."
            )
        self.members: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            name = info.filename
            parts = PurePosixPath(name.replace("\\", "/")).parts
            if (
                name.startswith(("/", "\\"))
                or ".." in parts
                or re.match(r"^[A-Za-z]:", name)
                or "\x00" in name
            ):
                self.zf.close()
                raise ImportFormatError(
                    f"{self.label}: refused: the archive names a file outside itself ({name!r})."
                )
            self.members[name.replace("\\", "/").lower()] = info
        self.read_total = 0

    def close(self) -> None:
        self.zf.close()

    def find(self, *names: str) -> zipfile.ZipInfo | None:
        for name in names:
            info = self.members.get(name.lower())
            if info is not None:
                return info
        return None

    def read(self, info: zipfile.ZipInfo, cap: int) -> bytes:
        if info.file_size > cap:
            raise ImportFormatError(
                f"{self.label}: refused: {info.filename} would unpack to {info.file_size} bytes "
                f"(at most {cap})."
            )
        data = read_member(self.zf, info, cap, self.label)
        self.read_total += len(data)
        if self.read_total > self.limits.max_total_bytes:
            raise ImportFormatError(
                f"{self.label}: refused: more than {self.limits.max_total_bytes} bytes unpacked."
            )
        return data

    def qde(self) -> bytes:
        roots = [i for n, i in self.members.items() if "/" not in n and n.endswith(".qde")]
        if not roots:
            roots = [i for n, i in self.members.items() if n.endswith(".qde")]
        if not roots:
            raise ImportFormatError(f"{self.label}: no project.qde inside; is this a .qdpx?")
        info = self.find("project.qde") or roots[0]
        return self.read(info, self.limits.max_xml_bytes)

    def source(self, ref: str) -> bytes | None:
        """The bytes behind an internal:// (or scheme-less) path; None when absent."""
        if ref.startswith(("relative://", "absolute://")):
            return None  # outside the archive: never read local files named by a file
        name = ref[len("internal://") :] if ref.startswith("internal://") else ref
        name = name.lstrip("/").replace("\\", "/")
        info = self.find(f"sources/{name}", name)
        if info is None:
            return None
        return self.read(info, self.limits.max_text_bytes)


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, label: str) -> bytes:
    """One member's bytes, refused once more than `cap` come out (whatever the header says)."""
    buf = io.BytesIO()
    try:
        with zf.open(info) as fh:
            while True:
                block = fh.read(1 << 20)
                if not block:
                    break
                buf.write(block)
                if buf.tell() > cap:
                    raise ImportFormatError(
                        f"{label}: refused: {info.filename} unpacks to more than {cap} bytes."
                    )
    except DAMAGED as exc:
        raise ImportFormatError(f"{label}: {info.filename} is damaged ({exc}).") from exc
    return buf.getvalue()
