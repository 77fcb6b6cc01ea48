"""Disagreements between coders, and resolving them into a consensus coding with a memo.

A *passage* is a segment that at least two of the chosen coders have coded (their recording
is covered, see `qualkit.analysis.agreement`) where the coders' sets of (code, valence)
differ. Resolving it writes the agreed codings under the coder ``konsensus`` (replacing any
earlier consensus there) and a memo on the segment that says why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from qualkit.analysis.agreement import CONSENSUS_CODER, covered_recordings, default_coders
from qualkit.errors import InputError
from qualkit.model import Coding, Segment, Valence
from qualkit.project import DEFAULT_CODEBOOK, Project

CodeChoice = tuple[str, Valence]


@dataclass(frozen=True, slots=True)
class Passage:
    """One segment where coders differ, with each coder's codings side by side."""

    segment: Segment
    recording: str
    position: int  # 1-based, as `qualkit segments` numbers them
    speaker: str  # role and actor, never a name
    codebook: str
    codings: Mapping[str, tuple[Coding, ...]]
    consensus: tuple[Coding, ...] = ()
    resolved: bool = False

    @property
    def ref(self) -> str:
        return f"{self.recording}:{self.position}"

    def choices_of(self, coder: str) -> frozenset[CodeChoice]:
        return frozenset((c.code, c.valence) for c in self.codings.get(coder, ()))

    def candidates(self) -> list[CodeChoice]:
        """Every (code, valence) any coder gave, in the order first given."""
        seen: dict[CodeChoice, None] = {}
        for coder in self.codings:
            for c in self.codings[coder]:
                seen.setdefault((c.code, c.valence), None)
        return list(seen)

    def agreed(self) -> list[CodeChoice]:
        """What every coder gave: the natural starting point for a consensus."""
        sets = [self.choices_of(c) for c in self.codings]
        common = frozenset.intersection(*sets) if sets else frozenset()
        return [c for c in self.candidates() if c in common]


def disagreements(
    project: Project,
    coders: Sequence[str] | None = None,
    *,
    codebook: str = DEFAULT_CODEBOOK,
    include_resolved: bool = False,
    with_valence: bool = True,
) -> list[Passage]:
    """Passages where the coders' codings differ (by code, and by valence unless told not to)."""
    chosen = tuple(coders) if coders else default_coders(project, codebook)
    project.codebook(codebook)  # an unknown codebook is named, not reported as agreement
    known = {c.name for c in project.store.coders()}
    unknown = [c for c in chosen if c not in known]
    if unknown:
        # A misspelt coder would otherwise read as "no disagreements left".
        raise InputError(
            f"No coder {', '.join(unknown)} in this project "
            f"(coders: {', '.join(sorted(known)) or 'none yet'})."
        )
    if len(chosen) < 2:
        raise InputError("Disagreements need at least two coders; name them with --coders A,B.")
    store = project.store
    all_codings = store.codings(codebook=codebook)
    seg_rec: dict[int, int] = {}
    recs = store.recordings()
    segments: dict[int, list[Segment]] = {}
    for rec in recs:
        segments[rec.id] = store.segments(rec.id)
        for s in segments[rec.id]:
            seg_rec[s.id] = rec.id
    mine = [c for c in all_codings if c.coder in chosen]
    covered = covered_recordings(mine, seg_rec)
    by_seg: dict[int, dict[str, list[Coding]]] = {}
    for c in mine:
        by_seg.setdefault(c.segment_id, {}).setdefault(c.coder, []).append(c)
    consensus: dict[int, list[Coding]] = {}
    for c in all_codings:
        if c.coder == CONSENSUS_CODER:
            consensus.setdefault(c.segment_id, []).append(c)
    settled = memo_settled(project)
    attribution = _speaker_attributions(project)
    out: list[Passage] = []
    for rec in recs:
        present = [c for c in chosen if rec.id in covered.get(c, set())]
        if len(present) < 2:
            continue
        for pos, seg in enumerate(segments[rec.id], start=1):
            per = by_seg.get(seg.id, {})
            sets = {
                frozenset((c.code, c.valence if with_valence else None) for c in per.get(k, []))
                for k in present
            }
            if len(sets) < 2:
                continue
            resolved = seg.id in consensus or seg.id in settled
            if resolved and not include_resolved:
                continue
            out.append(
                Passage(
                    segment=seg,
                    recording=rec.name,
                    position=pos,
                    speaker=attribution.get(seg.speaker_id or -1, ""),
                    codebook=codebook,
                    codings=MappingProxyType({k: tuple(per.get(k, [])) for k in present}),
                    consensus=tuple(consensus.get(seg.id, [])),
                    resolved=resolved,
                )
            )
    return out


def memo_settled(project: Project) -> set[int]:
    """Segments the coders resolved with a consensus memo, with or without codes (a memo
    alone says no code fits)."""
    return {
        int(m.target_id)
        for m in project.store.memos(target="segment")
        if m.coder == CONSENSUS_CODER and m.target_id.isdigit()
    }


def _speaker_attributions(project: Project) -> dict[int, str]:
    people = {p.id: p.attribution for p in project.store.participants()}
    return {
        s.id: people.get(s.participant_id, "") if s.participant_id is not None else ""
        for s in project.store.speakers()
    }


def resolve(
    project: Project,
    segment_id: int,
    choices: Sequence[CodeChoice],
    memo: str,
    *,
    codebook: str = DEFAULT_CODEBOOK,
    coder: str = CONSENSUS_CODER,
) -> list[Coding]:
    """Write the consensus for one segment: its codings and a memo, as one action."""
    if not memo.strip():
        raise InputError("Write a memo that says how the coders agreed.")
    book = project.codebook(codebook)
    for code, _valence in choices:
        book.code(code)
    store = project.store
    store.segment(segment_id)
    added: list[Coding] = []
    with project.action():
        for old in store.codings(segment_id=segment_id, codebook=codebook, coder=coder):
            store.remove_coding(old.id)
        for code, valence in dict.fromkeys(choices):
            added.append(
                store.add_coding(
                    segment_id, codebook, code, valence=valence, coder=coder, memo=memo
                )
            )
        store.add_memo("segment", str(segment_id), memo, coder=coder)
    return added
