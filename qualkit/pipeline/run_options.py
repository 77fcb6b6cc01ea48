"""The batch runner's options, and the signal that a model stage may not run here."""

from __future__ import annotations

from dataclasses import dataclass, field

from qualkit.model import Stage
from qualkit.pipeline.align import AlignOptions
from qualkit.pipeline.diarize import DiarizeOptions
from qualkit.pipeline.transcribe import TranscribeOptions

__all__ = ["WEIGHT", "PipelineOptions", "StageMissing"]

# Rough share of a recording's processing time per stage, for one ETA across stages.
WEIGHT = {Stage.TRANSCRIBE: 0.75, Stage.DIARIZE: 0.25}


@dataclass(frozen=True, slots=True)
class PipelineOptions:
    transcribe: TranscribeOptions = field(default_factory=TranscribeOptions)
    diarize: DiarizeOptions = field(default_factory=DiarizeOptions)
    align: AlignOptions = field(default_factory=AlignOptions)
    device: str = "auto"
    diarization: bool = True
    glossary_redo: bool = False  # True: a glossary change alone re-transcribes what is done
    # True (`--all`): a coded or hand-edited recording whose transcript this run would
    # replace is kept as it is, with a warning; False (recordings named): that is an error,
    # before any work (`coded.py`).
    keep_coded: bool = False
    replace_edited: bool = False  # True: hand edits without codings may be replaced


class StageMissing(Exception):
    """A model stage has no artefact yet and this pipeline may not compute it."""

    def __init__(self, recording: str, stage: str) -> None:
        super().__init__(f"{recording}: {stage} not computed yet")
        self.recording = recording
        self.stage = stage
