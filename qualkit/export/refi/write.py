"""Writing a project as a REFI-QDA .qdpx archive (project.qde + sources/).

Conventions (docs/refi-qda.md has the user-facing version):

* A recording's plain text is its exportable segments' texts (redacted, withdrawn speakers left
  out) joined with "\\n". Offsets are code points, end exclusive. A whole-segment coding spans
  its segment's text; a span coding is shifted by the segment's start in the joined text.
* Valence cannot live on a REFI coding (codings carry no attributes), so every code of a
  codebook that uses valence gets three codable sub-codes "<label> – främjande", "– hindrande"
  and "– förslag". A coding with valence lands on the sub-code, one without on the code itself.
  Import folds the sub-codes back into code + valence.
* GUIDs are uuid5 over a per-project namespace kept in the store's meta table, so a re-export
  keeps every GUID and other tools can merge the new file into the old project.
"""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from qualkit import atomic
from qualkit.export.fields import participant_name
from qualkit.export.refi.codebook_write import add_codes, choose_books, valence_books
from qualkit.export.refi.constants import (
    KOMMUN_SET,
    MAX_INTERNAL_BYTES,
    ORIGIN,
    PROJECT_NS,
)
from qualkit.export.refi.facts import SOURCE_VARIABLES, VALUE_ELEMENT
from qualkit.export.refi.guids import Guids, code_guid
from qualkit.export.refi.package import Package, SourceOptions
from qualkit.export.refi.sources import SYSTEM_USER, SourceWriter
from qualkit.export.refi.xmlwrite import datetime_of, el, root_element, serialise, text_el
from qualkit.model import Codebook, Consent, Participant
from qualkit.project import DEFAULT_CODEBOOK, Project

NS = PROJECT_NS


@dataclass(frozen=True, slots=True)
class QdpxExport:
    path: Path
    sources: int
    codes: int
    codings: int
    skipped_codings: int  # on segments left out (withdrawn consent)


def export_qdpx(
    project: Project,
    path: Path | str | None = None,
    codebook_ids: Sequence[str] | None = None,
    *,
    max_internal_bytes: int = MAX_INTERNAL_BYTES,
    speaker_selections: bool = False,
    audio: bool = True,
    coder_names: bool = False,
) -> QdpxExport:
    """Write the whole project as a REFI-QDA .qdpx archive (project.qde + sources/).

    A coded passage that is exactly one named participant's turn is always linked to that
    participant's Case. With `speaker_selections`, every other turn becomes an uncoded
    selection the Case refers to as well (NVivo's case coding; QualCoder shows them as empty
    annotations, so it is off by default). Without `audio` only the texts are written.
    Users are 'Kodare 1', 'Kodare 2' ... unless `coder_names` asks for the coders' names."""
    books = choose_books(project, codebook_ids)
    guids = Guids.for_project(project)
    with_valence = valence_books(project, books)
    codes = {(c.codebook, c.key): c for b in books for c in b.codes}
    options = SourceOptions(speaker_selections, audio, max_internal_bytes, coder_names)
    writer = SourceWriter(project, guids, codes, with_valence, options)
    for rec in project.recordings():
        writer.add_recording(rec)
    _code_and_project_memos(writer)
    root = _assemble(project, writer, books, with_valence)
    # The project folder's name is typed by a person ("studie_karin"): a field like others.
    shown = writer.redactor.redact_field(project.root.name)
    out = Path(path) if path is not None else project.exports_dir / f"{shown}.qdpx"
    write_zip(out, serialise(root), writer.pkg)
    n_codes = len(list(root.iter(f"{{{NS}}}Code")))
    return QdpxExport(out, len(writer.sources), n_codes, writer.n_codings, writer.skipped)


def _code_and_project_memos(writer: SourceWriter) -> None:
    for key in list(writer.memos):
        target, _, target_id = key.partition(":")
        if target == "code":
            cb, _, k = target_id.rpartition(":")
            found = writer.codes.get((cb or DEFAULT_CODEBOOK, k))
            if found is not None:
                owner = code_guid(writer.guids, found)
                writer.memo_notes(owner, key, f"Memo: {found.label_sv}", "")
        elif target == "project":
            writer.memo_notes("project", key, "Memo: projekt", "")


def _assemble(
    project: Project, writer: SourceWriter, books: Sequence[Codebook], with_valence: set[str]
) -> ET.Element:
    """project.qde in the schema's element order."""
    guids = writer.guids
    cases = [p for p in writer.participants.values() if p.consent is not Consent.WITHDRAWN]
    variables = dict.fromkeys(_variables(cases), "Text")
    used = {name for facts in writer.source_facts.values() for name, _ in facts}
    # A participant attribute of the same name keeps the variable Text, and the sources'
    # values of it are written as text, so every value matches its declared type.
    variables.update(
        (n, t) for n, t in SOURCE_VARIABLES.items() if n in used and n not in variables
    )
    for source in writer.sources:
        # NoteRef comes after selections, codings and transcripts, VariableValue last.
        guid = source.get("guid", "")
        for ref in writer.note_refs.get(guid, []):
            el(source, NS, "NoteRef", targetGUID=ref)
        for name, value in writer.source_facts.get(guid, []):
            vv = el(source, NS, "VariableValue")
            el(vv, NS, "VariableRef", targetGUID=guids("variable", name))
            text_el(vv, NS, VALUE_ELEMENT[variables[name]], value)
        for coding in source.iter(f"{{{NS}}}Coding"):
            for ref in writer.note_refs.get(coding.get("guid", ""), []):
                el(coding, NS, "NoteRef", targetGUID=ref)
    created = min((s.get("creationDateTime", "") for s in writer.sources), default="")
    root = root_element(
        NS,
        "Project",
        name=writer.redactor.redact_field(project.root.name),
        origin=ORIGIN,
        creatingUserGUID=writer.user(SYSTEM_USER),
        creationDateTime=datetime_of(created),
    )
    users_el = el(root, NS, "Users")
    for name, guid in sorted(writer.users.items(), key=lambda kv: kv[1]):
        el(users_el, NS, "User", guid=guid, name=name, id=name)
    codebook_el = el(root, NS, "CodeBook")
    add_codes(codebook_el, NS, books, guids, with_valence, writer.note_refs)
    if variables:
        vars_el = el(root, NS, "Variables")
        for name, kind in variables.items():
            el(
                vars_el,
                NS,
                "Variable",
                guid=guids("variable", name),
                name=name,
                typeOfVariable=kind,
            )
    if cases:
        cases_el = el(root, NS, "Cases")
        for person in cases:
            # A pseudonym is typed by a person and can be a name ("Björn B"): redacted.
            case_name = participant_name(writer.redactor, person)
            case = el(cases_el, NS, "Case", guid=guids("participant", person.id), name=case_name)
            for name, value in case_values(person):
                vv = el(case, NS, "VariableValue")
                el(vv, NS, "VariableRef", targetGUID=guids("variable", name))
                text_el(vv, NS, "TextValue", writer.redactor.redact_field(value))
            for src in writer.case_sources.get(person.id, []):
                el(case, NS, "SourceRef", targetGUID=src)
            for sel in writer.case_selections.get(person.id, []):
                el(case, NS, "SelectionRef", targetGUID=sel)
    if writer.sources:
        el(root, NS, "Sources").extend(writer.sources)
    if writer.notes:
        notes_el = el(root, NS, "Notes")
        for note in writer.notes:
            note_el = el(
                notes_el,
                NS,
                "Note",
                guid=note.guid,
                name=note.name,
                creatingUser=writer.user(note.coder),
                creationDateTime=datetime_of(note.created, created),
            )
            text_el(note_el, NS, "PlainTextContent", note.text)
    if writer.sets:
        sets_el = el(root, NS, "Sets")
        for kommun, members in sorted(writer.sets.items()):
            set_el = el(sets_el, NS, "Set", guid=guids("kommun", kommun), name=kommun)
            text_el(set_el, NS, "Description", KOMMUN_SET)
            for member in members:
                el(set_el, NS, "MemberSource", targetGUID=member)
    for ref in writer.note_refs.get("project", []):
        el(root, NS, "NoteRef", targetGUID=ref)
    return root


def case_values(person: Participant) -> list[tuple[str, str]]:
    # Pseudonym, role, actor, kommun and free attributes: never the real name.
    out = [
        ("roll", person.role),
        ("aktör", person.actor.value if person.actor else ""),
        ("kommun", person.kommun or ""),
    ]
    out.extend((k, v) for k, v in sorted(person.attributes.items()))
    return [(k, str(v)) for k, v in out if str(v)]


def _variables(cases: Sequence[Participant]) -> list[str]:
    names: list[str] = []
    for person in cases:
        for name, _ in case_values(person):
            if name not in names:
                names.append(name)
    return names


def write_zip(target: Path, qde: bytes, pkg: Package) -> None:
    """Write the archive through the atomic writer: it replaces `target` whole or not at all."""
    with (
        atomic.open_for_write(target) as fh,
        zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED) as zf,
    ):
        zf.writestr(_info("project.qde"), qde, compress_type=zipfile.ZIP_DEFLATED)
        for name, data in sorted(pkg.blobs.items()):
            zf.writestr(_info(f"sources/{name}"), data, compress_type=zipfile.ZIP_DEFLATED)
        for name, src in sorted(pkg.files.items()):
            # Audio is compressed already; store it as is.
            info = _info(f"sources/{name}")
            info.compress_type = zipfile.ZIP_STORED
            info.file_size = src.stat().st_size
            with src.open("rb") as fin, zf.open(info, "w", force_zip64=True) as fout:
                shutil.copyfileobj(fin, fout, 1 << 20)


def _info(name: str) -> zipfile.ZipInfo:
    # A fixed timestamp keeps re-exports byte-identical when nothing changed.
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = 0o644 << 16
    return info
