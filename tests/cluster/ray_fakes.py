"""Model factories for cluster workers (importable in Ray's worker processes)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from qualkit.pipeline.cluster_worker import WorkerModels
from qualkit.pipeline.run import PipelineOptions
from tests.pipeline_fakes import FakeAsr, FakeDetector, FakeEmbedder


def fake_models(options: PipelineOptions) -> WorkerModels:
    return WorkerModels(FakeAsr(), FakeEmbedder(), FakeDetector())


def slow_models(marker_dir: str, options: PipelineOptions) -> WorkerModels:
    """Each window takes a while and leaves a marker naming the busy worker's pid."""

    def busy(_calls: int) -> None:
        (Path(marker_dir) / f"busy-{os.getpid()}").write_text("x")
        time.sleep(0.4)

    return WorkerModels(FakeAsr(on_call=busy), FakeEmbedder(), FakeDetector())
