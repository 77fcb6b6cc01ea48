"""REFI-QDA exchange: schema-valid export, lenient import of real tool files, hostile files."""

from __future__ import annotations

import importlib.util
import io
import re
import shutil
import wave
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from qualkit.cli import main
from qualkit.errors import ImportFormatError
from qualkit.export.refi.codebook_write import export_qdc
from qualkit.export.refi.constants import PROJECT_NS, valence_code_name
from qualkit.export.refi.guids import guid_index, source_guid
from qualkit.export.refi.importer import import_qdc, import_qdpx, split_segments
from qualkit.export.refi.read import read_qdpx
from qualkit.export.refi.read_codes import code_targets, read_qdc
from qualkit.export.refi.records import Limits
from qualkit.export.refi.text import docx_text, turn_table
from qualkit.export.refi.write import export_qdpx
from qualkit.export.refi.xmlwrite import map_span
from qualkit.model import Actor, Consent, GroupType, Valence
from qualkit.privacy import Redactor
from qualkit.project import Project, init_project, open_project

_REPO = Path(__file__).resolve().parents[2]
# Beside the repository (a clone in /work/main) or beside the worktrees' folder (/work/wt/x).
REFI = next(
    (
        p
        for p in (_REPO.parent / "shared" / "refi-qda", _REPO.parent.parent / "shared" / "refi-qda")
        if p.is_dir()
    ),
    _REPO.parent / "shared" / "refi-qda",
)
FIXTURES = REFI / "fixtures"
needs_refi = pytest.mark.skipif(
    not (REFI / "validate.py").is_file(),
    reason=f"REFI-QDA schemas and fixtures not found at {REFI} (the shared reference kit)",
)
NS = {"q": PROJECT_NS}


@pytest.fixture(scope="module")
def validator() -> ModuleType:
    if not (REFI / "validate.py").is_file():
        pytest.skip(f"REFI-QDA validator not found at {REFI}")
    spec = importlib.util.spec_from_file_location("refi_validate", REFI / "validate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def schema_problems(validator: ModuleType, path: Path) -> list[str]:
    """XSD errors plus the package check (schemes, internal:// files present)."""
    data, _label, names = validator.read_input(str(path))
    tree = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    xsd_name, namespace = validator.SCHEMA_FOR_ROOT[etree.QName(tree).localname]
    assert etree.QName(tree).namespace == namespace
    schema = etree.XMLSchema(etree.parse(str(REFI / xsd_name)))
    problems = [] if schema.validate(tree) else [str(e) for e in schema.error_log]
    if names is not None:
        problems += validator.missing_internal_files(tree, names)
    return problems


def qde(path: Path) -> Any:
    with zipfile.ZipFile(path) as zf:
        return etree.fromstring(zf.read("project.qde"))


def source_text(path: Path, guid: str) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read(f"sources/{guid}.txt").decode("utf-8")


# ------------------------------------------------------------------------ export
@needs_refi
def test_exported_qdpx_and_qdc_validate(demo_project: Project, validator: ModuleType) -> None:
    result = export_qdpx(demo_project)
    assert result.codings == 15 and result.sources == 1
    assert schema_problems(validator, result.path) == []
    assert validator.main([str(result.path)]) == 0
    qdc = export_qdc(demo_project)
    assert schema_problems(validator, qdc) == []
    # Several codebooks: each becomes a folder code that cannot be applied.
    demo_project.add_coding("fokusgrupp_demo:3", "personal_genomforande", codebook="sjalvvardering")
    both = export_qdpx(demo_project, demo_project.exports_dir / "both.qdpx")
    assert schema_problems(validator, both.path) == []
    folders = qde(both.path).findall("q:CodeBook/q:Codes/q:Code", NS)
    assert [f.get("isCodable") for f in folders] == ["false", "false"]
    assert (
        schema_problems(validator, export_qdc(demo_project, codebook_ids=["danermark", "hinder"]))
        == []
    )
    # Lower-case project.qde and a flat sources/ folder (spec §8.1).
    with zipfile.ZipFile(result.path) as zf:
        names = zf.namelist()
    assert names[0] == "project.qde"
    assert all(n == "project.qde" or re.fullmatch(r"sources/[0-9A-F-]{36}\.\w+", n) for n in names)


def test_offsets_point_at_the_coded_text(demo_project: Project) -> None:
    path = export_qdpx(demo_project, speaker_selections=True).path
    root = qde(path)
    source = root.find(".//q:TextSource", NS)
    guid = source.get("guid")
    text = source_text(path, guid)
    segments = demo_project.segments("fokusgrupp_demo")
    assert text == "\n".join(s.text for s in segments)
    by_idx = {s.id: s for s in segments}
    coded = {by_idx[c.segment_id].text for c in demo_project.codings()}
    selections = source.findall("q:PlainTextSelection", NS)
    selected = {
        text[int(sel.get("startPosition")) : int(sel.get("endPosition"))]
        for sel in selections
        if sel.find("q:Coding", NS) is not None
    }
    assert selected == coded
    # Every turn of a named participant is a selection their Case refers to.
    turns = {
        r.get("targetGUID"): case.get("name")
        for case in root.findall(".//q:Case", NS)
        for r in case.findall("q:SelectionRef", NS)
    }
    assert len(turns) == len(segments) == len(selections)
    assert {sel.get("guid") for sel in selections} == turns.keys()


def test_guids_are_stable_across_exports(demo_project: Project, tmp_path: Path) -> None:
    first = export_qdpx(demo_project, tmp_path / "a.qdpx").path
    second = export_qdpx(demo_project, tmp_path / "b.qdpx").path
    assert first.read_bytes() == second.read_bytes()
    guids = [el.get("guid") for el in qde(first).iter() if el.get("guid")]
    assert len(guids) == len(set(guids))


def test_valence_becomes_sub_codes(demo_project: Project) -> None:
    root = qde(export_qdpx(demo_project).path)
    names = {c.get("guid"): c.get("name") for c in root.iter(f"{{{PROJECT_NS}}}Code")}
    ledning = demo_project.codebook("danermark").code("ledning").label_sv
    assert valence_code_name(ledning, Valence.HINDERING) in names.values()
    used = [names[ref.get("targetGUID")] for ref in root.iter(f"{{{PROJECT_NS}}}CodeRef")]
    assert used.count(valence_code_name(ledning, Valence.HINDERING)) == 2
    assert used.count(valence_code_name(ledning, Valence.PROMOTING)) == 1


def test_cases_sets_users_and_notes(demo_project: Project) -> None:
    first = demo_project.store.participants()[1]
    demo_project.store.update_participant(
        first.id, real_name="Agneta Ek", attributes={"ålder": "40-49"}
    )
    path = export_qdpx(demo_project).path
    raw = zipfile.ZipFile(path).read("project.qde").decode()
    assert "Agneta" not in raw
    root = qde(path)
    cases = root.findall(".//q:Case", NS)
    assert {c.get("name") for c in cases} == {
        p.pseudonym for p in demo_project.store.participants()
    }
    variables = {v.get("name") for v in root.findall(".//q:Variable", NS)}
    assert {"roll", "aktör", "kommun", "ålder"} <= variables
    kommun_set = root.find(".//q:Set", NS)
    assert kommun_set.get("name") == "Norrby"
    assert len(kommun_set.findall("q:MemberSource", NS)) == 1
    # Coders are labelled by default: a coder's name is a name.
    users = {u.get("name") for u in root.findall(".//q:User", NS)}
    assert "Kodare 1" in users and "demo" not in users
    # Coding memos are notes, referenced from their codings.
    notes = {n.get("guid"): n for n in root.findall(".//q:Note", NS)}
    memo_refs = [r.get("targetGUID") for r in root.findall(".//q:Coding/q:NoteRef", NS)]
    # A coding with a memo or a partner actor (its last line) has a note.
    with_note = [c for c in demo_project.codings() if c.memo or c.partner_actor]
    assert len(memo_refs) == len(with_note) and all(r in notes for r in memo_refs)
    texts = {notes[r].findtext("q:PlainTextContent", namespaces=NS) for r in memo_refs}
    assert "Hospitering gav förtroende." in texts


def test_the_turn_table_is_not_redacted_as_text(project: Project) -> None:
    """Times and offsets are no phone numbers: the row "2<tab>00:01:00–00:01:03<tab>712–902"
    once lost "03<tab>712–902" to "[telefonnummer]"."""
    rec = project.store.add_recording("fg", kommun="Norrby")
    first, second, third = "ord " * 177 + "sis", "ja " * 63 + "j", "Ring 070-123 45 67."
    assert (len(first), len(second)) == (711, 190)
    project.store.replace_segments(
        rec.id,
        [
            ("A", first, 0.0, 59.0, (), False),
            ("B", second, 60.0, 63.0, (), False),
            ("A", third, 64.0, 66.0, (), False),
        ],
    )
    root = qde(export_qdpx(project).path)
    table = next(
        n.findtext("q:PlainTextContent", namespaces=NS)
        for n in root.findall(".//q:Note", NS)
        if n.get("name", "").startswith("Talare och tider")
    )
    assert [(r.start, r.end) for r in turn_table(table)][:2] == [(0, 711), (712, 902)]
    assert "telefonnummer" not in table
    # The text itself is still redacted.
    assert "070-123" not in zipfile.ZipFile(export_qdpx(project).path).read("project.qde").decode()


@needs_refi
def test_redaction_and_withdrawn_consent_keep_offsets(
    demo_project: Project, validator: ModuleType
) -> None:
    store = demo_project.store
    segments = demo_project.segments("fokusgrupp_demo")
    # A name in the text, a span coding after it, and a withdrawn speaker.
    store.update_segment_text(segments[2].id, "Jag heter Bertil Nilsson och mötena är bra för oss.")
    store.set_pseudonym("name", "Bertil Nilsson", "[namn]", "accepted")
    target = "mötena är bra"
    start = segments[2].id and "Jag heter Bertil Nilsson och mötena är bra för oss.".index(target)
    demo_project.add_coding(
        segments[2].id, "forum_beslut", coder="anna", span=(start, start + len(target))
    )
    withdrawn = store.speakers()[0]
    assert withdrawn.participant_id is not None
    store.update_participant(withdrawn.participant_id, consent=Consent.WITHDRAWN)
    gone = [s for s in segments if s.speaker_id == withdrawn.id]
    result = export_qdpx(demo_project)
    assert schema_problems(validator, result.path) == []
    root = qde(result.path)
    text = source_text(result.path, root.find(".//q:TextSource", NS).get("guid"))
    assert "Bertil" not in text and "[namn]" in text
    assert all(s.text not in text for s in gone)
    withdrawn_codings = [c for c in demo_project.codings() if c.segment_id in {s.id for s in gone}]
    assert result.skipped_codings == len(withdrawn_codings) > 0
    spans = {
        text[int(s.get("startPosition")) : int(s.get("endPosition"))]
        for s in root.iter(f"{{{PROJECT_NS}}}PlainTextSelection")
    }
    assert target in spans
    pseudonym = store.participant(withdrawn.participant_id).pseudonym
    assert pseudonym not in {c.get("name") for c in root.findall(".//q:Case", NS)}


def test_map_span_follows_redaction() -> None:
    red = Redactor(((re.compile("Bertil Nilsson"), "[namn]"),))
    original = "Bertil Nilsson sa att mötena är bra."
    a, b = map_span(original, (22, 35), red.redact)
    assert red.redact(original)[a:b] == "mötena är bra"


@needs_refi
def test_audio_source_with_transcript_sync_points(
    project: Project, tmp_path: Path, validator: ModuleType
) -> None:
    wav = project.audio_dir / "fg.wav"
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\0\0" * 800)
    rec = project.import_audio(
        wav, kommun="Eksjö", group_type=GroupType.CHEFER, date="2026-03-14", guide="Guide B"
    )
    project.store.update_recording(rec.id, duration_s=3.25)  # what the audio stage records
    project.store.replace_segments(
        rec.id,
        [
            ("Annika", "Hej och välkomna.", 0.0, 1.5, (), False),
            ("Bosse", "Tack, vi samverkar.", 1.5, 3.25, (), False),
        ],
    )
    result = export_qdpx(project)
    assert schema_problems(validator, result.path) == []
    root = qde(result.path)
    # Unnamed voices keep their transcript labels (often first names) out of the file.
    raw = zipfile.ZipFile(result.path).read("project.qde").decode()
    assert "Annika" not in raw and "Röst 2" in raw
    audio = root.find(".//q:AudioSource", NS)
    assert audio.get("path").startswith("internal://") and audio.get("path").endswith(".wav")
    points = [
        (int(p.get("timeStamp")), int(p.get("position")))
        for p in audio.iter(f"{{{PROJECT_NS}}}SyncPoint")
    ]
    assert points == [(0, 0), (1500, 17), (1500, 18), (3250, 37)]
    # The sync points bring the times back on import.
    init_project(tmp_path / "back").close()
    with open_project(tmp_path / "back") as back:
        import_qdpx(back, result.path)
        assert [(s.start, s.end) for s in back.segments("fg")] == [(0.0, 1.5), (1.5, 3.25)]
        # The recording's facts come back from the sources' variables (REFI-QDA has no
        # field for them); the length too, though the audio itself is not imported.
        again = back.recording("fg")
        assert (again.kommun, again.group_type, again.date, again.guide) == (
            "Eksjö",
            GroupType.CHEFER,
            "2026-03-14",
            "Guide B",
        )
        assert again.duration_s == pytest.approx(3.2, abs=0.06)
    kinds = {v.get("name"): v.get("typeOfVariable") for v in root.iter(f"{{{PROJECT_NS}}}Variable")}
    assert kinds["datum"] == "Date" and kinds["längd_s"] == "Float"
    assert kinds["grupptyp"] == "Text" and kinds["intervjuguide"] == "Text"
    # Too big for the archive: referenced next to the project instead.
    big = export_qdpx(project, tmp_path / "big.qdpx", max_internal_bytes=10)
    audio = qde(big.path).find(".//q:AudioSource", NS)
    assert audio.get("path") == "relative:///audio/fg.wav"


# -------------------------------------------------------------------- round trip
def test_round_trip_keeps_sources_codes_and_codings(demo_project: Project, tmp_path: Path) -> None:
    demo_project.add_coding("fokusgrupp_demo:6", "individ", coder="anna", span=(4, 12))
    path = export_qdpx(demo_project, coder_names=True).path
    init_project(tmp_path / "other").close()
    with open_project(tmp_path / "other") as other:
        summary = import_qdpx(other, path)
        assert summary.codings == 16 and summary.skipped_codings == 0
        assert summary.recordings == ("fokusgrupp_demo",)
        assert set(summary.coders) >= {"demo", "anna"} and "qualkit" not in summary.coders
        original_segments = [s.text for s in demo_project.segments("fokusgrupp_demo")]
        assert [s.text for s in other.segments("fokusgrupp_demo")] == original_segments

        book = other.codebook(summary.codebook)
        source = demo_project.codebook("danermark")
        assert [(c.label_sv, c.label_en, c.description, c.colour) for c in book.codes] == [
            (c.label_sv, c.label_en, c.description, c.colour) for c in source.codes
        ]

        def label_of(cb: Any, key: str | None) -> str | None:
            return cb.code(key).label_sv if key else None

        assert [label_of(book, c.parent) for c in book.codes] == [
            label_of(source, c.parent) for c in source.codes
        ]

        def codings(p: Project, cb: Any) -> set[tuple[Any, ...]]:
            idx = {s.id: s.idx for s in p.segments()}
            return {
                (
                    idx[c.segment_id],
                    cb.code(c.code).label_sv,
                    c.valence,
                    c.coder,
                    c.span_start,
                    c.span_end,
                )
                for c in p.codings()
            }

        assert codings(other, book) == codings(demo_project, source)
        memos = {c.memo for c in other.codings() if c.memo}
        assert "Hospitering gav förtroende." in memos

        def speakers(p: Project) -> list[str | None]:
            names = {x.id: x.pseudonym for x in p.store.participants()}
            voices = {v.id: names.get(v.participant_id or 0) for v in p.store.speakers()}
            return [voices.get(s.speaker_id or 0) for s in p.segments("fokusgrupp_demo")]

        assert speakers(other) == speakers(demo_project)
        assert None not in speakers(other)
        people = {p.pseudonym: p for p in other.store.participants()}
        assert people.keys() == {p.pseudonym for p in demo_project.store.participants()}
        assert any(p.actor is Actor.FK for p in people.values())
        assert other.recording("fokusgrupp_demo").kommun == "Norrby"


def test_read_back_own_export_without_side_effects(demo_project: Project) -> None:
    """What coder-merge does: read an export and resolve GUIDs to codes and valence."""
    path = export_qdpx(demo_project, coder_names=True).path
    refi = read_qdpx(path)
    targets = code_targets(refi.codes)
    index = guid_index(demo_project)
    rec = demo_project.recording("fokusgrupp_demo")
    assert [s.guid for s in refi.sources] == [source_guid(demo_project, rec.id)]
    text = refi.sources[0].text
    segments = demo_project.segments(rec.id)
    starts = [sum(len(s.text) + 1 for s in segments[:i]) for i in range(len(segments))]
    read = set()
    for c in refi.codings:
        base, valence = targets[c.code]
        cb, key, none = index[base]
        assert none is Valence.NONE and index[c.code] == (cb, key, valence)
        read.add((starts.index(c.start), key, valence, c.user, text[c.start : c.end]))
    by_id = {s.id: s for s in segments}
    assert read == {
        (by_id[c.segment_id].idx, c.code, c.valence, c.coder, by_id[c.segment_id].text)
        for c in demo_project.codings()
    }
    assert any(n.startswith("Tur\tTid") for n in refi.sources[0].notes)


def test_qdc_round_trip(demo_project: Project) -> None:
    path = export_qdc(demo_project, codebook_ids=["sjalvvardering"])
    summary = import_qdc(demo_project, path)
    book = demo_project.codebook(summary.codebook)
    source = demo_project.codebook("sjalvvardering")
    assert [c.label_sv for c in book.codes] == [c.label_sv for c in source.codes]
    # Reopening re-reads the written YAML: it must be a valid codebook file.
    demo_project.close()
    with open_project(demo_project.root) as again:
        assert summary.codebook in again.codebook_ids()


def test_split_segments_keeps_offsets() -> None:
    text = "  Första raden\r\n\r\nAndra\n"
    assert [(o, t, text[o : o + len(t)]) for o, t in split_segments(text)] == [
        (2, "Första raden", "Första raden"),
        (18, "Andra", "Andra"),
    ]


# ---------------------------------------------------------- real files from tools
FIXTURE_COUNTS = {
    # file: (codes, sources, codings in file, users, imported codes, recordings, codings placed)
    "nvivo_win12_oltas0517.qdpx": (152, 2, 303, 2, 152, 2, 303),
    "nvivo_mac15_qc_project.qdpx": (262, 2, 0, 2, 262, 0, 0),
    "atlasti_win23_target_project.qdpx": (3, 0, 0, 2, 3, 0, 0),
    "atlasti_mac8_refi_spec_example.qdpx": (14, 8, 9, 3, 14, 0, 0),
    "maxqda24_icls_themes_just10.qdpx": (307, 10, 0, 1, 307, 10, 0),
}


@needs_refi
@pytest.mark.parametrize("name", sorted(FIXTURE_COUNTS))
def test_fixture_imports(name: str, project: Project) -> None:
    codes, sources, codings, users, imported_codes, recordings, placed = FIXTURE_COUNTS[name]
    refi = read_qdpx(FIXTURES / name)
    assert (len(refi.codes), len(refi.sources), len(refi.codings), len(refi.users)) == (
        codes,
        sources,
        codings,
        users,
    )
    summary = import_qdpx(project, FIXTURES / name)
    assert (summary.codes, len(summary.recordings), summary.codings) == (
        imported_codes,
        recordings,
        placed,
    )
    assert summary.codebook == "refi_" + name.removesuffix(".qdpx")
    # Other tools' sets are document groups, not kommunområden.
    assert all(r.kommun is None for r in project.recordings())
    assert len(project.codings(codebook=summary.codebook)) == placed


@needs_refi
def test_nvivo_offsets_are_utf16_units() -> None:
    refi = read_qdpx(FIXTURES / "nvivo_win12_oltas0517.qdpx")
    assert len(refi.utf16_sources) == 1  # the other source has no selections
    texts = {s.guid: s.text for s in refi.sources}
    starts = sum(1 for c in refi.codings if c.start == 0 or texts[c.source][c.start - 1].isspace())
    ends = sum(1 for c in refi.codings if texts[c.source][c.end : c.end + 2] == "\r\n")
    assert (starts, ends) == (300, 281)
    assert all(not texts[s].startswith("\ufeff") for s in texts)
    users = {c.user for c in refi.codings}
    assert users <= {u.name for u in refi.users}


@needs_refi
def test_missing_sources_and_empty_text_are_reported(project: Project) -> None:
    spec = import_qdpx(project, FIXTURES / "atlasti_mac8_refi_spec_example.qdpx")
    assert spec.skipped_codings == 9
    assert sum("not in the archive" in w for w in spec.warnings) == 8
    refi = read_qdpx(FIXTURES / "atlasti_mac8_refi_spec_example.qdpx")
    assert len(refi.sets) == 16 and refi.sets[0].name
    mac = import_qdpx(project, FIXTURES / "nvivo_mac15_qc_project.qdpx")
    assert sum("has no text" in w for w in mac.warnings) == 2
    assert all(s.from_docx for s in read_qdpx(FIXTURES / "nvivo_mac15_qc_project.qdpx").sources)


@needs_refi
def test_taguette_qdc_with_empty_sets(project: Project) -> None:
    origin, codes = read_qdc(FIXTURES / "taguette141_codebook.qdc")
    assert origin == "Taguette 1.4.1" and [c.name for c in codes] == [
        "xsd:element name",
        "CodeBook",
        "Variables",
    ]
    summary = import_qdc(project, FIXTURES / "taguette141_codebook.qdc")
    assert summary.codes == 3
    assert [c.key for c in project.codebook(summary.codebook).codes] == [
        "xsd_element_name",
        "codebook",
        "variables",
    ]


def test_lenient_project_without_scheme_bom_and_braced_guids(
    project: Project, tmp_path: Path
) -> None:
    qde_text = f"""<?xml version="1.0" encoding="UTF-8"?>
<Project xmlns="{PROJECT_NS}" name="hand">
 <Users><User guid="{{aaaaaaaa-0000-0000-0000-000000000001}}" name="Kim"/></Users>
 <CodeBook><Codes>
  <Code guid="C0000000-0000-0000-0000-000000000001" name="Trust" isCodable="1" color="#abc"/>
 </Codes></CodeBook>
 <Sources>
  <TextSource guid="50000000-0000-0000-0000-000000000001" plainTextPath="notes.txt">
   <PlainTextSelection guid="51000000-0000-0000-0000-000000000001" startPosition="0" endPosition="9"
     creatingUser="AAAAAAAA-0000-0000-0000-000000000001">
    <Coding guid="52000000-0000-0000-0000-000000000001"
      creatingUser="aaaaaaaa-0000-0000-0000-000000000001">
     <CodeRef targetGUID="c0000000-0000-0000-0000-000000000001"/></Coding>
   </PlainTextSelection>
  </TextSource>
 </Sources>
 <Sets/>
</Project>"""
    path = tmp_path / "hand.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("Project.QDE", qde_text)
        zf.writestr("Sources/notes.txt", "\ufefffirst one\r\nsecond line\r\n".encode())
    summary = import_qdpx(project, path)
    assert summary.codings == 1 and summary.coders == ("Kim",)
    coding = project.codings(codebook=summary.codebook)[0]
    assert coding.span_start is None  # the whole first line
    assert project.segment(coding.segment_id).text == "first one"


# ------------------------------------------------------------------- hostile files
def zip_with(tmp_path: Path, members: dict[str, bytes], name: str = "evil.qdpx") -> Path:
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for member, data in members.items():
            zf.writestr(member, data)
    return path


MINIMAL = f'<Project xmlns="{PROJECT_NS}" name="x"/>'.encode()


def test_zip_slip_is_refused(project: Project, tmp_path: Path) -> None:
    path = zip_with(tmp_path, {"project.qde": MINIMAL, "sources/../../etc/evil.txt": b"x"})
    with pytest.raises(ImportFormatError, match=r"evil\.qdpx: refused: .*outside"):
        import_qdpx(project, path)
    path = zip_with(tmp_path, {"project.qde": MINIMAL, "/abs.txt": b"x"}, "abs.qdpx")
    with pytest.raises(ImportFormatError, match="outside"):
        read_qdpx(path)


def test_billion_laughs_is_refused(project: Project, tmp_path: Path) -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        b'<Project xmlns="urn:QDA-XML:project:1.0" name="&lol3;"/>'
    )
    path = zip_with(tmp_path, {"project.qde": bomb})
    with pytest.raises(ImportFormatError, match=r"evil\.qdpx: refused: .*entities"):
        import_qdpx(project, path)
    qdc = tmp_path / "evil.qdc"
    qdc.write_bytes(bomb.replace(b"Project", b"CodeBook"))
    with pytest.raises(ImportFormatError, match=r"evil\.qdc"):
        import_qdc(project, qdc)


def test_external_entity_is_refused(tmp_path: Path) -> None:
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<Project xmlns="urn:QDA-XML:project:1.0" name="&x;"/>'
    )
    with pytest.raises(ImportFormatError, match="refused"):
        read_qdpx(zip_with(tmp_path, {"project.qde": xxe}))


def test_oversized_members_are_refused(tmp_path: Path) -> None:
    path = zip_with(tmp_path, {"project.qde": MINIMAL + b" " * 5000})
    with pytest.raises(ImportFormatError, match=r"evil\.qdpx: refused: project\.qde would unpack"):
        read_qdpx(path, Limits(max_xml_bytes=1000))
    # A header that lies about the size is caught while reading.
    buf = io.BytesIO(path.read_bytes())
    info = zipfile.ZipFile(buf).infolist()[0]
    lying = tmp_path / "lying.qdpx"
    data = bytearray(path.read_bytes())
    # Patch the central directory's uncompressed size down to 10 bytes.
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 24 : cd + 28] = (10).to_bytes(4, "little")
    lying.write_bytes(bytes(data))
    assert info.file_size > 1000
    with pytest.raises(ImportFormatError, match=r"lying\.qdpx"):
        read_qdpx(lying, Limits(max_xml_bytes=1000))


def test_too_many_entries_and_non_zip_are_refused(tmp_path: Path) -> None:
    members = {"project.qde": MINIMAL, **{f"sources/{i}.txt": b"" for i in range(20)}}
    with pytest.raises(ImportFormatError, match="21 entries"):
        read_qdpx(zip_with(tmp_path, members), Limits(max_entries=10))
    junk = tmp_path / "junk.qdpx"
    junk.write_bytes(b"not a zip, not xml")
    with pytest.raises(ImportFormatError, match=r"junk\.qdpx"):
        read_qdpx(junk)
    text = tmp_path / "book.qdc"
    text.write_text('<Project xmlns="urn:QDA-XML:project:1.0" name="p"><Users/></Project>')
    _origin, codes = read_qdc(text)
    assert codes == []


# --------------------------------------------------------------------------- CLI
@needs_refi
def test_cli_export_and_import(
    demo_project: Project, tmp_path: Path, validator: ModuleType
) -> None:
    root = str(demo_project.root)
    out = tmp_path / "fg.qdpx"
    assert main(["export", "qdpx", "-p", root, "-o", str(out)]) == 0
    assert validator.main([str(out)]) == 0
    assert main(["export", "qdc", "-p", root, "--codebook", "danermark"]) == 0
    assert (demo_project.exports_dir / "danermark.qdc").is_file()
    assert main(["export", "qdc", "-p", root, "--codebook", "nope"]) == 2
    target = tmp_path / "t"
    init_project(target).close()
    assert main(["exchange-import", "-p", str(target), str(out)]) == 0
    fixture = tmp_path / "n.qdpx"
    shutil.copy(FIXTURES / "atlasti_win23_target_project.qdpx", fixture)
    assert main(["exchange-import", "-p", str(target), str(fixture), "--codebook-id", "atl"]) == 0
    with open_project(target) as p:
        assert "atl" in p.codebook_ids() and len(p.codings()) == 15
    assert main(["exchange-import", "-p", str(target), str(tmp_path / "x.docx")]) == 2


@needs_refi
def test_failed_import_leaves_nothing_behind(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise ImportFormatError("simulated failure")

    monkeypatch.setattr(project.store, "insert_coding", broken)
    with pytest.raises(ImportFormatError, match="simulated"):
        import_qdpx(project, FIXTURES / "nvivo_win12_oltas0517.qdpx")
    assert project.recordings() == []
    assert not list(project.codebook_dir.glob("refi_*.yaml"))
    assert "refi_nvivo_win12_oltas0517" not in project.codebook_ids()


def test_rich_text_only_source_is_read_from_docx(project: Project, tmp_path: Path) -> None:
    from docx import Document

    doc = Document()
    doc.add_paragraph("Vi träffas varannan vecka.")
    doc.add_paragraph("Chefen backar upp.")
    buf = io.BytesIO()
    doc.save(buf)
    qde_text = f"""<Project xmlns="{PROJECT_NS}" name="docx">
 <CodeBook><Codes>
  <Code guid="C0000000-0000-0000-0000-000000000001" name="Ledning" isCodable="true"/>
 </Codes></CodeBook>
 <Sources>
  <TextSource guid="50000000-0000-0000-0000-000000000001" name="Intervju"
    richTextPath="internal://50000000-0000-0000-0000-000000000001.docx">
   <PlainTextSelection guid="51000000-0000-0000-0000-000000000001" startPosition="27"
     endPosition="33">
    <Coding guid="52000000-0000-0000-0000-000000000001">
     <CodeRef targetGUID="C0000000-0000-0000-0000-000000000001"/></Coding>
   </PlainTextSelection>
  </TextSource>
 </Sources>
</Project>"""
    path = zip_with(
        tmp_path,
        {
            "project.qde": qde_text.encode(),
            "sources/50000000-0000-0000-0000-000000000001.docx": buf.getvalue(),
        },
        "docx.qdpx",
    )
    with pytest.raises(ImportFormatError, match=r"refused: a \.docx source unpacks to too much"):
        docx_text(buf.getvalue(), "docx.qdpx", Limits(max_text_bytes=20_000))
    refi = read_qdpx(path)
    assert refi.sources[0].from_docx
    assert refi.sources[0].text == "Vi träffas varannan vecka.\nChefen backar upp."
    summary = import_qdpx(project, path)
    coding = project.codings(codebook=summary.codebook)[0]
    assert (coding.span_start, coding.span_end, coding.coder) == (0, 6, "refi")
    assert project.segment(coding.segment_id).text == "Chefen backar upp."


TOKENS = [*"abc åäö.,!?-", "😀", "👍🏽", "𝄞", "Bertil", " Bertil "]
segment_texts = st.lists(
    st.lists(st.sampled_from(TOKENS), min_size=1, max_size=12)
    .map("".join)
    .filter(lambda t: t.strip() == t != ""),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(texts=segment_texts, data=st.data())
def test_exported_offsets_survive_emoji_and_redaction(
    tmp_path_factory: pytest.TempPathFactory, texts: list[str], data: st.DataObject
) -> None:
    """Whatever the text, every selection read back covers exactly the coded (redacted) text."""
    root = tmp_path_factory.mktemp("prop")
    with init_project(root / "p") as project:
        project.store.set_pseudonym("name", "Bertil", "[namn]", "accepted")
        rec = project.store.add_recording("r")
        project.store.replace_segments(rec.id, [(None, t, None, None, (), False) for t in texts])
        red = Redactor.for_project(project)
        expected = set()
        for seg in project.segments("r"):
            if data.draw(st.booleans()):
                project.add_coding(seg.id, "ledning", coder="c")
                expected.add(red.redact(seg.text))
            elif len(seg.text) > 1:
                a = data.draw(st.integers(0, len(seg.text) - 1))
                b = data.draw(st.integers(a + 1, len(seg.text)))
                project.add_coding(seg.id, "individ", coder="c", span=(a, b))
                if "Bertil" not in seg.text:  # a span cutting a name keeps its context
                    expected.add(seg.text[a:b])
        path = export_qdpx(project, speaker_selections=False).path
        refi = read_qdpx(path)
        text = refi.sources[0].text
        assert text == "\n".join(red.redact(t) for t in texts)
        assert refi.utf16_sources == ()
        got = {text[c.start : c.end] for c in refi.codings}
        assert len(refi.codings) == len(project.codings())
        assert got >= expected


@needs_refi
def test_exports_with_audio_turns_or_text_only_stay_schema_valid(
    demo_project: Project, tmp_path: Path, validator: ModuleType
) -> None:
    wav = demo_project.root / "audio" / "fg.wav"
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\0\0" * 800)
    rec = demo_project.recording("fokusgrupp_demo")
    demo_project.store.update_recording(rec.id, audio_path="audio/fg.wav")
    turns = export_qdpx(demo_project, tmp_path / "turns.qdpx", speaker_selections=True).path
    text = export_qdpx(demo_project, tmp_path / "text.qdpx", audio=False).path
    assert schema_problems(validator, turns) == []
    assert schema_problems(validator, text) == []


def test_recording_facts_from_other_tools_are_checked() -> None:
    """A peer's malformed date, group or length is left out with a warning, never fatal."""
    from qualkit.export.refi.facts import recording_fields

    warnings: list[str] = []
    fields = recording_fields(
        {"datum": "14/3", "grupptyp": "styrgrupp", "längd_s": "nan", "kommunområde": "Eksjö"},
        "intervju 1",
        warnings,
    )
    assert fields == {"kommun": "Eksjö"}
    assert len(warnings) == 3 and all("intervju 1" in w for w in warnings)
    fields = recording_fields(
        {"datum": "2026-03-14T10:00:00", "grupptyp": "Managers", "längd_s": "61.5"}, "x", []
    )
    assert fields == {"date": "2026-03-14", "group_type": GroupType.CHEFER, "duration_s": 61.5}


def test_partner_actor_travels_in_the_coding_note(project: Project, tmp_path: Path) -> None:
    """REFI-QDA has no field for the actor a passage speaks about; it rides on the last
    line of the coding's note and comes back as the partner, the memo intact."""
    src = tmp_path / "fg.txt"
    src.write_text("Moderator: Hej.\nEva: FK ringer aldrig tillbaka.\n", encoding="utf-8")
    project.import_transcript(src, name="fg")
    coding = project.add_coding("fg:2", "arbetsstruktur", valence="hindrande", coder="anna")
    project.store.set_partner_actor(coding.id, "FK")
    project.add_coding("fg:2", "ledning", coder="anna", memo="Om ledningen.")
    path = export_qdpx(project).path
    init_project(tmp_path / "back").close()
    with open_project(tmp_path / "back") as back:
        import_qdpx(back, path)
        got = sorted(back.codings(), key=lambda c: c.partner_actor or "")
        assert [(c.partner_actor, c.memo) for c in got] == [(None, "Om ledningen."), ("FK", None)]
