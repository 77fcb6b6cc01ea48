"""The terminal table printer: words and ids are never split across lines."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from rich.console import Console

from qualkit.cli import output

REPO = Path(__file__).resolve().parents[2]

CODING_COLUMNS = ["id", "segment", "code", "valence", "span", "coder"]
CODES = ("danermark:arbetsstruktur", "danermark:kunskap_samverkan", "danermark:ledning")
CODINGS = [
    (n, f"fokusgrupp_demo:{n + 1}", code, "hindrande", "", "demo")
    for n, code in enumerate(CODES * 3, 1)
]
BOOKS = [
    ("danermark", "Danermarks åtta framgångsfaktorer för samverkan", 8, "danermark.yaml"),
    ("integrationsnivaer", "Tre nivåer av integration", 3, "integrationsnivaer.yaml"),
    ("socialstyrelsen", "Socialstyrelsens framgångsfaktorer", 4, "socialstyrelsen.yaml"),
]


def _render(
    monkeypatch: pytest.MonkeyPatch,
    width: int,
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    wrap: str | Sequence[str] | None = None,
) -> str:
    buf = io.StringIO()
    monkeypatch.setattr(output, "console", Console(file=buf, width=width, highlight=False))
    output.table(None, columns, rows, wrap=wrap)
    return buf.getvalue()


def _cells(out: str) -> list[str]:
    """Every non-empty cell text of the rendered table, line by line."""
    rows = [line for line in out.splitlines() if line.startswith(("│", "┃"))]
    return [c.strip() for line in rows for c in re.split("[│┃]", line) if c.strip()]


def test_an_identifier_column_is_never_folded(monkeypatch: pytest.MonkeyPatch) -> None:
    for width in (80, 100):
        out = _render(monkeypatch, width, CODING_COLUMNS, CODINGS, wrap="code")
        assert all(len(line) <= width for line in out.splitlines())
        for cell in _cells(out):
            if cell.startswith("danermark") or cell.startswith("fokusgrupp"):
                # Whole, or cut with "…" when the terminal is too narrow: never a piece
                # carried over to the next line ("arbetsstruktu" / "r").
                assert cell in CODES or cell.startswith("fokusgrupp") or cell.endswith("…")
            else:
                assert not any(code.endswith(cell) for code in CODES), cell
    # With room, every id is whole.
    out = _render(monkeypatch, 100, CODING_COLUMNS, CODINGS, wrap="code")
    assert all(code in _cells(out) for code in CODES)


def test_free_text_wraps_at_spaces_and_a_file_name_stays_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    columns = ["id", "name", "codes", "file"]
    out = _render(monkeypatch, 80, columns, BOOKS, wrap=("name", "file"))
    cells = _cells(out)
    assert "integrationsnivaer.yaml" in cells and "Danermarks åtta" in cells
    words = {w for _, name, _, _ in BOOKS for w in name.split()}
    # Each line of a name is made of whole words.
    for cell in cells:
        if cell not in {"id", "name", "codes", "file"} and not cell.isdigit():
            assert (
                all(w in words for w in cell.split())
                or cell.endswith(".yaml")
                or (cell in {b[0] for b in BOOKS})
            ), cell
    assert all(len(line) <= 80 for line in out.splitlines())


def test_a_too_narrow_terminal_cuts_with_an_ellipsis(monkeypatch: pytest.MonkeyPatch) -> None:
    # No column may wrap and the ids alone are wider than the terminal: they are cut, the
    # widest first, and the first column (it names the row) last.
    rows = [r[1:] for r in CODINGS]
    out = _render(monkeypatch, 60, CODING_COLUMNS[1:], rows, wrap=())
    assert all(len(line) <= 60 for line in out.splitlines())
    cells = _cells(out)
    assert "fokusgrupp_demo:2" in cells and "danermark:ledning" not in cells
    assert any(c.startswith("danerm") and c.endswith("…") for c in cells)
    assert "demo" in cells  # cut where it is widest, not everywhere


def test_codebook_list_at_80_columns(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "80"}
    run = [sys.executable, "-m", "qualkit"]
    subprocess.run([*run, "init", str(tmp_path)], env=env, capture_output=True, check=True)
    res = subprocess.run(
        [*run, "codebook", "list", "-p", str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    assert "integrationsnivaer.yaml" in _cells(res.stdout)
    assert all(len(line) <= 80 for line in res.stdout.splitlines())


def test_a_long_word_in_text_is_folded_whole_and_brackets_are_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = "Vi behöver en samverkansöverenskommelse [ohörbart] med AF [/b] nu."
    out = _render(monkeypatch, 50, ["segment", "speaker", "text"], [("fg:12", "Talare 1", text)])
    flat = "".join(re.sub(r"[│┃ ]", "", line) for line in out.splitlines())
    assert "samverkansöverenskommelse" in flat and "[ohörbart]" in flat and "[/b]" in flat
    assert "…" not in out


def test_a_terminal_too_narrow_for_ids_moves_columns_below(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = _render(monkeypatch, 30, CODING_COLUMNS, CODINGS)
    # Every id and every code is shown whole somewhere: no column squeezed to nothing.
    for n, _, code, *_ in CODINGS:
        assert re.search(rf"(│ +{n} +│|^  {n}: )", out, re.M), n
        assert code in out
    assert all(len(line) <= 30 for line in out.splitlines())


def test_number_headers_fold_before_an_id_is_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    columns = ["hotkey", "code", "främjande", "hindrande", "förslag", "ingen", "total"]
    ids = ["ledning", "arbetsstruktur", "kunskap_respekt", "kunskap_samverkan"]
    rows = [(str(n), code, 1, 12, 0, 0, 13) for n, code in enumerate(ids, 1)]
    out = _render(monkeypatch, 70, columns, rows)
    assert all(len(line) <= 70 for line in out.splitlines())
    # Every id whole: "kunska…" twice would not say which code a row counts.
    for code in ids:
        assert f" {code} " in out
    # The numbers are right-aligned and whole; a header folds instead ("främj" / "ande").
    assert re.search(r"│ +12 │", out)
    assert "främjande" not in out and "främj" in out


def test_text_below_the_table_wraps_under_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    label = "En tydlig arbetsstruktur med ansvarsfördelning, kontaktvägar och rutiner"
    rows = [("2", "arbetsstruktur", label, 3, "")]
    out = _render(monkeypatch, 50, ["hotkey", "code", "label", "total", "note"], rows)
    below = out.split("by hotkey):\n", 1)[1].splitlines()
    assert below[0].startswith("  2: En tydlig")
    assert all(line.startswith("     ") for line in below[1:]) and len(below) > 1
    # The empty column has nothing to show below the table, so it gets no heading.
    assert "note" not in out.split("┘", 1)[1]
