"""Batch transcription on a Ray cluster: `qualkit transcribe --all --cluster ADDRESS`.

The driver (this module) keeps the project: it decides which recordings still need
the model stages, sends each one's audio to a long-lived worker (one per node, or per
GPU), writes the artefacts that come back into the project's artefact folder and then
lands them with the ordinary local `Pipeline`, which finds every model stage done. A
cluster run therefore leaves exactly what a local run leaves, keyed by the recording's
hash and the options. A recording whose artefacts are all there is not sent again, so
a stopped run continues where it stopped. A worker killed mid-recording is restarted
by Ray and the recording is retried; one that still fails is reported by name and the
rest finish.

Audio travels to the cluster's nodes: the cluster must be inside the organisation.
Ray is an optional extra, imported only when a run connects (cluster_connect).
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from qualkit import atomic
from qualkit.model import Recording
from qualkit.pipeline.cluster_connect import (
    ClusterError,
    check_address,
    connected,
    import_ray,
)
from qualkit.pipeline.cluster_worker import (
    JobResult,
    ModelFactory,
    ProgressRelay,
    TranscriptionWorker,
)
from qualkit.pipeline.project_batch import project_pipeline, select_recordings
from qualkit.pipeline.run import (
    Pipeline,
    PipelineOptions,
    Progress,
    RichProgress,
    RunResult,
    StageMissing,
)
from qualkit.pipeline.transcribe import AsrSegment, TranscribeOptions
from qualkit.project import Project

log = logging.getLogger(__name__)

# The connection's names stay importable from here (the CLI, tests, bench).
__all__ = [
    "ClusterError",
    "ClusterOptions",
    "ClusterRun",
    "check_address",
    "connected",
    "import_ray",
]


@dataclass(frozen=True, slots=True)
class ClusterOptions:
    """Where to run and how hard to try."""

    address: str
    workers: int | None = None  # None: one per node, or one per GPU on a GPU node
    retries: int = 2  # extra tries for a recording whose worker died
    model_cache: str | None = None


class ClusterProgress(Progress):
    """Progress for several recordings at once: events name their recording."""

    def advance_recording(self, name: str, seconds: float, stage: str) -> None:
        self.advance(seconds, stage)


class RichClusterProgress(ClusterProgress, RichProgress):
    """The local run's bars (one per recording, one for the batch), several moving at
    once as the workers report."""

    def __init__(self) -> None:
        RichProgress.__init__(self)
        self._bars: dict[str, Any] = {}

    def start_recording(self, name: str, total_s: float) -> None:
        RichProgress.start_recording(self, name, total_s)
        self._bars[name] = self._rec

    def advance_recording(self, name: str, seconds: float, stage: str) -> None:
        self._rec = self._bars.get(name, self._rec)
        self.advance(seconds, stage)

    def end_recording(self, result: RunResult) -> None:
        self._rec = self._bars.pop(result.recording, self._rec)
        RichProgress.end_recording(self, result)


class _RemoteModel:
    """Stands in for the model on the driver: names it for the artefact keys."""

    name = "remote"

    def __init__(self, model_id: str) -> None:
        self.model_id = model_id

    def transcribe_window(self, samples: Any, options: TranscribeOptions) -> list[AsrSegment]:
        raise AssertionError("the driver never transcribes")  # compute=False forbids it


def _worker_specs(ray: Any, workers: int | None) -> list[dict[str, Any]]:
    """Ray options for each worker: pinned one per node (per GPU), or N spread."""
    strategies = ray.util.scheduling_strategies
    nodes = [n for n in ray.nodes() if n.get("Alive")]
    if workers is not None:
        cpus = sum(n["Resources"].get("CPU", 0) for n in nodes)
        each = max(1.0, (cpus // workers) or 1.0)
        return [{"num_cpus": each, "scheduling_strategy": "SPREAD"} for _ in range(workers)]
    specs = []
    for node in nodes:
        gpus = int(node["Resources"].get("GPU", 0))
        cpus = float(node["Resources"].get("CPU", 0))
        if cpus < 1 and not gpus:
            continue
        count = max(1, gpus)
        pin = strategies.NodeAffinitySchedulingStrategy(node["NodeID"], soft=True)
        for _ in range(count):
            specs.append(
                {
                    "num_cpus": max(1.0, cpus // count),
                    "num_gpus": 1 if gpus else 0,
                    "scheduling_strategy": pin,
                }
            )
    if not specs:
        raise ClusterError("The cluster has no node with a CPU or GPU to work on.")
    return specs


class ClusterRun:
    """One batch on the cluster; `run` returns a RunResult per recording, in order."""

    def __init__(
        self,
        project: Project,
        options: PipelineOptions,
        cluster: ClusterOptions,
        progress: Progress | None = None,
        models: ModelFactory | None = None,
    ) -> None:
        self.project = project
        self.options = options
        self.cluster = cluster
        self.progress = progress or Progress()
        self.models = models
        self.dispatched: list[str] = []  # recordings sent to a worker, in order
        self.computed_by: dict[str, str] = {}  # recording -> worker (host:pid)

    def _lander(self, model_id: str) -> Pipeline:
        return project_pipeline(
            self.project, self.options, asr_backend=_RemoteModel(model_id), compute=False
        )

    def run(self, ray: Any, recordings: Sequence[Recording]) -> list[RunResult]:
        remote_worker = ray.remote(TranscriptionWorker)
        specs = _worker_specs(ray, self.cluster.workers)
        actors = [
            remote_worker.options(
                max_restarts=-1, max_task_retries=self.cluster.retries, **spec
            ).remote(self.options, self.cluster.model_cache, self.models)
            for spec in specs
        ]
        relay = ray.remote(ProgressRelay).options(num_cpus=0).remote()
        described = ray.get([a.describe.remote() for a in actors])
        model_ids = {d["model"] for d in described}
        if len(model_ids) > 1:
            raise ClusterError(
                "The workers have different models (" + ", ".join(sorted(model_ids)) + "): "
                "install the same model on every node."
            )
        log.info("cluster: %d worker(s) on %s", len(actors), sorted(d["device"] for d in described))
        lander = self._lander(model_ids.pop())

        sizes = {r.id: r.duration_s or 0.0 for r in recordings}
        self.progress.start_batch(sum(sizes.values()), len(recordings))
        results: dict[int, RunResult] = {}
        todo: deque[tuple[Recording, int]] = deque()
        try:
            for rec in recordings:  # land what is already computed; queue the rest
                outcome = self._land(lander, rec)
                if outcome is None:
                    todo.append((rec, 0))
                else:
                    self.progress.start_recording(rec.name, sizes[rec.id])
                    self.progress.advance(outcome.duration_s, "reused")
                    self.progress.end_recording(outcome)
                    results[rec.id] = outcome
            self._dispatch(ray, actors, relay, lander, todo, results)
        finally:
            self.progress.end_batch()
        return [results[r.id] for r in recordings]

    def _land(self, lander: Pipeline, rec: Recording) -> RunResult | None:
        """Land a recording whose model stages are all computed; None if some are not."""
        try:
            return lander.run_one(self.project.store.recording(rec.id))
        except StageMissing:
            return None

    def _send(self, lander: Pipeline, actor: Any, relay: Any, rec: Recording) -> Any:
        path = lander.audio_path(rec)
        fresh = self.project.store.recording(rec.id)  # the probe filled in the hash
        self.dispatched.append(rec.name)
        self.progress.start_recording(rec.name, fresh.duration_s or 0.0)
        return actor.process.remote(rec.name, path.suffix, fresh.sha256, path.read_bytes(), relay)

    def _dispatch(
        self,
        ray: Any,
        actors: list[Any],
        relay: Any,
        lander: Pipeline,
        todo: deque[tuple[Recording, int]],
        results: dict[int, RunResult],
    ) -> None:
        idle = list(actors)
        inflight: dict[Any, tuple[Recording, int, Any]] = {}
        while todo or inflight:
            while idle and todo:
                rec, tries = todo.popleft()
                actor = idle.pop()
                inflight[self._send(lander, actor, relay, rec)] = (rec, tries, actor)
            ready, _ = ray.wait(list(inflight), num_returns=1, timeout=0.5)
            for event in ray.get(relay.drain.remote()):
                if isinstance(self.progress, ClusterProgress):
                    self.progress.advance_recording(event.recording, event.seconds, event.stage)
                else:
                    self.progress.advance(event.seconds, event.stage)
            for ref in ready:
                rec, tries, actor = inflight.pop(ref)
                try:
                    job: JobResult = ray.get(ref)
                except ray.exceptions.RayError as exc:
                    # The worker died more often than Ray retries: try a fresh worker.
                    log.warning("recording %s: worker lost (%s)", rec.id, type(exc).__name__)
                    if tries < self.cluster.retries:
                        todo.append((rec, tries + 1))
                    else:
                        failed = RunResult(rec.name, False, error=f"worker lost: {exc}")
                        results[rec.id] = failed
                        self.progress.end_recording(failed)
                    idle.append(actor)
                    continue
                idle.append(actor)
                results[rec.id] = self._accept(lander, rec, job)
                self.progress.end_recording(results[rec.id])

    def _accept(self, lander: Pipeline, rec: Recording, job: JobResult) -> RunResult:
        if not job.ok:
            return RunResult(rec.name, False, error=job.error)
        root = lander.artefacts.root
        for rel, blob in job.artefacts.items():
            target = (root / rel).resolve()
            if not target.is_relative_to(root.resolve()):
                raise ClusterError(f"A worker sent an artefact outside the project: {rel!r}.")
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic.write_bytes(target, blob)
        landed = self._land(lander, rec)
        if landed is None:
            return RunResult(rec.name, False, error="the worker's artefacts did not match")
        self.computed_by[rec.name] = job.worker
        log.info("recording %s: computed on %s in %.1f s", rec.id, job.worker, job.seconds)
        # Everything the landing says (its warnings and the voices voiceprints named
        # included), with the stages the worker ran and its time.
        return replace(
            landed, ran=tuple(dict.fromkeys(job.ran + landed.ran)), seconds={"worker": job.seconds}
        )


def transcribe_on_cluster(
    project: Project,
    refs: Sequence[str] = (),
    *,
    all_: bool = False,
    options: PipelineOptions | None = None,
    cluster: ClusterOptions,
    progress: Progress | None = None,
    models: ModelFactory | None = None,
) -> list[RunResult]:
    """`qualkit transcribe --cluster`: the local runner's results, computed on Ray."""
    recs = select_recordings(project, refs, all_)
    started = time.perf_counter()
    with connected(cluster.address) as ray:
        run = ClusterRun(project, options or PipelineOptions(), cluster, progress, models)
        results = run.run(ray, recs)
    log.info(
        "cluster batch: %d recording(s), %d sent, %.1f s",
        len(recs),
        len(run.dispatched),
        time.perf_counter() - started,
    )
    return results
