"""Personal data in the forms real talk has: wrong check digits, genitives, cues, flats."""

from __future__ import annotations

import pytest

from qualkit.pseudonymise import detect


def kinds(
    text: str, register: tuple[str, ...] = (), places: tuple[str, ...] = ()
) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in detect(text, register, places)]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Han sa 19850412-3398, fast det kanske var fel.", "19850412-3398"),  # wrong check digit
        ("Pnr 850412-3398 stod på blanketten.", "850412-3398"),
        ("Numret 198504123398 skrevs utan streck.", "198504123398"),
        ("Samordningsnummer 850472-1234 fick han i våras.", "850472-1234"),  # day + 60
        ("Född 20000229-1234, skottdag.", "20000229-1234"),
    ],
)
def test_date_valid_numbers_are_personnummer_whatever_the_check_digit(
    text: str, number: str
) -> None:
    assert ("personnummer", number) in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "Numret 19850230-1234 har inget datum.",  # 30 February
        "Numret 19011229-1234 är utanför 19xx/20xx-formen? nej, men 19851301-1234 är det.",
    ],
)
def test_impossible_dates_are_not_personnummer(text: str) -> None:
    found = [t for k, t in kinds(text) if k == "personnummer"]
    assert "19850230-1234" not in found and "19851301-1234" not in found


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Jag träffade Karins mamma i går.", "Karins"),
        ("Det var Lindqvists förslag från början.", "Lindqvists"),
        ("Olles självförtroende var inte det bästa.", "Olles"),
        ("Vi läste Anna Svenssons intyg.", "Anna Svenssons"),
    ],
)
def test_genitive_names_are_found(text: str, name: str) -> None:
    assert ("name", name) in kinds(text)


def test_genitive_of_an_everyday_word_is_not_a_name() -> None:
    assert kinds("Dags att gå hem nu.") == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Hon heter Pirjo och jobbar på AF.", "Pirjo"),
        ("Sen när Ossi sa att det inte gick blev det tyst.", "Ossi"),
        ("Det var socialsekreteraren Leevi som ringde.", "Leevi"),
        ("Vi hade klienten Tuomas på mötet.", "Tuomas"),
    ],
)
def test_names_outside_the_lists_are_found_by_a_cue(text: str, name: str) -> None:
    assert ("name", name) in kinds(text)


def test_register_names_outside_the_lists_and_their_genitive() -> None:
    found = kinds("Jag pratade med Wallinders kollega.", register=("Ingegerd Wallinder",))
    assert ("name", "Wallinders") in found


@pytest.mark.parametrize(
    "text",
    [
        "Och sen Försäkringskassan sa att de inte kunde.",
        "Men Nacka sa nej till förslaget.",
        "Vi tyckte att Stockholm sa något annat.",
        "Vård och omsorg sa ja.",
        "Handlingsplan 2014 och Genomförandeplan 2010 antogs.",
    ],
)
def test_actors_places_and_document_names_are_not_people(text: str) -> None:
    assert [k for k, _ in kinds(text, places=("Nacka",))] == []


@pytest.mark.parametrize(
    ("text", "flat"),
    [
        ("Hon bor i lgh 1102 på tredje våningen.", "lgh 1102"),
        ("Lägenhet 1203 har fuktskador.", "Lägenhet 1203"),
        ("Ange lägenhetsnummer 1001 på blanketten.", "lägenhetsnummer 1001"),
    ],
)
def test_apartment_numbers_are_addresses(text: str, flat: str) -> None:
    assert ("address", flat) in kinds(text)
