"""What peers need from our REFI-QDA and CSV files, and what they send back.

Each export check encodes a constraint of a real tool, found by driving that tool on our
files (bench/peers/, docs/refi-qda.md): QualCoder 3.x/4.0 and Taguette 1.5.2. The import
fixtures in tests/fixtures/peers/ were written by those tools from the demo project.
"""

from __future__ import annotations

import csv
import io
import wave
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from qualkit.cli import main
from qualkit.errors import ImportFormatError
from qualkit.export.refi.codebook_csv import import_codebook_csv
from qualkit.export.refi.constants import KOMMUN_VARIABLE, PROJECT_NS
from qualkit.export.refi.importer import import_qdc, import_qdpx
from qualkit.export.refi.write import export_qdpx
from qualkit.model import Valence
from qualkit.project import Project, init_project, open_project

PEERS = Path(__file__).resolve().parents[1] / "fixtures" / "peers"
NS = {"q": PROJECT_NS}
Q = f"{{{PROJECT_NS}}}"
# Elements whose schema type has creatingUser and creationDateTime.
DATED = ("TextSource", "AudioSource", "Transcript", "PlainTextSelection", "Coding", "Note")


def qde(path: Path) -> ET.Element:
    with zipfile.ZipFile(path) as zf:
        return ET.fromstring(zf.read("project.qde"))


def with_audio(project: Project) -> None:
    """The demo recording gets an audio file, as when it was transcribed from audio."""
    wav = project.root / "audio" / "fokusgrupp_demo.wav"
    wav.parent.mkdir(exist_ok=True)
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\0\0" * 800)
    rec = project.store.recording_by_name("fokusgrupp_demo")
    assert rec is not None
    project.store.update_recording(rec.id, audio_path="audio/fokusgrupp_demo.wav")


# ----------------------------------------------------------------- export: QualCoder
def test_source_names_are_unique(demo_project: Project) -> None:
    # QualCoder keeps sources in a table with a unique name: two equal names end its import.
    with_audio(demo_project)
    root = qde(export_qdpx(demo_project).path)
    names = [s.get("name") for s in root.find("q:Sources", NS)]
    assert len(names) == len(set(names)) == 2
    assert root.find(".//q:AudioSource", NS).get("name") == "fokusgrupp_demo.wav"


def test_every_element_that_may_carry_a_creation_date_has_one(demo_project: Project) -> None:
    # QualCoder calls .replace() on creationDateTime of Transcripts and Notes.
    with_audio(demo_project)
    root = qde(export_qdpx(demo_project, speaker_selections=True).path)
    users = {u.get("guid") for u in root.iter(f"{Q}User")}
    seen = set()
    for tag in DATED:
        for node in root.iter(f"{Q}{tag}"):
            seen.add(tag)
            assert node.get("creationDateTime"), tag
            assert node.get("creatingUser") in users, tag
    assert seen == set(DATED)
    assert root.get("creationDateTime") and root.get("creatingUserGUID") in users


def test_coding_memo_is_in_the_selection_description(demo_project: Project) -> None:
    # QualCoder reads a coding's memo only from PlainTextSelection/Description.
    # The memo, and the partner actor on its own last line (the note qualkit writes).
    from qualkit.export.refi.constants import coding_note

    memos = {coding_note(c) for c in demo_project.codings() if c.memo or c.partner_actor}
    assert memos and any(c.partner_actor for c in demo_project.codings())
    root = qde(export_qdpx(demo_project).path)
    described = set()
    for sel in root.iter(f"{Q}PlainTextSelection"):
        codings = sel.findall("q:Coding", NS)
        if len(codings) == 1 and sel.find("q:Description", NS) is not None:
            described.add(sel.find("q:Description", NS).text)
            # The note stays for tools that read NoteRefs.
            assert codings[0].find("q:NoteRef", NS) is not None
    assert described == memos


def test_kommun_is_a_variable_on_each_source(demo_project: Project) -> None:
    # Tools without Sets (QualCoder) keep it as a file attribute.
    with_audio(demo_project)
    root = qde(export_qdpx(demo_project).path)
    variable = next(v for v in root.iter(f"{Q}Variable") if v.get("name") == KOMMUN_VARIABLE)
    for source in root.find("q:Sources", NS):
        values = [
            vv.find("q:TextValue", NS).text
            for vv in source.findall("q:VariableValue", NS)
            if vv.find("q:VariableRef", NS).get("targetGUID") == variable.get("guid")
        ]
        assert values == [demo_project.recording("fokusgrupp_demo").kommun]


def test_uncoded_turns_only_with_turns(demo_project: Project, tmp_path: Path) -> None:
    # QualCoder turns an uncoded selection into an empty annotation.
    plain = qde(export_qdpx(demo_project, tmp_path / "a.qdpx").path)
    assert all(s.find("q:Coding", NS) is not None for s in plain.iter(f"{Q}PlainTextSelection"))
    # A coded passage that is exactly a turn is still linked to its speaker's Case.
    assert any(True for _ in plain.iter(f"{Q}SelectionRef"))
    assert (
        main(
            [
                "export",
                "qdpx",
                "-p",
                str(demo_project.root),
                "-o",
                str(tmp_path / "t.qdpx"),
                "--turns",
            ]
        )
        == 0
    )
    turns = qde(tmp_path / "t.qdpx")
    uncoded = [s for s in turns.iter(f"{Q}PlainTextSelection") if s.find("q:Coding", NS) is None]
    assert len(uncoded) == len(demo_project.segments("fokusgrupp_demo")) - len(
        {c.segment_id for c in demo_project.codings()}
    )


def test_no_audio_writes_texts_only(demo_project: Project, tmp_path: Path) -> None:
    with_audio(demo_project)
    out = tmp_path / "t.qdpx"
    assert main(["export", "qdpx", "-p", str(demo_project.root), "-o", str(out), "--no-audio"]) == 0
    assert qde(out).find(".//q:AudioSource", NS) is None
    assert not [n for n in zipfile.ZipFile(out).namelist() if n.endswith(".wav")]


# ---------------------------------------------------------------- import: QualCoder
def _codings(p: Project) -> set[tuple[str, str, Valence, str, str]]:
    segs = {s.id: s.text for s in p.store.segments()}
    labels = {(cb, c.key): c.label_sv for cb in p.codebook_ids() for c in p.codebook(cb).codes}
    return {
        (segs[c.segment_id], labels[(c.codebook, c.code)], c.valence, c.coder, c.memo or "")
        for c in p.store.codings()
    }


def _speakers(p: Project) -> list[str]:
    names = {x.id: x.pseudonym for x in p.store.participants()}
    voices = {v.id: names.get(v.participant_id or 0, "") for v in p.store.speakers()}
    return [voices.get(s.speaker_id or 0, "") for s in p.store.segments()]


def test_round_trip_through_qualcoder_keeps_codings_speakers_kommun_memos(
    demo_project: Project, tmp_path: Path
) -> None:
    # The fixture is QualCoder's own export after importing our .qdpx of the demo project
    # (with its audio; the audio file itself is left out of the fixture to keep it small).
    init_project(tmp_path / "back").close()
    with open_project(tmp_path / "back") as back:
        summary = import_qdpx(back, PEERS / "qualcoder_export_of_demo.qdpx")
        assert summary.recordings == ("fokusgrupp_demo",)  # its transcript copy folded
        assert any("repeats the transcript" in w for w in summary.warnings)
        assert _codings(back) == _codings(demo_project)
        assert _speakers(back) == _speakers(demo_project)
        assert back.recording("fokusgrupp_demo").kommun == "Norrby"


def test_qualcoder_codebook_comes_back_whole(project: Project) -> None:
    # QualCoder's .qdc export (with a BOM) of our Danermark .qdc after importing it.
    summary = import_qdc(project, PEERS / "qualcoder_codebook_danermark.qdc")
    back = project.codebook(summary.codebook)
    original = project.codebook("danermark")
    assert [c.label_sv for c in back.codes] == [c.label_sv for c in original.codes]
    assert [c.label_en for c in back.codes] == [c.label_en for c in original.codes]
    assert all(c.colour and c.description for c in back.codes)


# ------------------------------------------------------------------ codebooks: CSV
def test_taguette_codebooks_import_with_valence_folded(project: Project) -> None:
    for name, importer in (
        ("taguette_codebook.csv", import_codebook_csv),
        ("taguette_codebook.qdc", import_qdc),
    ):
        summary = importer(project, PEERS / name)
        book = project.codebook(summary.codebook)
        assert len(book.codes) == 8, name
        assert not [c for c in book.codes if "–" in c.label_sv], name
        # Taguette's default tag is named in the summary, not added as a code.
        assert "interesting" not in {c.label_sv for c in book.codes}
        assert any("interesting" in w for w in summary.warnings), name


def test_codebook_csv_is_what_taguette_reads(demo_project: Project, tmp_path: Path) -> None:
    out = tmp_path / "danermark.csv"
    assert main(["codebook", "export", "-p", str(demo_project.root), "-o", str(out)]) == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # Taguette guesses encodings; a BOM settles it
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    header = [h.lower() for h in rows[0]]
    # Taguette: exactly one of tag/name/path names the tag; an optional description.
    assert sum(h in ("tag", "name", "path") for h in header) == 1 and "description" in header
    tags = [r[header.index("tag")] for r in rows[1:]]
    assert all(0 < len(t) <= 200 for t in tags)  # taguette.validate.tag_path
    book = demo_project.codebook("danermark")
    assert len(tags) == 4 * len(book.codes)  # each code and its three valence sub-codes
    # Back into qualkit: the same labels and tree, valence rows folded.
    summary = import_codebook_csv(demo_project, out)
    back = demo_project.codebook(summary.codebook)
    assert [c.label_sv for c in back.codes] == [c.label_sv for c in book.codes]
    parent = {c.label_sv: c.parent for c in back.codes}
    assert sum(p is not None for p in parent.values()) == sum(
        c.parent is not None for c in book.codes
    )


def test_flat_valence_codes_fold_into_their_code_with_codings(
    project: Project, tmp_path: Path
) -> None:
    ns = PROJECT_NS
    g = [f"00000000-0000-0000-0000-00000000000{i}" for i in range(10)]
    qde_text = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{ns}" name="flat" origin="Taguette-like"><CodeBook><Codes>
<Code guid="{g[1]}" name="Stabila organisationer" isCodable="true"/>
<Code guid="{g[2]}" name="Stabila organisationer – hindrande" isCodable="true"/>
<Code guid="{g[3]}" name="Annat – främjande" isCodable="true"/>
</Codes></CodeBook><Sources><TextSource guid="{g[4]}" name="fg">
<PlainTextContent>Handläggarna byts hela tiden.</PlainTextContent>
<PlainTextSelection guid="{g[5]}" startPosition="0" endPosition="29">
<Coding guid="{g[6]}"><CodeRef targetGUID="{g[2]}"/></Coding></PlainTextSelection>
<NoteRef targetGUID="{g[7]}"/></TextSource></Sources>
<Notes><Note guid="{g[7]}" name="tom"><PlainTextContent></PlainTextContent></Note></Notes>
</Project>"""
    path = tmp_path / "flat.qde"
    path.write_text(qde_text, encoding="utf-8")
    summary = import_qdpx(project, path)
    labels = [c.label_sv for c in project.codebook(summary.codebook).codes]
    # Folded only where the code it names is beside it.
    assert labels == ["Stabila organisationer", "Annat – främjande"]
    (coding,) = project.codings()
    assert coding.valence is Valence.HINDERING
    # The empty note is no memo.
    assert project.store.memos() == [] and any("empty notes" in w for w in summary.warnings)


@pytest.mark.parametrize("name", ["qualcoder_export_of_demo.qdpx"])
def test_peer_fixtures_are_small(name: str) -> None:
    assert (PEERS / name).stat().st_size < 64 * 1024


def test_a_code_of_ones_own_named_interesting_is_kept(project: Project, tmp_path: Path) -> None:
    # Only Taguette's files (its origin, its count column) carry its default tag.
    own = tmp_path / "egen.csv"
    own.write_text("tag,description\ninteresting,Vårt eget\nLedning,\n", encoding="utf-8")
    summary = import_codebook_csv(project, own)
    assert {c.label_sv for c in project.codebook(summary.codebook).codes} == {
        "interesting",
        "Ledning",
    }
    assert summary.warnings == ()
    used = tmp_path / "used.csv"
    used.write_text(
        "tag,description,number of highlights,number of documents\n"
        "interesting,Further review required,3,1\n",
        encoding="utf-8",
    )
    summary = import_codebook_csv(project, used)
    assert [c.label_sv for c in project.codebook(summary.codebook).codes] == ["interesting"]


def test_a_codebook_csv_with_a_quote_left_open_is_refused(project: Project, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text('tag,description\n"unclosed,x\nsecond,y\n', encoding="utf-8")
    with pytest.raises(ImportFormatError, match=r"bad.csv line \d+: not valid CSV"):
        import_codebook_csv(project, bad)
    assert not list(project.codebook_dir.glob("csv_bad*"))
