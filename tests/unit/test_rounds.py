"""Självvärdering rounds: written answers, ratings, and the round-to-round comparison report."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from docx import Document

from qualkit.cli import main
from qualkit.errors import ImportFormatError, InputError
from qualkit.export.rounds_report import write_comparison
from qualkit.model import Actor, Code
from qualkit.project import Project
from qualkit.rounds import (
    QUESTIONS,
    add_round,
    assessor_agreement,
    compare,
    import_answers,
    rate,
    ratings,
    read_answers,
)
from tests.unit.report_fixtures import zip_text

# Every test here that uses a project runs on SQLite and on a PostgreSQL server.
pytestmark = pytest.mark.both_backends

ANSWERS_1 = """deltagare;roll;aktör;fråga;svar
Lisa;handläggare;FK;1;Vi träffas sällan och det saknas rutiner för överlämning.
Omar;socialsekreterare;kommun;1;Vi arbetar mest var för sig.
Lisa;handläggare;FK;3;Vi behöver en gemensam kontaktlista.
"""
ANSWERS_2 = """deltagare;fråga;svar
Lisa;Hur bedrivs arbetet?;Nu har vi veckomöten och en skriftlig rutin för överlämning.
Omar;2;Fler deltagare har gått vidare till arbete eller studier, som Lisa sa.
Omar;4;Vi följer upp målen varje halvår tillsammans.
"""


@pytest.fixture
def two_rounds(project: Project, tmp_path: Path) -> Project:
    (tmp_path / "v1.csv").write_text(ANSWERS_1, encoding="utf-8")
    (tmp_path / "v2.csv").write_text(ANSWERS_2, encoding="utf-8")
    r1 = add_round(project, "V1", "2026-01-15", co_assessor="Extern bedömare")
    import_answers(project, r1, tmp_path / "v1.csv")
    r2 = add_round(project, "V2", "2026-06-15", co_assessor="Extern bedömare")
    import_answers(project, r2, tmp_path / "v2.csv")
    s1 = project.segments("V1_svar")
    s2 = project.segments("V2_svar")
    # V1: segment 2 (Lisa q1), 3 (Omar q1), 5 (Lisa q3); questions are segments 1 and 4.
    for coder in ("personal", "Extern bedömare"):
        project.add_coding(
            s1[1].id, "personal_genomforande", codebook="sjalvvardering", coder=coder
        )
    project.add_coding(
        s1[2].id, "organisation_genomforande", codebook="sjalvvardering", coder="personal"
    )
    project.add_coding(
        s1[2].id, "personal_genomforande", codebook="sjalvvardering", coder="Extern bedömare"
    )
    project.add_coding(s1[1].id, "arbetsstruktur", valence="hindrande", coder="personal")
    project.add_coding(s1[4].id, "arbetsstruktur", valence="förslag", coder="personal")
    # V2
    project.add_coding(
        s2[1].id, "personal_genomforande", codebook="sjalvvardering", coder="personal"
    )
    project.add_coding(s2[3].id, "deltagare_resultat", codebook="sjalvvardering", coder="personal")
    project.add_coding(s2[1].id, "forum_beslut", valence="främjande", coder="personal")
    project.add_coding(s2[1].id, "arbetsstruktur", valence="främjande", coder="personal")
    project.add_coding(s2[5].id, "malgrupper_mal", valence="främjande", coder="personal")
    for rnd, staff, co in (("V1", 2, 3), ("V2", 4, 3)):
        rate(
            project,
            project.store.round_by_name(rnd),
            "personal_genomforande",
            staff,
            assessor="Lisa",
            participant="Lisa",
        )  # type: ignore[arg-type]
        rate(
            project,
            project.store.round_by_name(rnd),
            "personal_genomforande",
            staff,
            assessor="Omar",
            participant="Omar",
        )  # type: ignore[arg-type]
        rate(
            project,
            project.store.round_by_name(rnd),
            "personal_genomforande",
            co,
            assessor="Extern bedömare",
        )  # type: ignore[arg-type]
    return project


def test_written_answers_become_segments_by_participant(two_rounds: Project) -> None:
    p = two_rounds
    segs = p.segments("V1_svar")
    assert segs[0].text == QUESTIONS[0]
    assert len(segs) == 5
    people = {x.real_name: x for x in p.store.participants()}
    assert people["Lisa"].actor is Actor.FK and people["Lisa"].role == "handläggare"
    # Names from the file are kept as real names; speakers carry the pseudonym.
    assert people["Lisa"].pseudonym.startswith("Deltagare")
    labels = {sp.label for sp in p.store.speakers(segs[0].recording_id)}
    assert "Lisa" not in labels and people["Lisa"].pseudonym in labels
    rnd = p.store.round_by_name("V1")
    assert rnd is not None
    assert {x.real_name for x in p.store.round_participants(rnd.id)} == {"Lisa", "Omar"}
    assert [r.name for r in p.store.round_material(rnd.id)] == ["V1_svar"]


def test_answers_file_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("namn;text\nA;B\n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match="deltagare"):
        read_answers(bad)
    bad.write_text("deltagare;fråga;svar\nA;7;B\n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match="line 2"):
        read_answers(bad)
    # A quote left open would swallow every answer after it.
    bad.write_text('deltagare;fråga;svar\nA;1;"Bra\nB;2;Sämre\n', encoding="utf-8")
    with pytest.raises(ImportFormatError, match="not valid CSV"):
        read_answers(bad)


def test_ratings_replace_and_validate(two_rounds: Project) -> None:
    rnd = two_rounds.store.round_by_name("V1")
    assert rnd is not None
    rate(two_rounds, rnd, "personal_genomforande", 5, assessor="Extern bedömare")
    co = [r for r in ratings(two_rounds, rnd) if r.assessor == "Extern bedömare"]
    assert [r.rating for r in co] == [5]
    with pytest.raises(InputError):
        rate(two_rounds, rnd, "personal_genomforande", 6, assessor="x")
    # Rating again says what it replaced; a row of the grid and a stranger are refused.
    again = rate(two_rounds, rnd, "personal_genomforande", 4, assessor="Extern bedömare")
    assert again.replaced == 5
    assert (
        rate(two_rounds, rnd, "personal_genomforande", 4, assessor="Extern bedömare").replaced
        is None
    )
    with pytest.raises(InputError, match="row of the grid"):
        rate(two_rounds, rnd, "personal", 3, assessor="Lisa")
    stranger = two_rounds.store.add_participant(role="chef", actor=Actor.KOMMUN)
    with pytest.raises(InputError, match="not a participant of V1"):
        rate(two_rounds, rnd, "personal_genomforande", 3, assessor="x", participant=stranger.id)


def test_compare_counts_change_and_assessor_agreement(two_rounds: Project) -> None:
    cmp = compare(two_rounds, "V1", "V2")
    cells = {c.code: c for c in cmp.cells}
    # Two coders on one passage count once.
    assert cells["personal_genomforande"].counts == (2, 1)
    assert cells["personal_genomforande"].trend == "minskning"
    assert cells["deltagare_resultat"].trend == "nytt"
    assert cells["organisation_genomforande"].trend == "försvunnet"
    assert cells["personal_genomforande"].staff_rating == (2.0, 4.0)
    assert cells["personal_genomforande"].co_rating == (3.0, 3.0)
    factors = {c.code: c for c in cmp.factors}
    assert factors["arbetsstruktur"].by_valence[0] == {"hindrande": 1, "förslag": 1}
    assert factors["forum_beslut"].quotes[0].attribution == "handläggare, FK"
    assert "forum_beslut" in {c.code for c in cmp.new_themes}
    a1 = cmp.assessors[0]
    assert a1.cells == 1 and a1.exact_percent == 0.0 and a1.within_one_percent == 100.0
    assert a1.mean_difference == -1.0
    assert a1.coding is not None and a1.coding.coders == ("personal", "Extern bedömare")
    assert assessor_agreement(two_rounds, cmp.rounds[1]).mean_difference == 1.0
    assert compare(two_rounds, "V1", "V2", coder="Extern bedömare").cells[4].counts == (2, 0)
    with pytest.raises(InputError):
        compare(two_rounds, "V1", "V1")


def test_report_renders_in_three_formats(two_rounds: Project) -> None:
    cmp = compare(two_rounds, "V1", "V2")
    md = write_comparison(two_rounds, cmp, "md")
    text = md[0].read_text(encoding="utf-8")
    assert "## Vad har förändrats" in text and "(handläggare, FK)" in text
    assert "Deltagare: 2 i V1 (FK 1, kommun 1)" in text
    assert "Lisa" not in text and "Omar" not in text  # quotes by role and actor only
    # The co-assessor is a named person too: named in the project, not in the report.
    assert (
        "Extern bedömare" not in text
        and "Båda omgångarna hade en extern medbedömare (V1 och V2)." in text
    )
    pngs = [p for p in md if p.suffix == ".png"]
    assert {p.stem.rsplit("_", 1)[1] for p in pngs} == {"rutnat", "betyg", "faktorer"}
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)
    html = write_comparison(two_rounds, cmp, "html")[0].read_text(encoding="utf-8")
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    assert len(images) == 3 and base64.b64decode(images[0])[:4] == b"\x89PNG"
    assert 'lang="sv"' in html and "Personalens bedömning och medbedömarens" in html
    docx_path = write_comparison(two_rounds, cmp, "docx")[0]
    doc = Document(str(docx_path))
    assert len(doc.inline_shapes) == 3
    assert any("Rutnätet" in p.text for p in doc.paragraphs)
    with pytest.raises(InputError):
        write_comparison(two_rounds, cmp, "pdf")


def test_report_redacts_labels_roles_material_and_the_coder(two_rounds: Project) -> None:
    project = two_rounds
    project.add_code(
        Code("danermark", "karins", "Förslag från Karin Lindqvist", description="070-123 45 67")
    )
    v2 = project.segments("V2_svar")
    project.add_coding(v2[1].id, "karins", valence="förslag", coder="anna.svensson")
    lisa = next(p for p in project.store.participants() if p.role == "handläggare")
    project.store.update_participant(lisa.id, role="kurator hos Gunborg")
    project.update_recording(project.recording("V2_svar").id, name="svar Karin Lindqvist")
    cmp = compare(project, "V1", "V2", coder="anna.svensson")
    for fmt in ("md", "html", "docx"):
        [path, *_] = write_comparison(project, cmp, fmt)
        text = zip_text(path) if fmt == "docx" else path.read_text(encoding="utf-8")
        for secret in ("Karin", "Lindqvist", "Gunborg", "anna.svensson", "Extern bedömare"):
            assert secret not in text, (secret, fmt)
    md = write_comparison(project, cmp, "md")[0].read_text(encoding="utf-8")
    assert "Förslag från [Namn" in md and "kurator hos [Namn" in md
    assert "(endast kodningar av Kodare " in md
    # Shipped grid labels as shipped.
    assert "| Personal - Genomförande |" in md


def test_rounds_cli(project_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "v1.csv").write_text(ANSWERS_1, encoding="utf-8")
    (tmp_path / "v2.csv").write_text(ANSWERS_2, encoding="utf-8")
    p = ["-p", str(project_dir)]
    assert (
        main(
            [
                "rounds",
                "add",
                "V1",
                "--date",
                "2026-01-15",
                "--co-assessor",
                "Eva",
                "--answers",
                str(tmp_path / "v1.csv"),
                *p,
            ]
        )
        == 0
    )
    assert main(["rounds", "add", "V2", "--date", "2026-06-15", *p]) == 0
    assert main(["rounds", "material", "V2", "--answers", str(tmp_path / "v2.csv"), *p]) == 0
    assert (
        main(["code", "V1_svar:2", "personal_genomforande", "--codebook", "sjalvvardering", *p])
        == 0
    )
    assert (
        main(["rounds", "rate", "V1", "personal_genomforande", "3", "--assessor", "Eva", *p]) == 0
    )
    assert (
        main(["rounds", "rate", "V1", "personal_genomforande", "9", "--assessor", "Eva", *p]) == 2
    )
    assert main(["rounds", "list", *p]) == 0
    out = capsys.readouterr().out
    assert "V1_svar" in out and "Eva" in out
    assert main(["rounds", "show", "V1", *p]) == 0
    shown = capsys.readouterr().out
    assert "Deltagare 1" in shown and "handläggare" in shown and "Lisa" not in shown
    assert main(["rounds", "compare", "V1", "V2", "--format", "md", *p]) == 0
    assert (project_dir / "exports" / "jamforelse_V1_V2.md").exists()
    # Several formats at once, as `report -f docx html` takes them.
    assert main(["rounds", "compare", "V1", "V2", "--format", "docx", "html", *p]) == 0
    for suffix in ("docx", "html"):
        assert (project_dir / "exports" / f"jamforelse_V1_V2.{suffix}").exists()
    assert main(["rounds", "compare", "V1", "V9", *p]) == 2


def test_answers_transcript_names_the_questions(two_rounds: Project, tmp_path: Path) -> None:
    from qualkit.export.transcript import export_transcript

    text = export_transcript(two_rounds, "V1_svar", "txt", tmp_path / "v1.txt").read_text(
        encoding="utf-8"
    )
    assert "Fråga: " in text and "Talare 1" not in text and "Lisa" not in text
