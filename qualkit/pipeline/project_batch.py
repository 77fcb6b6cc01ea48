"""`qualkit transcribe` over a project: which recordings, and one pipeline for them.

Apart from `run` (the stage runner, which knows a store and artefacts, not a project);
the cluster runner (`cluster`) picks its recordings the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from qualkit.errors import InputError
from qualkit.model import Recording
from qualkit.pipeline.overlap_model import OverlapScorer
from qualkit.pipeline.progress import Progress, RunResult
from qualkit.pipeline.run import Pipeline
from qualkit.pipeline.run_options import PipelineOptions
from qualkit.pipeline.transcribe import AsrBackend
from qualkit.pipeline.voice_embed import SpeakerEmbedder
from qualkit.project import Project

__all__ = ["project_pipeline", "select_recordings", "transcribe_project"]


def select_recordings(project: Project, refs: Sequence[str], all_: bool) -> list[Recording]:
    """Recordings by name or id; `--all` means every recording with audio."""
    if all_:
        recs = [r for r in project.recordings() if r.audio_path]
        if not recs:
            raise InputError("The project has no recordings with audio; import some first.")
        return recs
    if not refs:
        raise InputError("Name one or more recordings, or use --all.")
    return [project.recording(ref) for ref in refs]


def project_pipeline(
    project: Project,
    options: PipelineOptions | None = None,
    *,
    model_cache: Path | None = None,
    asr_backend: AsrBackend | None = None,
    embedder: SpeakerEmbedder | None = None,
    detector: OverlapScorer | None = None,
    progress: Progress | None = None,
    compute: bool = True,
) -> Pipeline:
    """The stage runner on a project's store, artefact cache and transcripts folder;
    models handed in (stand-ins in tests) are used instead of the packaged ones."""
    return Pipeline(
        project.store,
        project.cache_dir / "artefacts",
        project.transcripts_dir,
        options,
        base_dir=project.root,
        model_cache=model_cache,
        asr_backend=asr_backend,
        embedder=embedder,
        detector=detector,
        progress=progress,
        compute=compute,
    )


def transcribe_project(
    project: Project,
    refs: Sequence[str] = (),
    *,
    all_: bool = False,
    options: PipelineOptions | None = None,
    progress: Progress | None = None,
    model_cache: Path | None = None,
) -> list[RunResult]:
    """`qualkit transcribe`: run the pipeline over recordings of a project, resuming."""
    recs = select_recordings(project, refs, all_)
    pipeline = project_pipeline(project, options, model_cache=model_cache, progress=progress)
    return pipeline.run(recs)
