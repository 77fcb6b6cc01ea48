from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"

# Tests run offline, always.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "0")


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    """A fresh project folder with the shipped codebooks."""
    from qualkit.project import init_project

    init_project(tmp_path / "proj").close()
    return tmp_path / "proj"


@pytest.fixture
def project(project_dir: Path) -> Iterator[object]:
    from qualkit.project import open_project

    with open_project(project_dir) as p:
        yield p


@pytest.fixture
def demo_project(tmp_path: Path) -> Iterator[object]:
    """A project with the demo transcript imported, speakers named and codings applied."""
    from qualkit.demo import run_demo
    from qualkit.project import init_project, open_project

    root = tmp_path / "demo"
    init_project(root).close()
    (root / "audio" / "demo").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "audio" / "demo" / "fokusgrupp_demo.txt", root / "audio" / "demo")
    run_demo(root, say=lambda _msg: None)
    with open_project(root) as p:
        yield p
