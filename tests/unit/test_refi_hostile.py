"""Hostile REFI-QDA input: one clear line, exit 2, nothing half-written.

Each shape here once ended in a traceback (UnicodeDecodeError, zlib.error, LZMAError,
RecursionError, ValueError) or in wrong data (codings swapped between two sources that
share a GUID, one repeated selection stored 20,000 times)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from qualkit.cli import main
from qualkit.project import open_project
from tests.unit import refi_hostile as h

REFUSED: list[tuple[str, Callable[[], bytes], str]] = [
    ("name.qdpx", h.bad_name_qdpx, "marked UTF-8 but is not"),
    ("docx.qdpx", h.bad_name_in_docx_qdpx, "marked UTF-8 but is not"),
    ("deflate.qdpx", h.corrupt_deflate_qdpx, "is damaged"),
    ("lzma.qdpx", h.corrupt_lzma_qdpx, "is damaged"),
    ("deep.qdc", lambda: h.deep_qdc(200), "nested more than"),
    ("deep.qdpx", lambda: h.deep_qdpx(2500), "nested more than"),
    ("valence.qdpx", h.duplicate_valence_guid_qdpx, "two codes share the GUID"),
    ("sources.qdpx", h.shared_source_guid_qdpx, "two sources share the GUID"),
]


def _state(root: Path) -> tuple[list[str], int, int]:
    with open_project(root) as p:
        return (
            sorted(f.name for f in p.codebook_dir.iterdir()),
            len(p.recordings()),
            len(p.codings()),
        )


@pytest.mark.parametrize(("name", "build", "says"), REFUSED, ids=[r[0] for r in REFUSED])
def test_hostile_exchange_file_is_one_line_and_writes_nothing(
    name: str,
    build: Callable[[], bytes],
    says: str,
    project_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = h.write(tmp_path / name, build())
    before = _state(project_dir)
    assert main(["exchange-import", "-p", str(project_dir), str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and says in err[0] and name in err[0]
    assert _state(project_dir) == before


@pytest.mark.parametrize(
    ("name", "build"),
    [("name.qdpx", h.bad_name_qdpx), ("deflate.qdpx", h.corrupt_deflate_qdpx)],
)
def test_hostile_file_through_merge_coder(
    name: str,
    build: Callable[[], bytes],
    project_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = h.write(tmp_path / name, build())
    assert main(["merge-coder", "-p", str(project_dir), str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and name in err[0]


def test_identical_selections_are_kept_once(
    project_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = h.write(tmp_path / "many.qdpx", h.repeated_selections_qdpx(20_000))
    assert main(["exchange-import", "-p", str(project_dir), str(path)]) == 0
    assert "19999 repeated codings" in capsys.readouterr().out.replace("\n", " ")
    with open_project(project_dir) as p:
        assert len(p.codings()) == 1


def test_a_csv_codebook_chained_too_deep_is_refused(
    project_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = ["tag,key,parent"] + [f"c{i},k{i},{f'k{i - 1}' if i else ''}" for i in range(300)]
    path = tmp_path / "chain.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    before = _state(project_dir)
    assert main(["codebook", "import", "-p", str(project_dir), str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "nested more than" in err[0] and "chain.csv" in err[0]
    assert _state(project_dir) == before
