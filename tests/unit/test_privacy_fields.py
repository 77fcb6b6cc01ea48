"""Fields typed by people (pseudonyms, roles, coder names, recording names) and coded spans
never carry personal data into the tabular, transcript and exchange exports, and every
export writes the same label for the same thing.

Nobody scans or reviews anything: default settings only.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from qualkit.analysis.cluster import ClusterProposal
from qualkit.cli import main
from qualkit.export.clusters import exportable_proposals
from qualkit.export.fields import coder_labels, redacted_span
from qualkit.model import Consent
from qualkit.privacy import set_consent
from qualkit.project import Project
from qualkit.redaction import Redactor

PSEUDONYM = "Björn B"
ROLE = "kurator hos Gunborg"
CODERS = ("Kalle Persson", "anna.svensson")
RECORDING = "intervju Mona Nilsson 850709-1234 tel 070-123 45 67"
SPAN_SENTENCE = "Vi ringde Svensson på FK i går, och handläggaren lovade svara."
SPAN_START = "Svensson på FK"
CONTACT = "Nå mig på lisa.berg@kommun.se eller 070-765 43 21."
SECRETS = (
    "Björn",
    "Gunborg",
    "Kalle",
    "Persson",
    "anna.svensson",
    "Mona",
    "Nilsson",
    "850709-1234",
    "070-123 45 67",
    "Svensson",
    "lisa.berg@kommun.se",
    "070-765 43 21",
)


def plant(project: Project) -> dict[str, int]:
    store = project.store
    rec = project.recording("fokusgrupp_demo")
    people = sorted(store.participants(), key=lambda p: p.id)
    store.update_participant(people[0].id, pseudonym=PSEUDONYM, role=ROLE)
    # No role and no actor: the turn table must not say "Deltagare 10 (Deltagare 10)".
    store.update_participant(people[1].id, role="", actor=None)
    segs = project.segments("fokusgrupp_demo")
    store.update_segment_text(segs[4].id, SPAN_SENTENCE)
    store.update_segment_text(segs[5].id, segs[5].text + " " + CONTACT)
    start = SPAN_SENTENCE.index(SPAN_START)
    span = project.add_coding(
        segs[4].id, "ledning", coder=CODERS[0], span=(start, start + len(SPAN_START) + 10)
    )
    project.add_coding(segs[5].id, "ledning", coder=CODERS[1], valence="hindrande")
    project.update_recording(rec.id, name=RECORDING)
    return {"recording": rec.id, "span_coding": span.id, "segment": segs[4].id}


def unpacked(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        return "\n".join(zf.read(n).decode("utf-8", "replace") for n in zf.namelist())


def leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


def rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


@pytest.fixture
def planted(demo_project: Project) -> tuple[Project, dict[str, int]]:
    return demo_project, plant(demo_project)


def test_every_field_is_redacted_in_every_export(planted: tuple[Project, dict[str, int]]) -> None:
    project, ids = planted
    root = str(project.root)
    # A code the team named after a person, coded once: its label is typed text too.
    assert main(["codebook", "add", "-p", root, "janne_kod", "Jannes idé (Janne Lindqvist)"]) == 0
    project.add_coding(ids["segment"], "janne_kod", coder=CODERS[0])
    for argv in (
        ["export", "csv"],
        ["export", "xlsx"],
        ["export", "qdpx", "--turns"],
        ["export", "transcript", str(ids["recording"]), "-f", "txt"],
        ["export", "transcript", str(ids["recording"]), "-f", "docx"],
    ):
        assert main([*argv, "-p", root]) == 0, argv
    files = sorted(p for p in project.exports_dir.rglob("*") if p.is_file())
    assert {p.suffix for p in files} == {".csv", ".xlsx", ".qdpx", ".txt", ".docx"}
    for path in files:
        assert leaks(path.name) == [], path.name  # transcript file names too
        text = unpacked(path) if path.suffix in {".xlsx", ".qdpx", ".docx"} else path.read_text()
        assert leaks(text) == [], path.name
        assert "Lindqvist" not in text, path.name


def test_exports_agree_on_pseudonyms_roles_and_coders(
    planted: tuple[Project, dict[str, int]],
) -> None:
    project, ids = planted
    root = str(project.root)
    for argv in (["export", "csv"], ["export", "xlsx"], ["export", "qdpx"]):
        assert main([*argv, "-p", root]) == 0
    assert main(["export", "transcript", str(ids["recording"]), "-f", "txt", "-p", root]) == 0
    red = Redactor.for_project(project)
    name, role = red.redact(PSEUDONYM), red.redact(ROLE)
    assert re.fullmatch(r"\[Namn \d+\] B", name) and re.search(r"\[Namn \d+\]", role)

    participants = rows(project.exports_dir / "participants.csv")
    assert {"pseudonym": name, "role": role}.items() <= participants[0].items()
    segments = rows(project.exports_dir / "segments.csv")
    assert name in {r["participant"] for r in segments}
    codings = rows(project.exports_dir / "codings.csv")
    labels = coder_labels(project)
    assert {labels(c) for c in CODERS} <= {r["coder"] for r in codings}
    assert all(re.fullmatch(r"Kodare \d+", r["coder"]) for r in codings)

    from openpyxl import load_workbook

    wb = load_workbook(project.exports_dir / "qualkit.xlsx")
    sheet = list(wb["Kodningar"].iter_rows(values_only=True))
    head = {h: i for i, h in enumerate(sheet[0])}
    assert {r[head["Kodare"]] for r in sheet[1:]} == {r["coder"] for r in codings}
    assert name in {r[head["Deltagare"]] for r in sheet[1:]}
    mine = [r for r in sheet[1:] if r[head["Deltagare"]] == name]
    assert mine and all(r[head["Roll"]] == role for r in mine)
    assert all(str(r[head["Citeras som"]]).startswith(role) for r in mine)
    people = list(wb["Deltagare"].iter_rows(values_only=True))
    assert (name, role) in {(r[0], r[1]) for r in people[1:]}

    with zipfile.ZipFile(project.exports_dir / f"{project.root.name}.qdpx") as zf:
        root_el = etree.fromstring(zf.read("project.qde"))
    ns = {"q": root_el.nsmap[None]}
    assert name in [c.get("name") for c in root_el.findall(".//q:Case", ns)]
    users = {u.get("name") for u in root_el.findall(".//q:User", ns)}
    assert users == {r["coder"] for r in codings} | {"qualkit"}
    table = "".join(d.text or "" for d in root_el.findall(".//q:TextSource/q:Description", ns))
    assert not re.search(r"(\S[^\t(]*) \(\1\)", table), table  # no "Deltagare 10 (Deltagare 10)"
    assert f"{name} ({role}" in table

    transcript = next(project.exports_dir.glob("transkript_*.txt")).read_text()
    assert f"{name} ({role}" in transcript


def test_a_span_is_cut_from_its_redacted_sentence(
    planted: tuple[Project, dict[str, int]],
) -> None:
    project, ids = planted
    assert main(["export", "csv", "-p", str(project.root)]) == 0
    assert main(["export", "xlsx", "-p", str(project.root)]) == 0
    segment = next(
        r
        for r in rows(project.exports_dir / "segments.csv")
        if r["segment_id"] == str(ids["segment"])
    )
    label = re.search(r"Vi ringde (\[Namn \d+\]) på FK", segment["text"])
    assert label is not None, segment["text"]
    coded = next(
        r
        for r in rows(project.exports_dir / "codings.csv")
        if r["coding_id"] == str(ids["span_coding"])
    )
    assert coded["text"].startswith(f"{label.group(1)} på FK"), coded["text"]

    from openpyxl import load_workbook

    sheet = list(
        load_workbook(project.exports_dir / "qualkit.xlsx")["Kodningar"].iter_rows(values_only=True)
    )
    head = {h: i for i, h in enumerate(sheet[0])}
    xlsx_text = next(r[head["Text"]] for r in sheet[1:] if r[0] == ids["span_coding"])
    assert xlsx_text == coded["text"]


def test_redacted_span_keeps_labels_whole() -> None:
    from qualkit.privacy import Redactor

    red = Redactor.from_pairs({"Svensson": "[Namn 12]"})
    text = "Vi ringde Svensson på FK."
    # A span that starts inside the name starts at the label, never at "mn 12]".
    assert redacted_span(red, text, text.index("nsson"), len(text)) == "[Namn 12] på FK."
    assert redacted_span(red, text, 0, text.index("på")) == "Vi ringde [Namn 12] "


def test_coder_labels_are_stable_and_keep_the_consensus_coder(demo_project: Project) -> None:
    store = demo_project.store
    for name in ("Kalle Persson", "konsensus", "anna.svensson"):
        store.ensure_coder(name)
    labels = coder_labels(demo_project)
    order = [c.name for c in sorted(store.coders(), key=lambda c: c.id) if c.name != "konsensus"]
    assert [labels(n) for n in order] == [f"Kodare {i}" for i in range(1, len(order) + 1)]
    assert labels("konsensus") == "konsensus"
    assert coder_labels(demo_project, "en")(order[0]) == "Coder 1"
    assert coder_labels(demo_project, names=True)("Kalle Persson") == "Kalle Persson"


def test_coder_names_only_when_asked(planted: tuple[Project, dict[str, int]]) -> None:
    project, _ = planted
    assert (
        main(["export", "csv", "--table", "codings", "--coder-names", "-p", str(project.root)]) == 0
    )
    coders = {r["coder"] for r in rows(project.exports_dir / "codings.csv")}
    assert set(CODERS) <= coders


def test_recording_names_from_file_names_are_redacted_in_file_names(
    planted: tuple[Project, dict[str, int]],
) -> None:
    project, ids = planted
    project.update_recording(ids["recording"], name="intervju Anna Svensson 0701234567")
    assert (
        main(["export", "transcript", str(ids["recording"]), "-f", "txt", "-p", str(project.root)])
        == 0
    )
    (path,) = project.exports_dir.glob("transkript_*.txt")
    assert "Anna" not in path.name and "0701234567" not in path.name
    assert re.fullmatch(r"transkript_[\w\-~]+\.txt", path.name), path.name
    assert path.read_text().splitlines()[0].startswith("intervju [Namn")


def test_underscored_recording_names_are_redacted(
    planted: tuple[Project, dict[str, int]],
) -> None:
    project, ids = planted
    name = "intervju_anna_svensson_850709-1234_tel_0701234567"
    project.update_recording(ids["recording"], name=name)
    root = str(project.root)
    assert main(["export", "csv", "--table", "segments", "-p", root]) == 0
    assert main(["export", "transcript", str(ids["recording"]), "-f", "docx", "-p", root]) == 0
    assert main(["export", "qdpx", "-p", root]) == 0
    for path in project.exports_dir.iterdir():
        text = unpacked(path) if path.suffix in {".docx", ".qdpx"} else path.read_text()
        for secret in ("anna", "svensson", "850709-1234", "0701234567"):
            # As a word of its own: "annan" (an actor) is no leak; "_anna_" is.
            word = re.compile(rf"(?<![a-zåäö]){secret}(?![a-zåäö])")
            assert not word.search(path.name.casefold()), path.name
            assert not word.search(text.casefold()), path.name


def test_cluster_output_is_redacted_and_leaves_out_withdrawn_speech(demo_project: Project) -> None:
    store = demo_project.store
    segs = demo_project.segments("fokusgrupp_demo")
    voices = {s.id: s.participant_id for s in store.speakers()}
    stays = [s for s in segs if s.speaker_id is not None and voices[s.speaker_id] is not None]
    first = stays[0].speaker_id
    kept = [s for s in stays if s.speaker_id == first][:2]
    leaving = next(s for s in stays if s.speaker_id != first)
    texts = {
        kept[0].id: "Det har varit Homan Amani som projektledare hela tiden, ring 070-123 45 67.",
        kept[1].id: "Projektledare Homan Amani skrev till m.siddiqui@af.se om arbetet.",
        leaving.id: "Som projektledare för arbetet sa Homan Amani att pnr 850709-1234 fanns.",
    }
    for sid, text in texts.items():
        store.update_segment_text(sid, text)
    gone = voices[leaving.speaker_id] if leaving.speaker_id is not None else None
    assert gone is not None
    set_consent(demo_project, gone, Consent.WITHDRAWN, "2026-05-01")
    ids = tuple(texts)
    proposal = ClusterProposal(
        1, ("projektledare", "amani", "homan", "arbetet"), 3, ids, ids, None, 0.0
    )
    (shown,) = exportable_proposals(demo_project, [proposal])
    assert shown.segment_ids == (kept[0].id, kept[1].id) and shown.size == 2
    assert shown.keywords == ("projektledare", "arbetet")
    # The passages shown are the redacted ones (what the name finder catches is names.py's).
    red = Redactor.for_project(demo_project)
    assert shown.representatives == tuple(red.redact(texts[i]) for i in shown.representative_ids)
    out = " ".join(shown.representatives)
    for secret in ("070-123 45 67", "m.siddiqui@af.se", "850709-1234"):
        assert secret not in out


def test_a_name_nobody_scanned_has_one_number_in_every_export(
    demo_project: Project, tmp_path: Path
) -> None:
    segs = demo_project.segments("fokusgrupp_demo")
    demo_project.store.update_segment_text(segs[1].id, "Och när Ossi sa nej blev det tyst.")
    second = tmp_path / "andra.txt"
    second.write_text("Eva: Sen när Tuula sa ja gick det.\n", encoding="utf-8")
    rec = demo_project.import_transcript(second, name="andra")
    root = str(demo_project.root)
    assert main(["export", "csv", "--table", "segments", "-p", root]) == 0
    assert main(["export", "transcript", str(rec.id), "-f", "txt", "-p", root]) == 0
    table = (demo_project.exports_dir / "segments.csv").read_text(encoding="utf-8")
    transcript = next(demo_project.exports_dir.glob("transkript_*.txt")).read_text()
    found = re.search(r"när (\[Namn \d+\]) sa ja", table)
    assert found is not None and "Tuula" not in table + transcript
    assert f"när {found.group(1)} sa ja" in transcript
    other = re.search(r"när (\[Namn \d+\]) sa nej", table)
    assert other is not None and other.group(1) != found.group(1)


def test_cases_named_by_real_names_are_redacted_after_import(
    demo_project: Project, tmp_path: Path
) -> None:
    from qualkit.export.refi.importer import import_qdpx
    from qualkit.export.refi.write import export_qdpx
    from qualkit.project import init_project, open_project

    path = export_qdpx(demo_project, tmp_path / "a.qdpx", audio=False).path
    renamed = tmp_path / "renamed.qdpx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(renamed, "w") as dst:
        for item in src.namelist():
            data = src.read(item)
            if item == "project.qde":
                data = re.sub(rb'(<Case [^>]*name=")Deltagare 1"', rb'\1Hampus Lindholm"', data)
            dst.writestr(item, data)
    init_project(tmp_path / "other").close()
    with open_project(tmp_path / "other") as other:
        import_qdpx(other, renamed)
        assert "Hampus Lindholm" in {p.pseudonym for p in other.store.participants()}
        root = str(other.root)
        assert main(["export", "csv", "-p", root]) == 0
        assert main(["export", "qdpx", "-p", root]) == 0
        rec = other.recordings()[0]
        assert main(["export", "transcript", str(rec.id), "-f", "txt", "-p", root]) == 0
        for file in other.exports_dir.iterdir():
            text = unpacked(file) if file.suffix == ".qdpx" else file.read_text(encoding="utf-8")
            assert "Hampus" not in text and "Lindholm" not in text, file.name
