"""Merging another coder's blind work: from their project folder and from neutral offsets."""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from qualkit.analysis.agreement import agreement
from qualkit.consensus import disagreements, resolve
from qualkit.errors import InputError
from qualkit.merge import (
    ForeignCoding,
    foreign_codings_from_refi,
    map_span,
    merge_coder,
    merge_foreign_codings,
    source_text,
)
from qualkit.model import Valence
from qualkit.project import Project, init_project, open_project

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "audio" / "demo" / "fokusgrupp_demo.txt"

CODER_A = {
    2: ("forum_beslut", "+"),
    3: ("ledning", "-"),
    4: ("stabila_org", "-"),
    5: ("arbetsstruktur", "-"),
    13: ("ledning", "-"),
}
CODER_B = {
    2: ("forum_beslut", "+"),
    3: ("ledning", "-"),
    4: ("kunskap_respekt", "-"),
    5: ("arbetsstruktur", "-"),
    12: ("ledning", "+"),
}


def blind_project(root: Path, coder: str, plan: dict[int, tuple[str, str]]) -> None:
    init_project(root).close()
    shutil.copy(DEMO, root / "fokusgrupp_demo.txt")
    with open_project(root) as p:
        p.import_transcript(root / "fokusgrupp_demo.txt", name="fokusgrupp_demo")
        for turn, (code, val) in plan.items():
            p.add_coding(f"fokusgrupp_demo:{turn}", code, valence=val, coder=coder)


@pytest.fixture
def two_blind(tmp_path: Path) -> Iterator[tuple[Project, Path]]:
    blind_project(tmp_path / "anna", "anna", CODER_A)
    blind_project(tmp_path / "bo", "bo", CODER_B)
    with open_project(tmp_path / "anna") as p:
        yield p, tmp_path / "bo"


def test_merge_project_folder_is_idempotent(two_blind: tuple[Project, Path]) -> None:
    project, other = two_blind
    rep = merge_coder(project, other)
    assert rep.added == len(CODER_B) and rep.already == 0 and rep.unmatched == ()
    assert rep.coders == ("bo",)
    again = merge_coder(project, other)
    assert again.added == 0 and again.already == len(CODER_B)
    assert len(project.codings(coder="bo")) == len(CODER_B)
    result = agreement(project, ["anna", "bo"])
    assert result.codes["forum_beslut"].percent == 100.0
    assert result.codes["stabila_org"].percent is not None
    assert result.codes["stabila_org"].percent < 100.0


def test_merge_reports_unmatched_segments_and_codes(two_blind: tuple[Project, Path]) -> None:
    project, other = two_blind
    with open_project(other) as o:
        seg = o.segment("fokusgrupp_demo:12")
        o.store.update_segment_text(seg.id, "Helt annan text.")
    rep = merge_coder(project, other)
    assert rep.added == len(CODER_B) - 1
    assert len(rep.unmatched) == 1 and "fokusgrupp_demo:12" in rep.unmatched[0]
    assert "Helt annan" not in rep.unmatched[0]  # no transcript text in reports


def test_merge_rename_coder_and_refuse_self(two_blind: tuple[Project, Path]) -> None:
    project, other = two_blind
    rep = merge_coder(project, other, coder_as="medbedömare")
    assert rep.coders == ("medbedömare",)
    with pytest.raises(InputError):
        merge_coder(project, project.root)
    with pytest.raises(InputError):
        merge_coder(project, other.parent / "nowhere")


def test_foreign_codings_by_offsets(project: Project) -> None:
    path = project.root / "s.txt"
    path.write_text("A (FK): första raden\nB (AF): andra raden\n", encoding="utf-8")
    rec = project.import_transcript(path, name="s")
    segs = project.segments("s")
    text = source_text(segs)
    assert text == "första raden\nandra raden"
    assert map_span(segs, 0, len(text)) == [(segs[0].id, None), (segs[1].id, None)]
    assert map_span(segs, 7, 12) == [(segs[0].id, (7, 12))]
    fcs = [
        ForeignCoding("s", text, 0, 12, "ledning", "bo", Valence.HINDERING),
        ForeignCoding("s.txt", text, 13, 18, "individ", "bo"),
        # Another text version: found by the passage, once.
        ForeignCoding("s", "xx" + text, 2 + 13, 2 + 18, "kunskap_respekt", "bo"),
        ForeignCoding("okänd", text, 0, 3, "ledning", "bo"),
        ForeignCoding("s", text, 0, 3, "finns_ej", "bo"),
    ]
    rep = merge_foreign_codings(project, fcs)
    assert rep.added == 3 and rep.recordings == (rec.name,)
    assert len(rep.unmatched) == 2
    whole = project.codings(code="ledning")[0]
    assert whole.span_start is None and whole.valence is Valence.HINDERING
    part = project.codings(code="individ")[0]
    assert (part.span_start, part.span_end) == (0, 5)
    assert merge_foreign_codings(project, fcs).added == 0


def test_disagreements_and_resolve(two_blind: tuple[Project, Path]) -> None:
    project, other = two_blind
    merge_coder(project, other)
    passages = disagreements(project, ["anna", "bo"])
    refs = [p.ref for p in passages]
    assert refs == ["fokusgrupp_demo:4", "fokusgrupp_demo:12", "fokusgrupp_demo:13"]
    first = passages[0]
    assert first.speaker == ""  # speakers not named in this project
    assert set(first.candidates()) == {
        ("stabila_org", Valence.HINDERING),
        ("kunskap_respekt", Valence.HINDERING),
    }
    assert first.agreed() == []
    with pytest.raises(InputError):
        resolve(project, first.segment.id, [("stabila_org", Valence.HINDERING)], "  ")
    added = resolve(
        project,
        first.segment.id,
        [("stabila_org", Valence.HINDERING)],
        "Omorganisation väger tyngst.",
    )
    assert [c.coder for c in added] == ["konsensus"]
    left = disagreements(project, ["anna", "bo"])
    assert [p.ref for p in left] == refs[1:]
    every = disagreements(project, ["anna", "bo"], include_resolved=True)
    assert every[0].resolved and every[0].consensus[0].code == "stabila_org"
    # Resolving again replaces the consensus, it does not pile up.
    resolve(project, first.segment.id, [], "Ingen kod passar.")
    assert project.codings(coder="konsensus") == []
    # The consensus coder never counts as a coder in agreement by default.
    assert agreement(project).coders == ("anna", "bo")


@dataclass(frozen=True)
class _Code:
    guid: str
    name: str
    parent: str | None = None


@dataclass(frozen=True)
class _Source:
    guid: str
    name: str
    text: str


@dataclass(frozen=True)
class _Coding:
    source: str
    start: int
    end: int
    code: str
    user: str
    note: str = ""


@dataclass(frozen=True)
class _Refi:
    codes: tuple[_Code, ...]
    sources: tuple[_Source, ...]
    codings: tuple[_Coding, ...]


def test_refi_codings_matched_by_code_name_and_valence_subcode(project: Project) -> None:
    path = project.root / "s.txt"
    path.write_text("A (FK): första raden\nB (AF): andra raden\n", encoding="utf-8")
    project.import_transcript(path, name="s")
    text = source_text(project.segments("s"))
    label = project.codebook("danermark").code("ledning").label_sv
    refi = _Refi(
        codes=(
            _Code("G1", label),
            _Code("G2", f"{label} – hindrande", parent="G1"),
            _Code("G3", "individ"),
            _Code("G4", "Något helt annat"),
        ),
        sources=(_Source("S1", "s", text),),
        codings=(
            _Coding("S1", 0, 12, "G2", "bo", "Viktigt"),
            _Coding("S1", 13, 18, "G3", "bo"),
            _Coding("S1", 0, 3, "G4", "bo"),
        ),
    )
    codings, missing = foreign_codings_from_refi(project, refi)
    assert [(c.code_key, c.valence) for c in codings] == [
        ("ledning", Valence.HINDERING),
        ("individ", Valence.NONE),
    ]
    assert codings[0].memo == "Viktigt" and codings[0].codebook == "danermark"
    assert missing == ["code 'Något helt annat' has no match in this project"]
    assert merge_foreign_codings(project, codings).added == 2


def test_refi_merge_places_codings_on_passages_the_export_redacted(tmp_path: Path) -> None:
    """An export replaces identifiers, so the coded passages that hold them differ from
    the local text; they are placed line by line, spans on the same words."""
    from qualkit.export.refi.write import export_qdpx

    turns = (
        "Moderator: Välkomna hit.\n"
        "Eva: Ring mig på 070-123 45 67 eller skriv till eva.berg@example.se om ledningen.\n"
        "Eva: Mitt personnummer 19850312-1234 stod i ärendet, och ingen tog helheten.\n"
    )
    for name in ("a", "b"):
        init_project(tmp_path / name).close()
        (tmp_path / f"{name}.txt").write_text(turns, encoding="utf-8")
    with open_project(tmp_path / "b") as theirs:
        theirs.import_transcript(tmp_path / "b.txt", name="fg")
        theirs.add_coding("fg:2", "ledning", valence="hindrande", coder="bo")
        text = theirs.segments("fg")[2].text
        at = text.index("ingen tog helheten")
        theirs.add_coding("fg:3", "individ", coder="bo", span=(at, at + len("ingen tog helheten")))
        whole = (0, len(text))
        theirs.add_coding("fg:3", "stabila_org", coder="bo", span=whole)
        qdpx = export_qdpx(theirs, coder_names=True).path
    with zipfile.ZipFile(qdpx) as zf:
        raw = b"".join(zf.read(n) for n in zf.namelist())
    assert b"19850312-1234" not in raw and b"070-123" not in raw  # the export redacted them
    with open_project(tmp_path / "a") as ours:
        ours.import_transcript(tmp_path / "a.txt", name="fg")
        report = merge_coder(ours, qdpx)
        assert report.added == 3 and report.unmatched == ()
        segs = ours.segments("fg")
        placed = {c.code: c for c in ours.codings()}
        assert placed["ledning"].segment_id == segs[1].id and placed["ledning"].span_start is None
        part = placed["individ"]
        assert segs[2].text[part.span_start : part.span_end] == "ingen tog helheten"
        assert placed["stabila_org"].span_start is None  # the whole turn, as coded


def test_line_by_line_ends_and_restructured_copies(project: Project) -> None:
    from qualkit.merge.core import line_by_line

    path = project.root / "l.txt"
    path.write_text("A: Jag ringde Anna igår.\nB: Anna svarade inte.\n", encoding="utf-8")
    project.import_transcript(path, name="l")
    segs = project.segments("l")
    theirs = "Jag ringde [Namn 1] igår.\n[Namn 1] svarade inte."
    # A span that takes its line's newline ends that line; nothing spills onto the next.
    end_of_first = len("Jag ringde [Namn 1] igår.\n")
    assert line_by_line(theirs, segs, 0, end_of_first) == (0, len(segs[0].text))
    assert map_span(segs, 0, len(segs[0].text)) == [(segs[0].id, None)]
    # Lines that are other turns now (a split and a join since): nothing is guessed.
    other = "Hej och välkomna till gruppen.\nVi börjar med en runda."
    assert line_by_line(other, segs, 0, 5) is None


def test_merge_keeps_the_partner_actor(tmp_path: Path) -> None:
    from qualkit.export.refi.write import export_qdpx

    for name in ("a", "b"):
        init_project(tmp_path / name).close()
        (tmp_path / f"{name}.txt").write_text("Eva: FK ringer aldrig.\n", encoding="utf-8")
    with open_project(tmp_path / "b") as theirs:
        theirs.import_transcript(tmp_path / "b.txt", name="fg")
        c = theirs.add_coding("fg:1", "arbetsstruktur", coder="bo", memo="svårt")
        theirs.store.set_partner_actor(c.id, "FK")
        qdpx = export_qdpx(theirs, coder_names=True).path
    with open_project(tmp_path / "a") as ours:
        ours.import_transcript(tmp_path / "a.txt", name="fg")
        assert merge_coder(ours, qdpx).added == 1
        [got] = ours.codings()
        assert (got.partner_actor, got.memo) == ("FK", "svårt")
        assert merge_coder(ours, tmp_path / "b").added == 0  # the folder: already here
