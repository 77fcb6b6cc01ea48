"""Reading REFI-QDA files from other tools (.qdpx, .qde, .qdc), leniently and safely.

`read_qdpx` and `read_qdc` parse without side effects (qualkit.export.refi_import writes
the result into a project).

Lenient: project.qde and sources/ in any letter case, BOM and CRLF in text files, GUIDs in
any case or in braces, empty containers, paths without a scheme, missing source files, plain
text left empty beside a .docx (NVivo for Mac), and offsets counted in UTF-16 units (NVivo
for Windows) instead of code points (detected per source).

Safe: XML through defusedxml (no entity expansion, no DTD-driven external fetches), archive
members named outside the archive refused, member sizes capped on the declared and on the
actual size, the number of entries capped. Each refusal is one ImportFormatError naming the
file. Only internal:// members are read: a hostile file cannot make us read local files.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from qualkit.errors import ImportFormatError, InputError
from qualkit.export.refi_qda import VALENCES
from qualkit.model import Valence


@dataclass(frozen=True, slots=True)
class Limits:
    """Caps that keep a hostile archive from exhausting memory."""

    max_entries: int = 10_000
    max_xml_bytes: int = 256 * 2**20
    max_text_bytes: int = 128 * 2**20
    max_total_bytes: int = 1024 * 2**20


DEFAULT_LIMITS = Limits()


# ------------------------------------------------------------------------ records
@dataclass(frozen=True, slots=True)
class RefiUser:
    guid: str
    name: str


@dataclass(frozen=True, slots=True)
class RefiCode:
    guid: str
    name: str
    parent: str | None  # parent code GUID
    codable: bool = True
    colour: str | None = None
    description: str = ""


@dataclass(frozen=True, slots=True)
class RefiSource:
    """A text source. `text` is the plain text the offsets refer to (BOM removed)."""

    guid: str
    name: str
    text: str
    missing: bool = False  # the file named by the project is not in the archive
    from_docx: bool = False  # plain text was empty; text extracted from the .docx
    sync: tuple[tuple[int, int], ...] = ()  # (position, milliseconds) from an audio transcript
    notes: tuple[str, ...] = ()  # texts of the notes the source refers to


@dataclass(frozen=True, slots=True)
class RefiCoding:
    """A code on [start, end) of a source's text, in code points."""

    source: str  # source GUID
    start: int
    end: int
    code: str  # code GUID
    user: str  # user name ('' when the file names none)
    guid: str = ""
    created: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class RefiSelection:
    """A text selection, coded or not (Cases may refer to uncoded ones: speaker turns)."""

    guid: str
    source: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class RefiCase:
    guid: str
    name: str
    values: tuple[tuple[str, str], ...] = ()  # (variable name, value)
    sources: tuple[str, ...] = ()
    selections: tuple[str, ...] = ()  # GUIDs of the selections the case refers to


@dataclass(frozen=True, slots=True)
class RefiSet:
    guid: str
    name: str
    sources: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True, slots=True)
class RefiProject:
    name: str
    origin: str
    users: tuple[RefiUser, ...]
    codes: tuple[RefiCode, ...]
    sources: tuple[RefiSource, ...]
    codings: tuple[RefiCoding, ...]
    cases: tuple[RefiCase, ...] = ()
    sets: tuple[RefiSet, ...] = ()
    selections: tuple[RefiSelection, ...] = ()
    utf16_sources: tuple[str, ...] = ()  # sources whose offsets were read as UTF-16 units
    notes: tuple[str, ...] = ()  # texts of project-level notes (Project/NoteRef)
    warnings: tuple[str, ...] = ()


# --------------------------------------------------------------------- XML helpers
def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(el: Any, name: str) -> list[Any]:
    return [c for c in el if _local(c.tag) == name]


def _child(el: Any, name: str) -> Any | None:
    for c in el:
        if _local(c.tag) == name:
            return c
    return None


def _text_of(el: Any, name: str) -> str:
    c = _child(el, name)
    return (c.text or "") if c is not None else ""


def _items(root: Any, container: str, item: str) -> list[Any]:
    box = _child(root, container)
    return _children(box, item) if box is not None else []


def _guid(value: str | None) -> str:
    return (value or "").strip().strip("{}").upper()


def _parse_xml(data: bytes, label: str) -> Any:
    try:
        return SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise ImportFormatError(
            f"{label}: refused: the XML declares entities or external references "
            f"({type(exc).__name__}); REFI-QDA files never need them."
        ) from exc
    except SafeET.ParseError as exc:
        raise ImportFormatError(f"{label}: not well-formed XML ({exc}).") from exc


# ------------------------------------------------------------------- safe archive
class _Archive:
    """Read-only, capped access to the members of a .qdpx."""

    def __init__(self, path: Path, limits: Limits) -> None:
        self.path = path
        self.limits = limits
        self.label = path.name
        try:
            self.zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise ImportFormatError(
                f"{self.label}: not a readable .qdpx (zip) file ({exc})."
            ) from exc
        infos = self.zf.infolist()
        if len(infos) > limits.max_entries:
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
        buf = io.BytesIO()
        try:
            with self.zf.open(info) as fh:
                while True:
                    block = fh.read(1 << 20)
                    if not block:
                        break
                    buf.write(block)
                    if buf.tell() > cap:
                        raise ImportFormatError(
                            f"{self.label}: refused: {info.filename} unpacks to more than "
                            f"{cap} bytes."
                        )
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
            raise ImportFormatError(f"{self.label}: {info.filename} is damaged ({exc}).") from exc
        self.read_total += buf.tell()
        if self.read_total > self.limits.max_total_bytes:
            raise ImportFormatError(
                f"{self.label}: refused: more than {self.limits.max_total_bytes} bytes unpacked."
            )
        return buf.getvalue()

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


# ---------------------------------------------------------------------- text utils
def decode_text(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def docx_text(data: bytes, label: str, limits: Limits = DEFAULT_LIMITS) -> str:
    """The paragraphs of a .docx, one per line (for sources with rich text only)."""
    try:
        # A .docx is a zip too: check its declared sizes before python-docx unpacks it
        # (Python's zipfile never inflates a member beyond its declared size).
        with zipfile.ZipFile(io.BytesIO(data)) as inner:
            infos = inner.infolist()
    except zipfile.BadZipFile as exc:
        raise ImportFormatError(f"{label}: a .docx source is not a readable zip ({exc}).") from exc
    if len(infos) > limits.max_entries or sum(i.file_size for i in infos) > limits.max_text_bytes:
        raise ImportFormatError(f"{label}: refused: a .docx source unpacks to too much data.")
    try:
        import docx

        # python-docx reads XML with lxml, which does not expand external entities.
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # a broken docx is one bad source, not a failed import
        raise ImportFormatError(f"{label}: a .docx source cannot be read ({exc}).") from exc
    return "\n".join(p.text for p in document.paragraphs)


def _utf16_index(text: str) -> list[int]:
    """For each UTF-16 unit offset, the code point offset (astral characters take two units)."""
    out: list[int] = []
    for i, ch in enumerate(text):
        out.append(i)
        if ord(ch) > 0xFFFF:
            out.append(i)
    out.append(len(text))
    return out


def _boundary_score(text: str, spans: list[tuple[int, int]]) -> int:
    score = 0
    n = len(text)
    for start, end in spans:
        if 0 <= start <= n and (start == 0 or not text[start - 1].isalnum()):
            score += 1
        if 0 <= end <= n and (end == n or not text[end].isalnum()):
            score += 1
    return score


def _prefers_utf16(text: str, spans: list[tuple[int, int]]) -> bool:
    """Whether offsets look like UTF-16 units: only possible when the text has astral chars."""
    if not spans or not any(ord(ch) > 0xFFFF for ch in text):
        return False
    units = _utf16_index(text)
    if max(e for _, e in spans) > len(text):
        return True
    as_units = [(units[min(s, len(units) - 1)], units[min(e, len(units) - 1)]) for s, e in spans]
    return _boundary_score(text, as_units) > _boundary_score(text, spans)


# ------------------------------------------------------------------------- parsing
def _codes(codes_el: Any) -> list[RefiCode]:
    out: list[RefiCode] = []

    def walk(el: Any, parent: str | None) -> None:
        for code in _children(el, "Code"):
            guid = _guid(code.get("guid"))
            colour = code.get("color")
            out.append(
                RefiCode(
                    guid=guid,
                    name=(code.get("name") or "").strip() or guid,
                    parent=parent,
                    codable=(code.get("isCodable") or "true").strip().lower() in ("true", "1"),
                    colour=colour
                    if colour and re.match(r"^#(?:[0-9a-fA-F]{3}){1,2}$", colour)
                    else None,
                    description=_text_of(code, "Description").strip(),
                )
            )
            walk(code, guid)

    if codes_el is not None:
        walk(codes_el, None)
    return out


def _notes(root: Any) -> dict[str, str]:
    notes_el = _child(root, "Notes")
    out: dict[str, str] = {}
    for note in _children(notes_el, "Note") if notes_el is not None else []:
        out[_guid(note.get("guid"))] = _text_of(note, "PlainTextContent")
    return out


def _parse_project(
    root: Any, label: str, archive: _Archive | None, limits: Limits = DEFAULT_LIMITS
) -> RefiProject:
    if _local(root.tag) != "Project":
        raise ImportFormatError(
            f"{label}: the root element is <{_local(root.tag)}>, not <Project>; "
            "is this a REFI-QDA project file?"
        )
    warnings: list[str] = []
    # qualkit writes code points, as the standard says; only other tools need the guess.
    own_file = (root.get("origin") or "").startswith("qualkit")
    users_el = _child(root, "Users")
    users = [
        RefiUser(_guid(u.get("guid")), (u.get("name") or u.get("id") or "").strip())
        for u in (_children(users_el, "User") if users_el is not None else [])
    ]
    user_names = {u.guid: u.name or f"refi-{u.guid[:8].lower()}" for u in users}
    codebook_el = _child(root, "CodeBook")
    codes = _codes(_child(codebook_el, "Codes") if codebook_el is not None else None)
    notes = _notes(root)

    sources: list[RefiSource] = []
    codings: list[RefiCoding] = []
    selections: list[RefiSelection] = []
    utf16: list[str] = []
    skipped_media = 0

    def read_text(el: Any, name: str) -> tuple[str, bool, bool]:
        inline = _child(el, "PlainTextContent")
        if inline is not None:
            return inline.text or "", False, False
        text = ""
        missing = False
        plain = el.get("plainTextPath")
        if plain:
            data = archive.source(plain) if archive is not None else None
            if data is None:
                missing = True
            else:
                text = decode_text(data)
        rich = el.get("richTextPath")
        if not text.strip() and rich and rich.lower().endswith(".docx"):
            data = archive.source(rich) if archive is not None else None
            if data is not None:
                return docx_text(data, f"{label}: {name}", limits), False, True
        if missing:
            warnings.append(f"source {name!r}: its text file {plain} is not in the archive")
        return text, missing, False

    def text_source(el: Any) -> None:
        guid = _guid(el.get("guid"))
        name = (el.get("name") or "").strip() or guid
        text, missing, from_docx = read_text(el, name)
        raw: list[tuple[int, int, Any]] = []
        for sel in _children(el, "PlainTextSelection"):
            try:
                start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
            except (TypeError, ValueError):
                warnings.append(f"source {name!r}: a selection without valid positions skipped")
                continue
            if end < start:
                start, end = end, start
            raw.append((start, end, sel))
        spans = [(s, e) for s, e, _ in raw]
        units = None
        if text and not own_file and _prefers_utf16(text, spans):
            units = _utf16_index(text)
            utf16.append(guid)
        limit = len(text)
        for start, end, sel in raw:
            if units is not None:
                start = units[min(start, len(units) - 1)]
                end = units[min(end, len(units) - 1)]
            if not missing:
                start, end = max(0, min(start, limit)), max(0, min(end, limit))
            selections.append(RefiSelection(_guid(sel.get("guid")), guid, start, end))
            sel_notes = [
                notes.get(_guid(n.get("targetGUID")), "") for n in _children(sel, "NoteRef")
            ]
            for coding in _children(sel, "Coding"):
                codings.append(_coding(coding, guid, start, end, user_names, notes, sel_notes))
        for coding in _children(el, "Coding"):
            codings.append(_coding(coding, guid, 0, len(text), user_names, notes, []))
        sync = transcripts.get((el.get("plainTextPath") or "").lower(), [])
        if units is not None:
            sync = [(units[min(p, len(units) - 1)], ms) for p, ms in sync]
        source_notes = tuple(
            notes[g] for n in _children(el, "NoteRef") if (g := _guid(n.get("targetGUID"))) in notes
        )
        sources.append(
            RefiSource(guid, name, text, missing, from_docx, tuple(sorted(sync)), source_notes)
        )

    sources_el = _child(root, "Sources")
    # Audio/video transcripts that share a text file with a TextSource carry its timing.
    transcripts: dict[str, list[tuple[int, int]]] = {}
    for media in sources_el if sources_el is not None else []:
        for tr in _children(media, "Transcript"):
            key = (tr.get("plainTextPath") or "").lower()
            points = []
            for sp in _children(tr, "SyncPoint"):
                try:
                    points.append((int(sp.get("position")), int(sp.get("timeStamp"))))
                except (TypeError, ValueError):
                    continue
            if key and points:
                transcripts[key] = points
    for el in sources_el if sources_el is not None else []:
        kind = _local(el.tag)
        if kind == "TextSource":
            text_source(el)
        elif kind == "PDFSource":
            rep = _child(el, "Representation")
            if rep is not None:
                if not rep.get("name"):
                    rep.set("name", el.get("name") or "")
                text_source(rep)
            skipped_media += sum(len(_children(s, "Coding")) for s in _children(el, "PDFSelection"))
        elif kind in ("PictureSource", "AudioSource", "VideoSource"):
            for sel in el:
                skipped_media += len(_children(sel, "Coding"))
            skipped_media += len(_children(el, "Coding"))
    if skipped_media:
        warnings.append(
            f"{skipped_media} codings on pictures, PDF regions, audio or video were not imported "
            "(qualkit codes text)"
        )

    variables = {
        _guid(v.get("guid")): (v.get("name") or "").strip()
        for v in _items(root, "Variables", "Variable")
    }
    cases = []
    for case in _items(root, "Cases", "Case"):
        values = []
        for vv in _children(case, "VariableValue"):
            ref = _child(vv, "VariableRef")
            var = variables.get(_guid(ref.get("targetGUID")) if ref is not None else "", "")
            value = next((c.text or "" for c in vv if _local(c.tag).endswith("Value")), "")
            if var:
                values.append((var, value.strip()))
        cases.append(
            RefiCase(
                _guid(case.get("guid")),
                (case.get("name") or "").strip(),
                tuple(values),
                tuple(_guid(s.get("targetGUID")) for s in _children(case, "SourceRef")),
                tuple(_guid(s.get("targetGUID")) for s in _children(case, "SelectionRef")),
            )
        )
    sets = [
        RefiSet(
            _guid(s.get("guid")),
            (s.get("name") or "").strip(),
            tuple(_guid(m.get("targetGUID")) for m in _children(s, "MemberSource")),
            _text_of(s, "Description").strip(),
        )
        for s in _items(root, "Sets", "Set")
    ]
    return RefiProject(
        name=(root.get("name") or "").strip(),
        origin=(root.get("origin") or "").strip(),
        users=tuple(users),
        codes=tuple(codes),
        sources=tuple(sources),
        codings=tuple(codings),
        cases=tuple(cases),
        sets=tuple(sets),
        selections=tuple(selections),
        utf16_sources=tuple(utf16),
        notes=tuple(
            notes[g]
            for n in _children(root, "NoteRef")
            if (g := _guid(n.get("targetGUID"))) in notes
        ),
        warnings=tuple(warnings),
    )


def _coding(
    el: Any,
    source: str,
    start: int,
    end: int,
    users: dict[str, str],
    notes: dict[str, str],
    extra_notes: list[str],
) -> RefiCoding:
    ref = _child(el, "CodeRef")
    user = _guid(el.get("creatingUser"))
    texts = [
        *extra_notes,
        *(notes.get(_guid(n.get("targetGUID")), "") for n in _children(el, "NoteRef")),
    ]
    return RefiCoding(
        source=source,
        start=start,
        end=end,
        code=_guid(ref.get("targetGUID")) if ref is not None else "",
        user=users.get(user, f"refi-{user[:8].lower()}" if user else ""),
        guid=_guid(el.get("guid")),
        created=el.get("creationDateTime") or "",
        note="\n\n".join(t for t in texts if t),
    )


def read_qdpx(path: Path | str, limits: Limits = DEFAULT_LIMITS) -> RefiProject:
    """Parse a .qdpx archive (or a bare .qde file) without touching any project."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file.")
    if zipfile.is_zipfile(path):
        archive = _Archive(path, limits)
        try:
            root = _parse_xml(archive.qde(), path.name)
            return _parse_project(root, path.name, archive, limits)
        finally:
            archive.close()
    if path.stat().st_size > limits.max_xml_bytes:
        raise ImportFormatError(f"{path.name}: refused: larger than {limits.max_xml_bytes} bytes.")
    return _parse_project(_parse_xml(path.read_bytes(), path.name), path.name, None)


def read_qdc(path: Path | str, limits: Limits = DEFAULT_LIMITS) -> tuple[str, list[RefiCode]]:
    """Parse a .qdc codebook: (origin, codes)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file.")
    if path.stat().st_size > limits.max_xml_bytes:
        raise ImportFormatError(f"{path.name}: refused: larger than {limits.max_xml_bytes} bytes.")
    root = _parse_xml(path.read_bytes(), path.name)
    if _local(root.tag) == "Project":
        book = _child(root, "CodeBook")
        return (
            root.get("origin") or "",
            _codes(_child(book, "Codes") if book is not None else None),
        )
    if _local(root.tag) != "CodeBook":
        raise ImportFormatError(
            f"{path.name}: the root element is <{_local(root.tag)}>, not <CodeBook>; "
            "is this a REFI-QDA codebook (.qdc)?"
        )
    return (root.get("origin") or "", _codes(_child(root, "Codes")))


# ------------------------------------------------------------------ valence codes
_VALENCE_NAME = re.compile(
    r"^(?P<label>.*?)\s*[–—:-]\s*(?P<valence>främjande|hindrande|förslag)$", re.IGNORECASE
)


def folded_valence(code: RefiCode, by_guid: dict[str, RefiCode]) -> Valence | None:
    """A qualkit valence sub-code ('<parent label> – hindrande') folds back into its parent."""
    if code.parent is None or code.parent not in by_guid:
        return None
    m = _VALENCE_NAME.match(code.name)
    bare = code.name.strip().casefold()
    parent = by_guid[code.parent]
    if m and m.group("label").strip().casefold() == parent.name.strip().casefold():
        return Valence.parse(m.group("valence"))
    if bare in {v.value for v in VALENCES}:
        return Valence.parse(bare)
    return None


def code_targets(codes: Sequence[RefiCode]) -> dict[str, tuple[str, Valence]]:
    """Each code GUID -> (GUID of the code it stands for, valence).

    qualkit's valence sub-codes fold into their parent; every other code maps to itself."""
    by_guid = {c.guid: c for c in codes}
    out: dict[str, tuple[str, Valence]] = {}
    for code in codes:
        valence = folded_valence(code, by_guid)
        if valence is not None and code.parent is not None:
            out[code.guid] = (code.parent, valence)
        else:
            out[code.guid] = (code.guid, Valence.NONE)
    return out
