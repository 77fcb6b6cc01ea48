"""Reports on material several coders coded: each passage counted once, co-occurrence within
one coder, consensus in place of the coders, written round answers left out, and agreement
figures that redaction of a coder's name cannot change."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualkit.export.report_model import build_report
from qualkit.export.report_quotes import span_quote
from qualkit.model import Actor, Valence
from qualkit.project import Project, init_project, open_project
from qualkit.rounds import add_round, import_answers

TURNS = [
    "Moderator: Välkomna. Hur fungerar samverkan hos er?",
    "Eva: Ledningen ger oss inget mandat att samverka över gränserna.",
    "Eva: Vi har hög personalomsättning och ledningen byts hela tiden.",
    "Moderator: Hur ser det ut med gemensamma forum?",
    "Eva: Samverkansforum finns men besluten tas inte där utan måste tillbaka till linjen.",
    "Eva: Individen hamnar mellan stolarna när ingen tar helheten.",
]


@pytest.fixture
def coded(tmp_path: Path) -> Project:
    root = tmp_path / "p"
    init_project(root).close()
    src = tmp_path / "fg_eksjo.txt"
    src.write_text("\n".join(TURNS) + "\n", encoding="utf-8")
    project = open_project(root)
    rec = project.import_transcript(src, kommun="Eksjö")
    voices = {v.label: v for v in project.store.speakers(rec.id)}
    eva = project.store.add_participant(role="handläggare", actor=Actor.FK, kommun="Eksjö")
    project.store.assign_speaker(voices["Eva"].id, eva.id)
    return project


def test_a_passage_counts_once_however_many_coders_coded_it(coded: Project) -> None:
    for coder in ("anna", "bo", "cilla"):
        coded.add_coding("fg_eksjo:2", "ledning", valence="hindrande", coder=coder)
    # The same coder twice on one passage: the whole turn and a span of it.
    coded.add_coding("fg_eksjo:5", "forum_beslut", valence="hindrande", coder="bo")
    coded.add_coding("fg_eksjo:5", "forum_beslut", valence="hindrande", coder="bo", span=(30, 70))
    report = build_report(coded, "kommun", "Eksjö")
    counts = {f.key: f.counts for f in report.factors}
    assert counts["ledning"].hindering == 1 and counts["ledning"].total == 1
    assert counts["forum_beslut"].total == 1
    assert report.material.codings == 2
    fk = dict(zip(report.dimension_values, range(99), strict=False))["FK"]
    ledning = next(f for f in report.factors if f.key == "ledning")
    assert ledning.breakdown[fk].hindering == 1
    # The span is quoted, in whole words, with what it leaves out marked.
    [quote] = next(f for f in report.factors if f.key == "forum_beslut").quotes_hindering
    assert quote.text.startswith("[…] ") and quote.text.endswith(" […]")
    assert "besluten tas inte där utan måste tillbaka" in quote.text


def test_disagreeing_coders_are_no_cooccurrence(coded: Project) -> None:
    coded.add_coding("fg_eksjo:3", "stabila_org", valence="hindrande", coder="anna")
    coded.add_coding("fg_eksjo:3", "ledning", valence="hindrande", coder="bo")
    coded.add_coding("fg_eksjo:6", "individ", valence="hindrande", coder="anna")
    coded.add_coding("fg_eksjo:6", "arbetsstruktur", valence="hindrande", coder="anna")
    report = build_report(coded, "kommun", "Eksjö")
    keys = [f.key for f in report.factors]
    grid = report.cooccurrence
    assert grid[keys.index("stabila_org")][keys.index("ledning")] == 0
    assert grid[keys.index("individ")][keys.index("arbetsstruktur")] == 1


def test_consensus_replaces_the_coders_on_its_passage(coded: Project) -> None:
    coded.add_coding("fg_eksjo:5", "forum_beslut", valence="hindrande", coder="anna")
    coded.add_coding("fg_eksjo:5", "forum_beslut", valence="främjande", coder="bo")
    coded.add_coding("fg_eksjo:5", "forum_beslut", valence="hindrande", coder="konsensus")
    counts = {f.key: f.counts for f in build_report(coded, "kommun", "Eksjö").factors}
    assert (counts["forum_beslut"].hindering, counts["forum_beslut"].promoting) == (1, 0)


def test_written_round_answers_are_no_focus_group(coded: Project, tmp_path: Path) -> None:
    coded.add_coding("fg_eksjo:2", "ledning", valence="hindrande", coder="anna")
    answers = tmp_path / "svar.csv"
    answers.write_text(
        "deltagare;fråga;svar;roll;aktör\nLisa Larsson;1;Vi har ingen ledning.;chef;FK\n",
        encoding="utf-8",
    )
    rnd = add_round(coded, "V1", "2026-01-15")
    rec = import_answers(coded, rnd, answers)
    answer = next(s for s in coded.store.segments(rec.id) if "ledning" in s.text)
    coded.add_coding(answer.id, "ledning", valence="hindrande", coder="anna")
    report = build_report(coded, "aktor", "FK")
    assert [i.name for i in report.material.interviews] == ["fg_eksjo"]
    assert next(f for f in report.factors if f.key == "ledning").counts.total == 1


def test_a_redacted_coder_name_does_not_change_the_agreement(coded: Project) -> None:
    for coder, codes in (("anna", ("ledning", "stabila_org")), ("bo", ("ledning", "individ"))):
        for n, code in zip((2, 3), codes, strict=True):
            coded.add_coding(f"fg_eksjo:{n}", code, valence="hindrande", coder=coder)
    before = build_report(coded, "kommun", "Eksjö").method
    # A participant really called Anna: every "anna" in a report is now replaced.
    coded.store.add_participant(role="chef", actor=Actor.KOMMUN, real_name="Anna Berg")
    after = build_report(coded, "kommun", "Eksjö").method
    assert (after.kappa, after.alpha, after.agreement_units) == (
        before.kappa,
        before.alpha,
        before.agreement_units,
    )
    assert len(after.agreement_coders) == 2 and "anna" not in after.agreement_coders
    assert "anna" not in {c.name for c in after.coders}


def test_span_quote_widens_to_words() -> None:
    text = "Samverkansforum finns men besluten tas inte där."
    assert span_quote(text, 27, 36) == "[…] besluten tas […]"
    assert span_quote(text, 0, len(text)) == text
    assert span_quote(text, 5, 5) == "Samverkansforum […]"  # widened to the start


def test_a_consensus_is_per_codebook_and_may_be_no_code(coded: Project) -> None:
    from qualkit.consensus import resolve

    for coder in ("anna", "bo"):
        coded.add_coding("fg_eksjo:3", "ledning", valence="hindrande", coder=coder)
    # A consensus in another codebook leaves the Danermark codings alone.
    other = next(b for b in coded.codebook_ids() if b != "danermark")
    key = coded.codebook(other).codes[0].key
    seg3 = coded.segment("fg_eksjo:3").id
    resolve(coded, seg3, [(key, Valence.NONE)], "Enig.", codebook=other)
    counts = {f.key: f.counts for f in build_report(coded, "kommun", "Eksjö").factors}
    assert counts["ledning"].hindering == 1
    # A consensus memo alone ("no code fits") settles the passage with no code.
    coded.add_coding("fg_eksjo:2", "ledning", valence="hindrande", coder="anna")
    coded.add_coding("fg_eksjo:2", "stabila_org", valence="hindrande", coder="bo")
    resolve(coded, coded.segment("fg_eksjo:2").id, [], "Ingen kod passar.")
    report = build_report(coded, "kommun", "Eksjö")
    counts = {f.key: f.counts for f in report.factors}
    assert counts["ledning"].hindering == 1 and counts["stabila_org"].total == 0
    # The Metod section counts each coder's own work, never the consensus as a coder.
    shares = {c.name: c.codings for c in report.method.coders}
    assert shares == {"Kodare 1": 2, "Kodare 2": 2}


def test_a_pinned_quote_survives_counting_once(coded: Project) -> None:
    first = coded.add_coding("fg_eksjo:3", "ledning", valence="hindrande", coder="anna")
    second = coded.add_coding("fg_eksjo:3", "ledning", valence="hindrande", coder="bo")
    coded.store.set_pinned(second.id, True)
    [quote] = next(
        f for f in build_report(coded, "kommun", "Eksjö").factors if f.key == "ledning"
    ).quotes_hindering
    assert quote.pinned and quote.coding_id == second.id and first.id != second.id
