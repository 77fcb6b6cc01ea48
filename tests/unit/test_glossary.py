"""The study's glossary: seeds, the user's edits, the token budget, and what Whisper gets."""

from __future__ import annotations

from dataclasses import asdict, replace

import pytest

from qualkit import glossary
from qualkit.cli import main
from qualkit.errors import InputError, NotFoundError
from qualkit.model import Actor
from qualkit.pipeline.artefacts import options_key
from qualkit.pipeline.glossary import (
    ACTOR_TERMS,
    TermSource,
    clean_term,
    codebook_terms,
    fit_terms,
    merge_terms,
    seed_terms,
)
from qualkit.pipeline.run import PipelineOptions
from qualkit.pipeline.transcribe import TranscribeOptions
from qualkit.pipeline.whisper_backends import _GlossaryFitting
from qualkit.project import Project
from tests.pipeline_fakes import FakeAsr, FakeEmbedder
from tests.unit.test_pipeline_run import add, pipeline


def words(text: str) -> int:
    return len(text.split())


# ------------------------------------------------------------------ pure logic
def test_codebook_labels_give_their_long_words_once() -> None:
    labels = [
        "En tydlig arbetsstruktur med ansvarsfördelning, kontaktvägar och rutiner",
        "Kunskap om och respekt för varandra",
        "Arbetsstruktur igen",
    ]
    assert codebook_terms(labels) == ["arbetsstruktur", "ansvarsfördelning", "kontaktvägar"]


def test_the_users_terms_come_first_and_removed_seeds_are_gone() -> None:
    seeds = seed_terms(["Eksjö", "Nässjö"], ["Stabila organisationer"])
    merged = merge_terms(seeds, ["Höglandet", "eksjö"], ["Nässjö", "försäkringskassan"])
    texts = [t.text for t in merged]
    assert texts[:2] == ["Höglandet", "eksjö"]  # the user's spelling wins, listed once
    assert "Eksjö" not in texts and "Nässjö" not in texts
    assert "Försäkringskassan" not in texts and "Arbetsförmedlingen" in texts
    assert texts[-1] == "organisationer"  # codebook words come last
    sources = {t.text: t.source for t in merged}
    assert sources["Höglandet"] is TermSource.USER and not merged[0].seeded
    assert sources["Arbetsförmedlingen"] is TermSource.ACTOR
    assert sources["SIP"] is TermSource.DOMAIN


def test_the_four_actors_are_seeded_by_the_names_people_say() -> None:
    assert {Actor.parse(t) for t in ACTOR_TERMS[:4]} == {
        Actor.FK,
        Actor.AF,
        Actor.KOMMUN,
        Actor.VARD,
    }


def test_terms_that_do_not_fit_the_budget_are_skipped_not_cut() -> None:
    terms = ["Eksjö", "Nässjö", "en väldigt lång term med många ord i sig", "SIP", "AME"]
    # "Eksjö, Nässjö, SIP" is 3 words; the long term would take it to 12.
    assert fit_terms(terms, words, budget=4) == ("Eksjö", "Nässjö", "SIP", "AME")
    assert fit_terms(terms, words, budget=2) == ("Eksjö", "Nässjö")
    assert fit_terms([], words) == ()


@pytest.mark.parametrize("bad", ["", "   ", "—", "x" * 61])
def test_a_term_must_be_a_word_or_a_short_name(bad: str) -> None:
    with pytest.raises(InputError):
        clean_term(bad)


def test_clean_term_joins_whitespace() -> None:
    assert clean_term("  Region \n Jönköpings   län ") == "Region Jönköpings län"


# ------------------------------------------------------- how Whisper gets them
class WordCounting(_GlossaryFitting):
    def count_tokens(self, text: str) -> int:
        return words(text)


@pytest.mark.parametrize(
    ("mode", "hotwords", "prompt"),
    [
        ("hotwords", "Eksjö, SIP", "Före."),
        ("prompt", None, "Före. Eksjö, SIP"),
        ("both", "Eksjö, SIP", "Före. Eksjö, SIP"),
    ],
)
def test_the_glossary_goes_to_hotwords_or_the_prompt(
    mode: str, hotwords: str | None, prompt: str
) -> None:
    opts = TranscribeOptions(
        initial_prompt="Före.",
        glossary=("Eksjö", "SIP", "Nässjö"),
        glossary_as=mode,
        glossary_tokens=2,
    )
    assert WordCounting().prompts(opts) == (hotwords, prompt)
    assert WordCounting().prompts(TranscribeOptions()) == (None, None)


def test_without_a_glossary_the_artefact_key_is_the_one_from_before_glossaries() -> None:
    opts = TranscribeOptions(no_speech_ends_fallback=None, vad_min_silence_ms=None)
    later = ("best_of", "no_speech_ends_fallback", "vad_min_silence_ms")  # added after glossaries
    before = {
        k: v for k, v in asdict(opts).items() if not k.startswith("glossary") and k not in later
    }
    assert opts.artefact_key("abc", "m") == options_key("abc", before, "m")
    with_terms = TranscribeOptions(glossary=("Eksjö",))
    assert with_terms.artefact_key("abc", "m") != opts.artefact_key("abc", "m")
    with pytest.raises(InputError):
        TranscribeOptions(glossary_as="loud")


# ----------------------------------------------------------- the project's glossary
def test_seeds_follow_the_project_and_the_user_edits_them(project: Project) -> None:
    project.store.add_participant(role="handläggare", actor=Actor.FK, kommun="Vetlanda")
    terms = {t.text: t for t in glossary.project_glossary(project)}
    assert not glossary.in_use(project)  # seeds alone do not switch it on
    assert terms["Vetlanda"].source is TermSource.KOMMUN
    assert "Försäkringskassan" in terms and "samordningsförbund" in terms
    assert "ansvarsfördelning" in terms  # from the shipped Danermark codebook

    assert glossary.add_terms(project, ["Höglandet", " Höglandet ", "Region  Jönköping"]) == [
        "Höglandet",
        "Region Jönköping",
    ]
    assert glossary.in_use(project)
    assert glossary.remove_terms(project, ["vetlanda"]) == ["Vetlanda"]
    listed = glossary.project_glossary(project)
    assert [t.text for t in listed[:2]] == ["Höglandet", "Region Jönköping"]
    assert "Vetlanda" not in {t.text for t in listed}

    glossary.remove_terms(project, ["Höglandet"])  # the user's own term is forgotten
    glossary.add_terms(project, ["Vetlanda"])  # a removed seed comes back as the user's
    again = {t.text: t for t in glossary.project_glossary(project)}
    assert "Höglandet" not in again and again["Vetlanda"].source is TermSource.USER
    with pytest.raises(NotFoundError):
        glossary.remove_terms(project, ["Atlantis"])


def test_cli_adds_lists_and_removes(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    root = str(project.root)
    assert main(["glossary", "add", "Höglandet", "-p", root]) == 0
    assert main(["glossary", "list", "-p", root]) == 0
    out = capsys.readouterr().out
    assert "Höglandet" in out and "added" in out and "seeded (aktör)" in out
    assert "terms fit Whisper's prompt" in out
    assert main(["glossary", "remove", "SIP", "-p", root]) == 0
    assert main(["glossary", "remove", "Atlantis", "-p", root]) == 2
    with pytest.raises(SystemExit) as stop:  # argparse: TERM is required
        main(["glossary", "add", "-p", root])
    assert stop.value.code == 2
    assert "not in the glossary" in capsys.readouterr().err
    assert "SIP" not in glossary.transcription_terms(project)
    # The project option may stand anywhere, as in the other commands.
    assert main(["glossary", "add", "-p", root, "Nässjö", "Eksjö"]) == 0
    assert main(["glossary", "-p", root, "remove", "Eksjö"]) == 0
    assert main(["glossary", "-p", root]) == 0
    out = capsys.readouterr().out
    assert "Nässjö" in out and "Removed from the glossary: Eksjö." in out


# ------------------------------------------------------------------ the runner
def test_a_changed_glossary_does_not_redo_finished_transcripts_unless_asked(
    project: Project,
) -> None:
    add(project, "g")
    first = PipelineOptions(transcribe=TranscribeOptions(glossary=("Eksjö",)))
    pipeline(project, FakeAsr(), FakeEmbedder(), first).run(project.recordings())

    asr = FakeAsr()
    changed = PipelineOptions(transcribe=TranscribeOptions(glossary=("Eksjö", "Nässjö")))
    [res] = pipeline(project, asr, FakeEmbedder(), changed).run(project.recordings())
    assert res.ok and res.ran == () and asr.calls == 0

    off = PipelineOptions(transcribe=TranscribeOptions(glossary=()))
    [res] = pipeline(project, asr, FakeEmbedder(), off).run(project.recordings())
    assert res.ran == () and asr.calls == 0

    other_beam = PipelineOptions(transcribe=TranscribeOptions(beam_size=2, glossary=("Eksjö",)))
    [res] = pipeline(project, asr, FakeEmbedder(), other_beam).run(project.recordings())
    assert "transcribe" in res.ran and asr.calls == 1  # not a glossary-only change

    asked = PipelineOptions(
        transcribe=TranscribeOptions(glossary=("Eksjö", "Nässjö")), glossary_redo=True
    )
    [res] = pipeline(project, asr, FakeEmbedder(), asked).run(project.recordings())
    assert "transcribe" in res.ran and asr.calls == 2


def test_glossary_terms_echoed_after_themselves_are_cut() -> None:
    from qualkit.model import Word
    from qualkit.pipeline.transcribe import AsrSegment, collapse_repeats

    texts = ["Vi", "gör", "en", "SIP,", "SIP,", "SIP.", "ja", "ja"]
    words = tuple(Word(i, i + 0.5, t, 0.9) for i, t in enumerate(texts))
    seg = AsrSegment(0, 8, " ".join(texts), words)
    out = collapse_repeats(seg, ("SIP", "Eksjö"))
    assert out.text == "Vi gör en SIP, ja ja"  # people do say "ja ja"
    assert out.end == 7.5
    assert collapse_repeats(seg) == seg  # no glossary: nothing to echo


def test_a_piece_looping_inside_one_word_is_cut() -> None:
    from qualkit.pipeline.transcribe import AsrSegment, collapse_repeats

    seg = AsrSegment(0, 3, "via njärnjärnjärnjärnjärnjärn för alla", ())
    assert collapse_repeats(seg).text == "via njärn för alla"
    assert collapse_repeats(AsrSegment(0, 1, "hahaha, kanske", ())).text == "hahaha, kanske"


@pytest.mark.parametrize(
    "option",
    [{"best_of": 2}, {"no_speech_ends_fallback": 0.6}, {"vad_min_silence_ms": 500}],
    ids=str,
)
def test_options_left_to_the_backend_keep_the_key_a_value_changes_it(
    option: dict[str, float],
) -> None:
    # Left to the backend, the key is the one from before the options (the test above
    # pins it).
    opts = TranscribeOptions(no_speech_ends_fallback=None, vad_min_silence_ms=None)
    assert opts.best_of is None
    assert TranscribeOptions(**option).artefact_key("abc", "m") != opts.artefact_key("abc", "m")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "bad",
    [
        {"best_of": 0},
        {"beam_size": 0},
        {"window_s": 10.0},
        {"no_speech_ends_fallback": 0.0},
        {"no_speech_ends_fallback": 1.5},
        {"vad_min_silence_ms": 50},
    ],
    ids=str,
)
def test_decoding_options_out_of_range_are_refused(bad: dict[str, float]) -> None:
    with pytest.raises(InputError):
        TranscribeOptions(**bad)  # type: ignore[arg-type]


def test_silence_ends_the_fallback_by_default_on_faster_whisper_only() -> None:
    # openai-whisper cannot end its fallback apart from its skip, so its options (and the
    # keys of its transcripts) are the ones from before the option.
    assert TranscribeOptions().no_speech_ends_fallback == 0.6
    openai = TranscribeOptions(backend="openai-whisper")
    assert openai.no_speech_ends_fallback is None
    assert replace(openai, no_speech_ends_fallback=0.6).no_speech_ends_fallback is None
    assert openai.artefact_key("abc", "m") == replace(
        openai, no_speech_ends_fallback=None
    ).artefact_key("abc", "m")
