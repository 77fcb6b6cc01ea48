"""The packaged models on a cluster worker give the transcript the local run gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from qualkit.pipeline import synth
from qualkit.pipeline.cluster import ClusterOptions, ClusterProgress, ClusterRun
from qualkit.pipeline.project_batch import transcribe_project
from qualkit.pipeline.run import PipelineOptions
from qualkit.project import init_project, open_project

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
            if where == "local":
                [res] = transcribe_project(project, ["klipp"], options=options)
            else:
                events = Events()
                run = ClusterRun(project, options, ClusterOptions("auto", workers=1), events)
                [res] = run.run(local_cluster, project.recordings())
                assert run.dispatched == ["klipp"]
                # Progress came back from the worker, about one recording's worth.
                assert events.seen["klipp"] == pytest.approx(res.duration_s, rel=0.05)
            assert res.ok, res.error
            texts.append([(s.text, s.start, s.end) for s in project.segments("klipp")])
    assert texts[0] and texts[0] == texts[1]
