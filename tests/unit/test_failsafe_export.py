"""Fail-safe by default: personal data nobody reviewed never reaches any export format.

A project gets names (in the lists, outside them, in the genitive), a misspoken
personnummer, a phone number, an e-mail, a street address and a flat number in its
transcript, a recording name, a speaker label, a coder's memo and a participant's
attribute. Nobody runs
`pseudo scan` or reviews anything. Then every export the CLI offers is written and every
file (unpacked where it is a zip: docx, xlsx, qdpx) is searched for the planted strings.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from qualkit.cli import main
from qualkit.project import Project

SECRETS = (
    "Gunnel",
    "Lindqvist",
    "Pirjo",
    "070-765 43 21",
    "gunnel.l@exempel.se",
    "Källvägen 7",
    "lgh 1102",
    "19850412-3398",
    "Karin",
)


def plant(project: Project) -> None:
    store = project.store
    rec = project.recording("fokusgrupp_demo")
    segs = project.segments("fokusgrupp_demo")
    coded = {c.segment_id for c in store.codings()}
    targets = [s for s in segs if s.id in coded][:3]
    store.update_segment_text(
        targets[0].id,
        targets[0].text + " Jag ringde Gunnel Lindqvists mamma på 070-765 43 21 i går.",
    )
    store.update_segment_text(
        targets[1].id,
        targets[1].text + " Hon heter Pirjo och bor på Källvägen 7, lgh 1102, "
        "pnr 19850412-3398, gunnel.l@exempel.se.",
    )
    coding = next(c for c in store.codings() if c.segment_id == targets[2].id)
    store.update_coding(coding.id, memo="Gunnel Lindqvist ringde tillbaka, 070-765 43 21.")
    person = store.participants()[0]
    store.update_participant(person.id, attributes={"anteckning": "Karin på 070-765 43 21"})
    project.update_recording(rec.id, name="intervju Karin Lindqvist")
    # A voice labelled with a name, as typed transcripts do ("Gunnel: ...").
    voice = store.ensure_speaker(rec.id, "Gunnel")
    store.set_segment_speaker(targets[2].id, voice.id)


def exported_text(folder: Path) -> dict[str, str]:
    """Every file under `folder` as text, zip members included, keyed by path."""
    out: dict[str, str] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        raw = path.read_bytes()
        if raw[:2] == b"PK":
            with zipfile.ZipFile(path) as zf:
                for name in zf.namelist():
                    out[f"{path.name}:{name}"] = zf.read(name).decode("utf-8", "replace")
        else:
            out[path.name] = raw.decode("utf-8", "replace")
        out[f"name of {path.name}"] = str(path.relative_to(folder))
    return out


@pytest.fixture
def planted(demo_project: Project) -> Project:
    plant(demo_project)
    return demo_project


def test_every_export_format_is_free_of_unreviewed_personal_data(
    planted: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(planted.root)
    rec = planted.recording("intervju Karin Lindqvist")
    kommun = rec.kommun or "Norrby"
    commands = [
        ["export", "csv"],
        ["export", "xlsx"],
        ["export", "transcript", str(rec.id), "-f", "docx"],
        ["export", "transcript", str(rec.id), "-f", "txt"],
        ["export", "qdpx"],
        ["report", "kommun", "--kommun", kommun, "-f", "md", "html", "docx"],
        ["report", "aktor", "--aktor", "FK", "-f", "md", "html", "docx"],
        ["report", "region", "-f", "md", "html", "docx"],
    ]
    for argv in commands:
        assert main([*argv, "-p", root]) == 0, argv
    out = capsys.readouterr().out
    files = exported_text(planted.exports_dir)
    suffixes = {p.suffix for p in planted.exports_dir.rglob("*") if p.is_file()}
    assert {".csv", ".xlsx", ".docx", ".txt", ".qdpx", ".md", ".html"} <= suffixes
    leaks = [
        (secret, where) for where, text in files.items() for secret in SECRETS if secret in text
    ]
    assert leaks == []
    # The summary says how many replacements nobody has reviewed.
    assert "that nobody has reviewed" in out.replace("\n", " ")


def test_a_rejected_string_is_kept_and_everything_else_replaced(planted: Project) -> None:
    from qualkit.privacy import Redactor

    planted.store.set_pseudonym("name", "Pirjo", "[Namn 9]", "rejected")
    red = Redactor.for_project(planted)
    out = red.redact("Hon heter Pirjo, inte Gunnel.")
    assert re.fullmatch(r"Hon heter Pirjo, inte \[Namn \d+\]\.", out), out
    assert red.unreviewed == 1


def test_recording_names_are_redacted_in_codings_and_segments_csv(planted: Project) -> None:
    from qualkit.export.csv import export_csv

    for table in ("codings", "segments"):
        text = export_csv(planted, table).read_text(encoding="utf-8")
        assert "Karin" not in text and "Lindqvist" not in text
        assert re.search(r"intervju \[Namn \d+\]", text)


def test_names_nobody_scanned_stay_distinct_and_stable(planted: Project) -> None:
    from qualkit.privacy import Redactor

    first = Redactor.for_project(planted)
    second = Redactor.for_project(planted)
    # Speaker labels are numbered before any text, so every export agrees on them.
    assert first.redact("Gunnel") == second.redact("Gunnel")
    labels = re.findall(r"\[Namn \d+\]", first.redact("Hon heter Pirjo, och när Tuula sa nej"))
    assert len(labels) == 2 and labels[0] != labels[1]
    assert re.findall(r"\[Namn \d+\]", first.redact("Sen när Tuula sa ja")) == [labels[1]]


def test_a_code_key_typed_with_a_name_leaves_no_export(
    planted: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    from qualkit.model import Code

    book = "danermark"
    planted.add_code(Code(codebook=book, key="samtal_med_birgitta", label_sv="Samtal"))
    first = planted.segments("intervju Karin Lindqvist")[0]
    planted.add_coding(first.id, "samtal_med_birgitta", codebook=book)
    root = str(planted.root)
    commands = (
        ["export", "csv"],
        ["export", "xlsx"],
        ["export", "qdpx"],
        ["report", "region", "-f", "md", "html", "docx"],
        ["report", "aktor", "--aktor", "FK", "-f", "md"],
    )
    for argv in commands:
        assert main([*argv, "-p", root]) == 0, argv
    assert main(["codebook", "export", book, "--format", "csv", "-p", root]) == 0
    capsys.readouterr()
    files = exported_text(planted.exports_dir)
    assert [where for where, text in files.items() if "birgitta" in text.casefold()] == []
    # Every table that shows the key shows it the same way, so they still join.
    shown = {
        where: set(re.findall(r"samtal_med_\[Namn \d+\]", text))
        for where, text in files.items()
        if where in ("codings.csv", "danermark.csv")
    }
    assert len(shown) == 2 and len(set().union(*shown.values())) == 1, shown


def test_two_code_keys_that_redact_alike_stay_two_codes(
    planted: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    from qualkit.model import Code

    # "karin" alone takes the label of the one full name it belongs to (the recording
    # "intervju Karin Lindqvist"), so both keys would read "kontakt_[Namn N]".
    book = "danermark"
    first = planted.segments("intervju Karin Lindqvist")[0]
    for key in ("kontakt_karin", "kontakt_karin_lindqvist"):
        planted.add_code(Code(codebook=book, key=key, label_sv="Kontakt"))
        planted.add_coding(first.id, key, codebook=book)
    root = str(planted.root)
    assert main(["export", "csv", "-p", root]) == 0
    assert main(["codebook", "export", book, "--format", "csv", "-p", root]) == 0
    capsys.readouterr()
    files = exported_text(planted.exports_dir)
    for where in ("codings.csv", "danermark.csv"):
        keys = set(re.findall(r"kontakt_\[Namn \d+\](?:_\d+)?", files[where]))
        assert len(keys) == 2, (where, keys)
        assert "karin" not in files[where].casefold()
    # Both tables show the same two keys, so they still join.
    assert set(re.findall(r"kontakt_\[Namn \d+\](?:_\d+)?", files["codings.csv"])) == set(
        re.findall(r"kontakt_\[Namn \d+\](?:_\d+)?", files["danermark.csv"])
    )


def test_a_codebook_id_typed_with_a_name_leaves_no_export(
    planted: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    from qualkit.codebook import save_codebook
    from qualkit.model import Code, Codebook

    # A coder's own codebook, its id typed with a name in it.
    book = "intervjuer_birgitta"
    code = Code(codebook=book, key="uppfoljning", label_sv="Uppföljning")
    save_codebook(
        Codebook(id=book, name="Egen kodbok", codes=[code]),
        planted.root / "codebook" / "egen.yaml",
    )
    planted.sync_codebooks()
    first = planted.segments("intervju Karin Lindqvist")[0]
    planted.add_coding(first.id, "uppfoljning", codebook=book)
    root = str(planted.root)
    commands = (
        ["export", "csv"],
        ["export", "xlsx"],
        ["export", "qdpx"],
        ["report", "region", "--codebook", book, "-f", "md", "html", "docx"],
        ["codebook", "export", book, "--format", "csv"],
        ["codebook", "export", book, "--format", "qdc"],
    )
    for argv in commands:
        assert main([*argv, "-p", root]) == 0, argv
    capsys.readouterr()
    files = exported_text(planted.exports_dir)
    # File names included: `codebook export` names its file after the codebook.
    assert [where for where, text in files.items() if "birgitta" in where + text.casefold()] == []
    # The coding is still there, under the codebook's redacted id.
    assert re.search(r"intervjuer_\[Namn \d+\]", files["codings.csv"])
