"""Detection of personal data in Swedish transcript text, scan proposals and redaction."""

from __future__ import annotations

import pandas as pd
import pytest

from qualkit.export.csv import export_csv
from qualkit.privacy import Redactor, review_kind, scan
from qualkit.project import Project
from qualkit.pseudonymise import detect


def kinds(text: str, register: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in detect(text, register)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jag ringde 070-123 45 67 i går.", ("phone", "070-123 45 67")),
        ("Numret är +46 70 123 45 67.", ("phone", "+46 70 123 45 67")),
        ("Växeln 08-123 456 78 svarar.", ("phone", "08-123 456 78")),
        ("Ring 0771-524 524 för tid.", ("phone", "0771-524 524")),
        ("Ring 031-12 34 56 direkt.", ("phone", "031-12 34 56")),
        ("Mobil 0701234567 fungerar.", ("phone", "0701234567")),
        ("Skriv till karin.lind@norrby.se snarast.", ("email", "karin.lind@norrby.se")),
        ("Han har pnr 811218-9876.", ("personnummer", "811218-9876")),
        ("Samordningsnummer 19811278-9873 gäller.", ("personnummer", "19811278-9873")),
        ("Hon bor på Storgatan 12 nu.", ("address", "Storgatan 12")),
        ("Kontoret ligger på Norrbyvägen 3B.", ("address", "Norrbyvägen 3B")),
        ("Vi möttes vid Drottning Kristinas väg 14.", ("address", "Drottning Kristinas väg 14")),
        ("Jag pratade med Anna Svensson om det.", ("name", "Anna Svensson")),
        ("Då sa Björn att han skulle ringa.", ("name", "Björn")),
        ("Karin ringde mig i morse.", ("name", "Karin")),
        ("Vi frågade Per om mötet.", ("name", "Per")),
        ("Det var doktor Lindqvist som skrev intyget.", ("name", "Lindqvist")),
    ],
)
def test_detects_each_kind(text: str, expected: tuple[str, str]) -> None:
    assert expected in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "Alla var med på mötet.",
        "Hej, välkomna hit!",
        "Det kostar 500 kronor per timme.",
        "Per timme blir det dyrt.",
        "Dag för dag blir det bättre.",
        "Inga fler frågor.",
        "Arbetsförmedlingen och Försäkringskassan i Norrby.",
        "Ärendet 2019-2020 tog tid, diarienummer 2021-123.",
        "Det var 1234567890 kronor i budget.",
        "Vi ses på plan 3 klockan 14.",
        "Numret 811332-9875 har inget giltigt datum.",
        "Organisationsnummer 212000-0142 tillhör kommunen.",
    ],
)
def test_no_false_positives_on_ordinary_words(text: str) -> None:
    assert kinds(text) == []


def test_register_names_are_always_found() -> None:
    # "Dag" opens the sentence and is a common word; the register makes it a name.
    assert ("name", "Dag") in kinds("Dag sa att det var bra.", ("Dag Ek",))


def test_scan_proposes_consistent_replacements(demo_project: Project) -> None:
    store = demo_project.store
    segs = demo_project.segments("fokusgrupp_demo")
    store.update_segment_text(segs[1].id, segs[1].text + " Jag pratade med Anna Svensson.")
    store.update_segment_text(segs[2].id, segs[2].text + " Anna Svensson ringde 070-123 45 67.")
    store.update_segment_text(segs[3].id, segs[3].text + " Anna sa samma sak till Erik Holm.")
    result = scan(demo_project)
    assert result.proposed["name"] == 3  # Anna Svensson, Anna, Erik Holm
    by_original = {p.original: p for p in store.pseudonyms("proposed")}
    assert by_original["Anna Svensson"].replacement == by_original["Anna"].replacement
    assert by_original["Erik Holm"].replacement != by_original["Anna"].replacement
    assert by_original["070-123 45 67"].replacement == "[telefonnummer]"
    # Scanning again proposes nothing new and keeps decisions.
    store.update_pseudonym(by_original["Erik Holm"].id, status="rejected")
    again = scan(demo_project)
    assert sum(again.proposed.values()) == 0
    assert store.pseudonym(by_original["Erik Holm"].id).status == "rejected"
    # Replaced before review too, with the label the scan proposed; a rejected one stays.
    label = by_original["Anna"].replacement
    before = Redactor.for_project(demo_project)
    assert before.redact("Anna Svensson och Erik Holm") == f"{label} och Erik Holm"
    assert before.unreviewed == 1
    assert review_kind(demo_project, "name") == 2
    red = Redactor.for_project(demo_project)
    label = by_original["Anna"].replacement
    out = red.redact("Anna Svensson och Anna och Erik Holm")
    assert out == f"{label} och {label} och Erik Holm"


def test_identifiers_are_redacted_before_review_unless_rejected(project: Project) -> None:
    red = Redactor.for_project(project)
    text = "Ring 070-123 45 67 eller mejla a.b@c.se, Storgatan 12, pnr 811218-9876."
    assert red.redact(text) == (
        "Ring [telefonnummer] eller mejla [e-post], [adress], pnr [personnummer]."
    )
    project.store.set_pseudonym("phone", "070-123 45 67", "[telefonnummer]", "rejected")
    assert "070-123 45 67" in Redactor.for_project(project).redact(text)
    assert Redactor.disabled().redact(text) == text


def test_speaker_labels_and_memos_are_redacted_in_csv(demo_project: Project) -> None:
    store = demo_project.store
    rec = demo_project.recording("fokusgrupp_demo")
    seg = demo_project.segments("fokusgrupp_demo")[0]
    store.update_segment_text(seg.id, "Jag heter Lisa Berglund, 0701234567.")
    sp = store.ensure_speaker(rec.id, "Lisa Berglund")
    store.set_segment_speaker(seg.id, sp.id)
    c = demo_project.add_coding(seg.id, "ledning", memo="Lisa Berglund sa detta.")
    assert c.memo
    scan(demo_project)
    review_kind(demo_project, "name")
    for what in ("codings", "segments"):
        raw = export_csv(demo_project, what).read_text(encoding="utf-8")
        assert "Lisa" not in raw and "Berglund" not in raw and "0701234567" not in raw
    unredacted = export_csv(demo_project, "segments", unredacted=True).read_text(encoding="utf-8")
    assert "Lisa Berglund" in unredacted
    df = pd.read_csv(demo_project.exports_dir / "codings.csv")
    assert len(df) == 16


def test_common_word_names_are_replaced_only_when_capitalised(project: Project) -> None:
    project.store.set_pseudonym("name", "Per", "[Namn 1]", "accepted")
    red = Redactor.for_project(project)
    assert red.redact("Per sa att det kostar 500 kr per timme.") == (
        "[Namn 1] sa att det kostar 500 kr per timme."
    )
