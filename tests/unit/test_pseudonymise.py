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
        (
            "Mejla anna punkt svensson snabel-a kommun punkt se.",
            ("email", "anna punkt svensson snabel-a kommun punkt se"),
        ),
        ("Eller ebba.gron(at)fk.se om det brådskar.", ("email", "ebba.gron(at)fk.se")),
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


def test_identifiers_are_redacted_reviewed_or_not_and_a_rejection_keeps_names_only(
    project: Project,
) -> None:
    red = Redactor.for_project(project)
    text = "Ring 070-123 45 67 eller mejla a.b@c.se, Storgatan 12, pnr 811218-9876. Hej Ossian!"
    redacted = "Ring [telefonnummer] eller mejla [e-post], [adress], pnr [personnummer]."
    assert red.redact(text) == redacted + " Hej [Namn 1]!"
    # A coder saying "not personal data" of a number, e-mail or address changes nothing:
    # the brief's "reviewed or not". Of a name it keeps the word (a place, a method).
    for kind, original in (
        ("phone", "070-123 45 67"),
        ("email", "a.b@c.se"),
        ("address", "Storgatan 12"),
        ("personnummer", "811218-9876"),
        ("name", "Ossian"),
    ):
        project.store.set_pseudonym(kind, original, "[x]", "rejected")
    assert Redactor.for_project(project).redact(text) == redacted + " Hej Ossian!"
    assert Redactor.disabled().redact(text) == text


def test_a_phone_number_broken_over_lines_is_still_found() -> None:
    # Hard-wrapped text and memos break numbers; the .qdpx turn table, whose times and
    # offsets once read as a number, is no longer redacted as text (test_refi_qda).
    assert kinds("Ring mig på 070\n123 45 67.") == [("phone", "070\n123 45 67")]


def test_identifiers_are_replaced_before_known_names() -> None:
    red = Redactor.from_pairs({"Anna Lindh": "[Deltagare 1]", "Ek": "[Deltagare 2]"})
    # A street named like a participant is an address, not her name and a house number.
    assert red.redact("Hon bor på Anna Lindhs väg 3.") == "Hon bor på [adress]."
    # An e-mail holding a known name is one address.
    assert red.redact("Mejla anna.lindh@ek.se, Ek.") == "Mejla [e-post], [Deltagare 2]."
    # Known names around and between identifiers are still replaced, once each.
    assert (
        red.redact("Ek 811218-9876 och Anna Lindh 070-123 45 67 och Ek")
        == "[Deltagare 2] [personnummer] och [Deltagare 1] [telefonnummer] och [Deltagare 2]"
    )


def test_an_accepted_replacement_of_an_identifier_is_used(project: Project) -> None:
    project.store.set_pseudonym("phone", "070-123 45 67", "[telefon, kontoret]", "accepted")
    red = Redactor.for_project(project)
    assert red.redact("Ring 070-123 45 67 eller 070-765 43 21.") == (
        "Ring [telefon, kontoret] eller [telefonnummer]."
    )


def test_identifiers_typed_with_other_dashes_or_in_file_names_are_found(
    project: Project,
) -> None:
    red = Redactor.for_project(project)
    for text in (
        "pnr 850709–1234",  # en dash, as word processors type it
        "pnr 850709\u22121234",
        "pnr 850709 1234",
        # Loose shapes count with a valid check digit (dates and times look like them).
        "pnr 850709 - 1232",
        "pnr 850709-12 32",
        "pnr 85 07 09-1232",
        "pnr 1985-07-09-1232",
    ):
        assert red.redact(text) == "pnr [personnummer]", text
    for text in ("tel 070–123 45 67", "tel 070 - 123 45 67"):
        assert red.redact(text) == "tel [telefonnummer]", text
    assert red.redact("intervju_anna_svensson_850709-1234_tel_0701234567") == (
        "intervju_[Namn 1]_[personnummer]_tel_[telefonnummer]"
    )
    # Times, years, dates, sums, ranges and case numbers stay.
    for text in (
        "kl 08.30–09.45",
        "åren 2014–2016",
        "1 200 000 kr",
        "sidan 12–34",
        "Perioden 2018-01-01 – 2018-12-31 ingick",
        "Mötet 2021-03-15 - 1030 i sal B",
        "Datum: 211015 - 1300",
        "Dnr 040/2019/123",
        "Nr 031/2017-2018",
        "Dnr 08/1234-56",
        "Läsåren 08/09 - 10/11",
        "Mellan 05 - 10 - 15 - 20 procent",
    ):
        assert red.redact(text) == text


def test_a_full_name_found_once_is_replaced_in_any_case_but_words_stay_words(
    project: Project,
) -> None:
    rec = project.store.add_recording("r1")
    lines = [
        "Anna Svensson ringde från FK. Vi pratade med Hans, Bo och Per i går.",
        "Sen skrev anna svensson, och ANNA SVENSSON höll med.",
        "Det var hans bil. Var ska de bo nu? 500 kr per timme och dag efter dag.",
        "Ring Sten Lund och Klara Ek. Han kastade en sten i Lund; vi ska klara det under en ek.",
        "SVEN SVENSSON var där. Som kalle sa. Vår chef Bosse. Uppgifter från LISA och SCB.",
        "Det är rosa och ROSA. Kontaktperson: Marie Fridolf. Marie sa hej.",
    ]
    project.store.replace_segments(
        rec.id, [("A", line, float(i), i + 1.0, (), False) for i, line in enumerate(lines)]
    )
    red = Redactor.for_project(project)
    texts = [red.redact(s.text) for s in project.store.segments(rec.id)]
    assert texts[1] == "Sen skrev [Namn 1], och [Namn 1] höll med."
    assert texts[2] == lines[2]  # words, not the names Hans, Bo and Per
    assert texts[3].endswith("Han kastade en sten i Lund; vi ska klara det under en ek.")
    assert "SVEN" not in texts[4] and "kalle" not in texts[4] and "Bosse" not in texts[4]
    assert texts[4].endswith("Uppgifter från LISA och SCB.")
    assert texts[5].startswith("Det är rosa och ROSA. Kontaktperson: [Namn")
    assert "Fridolf" not in texts[5]
    # The same label in a second redactor of the project: numbers mean one person.
    assert Redactor.for_project(project).redact("Anna Svensson") == red.redact("Anna Svensson")


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


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("SVEN SVENSSON ringde om det.", ["SVEN SVENSSON"]),
        ("ANNA sa att hon inte förstod FK:s regelverk.", ["ANNA"]),
        ("fil: intervju_anna_svensson", ["anna_svensson"]),
        ("Som kalle sa, det funkar inte.", ["kalle"]),
        ("Jag pratade med anna i går.", ["anna"]),
        ("Vår chef Bosse är bra, sa Micke.", ["Bosse", "Micke"]),
        ("Maj sa ingenting på mötet.", ["Maj"]),
        ("Svensson sa att det var fel rutin.", ["Svensson"]),
        # Talk retells in the present tense too.
        ("Nguyen håller med. Svensson säger att det går.", ["Nguyen", "Svensson"]),
        ("Ossi menar något annat, Timur sa nej.", ["Ossi", "Timur"]),
        ("Yasser tycker annorlunda. Ammar håller med.", ["Yasser", "Ammar"]),
        # Two unknown capitalised words inside a sentence, three at most.
        ("I arbetet har varit Homan Amani.", ["Homan Amani"]),
        (
            "Vi bjöd in Pappa Seppo Kosonen och Previa Ossi Lähteenmäki.",
            ["Seppo Kosonen", "Ossi Lähteenmäki"],
        ),
        ("Vi har Microsoft Teams, Röda Korset och Svenska Kyrkan.", []),
        ("Tjejer säger en sak. Om Kronofogden säger nej och Moderaterna tycker så.", []),
        ("Länsstyrelsen i Västra Götalands län; hälso- och Äldreomsorg Hälso- och sjukvård.", []),
        # Words stay words.
        ("Chefer tycker olika. Föräldrar frågar. Anhöriga berättar. Boende säger.", []),
        ("Folk tycker till. Unga undrar. Vårdanalys menar att det behövs.", []),
        ("Det är rosa och vi ska klara det.", []),
        ("Alla sa att det var bra. Dag efter dag.", []),
        ("Vad sa Gud? Hon sa Grattis! Projektet ALMA, registret LISA.", []),
        ("Det gick till Ledningen och Handläggarna.", []),
        ("Vi har SIP, Samordnad Individuell Plan, med FK och AF.", []),
        # A surname opening a sentence before a verb of being, too (a known miss until
        # 2026-12-03, when this case pinned it as missed).
        ("Svensson var där.", ["Svensson"]),
    ],
)
def test_names_not_written_as_names(text: str, names: list[str]) -> None:
    assert [f.text for f in detect(text) if f.kind == "name"] == names


def test_a_kommun_that_is_also_a_first_name_stays_a_place(project: Project) -> None:
    rec = project.store.add_recording("fg", kommun="Nora")
    project.store.replace_segments(
        rec.id,
        [
            ("A", "I Nora fungerar samverkan. Nora kommun har ett team.", 0.0, 1.0, (), False),
            ("B", "Jag heter Nora, och vi träffade Nora Lund.", 1.0, 2.0, (), False),
        ],
    )
    red = Redactor.for_project(project)
    first, second = (red.redact(s.text) for s in project.store.segments(rec.id))
    assert first == "I Nora fungerar samverkan. Nora kommun har ett team."
    assert "Nora" not in second


def test_a_first_name_alone_takes_the_label_of_its_full_name(project: Project) -> None:
    rec = project.store.add_recording("fg", kommun="Norrby")
    project.store.replace_segments(
        rec.id,
        [
            ("B", "Peter har rätt.", 0.0, 1.0, (), False),
            ("Karin Lindqvist", "Jag ringde Peter Nilsson i går.", 1.0, 2.0, (), False),
            ("B", "Karin tycker som Peter.", 2.0, 3.0, (), False),
        ],
    )
    red = Redactor.for_project(project)
    texts = [red.redact(s.text) for s in project.store.segments(rec.id)]
    # "Karin" is the voice "Karin Lindqvist", "Peter" the "Peter Nilsson" read after him;
    # the labels are numbered without gaps.
    assert texts == [
        "[Namn 2] har rätt.",
        "Jag ringde [Namn 2] i går.",
        "[Namn 1] tycker som [Namn 2].",
    ]
    assert red.redact("Karin Lindqvist") == "[Namn 1]"
    # A first name two people share is neither of them.
    project.store.replace_segments(
        rec.id, [("C", "Karin Berg och Karin Lindqvist. Karin sa nej.", 0.0, 1.0, (), False)]
    )
    red = Redactor.for_project(project)
    said = red.redact("Karin sa nej. Karin Berg sa ja.")
    first, second = said.split(" sa nej. ")
    assert first.startswith("[Namn") and first not in second


def test_a_full_name_in_the_genitive_or_proposed_is_linked_too(project: Project) -> None:
    rec = project.store.add_recording("fg", kommun="Norrby")
    project.store.replace_segments(
        rec.id,
        [
            ("A", "Jag ringde Karin Lindqvist i går.", 0.0, 1.0, (), False),
            ("B", "Det var Karin Lindqvists förslag, Karins idé.", 1.0, 2.0, (), False),
            ("A", "Sen sa Karin nej, och Erik Holm kom.", 2.0, 3.0, (), False),
        ],
    )
    project.store.set_pseudonym("name", "Erik Holm", "[Namn 1]", "proposed")
    red = Redactor.for_project(project)
    said = red.redact("Karin Lindqvists förslag. Karins idé. Karin. Erik sa ja.")
    assert said == "[Namn 2] förslag. [Namn 2] idé. [Namn 2]. [Namn 1] sa ja."


def test_a_typed_field_opens_with_no_sentence() -> None:
    red = Redactor.from_pairs({})
    assert red.redact_field("Lindqvists assistent") == "[Namn 1] assistent"
    assert red.redact_field("Handläggare FK") == "Handläggare FK"
    assert red.redact("Lindqvists assistent") == "Lindqvists assistent"  # a sentence's start


def test_words_around_at_and_punkt_are_no_e_mail() -> None:
    for text in (
        "Det är tre punkt fem procent.",
        "Han var at the meeting.",
        "Titta at home punkt.",
    ):
        assert kinds(text) == [], text
