"""Turns cut where the segmentation model hears no speech, on made-up frame scores:
what is cut and what is kept, that no voice is lost, and the option's artefact keys."""

from __future__ import annotations

import numpy as np
import pytest

from qualkit.pipeline.diarize import Diarization, DiarizeOptions, diarize
from qualkit.pipeline.overlap import FrameAccumulator, FrameScores
from qualkit.pipeline.speech_trim import heard_regions, keep_whole, trim_to_speech, trim_turns
from qualkit.pipeline.turns import Turn

STEP = 0.1


def frames(speech: list[float], overlap: list[float] | None = None) -> FrameScores:
    """Frames 0.1 s apart, frame k covering [k/10, (k+1)/10)."""
    pairs = np.zeros(len(speech)) if overlap is None else np.asarray(overlap)
    return FrameScores(pairs.astype(np.float32), STEP / 2, STEP, np.asarray(speech, np.float32))


def test_a_reverb_tail_after_a_turn_is_cut() -> None:
    # speech 0.0-1.0 s (P near 1), then a tail the VAD kept (P 0.6, 0.4), then silence
    s = frames([0.99] * 10 + [0.6, 0.4] + [0.01] * 3)
    assert trim_to_speech([Turn(0.0, 1.5, "A")], s, 0.7) == [Turn(0.0, 1.0, "A")]
    # at a lower threshold the first tail frame stays
    assert trim_to_speech([Turn(0.0, 1.5, "A")], s, 0.5) == [Turn(0.0, 1.1, "A")]


def test_a_frame_exactly_at_the_threshold_is_kept() -> None:
    s = frames([0.7, 0.7, 0.69])
    assert heard_regions(s, 0.7, 0.0) == [(0.0, 0.2)]


def test_short_dips_between_words_are_bridged_long_ones_cut() -> None:
    one_dip = [0.95] * 5 + [0.3] + [0.95] * 5  # 0.1 s of doubt between two words
    long_dip = [0.95] * 5 + [0.3] * 4 + [0.95] * 5  # 0.4 s pause
    turn = [Turn(0.0, 1.4, "A")]
    assert trim_to_speech(turn, frames(one_dip), 0.7, min_gap_s=0.15) == [Turn(0.0, 1.1, "A")]
    assert trim_to_speech(turn, frames(one_dip), 0.7, min_gap_s=0.0) == [
        Turn(0.0, 0.5, "A"),
        Turn(0.6, 1.1, "A"),
    ]
    assert trim_to_speech(turn, frames(long_dip), 0.7, min_gap_s=0.15) == [
        Turn(0.0, 0.5, "A"),
        Turn(0.9, 1.4, "A"),
    ]


def test_turns_are_never_extended_and_slivers_go() -> None:
    s = frames([0.99] * 20)
    assert trim_to_speech([Turn(0.5, 0.8, "A")], s, 0.7) == [Turn(0.5, 0.8, "A")]
    # 0.03 s left of a turn: under the 0.05 s minimum, dropped
    quiet = frames([0.1] * 10 + [0.99] * 10)
    assert trim_to_speech([Turn(0.2, 1.03, "A")], quiet, 0.7) == []


def test_scores_without_speech_leave_the_turns_alone() -> None:
    s = FrameScores(np.zeros(10, np.float32), 0.05, STEP)
    turns = [Turn(0.0, 0.5, "A")]
    assert trim_to_speech(turns, s, 0.7) == turns
    assert trim_turns(turns, [Turn(0.2, 0.4, "B")], s, 0.7) == (turns, [Turn(0.2, 0.4, "B")])
    with pytest.raises(ValueError):
        heard_regions(s, 0.7, 0.0)


def test_both_voices_are_cut_but_no_voice_is_taken_away() -> None:
    s = frames([0.99] * 10 + [0.2] * 10)
    turns = [Turn(0.0, 1.5, "A"), Turn(1.2, 1.8, "Q")]  # Q: all of it in low frames
    second = [Turn(0.8, 1.3, "B")]
    cut, extra = trim_turns(turns, second, s, 0.7)
    assert cut == [Turn(0.0, 1.0, "A"), Turn(1.2, 1.8, "Q")]  # Q keeps its turn uncut
    assert extra == [Turn(0.8, 1.0, "B")]


def test_a_quiet_reply_under_the_threshold_throughout_keeps_its_turn() -> None:
    # A speaks 0-1 s and 1.6-2 s; between them B's quiet "Tack." (1.1-1.5 s) never
    # reaches P 0.7. The plain trim removes it, and align would give its word to A.
    turns = [Turn(0.0, 1.05, "A"), Turn(1.1, 1.5, "B"), Turn(1.6, 2.2, "A"), Turn(2.5, 4.0, "B")]
    s = frames([0.99] * 10 + [0.1] + [0.5] * 4 + [0.1] + [0.99] * 4 + [0.3] * 5 + [0.99] * 15)
    plain, _ = trim_turns(turns, [], s, 0.7)
    assert Turn(1.1, 1.5, "B") not in plain
    kept, _ = trim_turns(turns, [], s, 0.7, keep_whole_turns=True)
    # the reply comes back whole; the turns the trim only shortened stay shortened
    assert kept == [
        Turn(0.0, 1.0, "A"),
        Turn(1.1, 1.5, "B"),
        Turn(1.6, 2.0, "A"),
        Turn(2.5, 4.0, "B"),
    ]
    assert kept[:1] + kept[2:] == plain


def test_keep_whole_puts_back_only_turns_with_nothing_left_of_their_voice() -> None:
    before = [Turn(0.0, 2.0, "A"), Turn(2.0, 2.4, "B"), Turn(2.4, 3.0, "A")]
    after = [Turn(0.0, 1.8, "A"), Turn(2.5, 2.9, "A")]
    assert keep_whole(before, after) == [
        Turn(0.0, 1.8, "A"),
        Turn(2.0, 2.4, "B"),
        Turn(2.5, 2.9, "A"),
    ]
    # a piece of another voice inside a removed turn does not count as its own
    assert keep_whole([Turn(0.0, 1.0, "B")], [Turn(0.2, 0.6, "A")]) == [
        Turn(0.0, 1.0, "B"),
        Turn(0.2, 0.6, "A"),
    ]


def test_the_second_voice_is_trimmed_as_before_when_turns_are_kept_whole() -> None:
    s = frames([0.99] * 10 + [0.2] * 10)
    turns = [Turn(0.0, 1.0, "A"), Turn(1.2, 1.8, "A")]
    cut, extra = trim_turns(turns, [Turn(1.3, 1.6, "B")], s, 0.7, keep_whole_turns=True)
    assert cut == turns
    assert extra == []


def test_diarize_keeps_whole_turns_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    from qualkit.pipeline import diarize as diarize_module

    seen: list[bool] = []

    def spy(*args: object) -> object:
        seen.append(bool(args[5]))
        return trim_turns(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(diarize_module, "trim_turns", spy)
    s = frames([0.99] * 65)
    _diarised(DiarizeOptions(num_speakers=2), s)
    _diarised(DiarizeOptions(num_speakers=2, speech_trim_keep_whole=False), s)
    assert seen == [True, False]


def test_the_accumulator_averages_p_speech_like_the_overlap_score() -> None:
    acc = FrameAccumulator(6, STEP)
    acc.add(0.0, np.zeros(4), np.ones(4))
    acc.add(0.2, np.zeros(4), np.zeros(4))
    out = acc.result()
    assert out.speech is not None
    assert out.speech[:2].tolist() == [1.0, 1.0] and out.speech[4:].tolist() == [0.0, 0.0]
    assert 0.0 < out.speech[2] < 1.0
    acc2 = FrameAccumulator(6, STEP)
    acc2.add(0.0, np.zeros(4))
    assert acc2.result().speech is None


class _Embedder:
    """Two voices, 3 s each, one sub-segment every 0.5 s: a tail after each."""

    name = "fake"

    def embed(self, audio: object, window_s: float, progress: object = None) -> object:
        from qualkit.pipeline.voice_embed import Embeddings

        spans = np.asarray([(a, a + 1.0) for a in np.arange(0.0, 5.5, 0.5)], np.float32)
        a, b = np.eye(192, dtype=np.float32)[:2]
        vectors = np.stack([a if s < 3.0 else b for s, _ in spans])
        return Embeddings(spans, vectors, ((0.0, 6.5),))  # the VAD: one region


class _Audio:
    duration_s = 6.5


class _Detector:
    name = "fake-detector"

    def __init__(self, speech: FrameScores) -> None:
        self.speech = speech

    def score(self, audio: object, options: object = None, progress: object = None) -> object:
        return self.speech


def _diarised(options: DiarizeOptions, scores: FrameScores) -> Diarization:
    dia, _ = diarize(_Audio(), _Embedder(), options, detector=_Detector(scores))  # type: ignore[arg-type]
    return dia


def test_diarize_trims_only_with_the_option_and_the_overlap_stage() -> None:
    # the sub-segments reach 0-6 s; the model hears speech 0-2.5 s and 3-5.5 s
    speech = [0.99] * 25 + [0.1] * 5 + [0.99] * 25 + [0.1] * 10
    s = frames(speech)
    on = _diarised(DiarizeOptions(num_speakers=2), s)
    off = _diarised(DiarizeOptions(num_speakers=2, speech_trim=False), s)
    assert sum(t.end - t.start for t in off.turns) == pytest.approx(6.0)
    assert sum(t.end - t.start for t in on.turns) == pytest.approx(5.0)
    assert max(t.end for t in on.turns) == pytest.approx(5.5)
    assert not any(t.start < 3.0 < t.end for t in on.turns)  # the pause 2.5-3 s is cut
    assert len(on.speakers) == len(off.speakers) == 2


def test_the_key_changes_only_with_the_trim_on() -> None:
    # Keys that the code before the trim gave (3f454b9), for a made-up sha.
    sha = "ab" * 32
    assert DiarizeOptions(speech_trim=False).artefact_key(sha) == "9652694cfd8cc3a9"
    assert DiarizeOptions(speech_trim=False, num_speakers=4).artefact_key(sha) == (
        "bf74b0e0fa95eaf9"
    )
    # without the overlap stage the trim cannot run: the old key, whatever the setting
    assert DiarizeOptions(overlap=False).artefact_key(sha) == "0972cb9297ec9afc"
    assert DiarizeOptions().artefact_key(sha) != "9652694cfd8cc3a9"
    assert DiarizeOptions(speech_trim_threshold=0.8).artefact_key(sha) != (
        DiarizeOptions().artefact_key(sha)
    )
    assert DiarizeOptions(speech_trim=False, speech_trim_threshold=0.8).artefact_key(sha) == (
        "9652694cfd8cc3a9"
    )
    # keeping whole turns is a different diarisation, so the default's key moved with it
    # (recordings diarised with the plain trim are redone); without the trim it is out
    assert DiarizeOptions(speech_trim_keep_whole=False).artefact_key(sha) != (
        DiarizeOptions().artefact_key(sha)
    )
    assert DiarizeOptions(speech_trim=False, speech_trim_keep_whole=False).artefact_key(sha) == (
        "9652694cfd8cc3a9"
    )


def test_transcribe_speech_trim_flag_reaches_the_diarisation_options(
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
    assert main([*base, "--no-speech-trim"]) == 0
    assert [o.speech_trim for o in seen] == [True, False]
