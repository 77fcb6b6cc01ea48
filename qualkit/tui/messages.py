"""Typed messages that workers post back to the UI thread."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual.message import Message


@dataclass
class SuggestionsReady(Message):
    segment_id: int
    suggestions: Sequence[object]
    codebook: str  # the codebook they were computed for: stale after a switch


@dataclass
class SuggestionsUnavailable(Message):
    reason: str


@dataclass
class UncertainFound(Message):
    """The uncoded segment the model is least sure of (None: every one is coded), or why
    it could not be found."""

    segment_id: int | None
    reason: str = ""


@dataclass
class PipelineProgress(Message):
    text: str
    fraction: float | None = None


@dataclass
class PipelineDone(Message):
    recording_ids: tuple[int, ...]


@dataclass
class PipelineFailed(Message):
    error: str


@dataclass
class PipelineCancelled(Message):
    pass


@dataclass
class ClustersReady(Message):
    proposals: Sequence[object]


@dataclass
class ClustersUnavailable(Message):
    reason: str
