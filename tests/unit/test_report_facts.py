"""What a report states about its material is true: Metod's interviews, transcripts and
interview guides, and the relations an actor report shows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from qualkit.export.report import ReportOptions, write_report
from qualkit.export.report_blocks import Block
from qualkit.export.report_model import ReportKind, build_report
from qualkit.export.report_records import InterviewInfo, Material
from qualkit.export.report_texts import Texts
from qualkit.project import Project
from tests.unit.report_fixtures import add_kommun, make_demo


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """The demo (Norrby, with its guide), an audio file imported in Norrby but never
    transcribed, a chefer group in Södertuna with no guide, and Västby with only audio."""
    project = make_demo(tmp_path_factory.mktemp("facts") / "proj")
    project.store.add_recording("nu_second", audio_path="audio/nu_second.ogg", kommun="Norrby")
    add_kommun(project, "Södertuna")
    project.store.add_recording("vastby_1", audio_path="audio/vastby_1.ogg", kommun="Västby")
    yield project
    project.close()


def metod(project: Project, kind: str, scope: str = "") -> str:
    path = write_report(project, kind, scope, ReportOptions(fmt="md", dpi=40))
    text = path.read_text(encoding="utf-8")
    return text[text.index("## Metod") : text.index("## Resultat per faktor")]


def test_an_untranscribed_recording_is_no_interview(project: Project) -> None:
    report = build_report(project, ReportKind.KOMMUN, "Norrby")
    assert [i.name for i in report.material.interviews] == ["fokusgrupp_demo"]
    assert report.material.untranscribed == 1
    assert report.method is not None and report.method.text_imported == 1
    text = metod(project, "kommun", "Norrby")
    assert "Underlaget består av 1 fokusgruppsintervju med" in text
    assert "1 inspelning är ännu inte transkriberad och ingår inte i analysen." in text
    assert "1 intervju fanns redan som skrivet transkript och importerades som text." in text
    assert "nu_second" not in text  # not in the interview table either


def test_a_kommun_with_audio_only_has_no_interviews_yet(project: Project) -> None:
    text = metod(project, "kommun", "Västby")
    assert "Det finns ännu inga intervjuer i detta urval." in text
    assert "1 inspelning är ännu inte transkriberad" in text


def test_region_names_the_guide_per_group_and_the_group_without_one(project: Project) -> None:
    text = metod(project, "region")
    assert "Underlaget består av 2 fokusgruppsintervjuer" in text
    assert "2 inspelningar är ännu inte transkriberade och ingår inte i analysen." in text
    assert "Samtalen följde intervjuguiden" not in text  # the chefer group followed none
    assert "1 intervju (medarbetare) följde intervjuguiden Intervjuguide medarbetare" in text
    assert "För 1 intervju (chefer) är ingen intervjuguide angiven" in text


def _interview(name: str, group: str, guide: str) -> InterviewInfo:
    return InterviewInfo(name, "Norrby", group, "", None, 4, guide=guide)


@pytest.mark.parametrize(
    ("guides", "expected"),
    [
        (["G"] * 3, ["para: Samtalen följde intervjuguiden G (se bilaga 1)."]),
        (["", "", ""], ["muted: Ingen intervjuguide är angiven för intervjuerna"]),
        (
            ["Guide medarbetare", "Guide chefer", "Guide medarbetare"],
            [
                "para: 2 intervjuer (medarbetare) följde intervjuguiden Guide medarbetare "
                "(se bilaga 1). 1 intervju (chefer) följde intervjuguiden Guide chefer"
            ],
        ),
    ],
)
def test_each_guide_is_named_with_the_groups_that_followed_it(
    guides: list[str], expected: list[str]
) -> None:
    from qualkit.export.report_prose import guide_blocks

    groups = ["medarbetare", "chefer", "medarbetare"]
    interviews = tuple(
        _interview(f"fg{n}", group, guide)
        for n, (group, guide) in enumerate(zip(groups, guides, strict=True))
    )
    material = Material(interviews, 0, (), (), (), None, 0)
    blocks: list[Block] = guide_blocks(material, Texts.load("sv"))
    shown = [f"{b.kind}: {b.text}" for b in blocks]
    assert len(shown) == len(expected)
    for line, start in zip(shown, expected, strict=True):
        assert line.startswith(start), line


def test_actor_report_shows_what_others_say_about_the_actor(project: Project) -> None:
    # The demo: AF's turn 9 is coded kunskap_respekt, hindrande, --partner FK.
    report = build_report(project, ReportKind.AKTOR, "FK")
    assert report.relations is not None
    assert report.relations.cell("AF", "FK").hindering == 1
    path = write_report(project, "aktor", "FK", ReportOptions(fmt="md", dpi=40))
    text = path.read_text(encoding="utf-8")
    relations = text[text.index("## Relationer mellan aktörerna") : text.index("## Slutsatser")]
    assert "Inga kodade avsnitt anger" not in relations
    assert "Flest hindrande omdömen: AF om FK (1)." in relations
    assert "vad de andra säger om FK" in relations
    # A relation FK is no part of stays out of FK's view.
    assert report.relations.cell("vård", "AF").total == 0
    kommun = build_report(project, ReportKind.KOMMUN, "Norrby").relations
    assert kommun is not None and kommun.cell("vård", "AF").total == 1


def test_one_named_partner_reads_in_the_singular() -> None:
    texts = Texts.load("sv")
    assert texts("relations_intro", n=1).startswith("1 kodat avsnitt anger vilken annan aktör det")
    assert texts("relations_intro", n=2).startswith("2 kodade avsnitt anger vilken annan aktör de")


def test_a_factor_raised_as_often_promoting_as_hindering_reads_as_swedish() -> None:
    from qualkit.export.report_prose import common_text

    t = Texts.load("sv")
    assert common_text(t, "Kunskap", "blandad") == (
        "Kunskap: togs upp i alla jämförda kommuner, lika ofta främjande som hindrande."
    )
    assert common_text(t, "Ledning", "hindrande").endswith("främst som hindrande.")


def test_participants_per_role_has_a_total_row(project: Project) -> None:
    from qualkit.export.report_layout import layout

    report = build_report(project, ReportKind.KOMMUN, "Norrby")
    tables = [b for b in layout(report, Texts.load("sv"), charts={}) if b.kind == "table"]
    by_actor = next(b for b in tables if "Deltagare per aktör" in b.text)
    by_role = next(b for b in tables if "Deltagare per roll" in b.text)
    assert by_actor.rows[-1] == ("Totalt", "4")
    assert by_role.rows[-1] == ("Totalt", "", "4")
    assert sum(int(n) for *_, n in by_role.rows[:-1]) == 4


def test_a_date_is_said_only_of_the_interviews_that_have_one(project: Project) -> None:
    report = build_report(project, ReportKind.REGION, "")
    dated = [i for i in report.material.interviews if i.date]
    assert 0 < len(dated) < len(report.material.interviews)  # the fixture mixes both
    text = metod(project, "region")
    undated = len(report.material.interviews) - len(dated)
    assert f"För {undated} intervju saknas datum." in text
    assert f"{len(dated)} intervju genomfördes" in text
    assert "Intervjun genomfördes" not in text and "Intervjuerna genomfördes" not in text


def test_an_actor_report_says_whose_participants_it_counts(project: Project) -> None:
    text = metod(project, "aktor", "kommun")
    assert "deltagare från kommunen." in text
    assert "| Deltagare från kommunen |" in text
    text = metod(project, "aktor", "FK")
    assert "deltagare från Försäkringskassan." in text
