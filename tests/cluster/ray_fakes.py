"""Model factories for cluster workers (importable in Ray's worker processes)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from qualkit.pipeline.run import PipelineOptions
from tests.pipeline_fakes import FakeAsr, FakeEmbedder


def fake_models(options: PipelineOptions) -> tuple[FakeAsr, FakeEmbedder]:
    return FakeAsr(), FakeEmbedder()


def slow_models(marker_dir: str, options: PipelineOptions) -> tuple[FakeAsr, FakeEmbedder]:
    """Each window takes a while and leaves a marker naming the busy worker's pid."""

    def busy(_calls: int) -> None:
        (Path(marker_dir) / f"busy-{os.getpid()}").write_text("x")
        time.sleep(0.4)

    return FakeAsr(on_call=busy), FakeEmbedder()
