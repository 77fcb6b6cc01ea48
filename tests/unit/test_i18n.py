from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from qualkit.i18n import TEXT, default_lang, t
from qualkit.i18n_errors import ERROR_TEXT
from qualkit.i18n_keys import KEY_TEXT

PACKAGE = Path(__file__).resolve().parents[2] / "qualkit"


def test_every_key_has_swedish_and_english() -> None:
    for key, (sv, en) in TEXT.items():
        assert sv.strip() and en.strip(), key


def test_lookup_and_fallback() -> None:
    assert t("key.undo") == "Ångra"
    assert t("key.undo", "en") == "Undo"
    assert t("no.such.key", "en") == "no.such.key"


def test_default_language_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QUALKIT_LANG", raising=False)
    assert default_lang() == "sv"
    monkeypatch.setenv("QUALKIT_LANG", "en_GB")
    assert default_lang() == "en"
    monkeypatch.setenv("QUALKIT_LANG", "de")
    assert default_lang() == "sv"


def _literal_keys(arg: ast.expr) -> Iterator[str]:
    """The keys a `t(...)` argument can name: a string, or either side of `a if c else b`."""
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        yield arg.value
    elif isinstance(arg, ast.IfExp):
        yield from _literal_keys(arg.body)
        yield from _literal_keys(arg.orelse)


def test_every_key_the_code_asks_for_is_in_the_table() -> None:
    # t() shows a missing key as the key itself, so only a test sees a lost entry.
    asked: list[tuple[str, int, str]] = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if not any(
            isinstance(node, ast.ImportFrom)
            and node.module == "qualkit.i18n"
            and any(alias.name == "t" for alias in node.names)
            for node in ast.walk(tree)
        ):
            continue  # the reports have their own t()
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "t"
                and node.args
            ):
                asked += [(path.name, node.lineno, k) for k in _literal_keys(node.args[0])]
    assert len(asked) > 150  # the scan found the screens' calls
    assert [a for a in asked if a[2] not in TEXT] == []


def test_the_tables_parts_share_no_key() -> None:
    # Merging with ** lets a later part silently replace an earlier entry.
    source = (PACKAGE / "i18n.py").read_text(encoding="utf-8")
    table = next(
        node.value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.AnnAssign)
        and isinstance(node.target, ast.Name)
        and node.target.id == "TEXT"
    )
    assert isinstance(table, ast.Dict)
    inline = [k.value for k in table.keys if isinstance(k, ast.Constant)]
    parts = [inline, list(KEY_TEXT), list(ERROR_TEXT)]
    assert len(TEXT) == sum(len(part) for part in parts)
