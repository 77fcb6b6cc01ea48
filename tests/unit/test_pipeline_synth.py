"""The synthetic focus-group generator behind the demo audio and the benchmark."""

from __future__ import annotations

import pytest

from qualkit.errors import InputError
from qualkit.pipeline import synth
from qualkit.pipeline.metrics import der, normalise, parse_rttm, wer


def test_reference_format() -> None:
    lines = synth.parse_reference("Moderator: Hej.\n\n# note\nHandläggare (FK): Tack, bra.\n")
    assert lines == [("Moderator", "Hej."), ("Handläggare (FK)", "Tack, bra.")]
    with pytest.raises(InputError):
        synth.parse_reference("no colon here")


def test_rttm_round_trip() -> None:
    utts = [synth.Utterance("Handläggare (FK)", "x", 1.0, 2.5), synth.Utterance("M", "y", 2.0, 3.0)]
    turns = parse_rttm(synth.rttm(utts, "demo"))
    assert [(t.start, t.end, t.speaker) for t in turns] == [
        (1.0, 2.5, "Handläggare_FK"),
        (2.0, 3.0, "M"),
    ]
    assert der(turns, turns) == 0.0


def test_wer_ignores_case_and_punctuation() -> None:
    assert normalise("Hej, Alla!") == "hej alla"
    assert wer("Hej alla.", "hej ALLA") == 0.0 and wer("hej alla", "hej") == 0.5


@pytest.mark.skipif(bool(synth.tools_missing()), reason="needs espeak-ng and sox")
def test_conversation_has_pauses_and_overlaps() -> None:
    lines = [("A", "Hej."), ("B", "Hej hej."), ("A", "Vi träffas varannan vecka."), ("B", "Nej.")]
    mix, utts = synth.converse(lines, synth.assign_voices(["A", "B"]), overlap_every=3)
    assert utts[1].start > utts[0].end  # a pause
    assert utts[3].start < utts[2].end  # every third turn starts before the last ends
    assert mix.size / 16000 == pytest.approx(max(u.end for u in utts) + 1.0, abs=0.01)
