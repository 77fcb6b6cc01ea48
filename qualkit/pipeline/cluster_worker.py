"""The far side of a cluster run: one long-lived worker per node (or per GPU).

A worker loads its models once and keeps them for every recording it is given. Each
recording is computed by the ordinary `Pipeline` in a private scratch folder, so a
cluster run computes exactly what a local run would; the worker sends back the
artefacts (transcript, speaker turns, alignment: never the decoded audio) and the
driver lands them in the project. Nothing here imports Ray: the driver wraps these
classes with `ray.remote`, so a node needs Ray only to run them, and tests can call
them directly.
"""

from __future__ import annotations

import os
import socket
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qualkit import atomic
from qualkit.pipeline.diarize import SpeakerEmbedder, load_embedder
from qualkit.pipeline.overlap_model import LoadedOnFirstScore, OverlapScorer
from qualkit.pipeline.run import Pipeline, PipelineOptions, Progress, RunResult
from qualkit.pipeline.transcribe import AsrBackend
from qualkit.pipeline.whisper_backends import load_backend, resolve_device
from qualkit.store import Store


@dataclass(frozen=True, slots=True)
class WorkerModels:
    """The models one worker process computes with (None: that stage is off)."""

    asr: AsrBackend
    embedder: SpeakerEmbedder | None = None
    detector: OverlapScorer | None = None


# Builds the models in the worker process; the default loads the packaged ones.
ModelFactory = Callable[[PipelineOptions], WorkerModels]


def packaged_models(options: PipelineOptions, model_cache: str | None = None) -> WorkerModels:
    asr = load_backend(options.transcribe, options.device, model_cache)
    if not options.diarization:
        return WorkerModels(asr)
    embedder = load_embedder(options.diarize, options.device)
    detector = LoadedOnFirstScore(options.device) if options.diarize.overlap else None
    return WorkerModels(asr, embedder, detector)


@dataclass(frozen=True, slots=True)
class ProgressEvent:
    recording: str
    seconds: float  # audio seconds of weighted work done since the last event
    stage: str


@dataclass(frozen=True, slots=True)
class JobResult:
    """What a worker sends back for one recording."""

    recording: str
    sha256: str
    ok: bool
    error: str = ""
    # Path under the artefacts root -> file bytes; the decoded audio stays behind.
    artefacts: dict[str, bytes] = field(default_factory=dict)
    ran: tuple[str, ...] = ()
    seconds: float = 0.0  # wall time on the worker, model loading included on a first job
    worker: str = ""


class ProgressRelay:
    """Collects progress events from every worker until the driver drains them."""

    def __init__(self) -> None:
        self._events: list[ProgressEvent] = []

    def push(self, event: ProgressEvent) -> None:
        self._events.append(event)

    def drain(self) -> list[ProgressEvent]:
        events, self._events = self._events, []
        return events


class RelayProgress(Progress):
    """The pipeline's progress calls, sent on to the driver without waiting."""

    def __init__(self, send: Callable[[ProgressEvent], None], recording: str) -> None:
        self.send = send
        self.recording = recording

    def advance(self, seconds: float, stage: str) -> None:
        self.send(ProgressEvent(self.recording, seconds, stage))


class TranscriptionWorker:
    """One per worker process; models load on the first recording and stay loaded."""

    def __init__(
        self,
        options: PipelineOptions,
        model_cache: str | None = None,
        models: ModelFactory | None = None,
    ) -> None:
        self.options = options
        self.model_cache = model_cache
        self._factory = models
        self._loaded: WorkerModels | None = None
        self.jobs = 0

    def _models(self) -> WorkerModels:
        if self._loaded is None:
            if self._factory is not None:
                self._loaded = self._factory(self.options)
            else:
                self._loaded = packaged_models(self.options, self.model_cache)
        return self._loaded

    def describe(self) -> dict[str, Any]:
        """Where this worker runs and which model it computes with (loads the models)."""
        asr = self._models().asr
        return {
            "worker": f"{socket.gethostname()}:{os.getpid()}",
            "pid": os.getpid(),
            "device": resolve_device(self.options.device),
            "model": asr.model_id,
            "jobs": self.jobs,
        }

    def process(
        self,
        recording: str,
        suffix: str,
        sha256: str,
        audio: bytes,
        relay: Any = None,
    ) -> JobResult:
        """Compute one recording's artefacts from its audio bytes."""
        started = time.perf_counter()
        self.jobs += 1
        models = self._models()
        worker = f"{socket.gethostname()}:{os.getpid()}"

        def send(event: ProgressEvent) -> None:
            if relay is not None:
                relay.push.remote(event)  # fire and forget: progress never blocks work

        # mkdtemp makes the folder private (0700): the audio is personal data.
        with tempfile.TemporaryDirectory(prefix="qualkit-worker-") as tmp:
            root = Path(tmp)
            audio_path = root / f"recording{suffix}"
            atomic.write_bytes(audio_path, audio)
            store = Store(root / "scratch.db")
            try:
                rec = store.add_recording(recording, audio_path=audio_path.name, sha256=sha256)
                pipeline = Pipeline(
                    store,
                    root / "artefacts",
                    root / "transcripts",
                    self.options,
                    base_dir=root,
                    model_cache=Path(self.model_cache) if self.model_cache else None,
                    asr_backend=models.asr,
                    embedder=models.embedder,
                    detector=models.detector,
                    progress=RelayProgress(send, recording),
                )
                result: RunResult = pipeline.run_one(rec)
            finally:
                store.close()
            if not result.ok:
                return JobResult(recording, sha256, False, result.error, worker=worker)
            artefacts = {
                str(p.relative_to(root / "artefacts")): p.read_bytes()
                for p in sorted((root / "artefacts").rglob("*"))
                if p.is_file() and p.suffix != ".pcm"
            }
        return JobResult(
            recording,
            sha256,
            True,
            artefacts=artefacts,
            ran=result.ran,
            seconds=time.perf_counter() - started,
            worker=worker,
        )

    def pid(self) -> int:
        return os.getpid()
