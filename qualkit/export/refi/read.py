"""Reading REFI-QDA projects from other tools (.qdpx, .qde), leniently and safely.

`read_qdpx` parses without side effects (qualkit.export.refi.importer writes the result
into a project).

Lenient: project.qde and sources/ in any letter case, BOM and CRLF in text files, GUIDs in
any case or in braces, empty containers, paths without a scheme, missing source files, plain
text left empty beside a .docx (NVivo for Mac), offsets counted in UTF-16 units (NVivo for
Windows) instead of code points (detected per source), a coding memo kept only in the
selection's Description (QualCoder), and empty notes (skipped).

Safe: XML through defusedxml, archive members named outside the archive refused, sizes
capped (qualkit.export.refi.archive), code trees capped in depth, GUIDs shared by two codes
or two sources refused, identical codings kept once. Each refusal is one ImportFormatError
naming the file. Only internal:// members are read: a file cannot make us read local files.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from qualkit.errors import ImportFormatError, InputError
from qualkit.export.refi import xmlread as x
from qualkit.export.refi.archive import Archive
from qualkit.export.refi.read_codes import parse_codes
from qualkit.export.refi.records import (
    DEFAULT_LIMITS,
    Limits,
    RefiCase,
    RefiCoding,
    RefiProject,
    RefiSelection,
    RefiSet,
    RefiSource,
    RefiUser,
)
from qualkit.export.refi.text import decode_text, docx_text, prefers_utf16, utf16_index


def _values(el: Any, variables: dict[str, str]) -> tuple[tuple[str, str], ...]:
    out = []
    for vv in x.children(el, "VariableValue"):
        ref = x.child(vv, "VariableRef")
        var = variables.get(x.guid(ref.get("targetGUID")) if ref is not None else "", "")
        value = next((c.text or "" for c in vv if x.local(c.tag).endswith("Value")), "")
        if var:
            out.append((var, value.strip()))
    return tuple(out)


class _ProjectReader:
    """One pass over project.qde, collecting records and warnings."""

    def __init__(self, root: Any, label: str, archive: Archive | None, limits: Limits) -> None:
        self.root = root
        self.label = label
        self.archive = archive
        self.limits = limits
        self.warnings: list[str] = []
        # qualkit writes code points, as the standard says; only other tools need the guess.
        self.own_file = (root.get("origin") or "").startswith("qualkit")
        users_el = x.child(root, "Users")
        self.users = [
            RefiUser(x.guid(u.get("guid")), (u.get("name") or u.get("id") or "").strip())
            for u in (x.children(users_el, "User") if users_el is not None else [])
        ]
        self.user_names = {u.guid: u.name or f"refi-{u.guid[:8].lower()}" for u in self.users}
        self.notes = self._notes()
        self.variables = {
            x.guid(v.get("guid")): (v.get("name") or "").strip()
            for v in x.items(root, "Variables", "Variable")
        }
        self.sources: list[RefiSource] = []
        self.codings: list[RefiCoding] = []
        self.selections: list[RefiSelection] = []
        self.utf16: list[str] = []
        self.transcripts: dict[str, list[tuple[int, int]]] = {}
        self.transcript_texts: list[str] = []
        self.media: list[str] = []

    def _notes(self) -> dict[str, str]:
        out: dict[str, str] = {}
        empty = 0
        for note in x.items(self.root, "Notes", "Note"):
            text = x.text_of(note, "PlainTextContent")
            if text.strip():
                out[x.guid(note.get("guid"))] = text
            else:
                # Tools turn uncoded selections into empty annotations (QualCoder): no memo.
                empty += 1
        if empty:
            self.warnings.append(f"{empty} empty notes skipped")
        return out

    def note_texts(self, el: Any) -> list[str]:
        return [
            self.notes[g]
            for n in x.children(el, "NoteRef")
            if (g := x.guid(n.get("targetGUID"))) in self.notes
        ]

    def read_text(self, el: Any, name: str, *, warn: bool = True) -> tuple[str, bool, bool]:
        inline = x.child(el, "PlainTextContent")
        if inline is not None:
            return inline.text or "", False, False
        text = ""
        missing = False
        plain = el.get("plainTextPath")
        if plain:
            data = self.archive.source(plain) if self.archive is not None else None
            if data is None:
                missing = True
            else:
                text = decode_text(data)
        rich = el.get("richTextPath")
        if not text.strip() and rich and rich.lower().endswith(".docx"):
            data = self.archive.source(rich) if self.archive is not None else None
            if data is not None:
                return docx_text(data, f"{self.label}: {name}", self.limits), False, True
        if missing and warn:
            self.warnings.append(f"source {name!r}: its text file {plain} is not in the archive")
        return text, missing, False

    def text_source(self, el: Any) -> None:
        guid = x.guid(el.get("guid"))
        name = (el.get("name") or "").strip() or guid
        text, missing, from_docx = self.read_text(el, name)
        raw: list[tuple[int, int, Any]] = []
        for sel in x.children(el, "PlainTextSelection"):
            try:
                start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
            except (TypeError, ValueError):
                self.warnings.append(
                    f"source {name!r}: a selection without valid positions skipped"
                )
                continue
            if end < start:
                start, end = end, start
            raw.append((start, end, sel))
        units = None
        if text and not self.own_file and prefers_utf16(text, [(s, e) for s, e, _ in raw]):
            units = utf16_index(text)
            self.utf16.append(guid)
        limit = len(text)
        for start, end, sel in raw:
            if units is not None:
                start = units[min(start, len(units) - 1)]
                end = units[min(end, len(units) - 1)]
            if not missing:
                start, end = max(0, min(start, limit)), max(0, min(end, limit))
            self.selections.append(RefiSelection(x.guid(sel.get("guid")), guid, start, end))
            sel_notes = self.note_texts(sel)
            codings = x.children(sel, "Coding")
            if not sel_notes and len(codings) == 1:
                # QualCoder and MAXQDA keep a coding's memo in the selection's Description.
                description = x.text_of(sel, "Description").strip()
                sel_notes = [description] if description else []
            for coding in codings:
                self.codings.append(self.coding(coding, guid, start, end, sel_notes))
        for coding in x.children(el, "Coding"):
            self.codings.append(self.coding(coding, guid, 0, len(text), []))
        sync = self.transcripts.get((el.get("plainTextPath") or "").lower(), [])
        if units is not None:
            sync = [(units[min(p, len(units) - 1)], ms) for p, ms in sync]
        self.sources.append(
            RefiSource(
                guid,
                name,
                text,
                missing,
                from_docx,
                tuple(sorted(sync)),
                tuple(self.note_texts(el)),
                x.text_of(el, "Description").strip(),
                _values(el, self.variables),
            )
        )

    def coding(
        self, el: Any, source: str, start: int, end: int, extra_notes: list[str]
    ) -> RefiCoding:
        ref = x.child(el, "CodeRef")
        user = x.guid(el.get("creatingUser"))
        texts = [*extra_notes, *self.note_texts(el)]
        return RefiCoding(
            source=source,
            start=start,
            end=end,
            code=x.guid(ref.get("targetGUID")) if ref is not None else "",
            user=self.user_names.get(user, f"refi-{user[:8].lower()}" if user else ""),
            guid=x.guid(el.get("guid")),
            created=el.get("creationDateTime") or "",
            note="\n\n".join(dict.fromkeys(t for t in texts if t)),
        )

    def read_sources(self) -> None:
        sources_el = x.child(self.root, "Sources")
        media = list(sources_el) if sources_el is not None else []
        # Audio/video transcripts that share a text file with a TextSource carry its timing.
        for el in media:
            for tr in x.children(el, "Transcript"):
                key = (tr.get("plainTextPath") or "").lower()
                points = []
                for sp in x.children(tr, "SyncPoint"):
                    try:
                        points.append((int(sp.get("position")), int(sp.get("timeStamp"))))
                    except (TypeError, ValueError):
                        continue
                if key and points:
                    self.transcripts[key] = points
                text, _, _ = self.read_text(tr, tr.get("name") or "", warn=False)
                if text.strip():
                    self.transcript_texts.append(text)
        skipped_media = 0
        for el in media:
            kind = x.local(el.tag)
            if kind == "TextSource":
                self.text_source(el)
            elif kind == "PDFSource":
                rep = x.child(el, "Representation")
                if rep is not None:
                    if not rep.get("name"):
                        rep.set("name", el.get("name") or "")
                    self.text_source(rep)
                skipped_media += sum(
                    len(x.children(s, "Coding")) for s in x.children(el, "PDFSelection")
                )
            elif kind in ("PictureSource", "AudioSource", "VideoSource"):
                if kind != "PictureSource" and el.get("name"):
                    self.media.append(el.get("name").strip())
                for sel in el:
                    skipped_media += len(x.children(sel, "Coding"))
                skipped_media += len(x.children(el, "Coding"))
        if skipped_media:
            self.warnings.append(
                f"{skipped_media} codings on pictures, PDF regions, audio or video were not "
                "imported (qualkit codes text)"
            )
        seen: set[str] = set()
        for source in self.sources:
            if source.guid in seen:
                raise ImportFormatError(
                    f"{self.label}: two sources share the GUID {source.guid}; their codings "
                    "cannot be told apart. Export it again from the other program."
                )
            seen.add(source.guid)

    def unique_codings(self) -> list[RefiCoding]:
        """Identical codings (same place, code and coder) once: a file may repeat one."""
        seen: set[tuple[str, int, int, str, str]] = set()
        out = []
        for c in self.codings:
            key = (c.source, c.start, c.end, c.code, c.user)
            if key not in seen:
                seen.add(key)
                out.append(c)
        if len(out) < len(self.codings):
            self.warnings.append(
                f"{len(self.codings) - len(out)} repeated codings (same text, code and coder) "
                "kept once"
            )
        return out

    def project(self) -> RefiProject:
        root = self.root
        codebook_el = x.child(root, "CodeBook")
        codes = parse_codes(
            x.child(codebook_el, "Codes") if codebook_el is not None else None, self.label
        )
        self.read_sources()
        codings = self.unique_codings()
        cases = [
            RefiCase(
                x.guid(case.get("guid")),
                (case.get("name") or "").strip(),
                _values(case, self.variables),
                tuple(x.guid(s.get("targetGUID")) for s in x.children(case, "SourceRef")),
                tuple(x.guid(s.get("targetGUID")) for s in x.children(case, "SelectionRef")),
            )
            for case in x.items(root, "Cases", "Case")
        ]
        sets = [
            RefiSet(
                x.guid(s.get("guid")),
                (s.get("name") or "").strip(),
                tuple(x.guid(m.get("targetGUID")) for m in x.children(s, "MemberSource")),
                x.text_of(s, "Description").strip(),
            )
            for s in x.items(root, "Sets", "Set")
        ]
        return RefiProject(
            name=(root.get("name") or "").strip(),
            origin=(root.get("origin") or "").strip(),
            users=tuple(self.users),
            codes=tuple(codes),
            sources=tuple(self.sources),
            codings=tuple(codings),
            cases=tuple(cases),
            sets=tuple(sets),
            selections=tuple(self.selections),
            utf16_sources=tuple(self.utf16),
            notes=tuple(self.note_texts(root)),
            transcripts=tuple(self.transcript_texts),
            media=tuple(self.media),
            warnings=tuple(self.warnings),
        )


def parse_project(
    root: Any, label: str, archive: Archive | None, limits: Limits = DEFAULT_LIMITS
) -> RefiProject:
    if x.local(root.tag) != "Project":
        raise ImportFormatError(
            f"{label}: the root element is <{x.local(root.tag)}>, not <Project>; "
            "is this a REFI-QDA project file?"
        )
    return _ProjectReader(root, label, archive, limits).project()


def read_qdpx(path: Path | str, limits: Limits = DEFAULT_LIMITS) -> RefiProject:
    """Parse a .qdpx archive (or a bare .qde file) without touching any project."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file.")
    if zipfile.is_zipfile(path):
        archive = Archive(path, limits)
        try:
            root = x.parse_xml(archive.qde(), path.name)
            return parse_project(root, path.name, archive, limits)
        finally:
            archive.close()
    if path.stat().st_size > limits.max_xml_bytes:
        raise ImportFormatError(f"{path.name}: refused: larger than {limits.max_xml_bytes} bytes.")
    data = path.read_bytes()
    if not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        # Neither a zip nor XML: say what was expected rather than quote a parser error.
        raise ImportFormatError(
            f"{path.name}: not a REFI-QDA project (a .qdpx is a zip archive holding "
            "project.qde; a bare .qde is QDA-XML). Export it again from the other program."
        )
    return parse_project(x.parse_xml(data, path.name), path.name, None, limits)
