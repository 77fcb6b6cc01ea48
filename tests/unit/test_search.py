from __future__ import annotations

import pytest

from qualkit.model import Valence
from qualkit.project import Project
from qualkit.search import Query, QueryError, SearchIndex, tokens

# Every test here that uses a project runs on SQLite and on a PostgreSQL server.
pytestmark = pytest.mark.both_backends


def test_query_parsing() -> None:
    q = Query.parse("Samverkan kod:ledning valens:h aktör:FK kommun:Norrby okänd:x")
    assert q.words == ("samverkan", "okänd:x")
    assert (q.code, q.valence, q.actor, q.kommun) == ("ledning", Valence.HINDERING, "FK", "Norrby")


def test_keyword_in_context_and_filters(demo_project: Project) -> None:
    index = SearchIndex(demo_project)
    hits = index.search("samverkan")
    assert hits and all("samverkan" in h.segment.text.casefold() for h in hits)
    _left, match, _right = hits[0].context(40)
    assert match.casefold() == "samverkan"
    fk = index.search("aktör:FK")
    assert fk and all(h.actor == "FK" for h in fk)
    coded = index.search("kod:ledning valens:hindrande")
    assert coded and all(
        any(c.code == "ledning" and c.valence is Valence.HINDERING for c in h.codings)
        for h in coded
    )
    assert index.search("kommun:Söderby") == []
    everyone = index.search("talare:Deltagare")  # a prefix of every pseudonym
    assert len(everyone) == sum(1 for s in index.segments if s.speaker_id is not None)
    assert everyone and all(h.speaker.startswith("Deltagare") for h in everyone)


def test_quoted_values_keep_their_spaces() -> None:
    assert tokens('talare:"Deltagare 1" samverkan "ett ord"') == [
        "talare:Deltagare 1",
        "samverkan",
        "ett ord",
    ]
    q = Query.parse('talare:"Deltagare 1" samverkan')
    assert (q.speaker, q.words) == ("Deltagare 1", ("samverkan",))
    # An unclosed quote, as while typing, runs to the end.
    assert Query.parse('talare:"Deltagare 1').speaker == "Deltagare 1"
    assert Query.parse('"ett ord').words == ("ett ord",)


@pytest.mark.parametrize("value", ["hindrade", "xyz", "hj"])
def test_unknown_valence_is_an_error_not_dropped(value: str) -> None:
    with pytest.raises(QueryError) as caught:
        Query.parse(f"samverkan valens:{value}")
    assert str(caught.value) == (f"okänd valens '{value}': främjande, hindrande, förslag, ingen")


@pytest.mark.parametrize(
    ("value", "valence"),
    [
        ("h", Valence.HINDERING),
        ("hindrande", Valence.HINDERING),
        ("hind", Valence.HINDERING),  # part typed so far
        ("Främjande", Valence.PROMOTING),
        ("fö", Valence.PROPOSAL),
        ("ingen", Valence.NONE),
    ],
)
def test_valence_names_and_prefixes(value: str, valence: Valence) -> None:
    assert Query.parse(f"valens:{value}").valence is valence


def test_speaker_filter_matches_shown_names(demo_project: Project) -> None:
    index = SearchIndex(demo_project)
    one = index.search('talare:"Deltagare 1"')
    assert one and {h.speaker for h in one} == {"Deltagare 1"}
    assert index.search('talare:"deltagare 1"') == one  # any case
    # By role (the moderator's pseudonym is a Deltagare too) and by voice label.
    moderator = index.search("talare:moderator")
    assert moderator and all(h.attribution.startswith("moderator") for h in moderator)
    assert index.search("talare:MODER") == moderator
    fk = index.search("talare:handläggare")
    assert fk and all(h.actor == "FK" for h in fk)
    assert index.search('talare:"Handläggare (FK)"') == fk  # the voice label
    assert index.search("talare:nobody") == []


def test_passages_grouped(demo_project: Project) -> None:
    index = SearchIndex(demo_project)
    by_actor = dict(index.passages("ledning", group_by="actor"))
    assert set(by_actor) <= {"kommun", "vård", "FK", "AF", "annan", "-"}
    assert sum(len(v) for v in by_actor.values()) == 3
    by_kommun = dict(index.passages("ledning"))
    assert list(by_kommun) == ["Norrby"]


def test_filters_name_codes_and_actors_as_the_app_does(demo_project: Project) -> None:
    index = SearchIndex(demo_project)
    by_key = index.positions("kod:ledning")
    assert by_key
    assert index.positions("kod:1") == by_key  # the hotkey shown beside the code
    assert index.positions("kod:Ledning") == by_key  # the label, any case
    assert index.code_keys("Ledn") == frozenset({"ledning"})
    by_value = index.positions("aktör:kommun")
    assert by_value and index.positions("aktör:kommunen") == by_value
    assert index.positions("aktör:Försäkringskassan") == index.positions("aktör:FK")


def test_a_query_that_only_grows_finds_the_same_among_the_last_hits(
    demo_project: Project,
) -> None:
    """The app looks only among the last hits while a query grows; that must find what a
    search of the whole study finds, letter by letter, and never narrow when it may not."""
    index = SearchIndex(demo_project)
    typed = [
        "samverkan rutiner",
        "det är",
        "kod:ledning valens:h möte",
        "aktör:FK det",
        "vi  har",
        "tid kod:1",
    ]
    for text in typed:
        last: tuple[Query, list[int]] | None = None
        for end in range(1, len(text) + 1):
            query = Query.parse(text[:end])
            among = last[1] if last and query.narrows(last[0]) else None
            got = index.positions(query, among=among)
            assert got == index.positions(query), text[:end]
            last = (query, got) if text[:end].strip() else None
    assert Query.parse("samverkan").narrows(Query.parse("samver"))
    assert Query.parse("samverkan r").narrows(Query.parse("samverkan"))
    assert not Query.parse("samver").narrows(Query.parse("samverkan"))  # deleted: wider
    assert not Query.parse("kod:ledn").narrows(Query.parse("kod:led"))  # another filter
    assert not Query.parse("ab").narrows(Query.parse(""))
