"""The packaged segmentation model finds overlapped speech in a synthetic clip whose
overlaps are known, and the overlap-aware diarisation misses less of it (marker
`pipeline`; audio made at test time with espeak-ng + sox)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qualkit.pipeline import synth
from qualkit.pipeline.turns import Turn

pytestmark = [
    pytest.mark.pipeline,
    pytest.mark.skipif(
        bool(synth.tools_missing()),
        reason="espeak-ng and sox are needed: apt-get install -y espeak-ng sox",
    ),
]


@pytest.fixture(scope="module")
def overlapped(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Turn]]:
    """About a minute of three voices; every third turn starts 1-2 s before the last ends."""
    lines = synth.bench_script(60.0, speakers=3, seed=2)
    voices = synth.assign_voices([s for s, _ in lines])
    mix, utts = synth.converse(lines, voices, seed=2, overlap_every=3, overlap_s=(1.0, 2.0))
    wav = tmp_path_factory.mktemp("overlap") / "overlap.wav"
    synth.write_wav(wav, mix)
    return wav, [Turn(u.start, u.end, u.speaker) for u in utts]


def test_the_segmentation_model_finds_the_known_overlaps(
    overlapped: tuple[Path, list[Turn]],
) -> None:
    from qualkit.pipeline.audio import ArrayAudio, iter_decode
    from qualkit.pipeline.diarize import DiarizeOptions
    from qualkit.pipeline.overlap import binarize, reference_overlap, region_overlap_share
    from qualkit.pipeline.overlap_model import load_overlap_detector

    wav, ref = overlapped
    truth = reference_overlap(ref)
    assert len(truth) >= 2  # the clip has overlaps to find
    audio = ArrayAudio(np.concatenate(list(iter_decode(wav))))
    frames = load_overlap_detector("cpu").score(audio)
    assert abs(len(frames.scores) * frames.step - audio.duration_s) < 0.5
    opts = DiarizeOptions()
    found = binarize(
        frames, opts.overlap_onset, opts.overlap_offset, opts.overlap_min_s, opts.overlap_min_s
    )
    assert region_overlap_share(found, truth) >= 0.8  # precision
    assert region_overlap_share(truth, found) >= 0.5  # recall
    # every known overlap is touched by a found region
    assert all(any(a < y and x < b for x, y in found) for a, b in truth)


def test_overlap_aware_diarisation_misses_less_and_adds_no_voice(
    overlapped: tuple[Path, list[Turn]],
) -> None:
    from qualkit.pipeline.audio import ArrayAudio, iter_decode
    from qualkit.pipeline.diarize import DiarizeOptions, diarize, load_embedder
    from qualkit.pipeline.metrics import der_detail
    from qualkit.pipeline.overlap_model import load_overlap_detector

    wav, ref = overlapped
    audio = ArrayAudio(np.concatenate(list(iter_decode(wav))))
    embedder = load_embedder(DiarizeOptions(), "cpu")
    plain, _ = diarize(audio, embedder, DiarizeOptions(num_speakers=3, overlap=False))
    aware, _ = diarize(
        audio,
        embedder,
        DiarizeOptions(num_speakers=3, overlap=True, speech_trim=False),
        None,
        load_overlap_detector("cpu"),
    )
    assert aware.turns == plain.turns  # words keep the voices they had
    assert aware.overlap_turns and not plain.overlap_turns
    assert set(aware.speakers) == {t.speaker for t in aware.all_turns}  # no new voice
    before, after = der_detail(ref, plain.all_turns), der_detail(ref, aware.all_turns)
    assert after["missed"] < before["missed"]
    assert after["der"] < before["der"]
    # The default also cuts the turns where the model hears no speech: it only ever
    # shortens a voice's turns, takes no voice away and adds no false alarm.
    trimmed, _ = diarize(
        audio, embedder, DiarizeOptions(num_speakers=3), None, load_overlap_detector("cpu")
    )
    assert set(trimmed.speakers) == set(aware.speakers)
    for t in trimmed.all_turns:
        assert any(
            u.speaker == t.speaker and u.start <= t.start and t.end <= u.end
            for u in aware.all_turns
        ), t
    cut = der_detail(ref, trimmed.all_turns)
    assert cut["false_alarm"] <= after["false_alarm"]
