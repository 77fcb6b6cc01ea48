"""Stable GUIDs for a project's exports: the same object gets the same GUID every time."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from qualkit.export.refi.constants import NAMESPACE_META_KEY, VALENCES
from qualkit.model import Code, Valence
from qualkit.project import Project


@dataclass(frozen=True, slots=True)
class Guids:
    """uuid5 over a per-project namespace kept in the store's meta table."""

    namespace: uuid.UUID

    @classmethod
    def for_project(cls, project: Project) -> Guids:
        stored = project.store.get_meta(NAMESPACE_META_KEY)
        if stored is None:
            stored = str(uuid.uuid4())
            project.store.set_meta(NAMESPACE_META_KEY, stored)
        return cls(uuid.UUID(stored))

    def __call__(self, *parts: object) -> str:
        return str(uuid.uuid5(self.namespace, ":".join(str(p) for p in parts))).upper()


def code_guid(guids: Guids, code: Code, valence: Valence = Valence.NONE) -> str:
    if valence is Valence.NONE:
        return guids("code", code.codebook, code.key)
    return guids("code", code.codebook, code.key, valence.value)


def guid_index(project: Project) -> dict[str, tuple[str, str, Valence]]:
    """Code GUIDs this project writes -> (codebook, key, valence), to read its exports back."""
    guids = Guids.for_project(project)
    out: dict[str, tuple[str, str, Valence]] = {}
    for cb in project.codebook_ids():
        for code in project.codebook(cb).codes:
            for valence in (Valence.NONE, *VALENCES):
                out[code_guid(guids, code, valence)] = (cb, code.key, valence)
    return out


def source_guid(project: Project, recording_id: int) -> str:
    """The TextSource GUID of a recording in this project's exports."""
    return Guids.for_project(project)("source", recording_id)
