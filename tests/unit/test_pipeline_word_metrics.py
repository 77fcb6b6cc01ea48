"""WDER: words aligned by edit distance, voices mapped one-to-one, wrong voices counted."""

from __future__ import annotations

import pytest

from qualkit.pipeline.metrics import (
    WordSpeakerScore,
    align_words,
    change_positions,
    spoken_words,
    word_speaker_errors,
)

REF = spoken_words(
    [
        ("Anna", "Hur fungerar samverkan i dag?"),  # 5 words
        ("Bo", "Tack."),  # a one-word reply
        ("Anna", "Vad tänker ni andra om det?"),  # 6 words
        ("Cia", "Det är svårt att veta."),  # 5 words
    ]
)


def test_spoken_words_normalise_and_split() -> None:
    assert spoken_words([("A", "Tack, Bo-Erik!")]) == [("tack", "A"), ("bo", "A"), ("erik", "A")]


def test_alignment_pairs_correct_and_substituted_words_only() -> None:
    ref = ["a", "b", "c", "d"]
    hyp = ["a", "x", "c", "e", "d"]  # b->x substituted, e inserted
    assert align_words(ref, hyp) == [(0, 0), (1, 1), (2, 2), (3, 4)]
    assert align_words(ref, []) == []
    assert align_words(["a", "b", "c"], ["a", "c"]) == [(0, 0), (2, 1)]  # b deleted


def test_change_positions_are_the_first_words_after_a_new_speaker() -> None:
    speakers = [s for _, s in REF]
    assert change_positions(speakers, 2) == {5, 6, 7, 12, 13}  # "tack" is its turn alone
    assert change_positions(speakers, 1) == {5, 6, 12}


def test_perfect_voices_under_other_names_score_zero() -> None:
    hyp = [(w, {"Anna": "V1", "Bo": "V2", "Cia": "V3"}[s]) for w, s in REF]
    score = word_speaker_errors(REF, hyp)
    assert score == WordSpeakerScore(17, 0, 5, 0)
    assert score.wder == 0.0


def test_short_reply_given_to_the_previous_voice() -> None:
    names = {"Anna": "V1", "Bo": "V2", "Cia": "V3"}
    hyp = [(w, names[s]) for w, s in REF]
    hyp[5] = ("tack", "V1")  # Bo's "tack" heard as Anna's
    hyp[12] = ("det", "V1")  # Cia's first word still in Anna's turn
    score = word_speaker_errors(REF, hyp)
    assert (score.aligned, score.wrong) == (17, 2)
    assert score.wder == pytest.approx(2 / 17)
    assert (score.aligned_at_change, score.wrong_at_change) == (5, 2)
    assert score.wder_at_change == pytest.approx(0.4)


def test_mapping_is_one_to_one_and_unaligned_words_do_not_count() -> None:
    # One voice for both Anna and Cia: it maps to Anna (11 words), Cia's 5 are wrong.
    # Bo's reply was not heard (deleted) and one word was added: neither is counted.
    hyp = [(w, "V2" if s == "Bo" else "V1") for w, s in REF if w != "tack"]
    hyp.insert(0, ("eh", "V1"))
    score = word_speaker_errors(REF, hyp)
    assert (score.aligned, score.wrong) == (16, 5)
    assert (score.aligned_at_change, score.wrong_at_change) == (4, 2)  # "tack" gone


def test_words_without_a_voice_are_wrong_and_scores_add_up() -> None:
    hyp = [
        (w, None if i < 2 else "V") for i, (w, _) in enumerate(spoken_words([("A", "ja nej jo")]))
    ]
    one = word_speaker_errors(spoken_words([("A", "ja nej jo")]), hyp)
    assert (one.aligned, one.wrong) == (3, 2)
    total = one + WordSpeakerScore(7, 0, 2, 1)
    assert (total.wder, total.wder_at_change) == (pytest.approx(0.2), 0.5)
    assert WordSpeakerScore().wder == 0.0
