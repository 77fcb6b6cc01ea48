"""Diarisation by clustering local speakers, as pyannote 3.x does (a bench prototype).

qualkit clusters one CAM++ embedding per 1.5 s sub-segment. pyannote's SpeakerDiarization
pipeline clusters something else: segmentation-3.0 looks at 10 s windows and separates up
to three *local* speakers in each; each (window, local speaker) gets one embedding of that
speaker's clean speech in the window; the embeddings are clustered; the local speakers of a
window are given to clusters one-to-one (two local speakers of one window are two people);
the recording's turns come from adding up the windows: how many speak in each frame (from
the segmentation), and which clusters (the most active ones).

Two stages, so the expensive one runs once per recording:
- `extract`: the segmentation model and the embeddings (cached by bench/diarize_local.py);
- `local_turns`: clustering, assignment and reconstruction (milliseconds to seconds).

Written from the description of pyannote's pipeline (Bredin 2023, "pyannote.audio 2.1
speaker diarization pipeline"; Plaquet & Bredin 2023, powerset), not from its code.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
import numpy.typing as npt

from qualkit.pipeline.audio import AudioSource
from qualkit.pipeline.fbank import log_mel
from qualkit.pipeline.overlap_model import load_overlap_detector
from qualkit.pipeline.speaker_clustering import (
    absorb_small,
    merge_clusters,
    normalise,
    reassign,
    sampled_spectral_labels,
)
from qualkit.pipeline.turns import Turn

Array = npt.NDArray[np.float32]
SR = 16000


@dataclass(frozen=True, slots=True)
class Local:
    """What the segmentation model and the embedder say about every window."""

    starts: Array  # (W,) window starts, seconds
    active: npt.NDArray[np.uint8]  # (W, F, 3) local speaker active in a frame (powerset argmax)
    vectors: Array  # (W, 3, 192) embedding of each local speaker; NaN where none
    clean_s: Array  # (W, 3) seconds of that speaker alone in the window
    frame_step: float
    frame_start: float
    window_s: float
    duration_s: float

    def save(self, path: Any, cost: dict[str, float]) -> None:
        np.savez(
            path,
            starts=self.starts,
            active=self.active,
            vectors=self.vectors,
            clean_s=self.clean_s,
            meta=np.asarray(
                [self.frame_step, self.frame_start, self.window_s, self.duration_s], np.float64
            ),
            cost=np.asarray([cost["seg_cpu"], cost["emb_cpu"]], np.float64),
        )

    @staticmethod
    def load(path: Any) -> tuple[Local, dict[str, float]]:
        d = np.load(path)
        step, start, window, duration = (float(v) for v in d["meta"])
        local = Local(
            d["starts"], d["active"], d["vectors"], d["clean_s"], step, start, window, duration
        )
        return local, {"seg_cpu": float(d["cost"][0]), "emb_cpu": float(d["cost"][1])}


def powerset_sets(speakers: int = 3, max_per_frame: int = 2) -> list[tuple[int, ...]]:
    """The model's classes in its order: nobody, each speaker alone, each pair."""
    return [c for k in range(max_per_frame + 1) for c in combinations(range(speakers), k)]


def extract(
    audio: AudioSource, step_s: float = 5.0, min_embed_s: float = 0.4, clean_needed_s: float = 1.0
) -> tuple[Local, dict[str, float]]:
    """Local speakers of every window and one embedding each.

    A local speaker is embedded from the frames where it speaks alone when there are at
    least `clean_needed_s` of them, else from all its frames (pyannote's
    `exclude_overlap` fallback); under `min_embed_s` of speech it gets no embedding."""
    import torch

    from qualkit.pipeline.voice_embed import SenkoEmbedder

    det = load_overlap_detector("cpu")
    model = SenkoEmbedder("cpu")._d.embeddings_model
    sets = powerset_sets()
    to_multi = np.zeros((len(sets), 3), np.uint8)
    for i, c in enumerate(sets):
        to_multi[i, list(c)] = 1
    size = int(det.window_s * SR)
    last = max(0.0, audio.duration_s - det.window_s)
    starts = [*(float(s) for s in np.arange(0.0, last, step_s)), last]
    acts, vecs, cleans = [], [], []
    seg_cpu = emb_cpu = 0.0
    for s in starts:
        x = np.zeros(size, np.float32)
        piece = np.asarray(audio.read(s, s + det.window_s), np.float32)[:size]
        x[: len(piece)] = piece
        c0 = time.process_time()
        with torch.inference_mode():
            logp = det._model(torch.from_numpy(x[None, None, :]))[0].numpy()
        act = to_multi[np.argmax(logp, axis=-1)]  # (F, 3)
        seg_cpu += time.process_time() - c0
        c0 = time.process_time()
        alone = act * (act.sum(axis=1, keepdims=True) == 1)
        v = np.full((3, 192), np.nan, np.float32)
        clean = alone.sum(axis=0) * det.frame_step
        for k in range(3):
            mask = alone[:, k] if clean[k] >= clean_needed_s else act[:, k]
            if mask.sum() * det.frame_step < min_embed_s:
                continue
            samples = x[sample_mask(mask, det.frame_step, det.frame_start, size)]
            feats = log_mel(samples)
            feats -= feats.mean(axis=0, keepdims=True)
            with torch.inference_mode():
                v[k] = model(torch.from_numpy(feats[None].astype(np.float32)))[0].numpy()
        emb_cpu += time.process_time() - c0
        acts.append(act)
        vecs.append(v)
        cleans.append(clean)
    local = Local(
        np.asarray(starts, np.float32),
        np.stack(acts),
        np.stack(vecs),
        np.stack(cleans).astype(np.float32),
        det.frame_step,
        det.frame_start,
        det.window_s,
        audio.duration_s,
    )
    return local, {"seg_cpu": seg_cpu, "emb_cpu": emb_cpu}


def sample_mask(mask: npt.NDArray[Any], step: float, start: float, size: int) -> npt.NDArray[Any]:
    """A frame mask as a mask over the window's samples (each frame covers `step` s
    centred at `start + k * step`)."""
    centres = start + step * np.arange(len(mask))
    t = np.arange(size) / SR
    k = np.clip(np.searchsorted(centres - step / 2, t, side="right") - 1, 0, len(mask) - 1)
    return mask[k].astype(bool)


@dataclass(frozen=True, slots=True)
class LocalOptions:
    # "ahc": centroid linkage on Euclidean distance, pyannote's; "average": average
    # linkage on cosine distance; "spectral": qualkit's clustering of sub-segments.
    method: str = "average"
    threshold: float = 0.8  # ahc: cosine similarity at which two clusters stay apart
    min_cluster: int = 2  # ahc: smaller clusters are folded into the nearest large one
    train_clean_s: float = 2.0  # only local speakers with this much clean speech cluster
    # The defaults are the setting chosen on the development recordings (seed 99).
    merge_cos: float = 0.8  # spectral without a count: qualkit's merge of close voices


def cluster_local(x: Array, num: int | None, opts: LocalOptions) -> npt.NDArray[np.int64]:
    """Labels for the clean local speakers' (normalised) embeddings."""
    if opts.method == "spectral":
        lo, hi = (num, num) if num else (1, 15)
        return sampled_spectral_labels(x, lo, hi, num, opts.merge_cos, 1500)
    from scipy.cluster.hierarchy import fcluster, linkage

    if opts.method == "average":
        tree = linkage(x.astype(np.float64), method="average", metric="cosine")
        cut = 1.0 - opts.threshold
    else:
        tree = linkage(x.astype(np.float64), method="centroid", metric="euclidean")
        cut = np.sqrt(2 - 2 * opts.threshold)  # the distance of unit vectors at that cosine
    if num is None:
        raw = fcluster(tree, t=cut, criterion="distance")
        labels = absorb_small(x, np.asarray(raw, np.int64), opts.min_cluster)
        return reassign(x, x, labels)
    # With the count: the tree cut lower until `num` clusters of real size appear.
    labels = np.zeros(len(x), np.int64)
    for k in range(num, min(len(x), num + 40)):
        raw = fcluster(tree, t=k, criterion="maxclust")
        labels = absorb_small(x, np.asarray(raw, np.int64), opts.min_cluster)
        if len(np.unique(labels)) >= num:
            break
    return merge_clusters(x, reassign(x, x, labels), None, num, num)


def assign(local: Local, num: int | None, opts: LocalOptions) -> tuple[npt.NDArray[np.int64], int]:
    """A cluster for every (window, local speaker) (-1: none), the local speakers of one
    window to different clusters (Hungarian on cosine similarity to the centroids)."""
    from scipy.optimize import linear_sum_assignment

    w = local.vectors.shape[0]
    flat = local.vectors.reshape(w * 3, -1)
    has = ~np.isnan(flat).any(axis=1)
    train = has & (local.clean_s.reshape(-1) >= opts.train_clean_s)
    if train.sum() < 10:
        train = has
    x = normalise(flat[train])
    labels = cluster_local(x, num, opts)
    ids = np.unique(labels)
    cents = normalise(np.stack([x[labels == i].mean(axis=0) for i in ids]))
    sim = np.full((w * 3, len(ids)), -np.inf, np.float32)
    sim[has] = normalise(flat[has]) @ cents.T
    out = np.full((w, 3), -1, np.int64)
    for i in range(w):
        rows = [k for k in range(3) if has[3 * i + k] and local.active[i, :, k].any()]
        if not rows:
            continue
        r, c = linear_sum_assignment(-sim[3 * i + np.asarray(rows)])
        for a, b in zip(r, c, strict=True):
            out[i, rows[a]] = b
    return out, len(ids)


def local_turns(
    local: Local, num: int | None, opts: LocalOptions, min_turn_s: float = 0.0
) -> list[Turn]:
    """Frame-level turns: per frame, the number of voices the windows agree on, given
    to the clusters most active there."""
    clusters, k = assign(local, num, opts)
    return rebuild(local, clusters, k, min_turn_s)


def rebuild(
    local: Local, clusters: npt.NDArray[np.int64], k: int, min_turn_s: float = 0.0
) -> list[Turn]:
    """Turns from a cluster for every (window, local speaker)."""
    step = local.frame_step
    n = int(np.ceil(local.duration_s / step)) + 1
    f = local.active.shape[1]
    count = np.zeros(n)
    seen = np.zeros(n)
    score = np.zeros((n, k))
    for i, s in enumerate(local.starts):
        a = round(float(s) / step)
        m = min(f, n - a)
        act = local.active[i, :m].astype(np.float64)
        count[a : a + m] += act.sum(axis=1)
        seen[a : a + m] += 1
        for j in range(3):
            if clusters[i, j] >= 0:
                score[a : a + m, clusters[i, j]] += act[:, j]
    voices = np.rint(count / np.maximum(seen, 1)).astype(int)
    on = np.zeros((n, k), bool)
    order = np.argsort(-score, axis=1)
    for c in range(1, min(3, k) + 1):
        rows = voices >= c
        on[rows, order[rows, c - 1]] = True
    on &= score > 0
    times = local.frame_start + step * np.arange(n)
    turns = []
    for c in range(k):
        col = np.concatenate([[0], on[:, c].astype(np.int8), [0]])
        edges = np.flatnonzero(np.diff(col))
        for a, b in zip(edges[::2], edges[1::2], strict=True):
            start, end = float(times[a] - step / 2), float(times[b - 1] + step / 2)
            if end - start >= min_turn_s:
                turns.append(Turn(max(0.0, start), min(local.duration_s, end), f"SPEAKER_{c:02d}"))
    return sorted(turns, key=lambda t: t.start)
