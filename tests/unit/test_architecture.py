"""Imports point down the layers, never from inside a function; core modules import no textual.

The layers, lowest first (a module may import its own layer and those below it):

    base      errors, model, atomic, i18n, offline, layout
    logic     codebook, ingest, pseudonymise, log, spans, pipeline stages, REFI reading
    store     qualkit.store (the only code that speaks SQL)
    project   qualkit.project (the front door), resolve, backup, the `qualkit` package
    services  privacy, rounds, merge, consensus, undo, search, playback, speakers, demo,
              analysis, export, the pipeline runner (local and on a Ray cluster)
    faces     cli, tui

Every import counts: at the top, inside `if TYPE_CHECKING:` and inside functions. An
import inside a function to dodge a cycle is a cycle; the only lazy imports allowed are of
heavy third-party libraries (faster_whisper, torch, ...), which this test does not see, and
the coding app, which is Textual, from the one command that starts it (ALLOWED_LAZY).
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "qualkit"

LAYERS = ("base", "logic", "store", "project", "services", "faces")

# Module (or package: it covers everything below it) -> layer. The longest match wins;
# "qualkit" names the package's own __init__ only, so a new module must be placed here.
PLACES: dict[str, str] = {
    "qualkit.errors": "base",
    "qualkit.model": "base",
    "qualkit.version": "base",
    "qualkit.atomic": "base",
    "qualkit.i18n": "base",
    "qualkit.i18n_errors": "base",
    "qualkit.i18n_keys": "base",
    "qualkit.offline": "base",
    "qualkit.layout": "base",
    "qualkit.spelling": "base",
    "qualkit.codebook": "logic",
    "qualkit.ingest": "logic",
    "qualkit.pseudonymise": "logic",
    "qualkit.identifiers": "logic",
    "qualkit.names": "logic",
    "qualkit.name_words": "logic",
    "qualkit.name_echoes": "logic",
    "qualkit.name_lists": "logic",
    "qualkit.name_case": "logic",
    "qualkit.name_labels": "logic",
    "qualkit.ingest_formats": "logic",
    "qualkit.log": "logic",
    "qualkit.spans": "logic",
    "qualkit.pipeline": "logic",
    "qualkit.pipeline.glossary": "logic",
    "qualkit.pipeline.voice_match": "logic",
    "qualkit.pipeline.overlap": "logic",
    "qualkit.pipeline.overlap_model": "logic",
    "qualkit.pipeline.resegment": "logic",
    "qualkit.export.refi.read": "logic",
    "qualkit.export.refi.read_codes": "logic",
    "qualkit.export.refi.records": "logic",
    "qualkit.export.refi.text": "logic",
    "qualkit.export.refi.archive": "logic",
    "qualkit.export.refi.xmlread": "logic",
    "qualkit.export.refi.constants": "logic",
    "qualkit.store": "store",
    "qualkit.store.voiceprints": "store",
    "qualkit": "project",
    "qualkit.project": "project",
    "qualkit.backup": "project",
    "qualkit.resolve": "project",
    "qualkit.privacy": "services",
    "qualkit.redaction": "services",
    "qualkit.redaction_text": "logic",
    "qualkit.rounds": "services",
    "qualkit.merge": "services",
    "qualkit.consensus": "services",
    "qualkit.undo": "services",
    "qualkit.undo_rows": "services",
    "qualkit.undo_codes": "services",
    "qualkit.undo_voices": "services",
    "qualkit.search": "services",
    "qualkit.serve": "services",
    "qualkit.playback": "services",
    "qualkit.speakers": "services",
    "qualkit.glossary": "services",
    "qualkit.voices": "services",
    "qualkit.demo": "services",
    "qualkit.analysis": "services",
    "qualkit.analysis.zeroshot": "services",
    "qualkit.analysis.lexical": "services",
    "qualkit.analysis.coassociation": "services",
    "qualkit.analysis.cluster_labels": "services",
    "qualkit.export": "services",
    "qualkit.pipeline.run": "services",
    "qualkit.pipeline.run_options": "services",
    "qualkit.pipeline.coded": "services",
    "qualkit.pipeline.project_batch": "services",
    "qualkit.pipeline.events": "services",
    "qualkit.pipeline.cluster": "services",
    "qualkit.pipeline.cluster_worker": "services",
    "qualkit.cli": "faces",
    "qualkit.cli.voices_cmds": "faces",
    "qualkit.tui": "faces",
    "qualkit.__main__": "faces",
}

# Violations other helpers are removing on their own branches at the same time. Each entry
# is (importing module, imported module). The lead empties these lists at merge: the tests
# below fail on a listed entry that no longer occurs, so a fixed one cannot linger.
ALLOWED_UPWARD: set[tuple[str, str]] = set()
# The one face that is a heavy third-party library: `qualkit tui` imports the coding app
# (Textual) when it runs, so the other commands start 0.4 s sooner.
ALLOWED_LAZY: set[tuple[str, str]] = {("qualkit.cli.tui_cmds", "qualkit.tui.app")}
# Screens reach the app through a typed host protocol or messages, never the app itself.
ALLOWED_SCREEN_TO_APP: set[str] = set()


@dataclass(frozen=True, slots=True)
class Import:
    importer: str
    imported: str
    line: int
    lazy: bool  # inside a function

    def __str__(self) -> str:
        return f"{self.importer} -> {self.imported} (line {self.line})"


def module_name(path: Path, package: Path) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules(package: Path = PACKAGE) -> dict[str, Path]:
    return {module_name(p, package): p for p in sorted(package.rglob("*.py"))}


def layer(module: str) -> str:
    if module == "qualkit":
        return PLACES[module]
    parts = module.split(".")
    for n in range(len(parts), 1, -1):
        place = PLACES.get(".".join(parts[:n]))
        if place is not None:
            return place
    raise AssertionError(f"{module} has no layer: add it to PLACES")


def _string_imports(call: ast.Call) -> str | None:
    """qualkit module named in importlib.import_module(...) / __import__(...), if any."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name not in ("import_module", "__import__") or not call.args:
        return None
    arg = call.args[0]
    text = ast.unparse(arg)
    return text if "qualkit" in text else None


@cache
def imports(package: Path = PACKAGE) -> tuple[Import, ...]:
    """Every import of a qualkit module, with where it is and whether it is lazy."""
    known = modules(package)
    found: list[Import] = []
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        in_function: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                in_function.update(id(sub) for sub in ast.walk(node) if sub is not node)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names if a.name.split(".")[0] == "qualkit"]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, *([base] if base else [])])
                if base.split(".")[0] != "qualkit":
                    continue
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    targets.append(sub if sub in known else base)
            elif isinstance(node, ast.Call) and (text := _string_imports(node)):
                targets = [f"<dynamic {text}>"]
            for target in targets:
                found.append(Import(name, target, node.lineno, id(node) in in_function))
    return tuple(found)


def test_every_module_has_a_layer() -> None:
    assert [m for m in modules() if not _has_layer(m)] == []


def _has_layer(module: str) -> bool:
    try:
        layer(module)
    except AssertionError:
        return False
    return True


def test_imports_point_down() -> None:
    upward = upward_imports()
    new = sorted(str(i) for key, i in upward.items() if key not in ALLOWED_UPWARD)
    assert new == [], "imports that point up a layer"
    assert sorted(ALLOWED_UPWARD - set(upward)) == [], "fixed: remove from ALLOWED_UPWARD"


def upward_imports(package: Path = PACKAGE) -> dict[tuple[str, str], Import]:
    return {
        (i.importer, i.imported): i
        for i in imports(package)
        if not i.imported.startswith("<")
        and LAYERS.index(layer(i.imported)) > LAYERS.index(layer(i.importer))
    }


def lazy_imports(package: Path = PACKAGE) -> dict[tuple[str, str], Import]:
    return {
        (i.importer, i.imported): i
        for i in imports(package)
        if i.lazy and not i.imported.startswith("<")
    }


def test_no_qualkit_import_inside_a_function() -> None:
    lazy = lazy_imports()
    new = sorted(str(i) for key, i in lazy.items() if key not in ALLOWED_LAZY)
    assert new == [], "move these imports to the top (or move the shared piece down)"
    assert sorted(ALLOWED_LAZY - set(lazy)) == [], "fixed: remove from ALLOWED_LAZY"


def test_no_module_imported_by_a_string() -> None:
    # Optional-module machinery (import_module in a try) turns a real ImportError into
    # "not available"; every part of qualkit ships, so every import is a plain statement.
    dynamic = sorted(str(i) for i in imports() if i.imported.startswith("<dynamic"))
    assert dynamic == []


def test_screens_do_not_import_the_app() -> None:
    screens = {
        i.importer
        for i in imports()
        if i.imported == "qualkit.tui.app" and i.importer.startswith("qualkit.tui.")
    }
    assert sorted(screens - ALLOWED_SCREEN_TO_APP) == []
    assert sorted(ALLOWED_SCREEN_TO_APP - screens) == [], "fixed: remove the allowance"


def test_nothing_below_the_faces_imports_them() -> None:
    # Implied by the layers, and said outright: the API never depends on a face.
    bad = [
        str(i)
        for i in imports()
        if layer(i.importer) != "faces"
        and not i.imported.startswith("<")
        and layer(i.imported) == "faces"
    ]
    assert bad == []


def test_the_layer_check_sees_violations(tmp_path: Path) -> None:
    # The checks pass on the real package; on a made-up one they must catch each breach.
    fake = tmp_path / "qualkit"
    (fake / "store").mkdir(parents=True)
    (fake / "tui" / "screens").mkdir(parents=True)
    files = {
        "__init__.py": "",
        "model.py": "from qualkit import atomic\n",
        "atomic.py": "",
        "project.py": "from qualkit.store import Store\n",
        "store/__init__.py": "from .codings import x\n",
        "store/codings.py": (
            "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n    from qualkit.project import Project\n"
            "def f():\n    from qualkit import model\n"
        ),
        "tui/__init__.py": "",
        "tui/app.py": "",
        "tui/screens/__init__.py": "",
        "tui/screens/s.py": (
            "import importlib\nfrom ..app import App\n"
            "def g():\n    return importlib.import_module(f'qualkit.analysis.{1}')\n"
        ),
    }
    for name, text in files.items():
        (fake / name).write_text(text, encoding="utf-8")
    found = {(i.importer, i.imported, i.lazy) for i in imports(fake)}
    assert ("qualkit.model", "qualkit.atomic", False) in found
    assert ("qualkit.store", "qualkit.store.codings", False) in found
    assert ("qualkit.tui.screens.s", "qualkit.tui.app", False) in found
    assert set(upward_imports(fake)) == {("qualkit.store.codings", "qualkit.project")}
    assert set(lazy_imports(fake)) == {("qualkit.store.codings", "qualkit.model")}
    assert any(i.imported.startswith("<dynamic") for i in imports(fake))


def core_modules() -> list[str]:
    return [m for m in modules() if layer(m) != "faces"]


def test_core_modules_do_not_import_textual() -> None:
    mods = core_modules()
    assert "qualkit.store" in mods and "qualkit.project" in mods
    code = (
        "import importlib, sys\n"
        f"for name in {mods!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = [m for m in sys.modules if m == 'textual' or m.startswith('textual.')]\n"
        "assert not bad, bad\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert res.returncode == 0, res.stderr


def test_only_store_speaks_sql() -> None:
    offenders = []
    store = REPO / "qualkit" / "store"
    for path in (REPO / "qualkit").rglob("*.py"):
        if store in path.parents:
            continue
        text = path.read_text(encoding="utf-8")
        if "import sqlite3" in text or ".execute(" in text:
            offenders.append(str(path.relative_to(REPO)))
    assert offenders == []
