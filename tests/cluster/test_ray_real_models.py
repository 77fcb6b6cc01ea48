"""The packaged models on a cluster worker give the transcript the local run gives."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from qualkit.pipeline import synth
from qualkit.pipeline.cluster import ClusterOptions, ClusterProgress, ClusterRun
from qualkit.pipeline.run import PipelineOptions
from qualkit.project import init_project, open_project
from tests.cluster import ray_env

pytestmark = [
    pytest.mark.cluster,
    pytest.mark.pipeline,
    pytest.mark.skipif(
        bool(synth.tools_missing()),
        reason="espeak-ng and sox are needed: apt-get install -y espeak-ng sox",
    ),
]

LINES = [
    ("Moderator", "Välkomna. Hur fungerar samverkan med Försäkringskassan?"),
    ("Handläggare (FK)", "Vi träffas varannan vecka i ett gemensamt forum."),
    ("Moderator", "Tack. Vad skulle ni vilja föreslå?"),
]


# The local run, in a process with the cluster workers' thread settings. Whisper's words
# and timestamps on this clip depend on how many threads its kernels split the work over
# (seen on an AVX2 machine: one thread against two moved a word end by 20 ms and changed
# a word), so the two sides are compared under the same settings.
_LOCAL_RUN = """
import sys
from qualkit.pipeline.project_batch import transcribe_project
from qualkit.pipeline.run import PipelineOptions
from qualkit.project import open_project
with open_project(sys.argv[1]) as project:
    [res] = transcribe_project(project, ["klipp"], options=PipelineOptions(device="cpu"))
    assert res.ok, res.error
"""


class Events(ClusterProgress):
    def __init__(self) -> None:
        self.seen: dict[str, float] = {}

    def advance_recording(self, name: str, seconds: float, stage: str) -> None:
        self.seen[name] = self.seen.get(name, 0.0) + seconds


def test_packaged_models_on_a_worker_match_the_local_run(
    local_cluster: Any, tmp_path: Path
) -> None:
    mix, _ = synth.converse(LINES, synth.assign_voices([s for s, _ in LINES]), overlap_every=0)
    wav = tmp_path / "klipp.wav"
    synth.write_wav(wav, mix)
    options = PipelineOptions(device="cpu")
    texts = []
    for where in ("local", "cluster"):
        root = tmp_path / where
        init_project(root).close()
        with open_project(root) as project:
            project.import_audio(wav, name="klipp")
            if where == "cluster":
                events = Events()
                run = ClusterRun(project, options, ClusterOptions("auto", workers=1), events)
                [res] = run.run(local_cluster, project.recordings())
                assert run.dispatched == ["klipp"]
                # Progress came back from the worker, about one recording's worth.
                assert events.seen["klipp"] == pytest.approx(res.duration_s, rel=0.05)
                assert res.ok, res.error
        if where == "local":
            env = {**os.environ, "OMP_NUM_THREADS": ray_env.RAY_ENV["OMP_NUM_THREADS"]}
            subprocess.run([sys.executable, "-c", _LOCAL_RUN, str(root)], check=True, env=env)
        with open_project(root) as project:
            texts.append([(s.text, s.start, s.end) for s in project.segments("klipp")])
    assert texts[0] and texts[0] == texts[1]
